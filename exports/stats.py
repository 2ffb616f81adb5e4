"""The datasets as statistics packages' files: SAS XPORT (.xpt), SPSS (.sav), Stata (.dta).

One file per dataset of the export contract (`exports.datasets`), with the rows, scoping and
de-identification of the CSVs (`exports.values`). Each variable carries its label from the data
dictionary (`exports.dictionary.label`); dates are dates and date-times date-times (UTC) in every
format. Value labels come from the dictionary's allowed values (`exports.dictionary.choices`):
SPSS and Stata store a coded text variable as integers 1..n in the dictionary's order, each
labelled with its code's label, and booleans as 0/1 labelled no/yes. SAS XPORT has no value
labels (they would be a separate formats catalogue): codes stay text there, booleans 0/1.

The files are written by our own streaming writers (`exports.statfiles`), a row at a time as
the server-side cursor yields them, so memory stays flat whatever the trial's size. What a
header needs first, each text variable's width and whether a coded column holds a value
outside its codes, is one aggregate over the same rows (`exports.values.text_profile`); the
row counts are written after the rows. The datasets follow each other in one snapshot.

Beside them `csv_r` writes each dataset's CSV (the CSV export's own file) with a
`read_<dataset>.R` script that reads it in base R with its labels, factors and dates.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import override

from . import datasets as d
from . import statfiles, values
from .datasets import DATASETS, DICTIONARY_FILENAME, Dataset
from .dictionary import choices, dictionary_chunks, label
from .streaming import Counter, Scope, model_of, snapshot, write_dataset

SAS = "sas"
SPSS = "spss"
STATA = "stata"
SUFFIX = {SAS: "xpt", SPSS: "sav", STATA: "dta"}
WRITERS: dict[str, type[statfiles.Writer]] = {
    SAS: statfiles.XportWriter,
    SPSS: statfiles.SavWriter,
    STATA: statfiles.DtaWriter,
}
STATA_LABEL_MAX = statfiles.DTA_LABEL_CHARS  # characters of a Stata variable label
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


Convert = Callable[[Any], Any]


def _identity(value: Any) -> Any:
    return value


def _boolean(value: Any) -> Any:
    return None if value is None else int(bool(value))


def _text(value: Any) -> Any:
    return None if value is None else str(value)


def _numbered(codes: dict[str, tuple[int, str]]) -> Convert:
    return lambda value: None if value is None else codes[value][0]


def _file_variable(
    variable: Variable, fmt: str, profile: values.TextProfile
) -> tuple[statfiles.Variable, Convert]:
    """The file's variable for `fmt` and how a value of `values.rows` becomes its value."""
    kind = variable.column.kind
    name, text = variable.name, variable.label
    if fmt == SAS:
        text = text[:SAS_LABEL_MAX]
    if variable.shifted or kind == d.INTEGER:
        return statfiles.Variable(name, text, integer=True), _identity
    if kind == d.DECIMAL:
        return statfiles.Variable(name, text), _identity
    if kind == d.BOOLEAN:
        no_yes = ((0, _("no")), (1, _("yes")))
        return statfiles.Variable(name, text, value_labels=no_yes, integer=True), _boolean
    if kind == d.DATE:
        return statfiles.Variable(name, text, statfiles.DATE), _identity
    if kind == d.DATETIME:
        return statfiles.Variable(name, text, statfiles.DATETIME), _identity
    if variable.codes and fmt != SAS and name not in profile.uncoded:
        # Numbered for the value labels; a code outside the dictionary keeps the column text.
        labels = tuple(variable.codes.values())
        number = statfiles.Variable(name, text, value_labels=labels, integer=True)
        return number, _numbered(variable.codes)
    width = profile.widths.get(name, 0)
    return statfiles.Variable(name, text, statfiles.TEXT, width=width), _text


def write_dataset_file(
    dataset: Dataset, scope: Scope, fmt: str, out: Path, counter: Counter
) -> Path:
    path = out / f"{dataset.name}.{SUFFIX[fmt]}"
    columns = variables(dataset, deidentified=scope.deidentified)
    codes = {v.name: list(v.codes) for v in columns if v.codes} if fmt != SAS else {}
    profile = values.text_profile(dataset, scope, codes)
    pairs = [_file_variable(v, fmt, profile) for v in columns]
    converters = [convert for _variable, convert in pairs]
    with path.open("wb") as handle:
        writer = WRITERS[fmt](
            handle,
            [variable for variable, _convert in pairs],
            name=dataset.name[:32],
            label=str(dataset.form),
        )
        for _pk, row in values.rows(dataset, scope):
            writer.write_row([convert(v) for convert, v in zip(converters, row, strict=True)])
        writer.close()
    counter.rows += writer.rows
    counter.per_dataset[dataset.name] = writer.rows
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
