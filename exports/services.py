"""Exports: log, stream and write. Every export, web or command line, goes through here."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from django.utils import timezone

from .datasets import DATASETS, DICTIONARY_FILENAME, Dataset
from .dictionary import dictionary_chunks
from .models import ExportLog
from .streaming import Counter, Scope, snapshot, stream_dataset, write_dataset


def export_log_start(
    *,
    user: Any,
    channel: str,
    datasets: list[str],
    deidentified: bool,
    filters: dict[str, Any],
) -> ExportLog:
    return ExportLog.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None,
        channel=channel,
        datasets=datasets,
        filters=filters,
        deidentified=deidentified,
    )


def export_log_finish(*, log: ExportLog, rows: int) -> None:
    # Only the completion is ever written after the insert: who, what and when stay as logged.
    ExportLog.objects.filter(pk=log.pk, completed_at__isnull=True).update(
        row_count=rows, completed_at=timezone.now()
    )


def logged_stream(chunks: Iterable[bytes], *, log: ExportLog, counter: Counter) -> Iterator[bytes]:
    """Yield the export and, once it has all been sent, complete its log entry. A download
    the client abandons stays logged as started, with no row count."""
    with snapshot():
        yield from chunks
    export_log_finish(log=log, rows=counter.rows)


class _ZipSink(io.RawIOBase):
    """A write-only, non-seekable sink: zipfile then writes data descriptors, so the archive
    streams; `drain` hands over what has been written so far."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self._position = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        data = bytes(data)
        self._parts.append(data)
        self._position += len(data)
        return len(data)

    def tell(self) -> int:
        return self._position

    def drain(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        return data


def zip_stream(members: Iterable[tuple[str, Iterable[bytes]]]) -> Iterator[bytes]:
    sink = _ZipSink()
    stamp = timezone.localtime().timetuple()[:6]
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, chunks in members:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(info, "w", force_zip64=True) as member:
                for chunk in chunks:
                    member.write(chunk)
                    if data := sink.drain():
                        yield data
    yield sink.drain()


def export_members(
    datasets: Iterable[Dataset], scope: Scope, counter: Counter
) -> Iterator[tuple[str, Iterator[bytes]]]:
    """(file name, chunks) for each dataset, then the data dictionary."""
    for dataset in datasets:
        yield dataset.filename, stream_dataset(dataset, scope, counter)
    yield DICTIONARY_FILENAME, dictionary_chunks(deidentified=scope.deidentified)


def export_to_directory(
    *,
    out: Path,
    scope: Scope,
    datasets: Iterable[Dataset] = DATASETS,
    user: Any = None,
    filters: dict[str, Any] | None = None,
) -> tuple[ExportLog, Counter]:
    """Write each dataset's file and the dictionary into `out`; logged like a download."""
    datasets = list(datasets)
    out.mkdir(parents=True, exist_ok=True)
    log = export_log_start(
        user=user,
        channel=ExportLog.Channel.COMMAND,
        datasets=[d.name for d in datasets],
        deidentified=scope.deidentified,
        filters=filters or {},
    )
    counter = Counter()
    with snapshot():
        for dataset in datasets:
            with (out / dataset.filename).open("wb") as handle:
                write_dataset(dataset, scope, handle, counter)
        with (out / DICTIONARY_FILENAME).open("wb") as handle:
            for chunk in dictionary_chunks(deidentified=scope.deidentified):
                handle.write(chunk)
    export_log_finish(log=log, rows=counter.rows)
    return log, counter


def download_filename(name: str, *, deidentified: bool, today: dt.date, suffix: str) -> str:
    variant = "deidentified" if deidentified else "identified"
    return f"cs-edc_{name}_{variant}_{today.isoformat()}.{suffix}"
