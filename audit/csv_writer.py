"""The one CSV writer: every CSV the app serves or writes goes through here.

A cell that a spreadsheet would run as a formula (OWASP "CSV injection": text that starts with
`=`, `+`, `-`, `@`, a tab or a carriage return) is written as text, with a leading `'`. A plain
number (`-1.5`, `+3`, `-30` days from diagnosis) is not a formula and stays a number: only text
that would be evaluated is changed. PostgreSQL's COPY path (`exports.sql.SpreadsheetSafe`)
applies the same rule in SQL, from the same constants. A column whose every value the database
keeps to the rule (`FormulaFree`: a derived row's codes) is written as stored.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from typing import Any

from django.db import models

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# A number as a spreadsheet reads one; the SQL twin is PLAIN_NUMBER_SQL (POSIX regex).
PLAIN_NUMBER = re.compile(r"[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?\Z")
PLAIN_NUMBER_SQL = "^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?$"
ESCAPE = "'"
# The first character of a formula, as a regular expression (PostgreSQL's and Python's).
FORMULA_START = "^[" + "".join(c for c in FORMULA_PREFIXES if c != "-") + "-]"


def safe_cell(value: Any) -> Any:
    """`value`, or, for text a spreadsheet would evaluate, the same text marked as text."""
    if isinstance(value, str) and value[:1] in FORMULA_PREFIXES and not PLAIN_NUMBER.match(value):
        return ESCAPE + value
    return value


def safe_row(row: Iterable[Any]) -> list[Any]:
    return [safe_cell(v) for v in row]


class _Line:
    """A file-like sink that hands back what csv.writer writes, one line at a time."""

    def write(self, value: str) -> str:
        return value


class CsvWriter:
    """Rows to CSV text, every cell made safe. `line` for one row (streaming), `text`/`bytes`
    for many."""

    def __init__(self) -> None:
        self._line = csv.writer(_Line(), lineterminator="\n")

    def line(self, row: Iterable[Any]) -> str:
        # _Line.write hands back the text, and csv.writer returns what write returns.
        text: str = self._line.writerow(safe_row(row))
        return text

    def text(self, rows: Iterable[Iterable[Any]]) -> str:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(safe_row(r) for r in rows)
        return buffer.getvalue()

    def bytes(self, rows: Iterable[Iterable[Any]]) -> bytes:
        return self.text(rows).encode()

    def lines(self, rows: Iterable[Iterable[Any]]) -> Iterator[str]:
        for row in rows:
            yield self.line(row)


def csv_bytes(rows: Iterable[Iterable[Any]]) -> bytes:
    return CsvWriter().bytes(rows)


def formula_free_condition(field: str) -> models.Q:
    """A value of `field` that the rule leaves as it is: it does not start with a formula's
    character, or it is a plain number (NULL passes, as in every CHECK)."""
    return ~models.Q(**{f"{field}__regex": FORMULA_START}) | models.Q(
        **{f"{field}__regex": PLAIN_NUMBER_SQL}
    )


class FormulaFree(models.CheckConstraint):
    """The database's word that every value of the text column `field` is one the rule leaves
    as it is, so that the export's SELECT writes the column as stored (`exports.streaming`)
    instead of testing every cell. For the columns of codes that a refresh writes (a derived
    row's categories, its copies of coded fields): the refresh writes them through `safe_cell`,
    so a source value that is not a code is stored as the export would have written it, and
    never refused. The migration records the condition itself, so a change of the rule shows
    as a change of the constraint (`makemigrations --check`)."""

    def __init__(
        self, *, field: str, name: str, condition: models.Q | None = None, **kwargs: Any
    ) -> None:
        self.field = field
        condition = formula_free_condition(field) if condition is None else condition
        super().__init__(condition=condition, name=name, **kwargs)

    def deconstruct(self) -> Any:
        path, args, kwargs = super().deconstruct()
        kwargs["field"] = self.field
        return path, args, kwargs


def formula_free(prefix: str, fields: Iterable[str]) -> list[models.BaseConstraint]:
    """A FormulaFree constraint per field of a model, named `<prefix>_<field>_formula_free`."""
    return [FormulaFree(field=field, name=f"{prefix}_{field}_formula_free") for field in fields]


def formula_free_fields(model: type[models.Model]) -> frozenset[str]:
    """The names of `model`'s fields that a FormulaFree constraint keeps formula-free."""
    return frozenset(c.field for c in model._meta.constraints if isinstance(c, FormulaFree))
