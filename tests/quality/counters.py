"""What the quality tests measured, kept in var/quality.json for the report and the terminal.

Each test adds its figures under a section; `pytest_terminal_summary` (tests/quality/conftest)
prints them at the end of the run.
"""

import json
from pathlib import Path
from typing import Any

from django.conf import settings

_figures: dict[str, dict[str, Any]] = {}


def record(section: str, values: dict[str, Any]) -> None:
    _figures.setdefault(section, {}).update(values)


def add(section: str, key: str, n: int = 1) -> None:
    bucket = _figures.setdefault(section, {})
    bucket[key] = bucket.get(key, 0) + n


def figures() -> dict[str, dict[str, Any]]:
    return _figures


def write() -> Path | None:
    if not _figures:
        return None
    path = Path(settings.BASE_DIR) / "var" / "quality.json"
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(_figures, indent=2, sort_keys=True))
    return path
