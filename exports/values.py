"""A dataset's rows as Python values, for the outputs that are not CSV (ODM, SAS, SPSS, Stata).

The same declarations as the CSVs (`exports.datasets`), the same scoping and the same
de-identification: the columns of `Dataset.columns_for`, calendar dates as days from the
diagnosis (`exports.sql.DaysFrom`, as the COPY's SQL computes them). What differs is the
rendering: a CSV wants the contract's text (and formula neutralising), these files want typed
values. Rows come from a server-side cursor (`QuerySet.iterator`), never a whole dataset.

Each row is `(key, values)`: `key` the dataset's record (its primary key; None for a computed
dataset), `values` one Python value per column in the order of `columns_for`. `text_profile`
is what a statistics file's header needs before those rows (each text column's width, the
coded columns with a value outside their codes), as one aggregate over the same SELECT.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from django.db.models import Count, F, IntegerField, Max, Q, Value

from . import sql
from .datasets import (
    BOOLEAN,
    CODES,
    DATE,
    DATETIME,
    DECIMAL,
    INTEGER,
    SCREENING_NUMBER,
    TEXT,
    Column,
    Dataset,
)
from .streaming import Scope, base_queryset, model_of

CURSOR_ROWS = 2_000
TEXT_KINDS = frozenset({TEXT, CODES, SCREENING_NUMBER})

Row = tuple[Any, list[Any]]


def _expression(column: Column, dataset: Dataset, scope: Scope) -> Any:
    ref = F(cast(str, column.lookup))
    if dataset.shifted(column, deidentified=scope.deidentified):
        reference = dataset.reference_lookup()
        if reference is None:
            return Value(None, output_field=IntegerField())
        return sql.DaysFrom(ref, F(reference), timestamp=column.kind == DATETIME)
    if column.kind == SCREENING_NUMBER:
        return sql.ScreeningNumber(ref)
    return ref


def typed(column: Column, value: Any, *, shifted: bool) -> Any:
    """One cell as a Python value of its kind: the ORM's (a date, a bool, a JSON list) or a
    computed dataset's contract text ("true", "2026-01-05", "liver;bone") alike; None for
    missing. A shifted calendar date is an integer (days)."""
    if value is None or value == "" or value == []:
        return None
    if shifted or column.kind == INTEGER:
        return int(value)
    if column.kind == DECIMAL:
        return float(value) if isinstance(value, Decimal | int | float) else float(str(value))
    if column.kind == BOOLEAN:
        return value if isinstance(value, bool) else str(value) == "true"
    if column.kind == DATE:
        if isinstance(value, dt.datetime):
            return value.date()
        return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
    if column.kind == DATETIME:
        if isinstance(value, dt.datetime):
            return value.astimezone(dt.UTC)
        return dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if column.kind == CODES:
        return ";".join(value) if isinstance(value, list) else str(value)
    return str(value)


def rows(dataset: Dataset, scope: Scope) -> Iterator[Row]:
    """The dataset's rows in the contract's order, typed."""
    if model_of(dataset) is None:
        return
    columns = dataset.columns_for(deidentified=scope.deidentified)
    shifted = [dataset.shifted(c, deidentified=scope.deidentified) for c in columns]
    pairs = list(zip(columns, shifted, strict=True))
    names = {f"c{i}": _expression(c, dataset, scope) for i, c in enumerate(columns)}
    queryset = (
        base_queryset(dataset, scope)
        .annotate(**names)
        .values_list("pk", *names)
        .order_by(*dataset.order_by)
    )
    for pk, *cells in queryset.iterator(CURSOR_ROWS):
        yield pk, [typed(c, v, shifted=s) for (c, s), v in zip(pairs, cells, strict=True)]


@dataclass(frozen=True)
class TextProfile:
    """What a statistics file's header needs before the rows: each text column's longest
    value in UTF-8 bytes (0 when it has none), and the coded columns that hold a value outside
    their codes (written as text rather than numbered)."""

    widths: dict[str, int]
    uncoded: frozenset[str]


def text_profile(
    dataset: Dataset, scope: Scope, codes: Mapping[str, Collection[str]]
) -> TextProfile:
    """One aggregate over the rows that `rows` reads: the longest value of each text column,
    and whether a column of `codes` (column name -> its codes) holds another value."""
    if model_of(dataset) is None:
        return TextProfile({}, frozenset())
    columns = [
        (f"c{i}", c)
        for i, c in enumerate(dataset.columns_for(deidentified=scope.deidentified))
        if c.kind in TEXT_KINDS and not dataset.shifted(c, deidentified=scope.deidentified)
    ]
    if not columns:
        return TextProfile({}, frozenset())
    aggregates: dict[str, Any] = {}
    for ref, column in columns:
        aggregates[f"w_{ref}"] = Max(sql.OctetLength(F(ref)))
        if column.name in codes:
            known = Q(**{f"{ref}__in": list(codes[column.name])}) | Q(**{ref: ""})
            aggregates[f"u_{ref}"] = Count("pk", filter=Q(**{f"{ref}__isnull": False}) & ~known)
    found = (
        base_queryset(dataset, scope)
        .annotate(**{ref: _expression(c, dataset, scope) for ref, c in columns})
        .aggregate(**aggregates)
    )
    return TextProfile(
        widths={c.name: found[f"w_{ref}"] or 0 for ref, c in columns},
        uncoded=frozenset(c.name for ref, c in columns if found.get(f"u_{ref}")),
    )
