"""The CTCAE v5.0 term list: data in the repository (`data/ctcae_v5.csv`, see data/README.md),
loaded into `CtcaeTerm` by the migration `0002_load_ctcae_terms` and by
`manage.py load_ctcae_terms` (both call `load_terms`, which is idempotent: a term is matched
by its MedDRA code and updated in place, never duplicated)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

TERMS_CSV = Path(__file__).resolve().parent / "data" / "ctcae_v5.csv"
COLUMNS = (
    "meddra_code",
    "soc",
    "term",
    "grade_1",
    "grade_2",
    "grade_3",
    "grade_4",
    "grade_5",
    "definition",
)


def read_terms(path: Path = TERMS_CSV) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise ValueError(f"{path.name}: the columns must be {', '.join(COLUMNS)}")
        return [dict(row) for row in reader]


def load_terms(model: Any, path: Path = TERMS_CSV) -> tuple[int, int]:
    """Create or update every term of the list in `model` (the CtcaeTerm model, or its
    historical version inside a migration). Returns (created, updated)."""
    rows = read_terms(path)
    existing = {t.meddra_code: t for t in model.objects.all()}
    new, changed = [], []
    fields = COLUMNS[1:]
    for row in rows:
        term = existing.get(row["meddra_code"])
        if term is None:
            new.append(model(**row))
        elif any(getattr(term, name) != row[name] for name in fields):
            for name in fields:
                setattr(term, name, row[name])
            changed.append(term)
    model.objects.bulk_create(new, batch_size=500)
    model.objects.bulk_update(changed, fields, batch_size=500)
    return len(new), len(changed)
