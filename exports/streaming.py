"""Streaming a dataset as CSV bytes, memory flat whatever the trial's size.

PostgreSQL: the dataset's SELECT (built from `exports.datasets` by the ORM, formatting in SQL
by `exports.sql`) is streamed by one `COPY (...) TO STDOUT WITH (FORMAT csv)`: straight into
the file for the command line; for a web response, which pulls its chunks, from a thread that
runs the COPY, through a bounded queue (`_copy_chunks`). Neither holds the dataset whole.
SQLite (development): the same query through a chunked iterator into the CSV writer. The
values a rule computes (eligibility, outcomes) are stored columns (`exports.derived`), read by
the same SELECT, so every dataset takes the same path. Every path neutralises spreadsheet
formulas by one rule (`audit.csv_writer`; on the COPY path the SELECT applies it,
`exports.sql.SpreadsheetSafe`, to every text but the codes that the database itself keeps
formula-free, `audit.csv_writer.FormulaFree`).
"""

from __future__ import annotations

import contextlib
import io
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any, cast

from django.db import connection, transaction
from django.db.models import F, IntegerField, JSONField, QuerySet, Value

from access.roles import Action
from access.scoping import SiteScopedQuerySet
from audit.csv_writer import csv_bytes, formula_free_fields

from . import sql
from .datasets import (
    BOOLEAN,
    CODES,
    DATE,
    DATETIME,
    SCREENING_NUMBER,
    TEXT,
    Column,
    Dataset,
    model_field,
    model_or_none,
)

COPY_CHUNK_BYTES = 256 * 1024  # bytes per chunk handed from the COPY to a web response
COPY_QUEUE_CHUNKS = 8  # chunks waiting for the response at most: the memory of a download
CSV_BATCH_ROWS = 2_000  # rows per yielded chunk on the CSV writer path
EXPORT_WORK_MEM = "64MB"  # PostgreSQL's memory per sort or hash of an export's statement


@dataclass(frozen=True)
class Scope:
    """Whose sites and which variant: a user's sites where `action` is allowed (web), or every
    site (command line), optionally narrowed to `site_ids`."""

    deidentified: bool = False
    user: Any = None
    action: Action | None = None
    site_ids: tuple[int, ...] | None = None
    # Narrowed to these participants (a batch of the ODM's subjects), or to the rows that have
    # no participant (unenrolled screenings); see `base_queryset`.
    participant_ids: tuple[int, ...] | None = None
    without_participant: bool = False

    def apply(self, queryset: SiteScopedQuerySet[Any]) -> QuerySet[Any]:
        if self.user is not None:
            # A web scope names its action (None would match no site: nothing leaks).
            queryset = queryset.for_user(self.user, cast(Action, self.action))
        if self.site_ids is not None:
            site_path = queryset.model.site_path
            queryset = queryset.filter(**{f"{site_path}__in": self.site_ids})
        return queryset


@dataclass
class Counter:
    rows: int = 0
    per_dataset: dict[str, int] = field(default_factory=dict)


def model_of(dataset: Dataset) -> Any:
    """The dataset's model; None while its app is not installed (the file is header only)."""
    return model_or_none(dataset.model)


def base_queryset(dataset: Dataset, scope: Scope) -> QuerySet[Any]:
    queryset = scope.apply(model_of(dataset).objects.filter(**dict(dataset.filters)))
    participant = dataset.participant_lookup
    if scope.participant_ids is not None:
        queryset = queryset.filter(**{f"{participant}__in": scope.participant_ids})
    if scope.without_participant:
        queryset = queryset.filter(**{f"{participant}__isnull": True})
    return queryset


def expression(column: Column, dataset: Dataset, scope: Scope) -> Any:
    """The column's value, rendered as the contract's text, as an ORM expression."""
    ref = F(cast(str, column.lookup))  # a streamed dataset's columns are all model lookups
    if dataset.shifted(column, deidentified=scope.deidentified):
        reference = dataset.reference_lookup()
        if reference is None:  # nothing to count from: withheld rather than kept
            return Value(None, output_field=IntegerField())
        return sql.DaysFrom(ref, F(reference), timestamp=column.kind == DATETIME)
    if column.kind in (TEXT, CODES):
        stored = model_field(model_of(dataset), column.lookup)
        if isinstance(stored, JSONField):
            return sql.SpreadsheetSafe(sql.JoinedCodes(ref))  # a form's list (a visit's sites)
        if stored is not None and stored.name in formula_free_fields(stored.model):
            return sql.BlankAsNull(ref)  # the database refuses a formula there (FormulaFree)
        # Every other text, coded ones too: a choice field's value is checked by its form, not
        # by the database, so a stored value is not known to be one of the codes. Guarded as
        # stored and emptied last, so that the guard reads the column, not an expression.
        return sql.BlankAsNull(sql.SpreadsheetSafe(ref))
    rendered = {
        DATE: sql.IsoDate,
        DATETIME: sql.IsoDateTime,
        BOOLEAN: sql.TrueFalse,
        SCREENING_NUMBER: sql.ScreeningNumber,
    }.get(column.kind)
    return ref if rendered is None else rendered(ref)


def select_queryset(dataset: Dataset, scope: Scope) -> QuerySet[Any]:
    """The dataset's rows as a values_list queryset, one formatted column per contract column.

    Columns are annotated as c0, c1, ... (a contract name may equal a model field's name,
    which an annotation may not); the header is written separately.
    """
    columns = dataset.columns_for(deidentified=scope.deidentified)
    names = {f"c{i}": expression(c, dataset, scope) for i, c in enumerate(columns)}
    queryset: QuerySet[Any] = (
        base_queryset(dataset, scope)
        .annotate(**names)
        .values_list(*names)
        .order_by(*dataset.order_by)
    )
    return queryset


def _copy(select: QuerySet[Any], handle: IO[bytes], counter: Counter) -> None:
    """COPY the queryset's rows into `handle`, as CSV, row by row as PostgreSQL sends them."""
    query, params = select.query.sql_with_params()
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg2's own cursor: COPY is not in the DB-API
        bound = raw.mogrify(query, params).decode()  # parameters bound by the driver
        raw.copy_expert(f"COPY ({bound}) TO STDOUT WITH (FORMAT csv)", handle)
        counter.rows += max(raw.rowcount, 0)


class _QueueSink(io.RawIOBase):
    """The file that psycopg2's COPY writes into, in the COPY's thread: each buffered chunk
    goes into the queue (waiting while the response is `COPY_QUEUE_CHUNKS` behind), or
    nowhere once the response has gone."""

    def __init__(self, chunks: queue.Queue[Any], gone: threading.Event) -> None:
        self._chunks, self._gone = chunks, gone

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        if not self._gone.is_set():
            self._chunks.put(bytes(data))
        return len(data)


_COPY_DONE = object()
COPY_THREAD_NAME = "export-copy"


def _copy_chunks(select: QuerySet[Any], counter: Counter) -> Iterator[bytes]:
    """One COPY of the queryset's rows, for a consumer that pulls (a web response).

    psycopg2 has no COPY iterator: it pushes each row into a file. So a thread runs the COPY
    on this request's connection (psycopg2 connections may be shared between threads, and this
    one waits on the queue meanwhile, in the same transaction and snapshot) and hands its
    output over in `COPY_CHUNK_BYTES` chunks. One statement rather than key ranges: a range
    would re-read every table it joins (a visit's range hashed all 1.4 million planned visits).
    A response closed early (the browser gone) cancels the statement while it runs, discards
    the rest and waits for the thread; the transaction then rolls back.
    """
    connection.ensure_connection()
    raw_connection = connection.connection
    query, params = select.query.sql_with_params()
    chunks: queue.Queue[Any] = queue.Queue(maxsize=COPY_QUEUE_CHUNKS)
    gone = threading.Event()
    # Held while the statement may be running: a cancel after it would hit the next one.
    copying = threading.Lock()

    def run() -> None:
        try:
            with copying, raw_connection.cursor() as raw:
                bound = raw.mogrify(query, params).decode()
                sink = io.BufferedWriter(_QueueSink(chunks, gone), COPY_CHUNK_BYTES)
                raw.copy_expert(f"COPY ({bound}) TO STDOUT WITH (FORMAT csv)", sink)
                sink.flush()
                counter.rows += max(raw.rowcount, 0)
            chunks.put(_COPY_DONE)
        except BaseException as error:  # handed to the response, which raises it
            chunks.put(error)

    thread = threading.Thread(target=run, name=COPY_THREAD_NAME, daemon=True)
    thread.start()
    finished = False
    try:
        while (item := chunks.get()) is not _COPY_DONE:
            if isinstance(item, BaseException):
                finished = True
                with connection.wrap_database_errors:  # psycopg2's error as Django's
                    raise item
            yield item
        finished = True
    finally:
        if not finished:  # closed early: stop the statement, let the thread run out
            gone.set()
            if not copying.acquire(blocking=False):  # still copying
                with contextlib.suppress(Exception):  # the server may be gone already
                    raw_connection.cancel()
            else:
                copying.release()
            while (item := chunks.get()) is not _COPY_DONE and not isinstance(item, BaseException):
                pass
        thread.join()


def _csv_batches(rows: Iterator[Any], counter: Counter) -> Iterator[bytes]:
    batch: list[Any] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= CSV_BATCH_ROWS:
            counter.rows += len(batch)
            yield csv_bytes(batch)
            batch = []
    if batch:
        counter.rows += len(batch)
        yield csv_bytes(batch)


def stream_dataset(
    dataset: Dataset, scope: Scope, counter: Counter | None = None
) -> Iterator[bytes]:
    """The dataset's CSV, header first, as chunks of bytes."""
    counter = counter if counter is not None else Counter()
    before = counter.rows
    yield csv_bytes([dataset.header(deidentified=scope.deidentified)])
    if model_of(dataset) is None:
        rows: Iterator[bytes] = iter(())
    elif connection.vendor == "postgresql":
        rows = _copy_chunks(select_queryset(dataset, scope), counter)
    else:
        rows = _csv_batches(select_queryset(dataset, scope).iterator(CSV_BATCH_ROWS), counter)
    yield from rows
    counter.per_dataset[dataset.name] = counter.rows - before


def write_dataset(
    dataset: Dataset, scope: Scope, handle: IO[bytes], counter: Counter | None = None
) -> None:
    """Write the dataset's CSV into a file. On PostgreSQL one COPY straight into the file,
    which takes each row as it comes (no thread: nothing pulls)."""
    counter = counter if counter is not None else Counter()
    if model_of(dataset) is None or connection.vendor != "postgresql":
        for chunk in stream_dataset(dataset, scope, counter):
            handle.write(chunk)
        return
    before = counter.rows
    handle.write(csv_bytes([dataset.header(deidentified=scope.deidentified)]))
    _copy(select_queryset(dataset, scope), handle, counter)
    counter.per_dataset[dataset.name] = counter.rows - before


@contextlib.contextmanager
def snapshot() -> Iterator[None]:
    """One transaction for a whole export, so that every range and every file sees the same
    data; on PostgreSQL a REPEATABLE READ snapshot when the transaction is ours to set."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # An export's statements are few and long: the joins and the sort by key fit in
            # memory instead of spilling to disk, and JIT compilation (seconds of CPU for
            # these wide SELECTs) costs more than it saves. For this transaction only, set in
            # one round trip.
            settings = "SET LOCAL work_mem = %s; SET LOCAL jit = off"
            if outermost:
                settings = "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY; " + settings
            with connection.cursor() as cursor:
                cursor.execute(settings, [EXPORT_WORK_MEM])
        yield
