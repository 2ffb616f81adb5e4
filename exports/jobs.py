"""Long exports as jobs: started from the exports page, run by `exports.tasks.run_output_job`.

A job writes into its own directory under OUTPUT_DIR (named by the job's random key, never by
a guessable number) and ends with one file to download: the ODM's XML, a zip of the
statistics files (or CSVs with R scripts) and the dictionary, or a zip of a site's casebooks.
Progress (done of total: participants for the ODM and the casebooks, datasets for the
statistics files) is written to the job's row at most once per percent, so a poll reads one
small row. Each job's export is logged in the export log like a download.
"""

from __future__ import annotations

import shutil
import traceback
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.utils import timezone

from access.roles import Action, require

from . import casebooks, services
from .models import ExportLog, OutputJob
from .streaming import Scope

FILE_NAMES = {
    ExportLog.Format.ODM: "cs-edc_odm_{variant}.xml",
    ExportLog.Format.CSV: "cs-edc_csv_{variant}.zip",
    ExportLog.Format.R: "cs-edc_csv_r_{variant}.zip",
    ExportLog.Format.SAS: "cs-edc_sas_{variant}.zip",
    ExportLog.Format.SPSS: "cs-edc_spss_{variant}.zip",
    ExportLog.Format.STATA: "cs-edc_stata_{variant}.zip",
    ExportLog.Format.CASEBOOKS: "cs-edc_casebooks.zip",
}


def job_action(*, output_format: str, deidentified: bool) -> Action:
    """The right a job needs: a casebook is identified by nature (names, dates, signatures)."""
    if output_format == ExportLog.Format.CASEBOOKS or not deidentified:
        return Action.EXPORT_IDENTIFIED
    return Action.EXPORT_DEIDENTIFIED


def start_job(
    *,
    user: Any,
    output_format: str,
    deidentified: bool,
    site_ids: list[int],
    audit: bool = False,
    language: str = "en",
) -> OutputJob:
    """Create the job; the caller hands it to the worker (`exports.tasks.enqueue`)."""
    action = job_action(output_format=output_format, deidentified=deidentified)
    for site_id in site_ids:
        require(user, action, site_id)
    if not site_ids:
        require(user, action, None)
    job = OutputJob.objects.create(
        user=user,
        output_format=output_format,
        deidentified=deidentified and output_format != ExportLog.Format.CASEBOOKS,
        site_ids=site_ids,
        audit=audit and not deidentified and output_format == ExportLog.Format.ODM,
        language=language,
    )
    return job


class _Progress:
    """Writes done/total to the job's row when the percent changes.

    The export reads in one REPEATABLE READ, READ ONLY transaction (`streaming.snapshot`), so
    on PostgreSQL the progress goes through a connection of its own, committed at once, where
    the page's polls see it. The last figures are written again with the job's end."""

    def __init__(self, job: OutputJob) -> None:
        self.job = job
        self.percent = -1
        self.done = 0
        self.total = 0

    def __call__(self, done: int, total: int) -> None:
        self.done, self.total = done, total
        percent = int(100 * done / total) if total else 0
        if percent == self.percent:
            return
        self.percent = percent
        if connection.vendor != "postgresql":
            OutputJob.objects.filter(pk=self.job.pk).update(done=done, total=total)
            return
        side = connections.create_connection(DEFAULT_DB_ALIAS)
        try:
            with side.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {OutputJob._meta.db_table} SET done = %s, total = %s WHERE id = %s",  # noqa: S608 (the table's own name)
                    [done, total, self.job.pk],
                )
        finally:
            side.close()


def _zip_directory(source: Path, target: Path) -> None:
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(source.iterdir()):
            archive.write(path, path.name)


def run_job(job: OutputJob) -> OutputJob:
    """Run the job to its end: its file written, or the failure recorded. A job already
    claimed (a second delivery of the task) is left alone."""
    queued = OutputJob.objects.filter(pk=job.pk, state=OutputJob.State.QUEUED)
    if not queued.update(state=OutputJob.State.RUNNING):
        job.refresh_from_db()
        return job
    directory = job.directory
    directory.mkdir(parents=True, exist_ok=True)
    variant = "deidentified" if job.deidentified else "identified"
    file_name = FILE_NAMES[ExportLog.Format(job.output_format)].format(variant=variant)
    progress = _Progress(job)
    action = job_action(output_format=job.output_format, deidentified=job.deidentified)
    try:
        sites = [s for s in job.site_ids if job.user.can(action, s)]
        if job.output_format == ExportLog.Format.CASEBOOKS:
            log = services.export_log_start(
                user=job.user,
                channel=ExportLog.Channel.WEB,
                datasets=["casebooks"],
                deidentified=False,
                filters={"sites": sites},
                output_format=ExportLog.Format.CASEBOOKS,
            )
            with (directory / file_name).open("wb") as handle:
                count = casebooks.write_site_archive(
                    handle, sites, language=job.language, progress=progress
                )
            services.export_log_finish(log=log, rows=count)
        else:
            scope = Scope(
                deidentified=job.deidentified, user=job.user, action=action, site_ids=tuple(sites)
            )
            work = directory / "files"
            log, _counter = services.write_output(
                output_format=job.output_format,
                out=work,
                scope=scope,
                channel=ExportLog.Channel.WEB,
                user=job.user,
                filters={"sites": sites},
                audit=job.audit,
                language=job.language,
                progress=progress,
            )
            if job.output_format == ExportLog.Format.ODM:
                (work / services.ODM_FILENAME).rename(directory / file_name)
            else:
                _zip_directory(work, directory / file_name)
            shutil.rmtree(work)
        now = timezone.now()
        OutputJob.objects.filter(pk=job.pk).update(
            state=OutputJob.State.DONE,
            done=progress.done,
            total=progress.total,
            file_name=file_name,
            size=(directory / file_name).stat().st_size,
            export_log=log,
            finished_at=now,
            expires_at=now + timedelta(hours=settings.OUTPUT_JOB_HOURS),
        )
    except Exception:  # recorded on the job, shown on its page; the worker goes on
        OutputJob.objects.filter(pk=job.pk).update(
            state=OutputJob.State.FAILED,
            error=traceback.format_exc(limit=5),
            finished_at=timezone.now(),
            expires_at=timezone.now() + timedelta(hours=settings.OUTPUT_JOB_HOURS),
        )
        shutil.rmtree(directory, ignore_errors=True)
    job.refresh_from_db()
    return job


def remove_expired(now: Any = None) -> int:
    """Remove the files of the jobs past their day; the rows stay, marked expired."""
    now = now or timezone.now()
    expired = OutputJob.objects.filter(
        expires_at__lte=now, state__in=[OutputJob.State.DONE, OutputJob.State.FAILED]
    )
    count = 0
    for job in expired.iterator():
        shutil.rmtree(job.directory, ignore_errors=True)
        OutputJob.objects.filter(pk=job.pk).update(state=OutputJob.State.EXPIRED)
        count += 1
    return count
