"""The datasets as statistics packages' files: SAS XPORT (.xpt), SPSS (.sav), Stata (.dta).

One file per dataset of the export contract (`exports.datasets`), with the rows, scoping and
de-identification of the CSVs (`exports.values`). Each variable carries its label from the data
dictionary (`exports.dictionary.label`); dates are dates and date-times date-times (UTC) in every
format. Value labels come from the dictionary's allowed values (`exports.dictionary.choices`):
SPSS and Stata store a coded text variable as integers 1..n in the dictionary's order, each
labelled with its code's label, and booleans as 0/1 labelled no/yes. SAS XPORT has no value
labels (they would be a separate formats catalogue): codes stay text there, booleans 0/1.

pyreadstat writes a whole pandas DataFrame at once (it cannot append), so one dataset is in
memory at a time, read from a server-side cursor in typed columns; the datasets follow each
other. The figures in the README give the peak at 100,000 participants.

Beside them `csv_r` writes each dataset's CSV (the CSV export's own file) with a
`read_<dataset>.R` script that reads it in base R with its labels, factors and dates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyreadstat
from django.utils.translation import gettext as _
from django.utils.translation import override

from . import datasets as d
from . import values
from .datasets import DATASETS, DICTIONARY_FILENAME, Dataset
from .dictionary import choices, dictionary_chunks, label
from .streaming import Counter, Scope, model_of, snapshot, write_dataset

SAS = "sas"
SPSS = "spss"
STATA = "stata"
SUFFIX = {SAS: "xpt", SPSS: "sav", STATA: "dta"}
STATA_LABEL_MAX = 80  # characters of a Stata variable label
SAS_LABEL_MAX = 256
ProgressCallback = Callable[[int, int], None]


@dataclass(frozen=True)
class Variable:
    column: d.Column
    label: str
    shifted: bool
    # code -> (number, label), for a coded text column in SPSS and Stata
    codes: dict[str, tuple[int, str]]

    @property
    def name(self) -> str:
        return self.column.name


def variables(dataset: Dataset, *, deidentified: bool) -> list[Variable]:
    model = model_of(dataset)
    out = []
    for column in dataset.columns_for(deidentified=deidentified):
        field = d.model_field(model, column.lookup)
        shifted = dataset.shifted(column, deidentified=deidentified)
        text = label(column, field)
        if shifted:
            text = _("%(label)s (days from the diagnosis date)") % {"label": text}
        coded = column.kind in (d.TEXT, d.SCREENING_NUMBER) and not shifted
        codes = (
            {code: (n, name) for n, (code, name) in enumerate(choices(column, field), start=1)}
            if coded
            else {}
        )
        out.append(Variable(column, text, shifted, codes))
    return out


def _convert(variable: Variable, value: Any, fmt: str) -> Any:
    if value is None:
        return None
    if variable.shifted:
        return value
    kind = variable.column.kind
    if kind == d.BOOLEAN:
        return 1 if value else 0
    if kind == d.DATETIME and isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


def frame(dataset: Dataset, scope: Scope, fmt: str, counter: Counter) -> pd.DataFrame:
    """The dataset as a DataFrame, typed for `fmt`."""
    columns = variables(dataset, deidentified=scope.deidentified)
    cells: list[list[Any]] = [[] for _ in columns]
    rows = 0
    for _pk, row in values.rows(dataset, scope):
        for i, (variable, value) in enumerate(zip(columns, row, strict=True)):
            cells[i].append(_convert(variable, value, fmt))
        rows += 1
    counter.rows += rows
    counter.per_dataset[dataset.name] = rows
    data: dict[str, Any] = {}
    for variable, column_cells in zip(columns, cells, strict=True):
        data[variable.name] = _series(variable, column_cells, fmt)
    return pd.DataFrame(data)


def _series(variable: Variable, cells: list[Any], fmt: str) -> pd.Series:
    kind = variable.column.kind
    if variable.shifted or kind in (d.INTEGER, d.DECIMAL, d.BOOLEAN):
        return pd.Series(cells, dtype="float64")
    if variable.codes and fmt != SAS and all(c is None or c in variable.codes for c in cells):
        # Numbered for the value labels; a code outside the dictionary keeps the column text.
        numbers = [None if c is None else variable.codes[c][0] for c in cells]
        return pd.Series(numbers, dtype="float64")
    if kind == d.DATE:
        return pd.Series(cells, dtype="object")  # datetime.date: pyreadstat writes a date
    if kind == d.DATETIME:
        return pd.Series(pd.to_datetime(cells))
    return pd.Series(["" if c is None else str(c) for c in cells], dtype="object")


def value_labels(dataset: Dataset, frame_: pd.DataFrame, *, deidentified: bool) -> dict[str, Any]:
    """Value labels of the numeric-coded variables (SPSS and Stata)."""
    out: dict[str, Any] = {}
    for variable in variables(dataset, deidentified=deidentified):
        if variable.column.kind == d.BOOLEAN:
            out[variable.name] = {0: _("no"), 1: _("yes")}
        elif variable.codes and frame_[variable.name].dtype == "float64":
            out[variable.name] = dict(variable.codes.values())
    return out


def write_dataset_file(
    dataset: Dataset, scope: Scope, fmt: str, out: Path, counter: Counter
) -> Path:
    path = out / f"{dataset.name}.{SUFFIX[fmt]}"
    data = frame(dataset, scope, fmt, counter)
    labels: list[str | None] = [
        v.label for v in variables(dataset, deidentified=scope.deidentified)
    ]
    if fmt == SAS:
        pyreadstat.write_xport(
            data,
            str(path),
            file_label=str(dataset.form)[:40],
            column_labels=[(text or "")[:SAS_LABEL_MAX] for text in labels],
            table_name=dataset.name[:32],
            file_format_version=8,
        )
    elif fmt == SPSS:
        pyreadstat.write_sav(
            data,
            str(path),
            file_label=str(dataset.form),
            column_labels=labels,
            variable_value_labels=value_labels(dataset, data, deidentified=scope.deidentified),
        )
    else:
        pyreadstat.write_dta(
            data,
            str(path),
            file_label=str(dataset.form)[:STATA_LABEL_MAX],
            column_labels=[(text or "")[:STATA_LABEL_MAX] for text in labels],
            variable_value_labels=value_labels(dataset, data, deidentified=scope.deidentified),
            version=15,
        )
    del data
    return path


def write_stats(
    out: Path,
    scope: Scope,
    fmt: str,
    *,
    datasets: Iterable[Dataset] = DATASETS,
    language: str = "en",
    counter: Counter | None = None,
    progress: ProgressCallback | None = None,
) -> Counter:
    """Every dataset as a `fmt` file, and the data dictionary, into `out`. SAS XPORT's labels
    are always English: the format is ASCII."""
    counter = counter if counter is not None else Counter()
    datasets = [ds for ds in datasets if model_of(ds) is not None]
    out.mkdir(parents=True, exist_ok=True)
    with override("en" if fmt == SAS else language), snapshot():
        for n, dataset in enumerate(datasets, start=1):
            write_dataset_file(dataset, scope, fmt, out, counter)
            if progress is not None:
                progress(n, len(datasets))
        with (out / DICTIONARY_FILENAME).open("wb") as handle:
            for chunk in dictionary_chunks(deidentified=scope.deidentified):
                handle.write(chunk)
    return counter


# --- CSV with an R script ---------------------------------------------------------------------


def _r_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def r_script(dataset: Dataset, *, deidentified: bool) -> str:
    """Base R that reads `<dataset>.csv` with its labels (attribute "label"), factors with the
    dictionary's labels, dates and logicals."""
    lines = [
        f"# {dataset.name}.csv: {dataset.form}. Generated by CS-EDC from the data dictionary.",
        f'# Usage: source("read_{dataset.name}.R"); {dataset.name} <- read_{dataset.name}()',
        f'read_{dataset.name} <- function(path = "{dataset.name}.csv") {{',
        '  x <- read.csv(path, colClasses = "character", na.strings = "", encoding = "UTF-8")',
    ]
    for variable in variables(dataset, deidentified=deidentified):
        ref = f"x[[{_r_string(variable.name)}]]"
        kind = variable.column.kind
        if variable.shifted or kind == d.INTEGER:
            lines.append(f"  {ref} <- as.integer({ref})")
        elif kind == d.DECIMAL:
            lines.append(f"  {ref} <- as.numeric({ref})")
        elif kind == d.BOOLEAN:
            lines.append(f'  {ref} <- {ref} == "true"')
        elif kind == d.DATE:
            lines.append(f"  {ref} <- as.Date({ref})")
        elif kind == d.DATETIME:
            lines.append(f'  {ref} <- as.POSIXct({ref}, format = "%Y-%m-%dT%H:%M:%SZ", tz = "UTC")')
        elif variable.codes:
            codes = ", ".join(_r_string(c) for c in variable.codes)
            names = ", ".join(_r_string(text) for _n, text in variable.codes.values())
            lines.append(f"  {ref} <- factor({ref}, levels = c({codes}), labels = c({names}))")
        lines.append(f'  attr({ref}, "label") <- {_r_string(variable.label)}')
    lines += ["  x", "}", ""]
    return "\n".join(lines)


def write_csv_r(
    out: Path,
    scope: Scope,
    *,
    datasets: Iterable[Dataset] = DATASETS,
    language: str = "en",
    counter: Counter | None = None,
    progress: ProgressCallback | None = None,
    scripts: bool = True,
) -> Counter:
    """Each dataset's CSV (as the CSV export writes it) with its `read_<dataset>.R`
    (without `scripts`: the CSVs alone, as the CSV export, with progress)."""
    counter = counter if counter is not None else Counter()
    datasets = list(datasets)
    out.mkdir(parents=True, exist_ok=True)
    with override(language), snapshot():
        for n, dataset in enumerate(datasets, start=1):
            with (out / dataset.filename).open("wb") as handle:
                write_dataset(dataset, scope, handle, counter)
            if scripts:
                script = r_script(dataset, deidentified=scope.deidentified)
                (out / f"read_{dataset.name}.R").write_text(script, encoding="utf-8")
            if progress is not None:
                progress(n, len(datasets))
        with (out / DICTIONARY_FILENAME).open("wb") as handle:
            for chunk in dictionary_chunks(deidentified=scope.deidentified):
                handle.write(chunk)
    return counter
