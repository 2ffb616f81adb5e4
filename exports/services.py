"""Exports: log, stream and write. Every export, web or command line, goes through here."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from django.utils import timezone, translation

from . import odm, stats
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
    output_format: str = ExportLog.Format.CSV,
) -> ExportLog:
    return ExportLog.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None,
        channel=channel,
        datasets=datasets,
        filters=filters,
        deidentified=deidentified,
        output_format=output_format,
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


ODM_FILENAME = "cs-edc_odm.xml"
ProgressCallback = Callable[[int, int], None]


def write_output(
    *,
    output_format: str,
    out: Path,
    scope: Scope,
    channel: str,
    datasets: Iterable[Dataset] = DATASETS,
    user: Any = None,
    filters: dict[str, Any] | None = None,
    audit: bool = False,
    language: str = "en",
    progress: ProgressCallback | None = None,
) -> tuple[ExportLog, Counter]:
    """Write the trial's data into `out` in one of the formats, logged like a download:
    CSV (with the dictionary), CSV with R scripts, ODM (one XML file), SAS, SPSS or Stata (a
    file per dataset, with the dictionary). The web's jobs and the command line both call it."""
    if output_format == ExportLog.Format.CSV and progress is None:
        return export_to_directory(
            out=out, scope=scope, datasets=datasets, user=user, filters=filters
        )
    datasets = list(datasets)
    out.mkdir(parents=True, exist_ok=True)
    log = export_log_start(
        user=user,
        channel=channel,
        datasets=[d.name for d in datasets] if output_format != ExportLog.Format.ODM else ["odm"],
        deidentified=scope.deidentified,
        filters={**(filters or {}), **({"audit": True} if audit else {})},
        output_format=output_format,
    )
    counter = Counter()
    if output_format == ExportLog.Format.ODM:
        with (out / ODM_FILENAME).open("wb") as handle, translation.override(language):
            odm.write_odm(handle, scope, audit=audit, counter=counter, progress=progress)
    elif output_format in (ExportLog.Format.CSV, ExportLog.Format.R):
        stats.write_csv_r(
            out,
            scope,
            datasets=datasets,
            language=language,
            counter=counter,
            progress=progress,
            scripts=output_format == ExportLog.Format.R,
        )
    else:
        stats.write_stats(
            out,
            scope,
            output_format,
            datasets=datasets,
            language=language,
            counter=counter,
            progress=progress,
        )
    export_log_finish(log=log, rows=counter.rows)
    return log, counter
