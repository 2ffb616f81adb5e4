"""The export log: who took which data out of the EDC, when, and how.

Not clinical data, but evidence of disclosure: rows are inserted once, completed with their
row count when the stream ends, and never deleted.
"""

import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

EXPORT_LOG_PERMANENT = _("Export log entries cannot be deleted.")


class ExportLogDeleteForbidden(Exception):
    pass


class ExportLogQuerySet(models.QuerySet["ExportLog"]):
    def delete(self) -> tuple[int, dict[str, int]]:
        raise ExportLogDeleteForbidden(EXPORT_LOG_PERMANENT)


class ExportLog(models.Model):
    class Channel(models.TextChoices):
        WEB = "web", _("Exports page")
        COMMAND = "command", _("Command line")

    class Format(models.TextChoices):
        CSV = "csv", _("CSV")
        R = "r", _("CSV with R scripts")
        ODM = "odm", _("CDISC ODM 1.3.2 (XML)")
        SAS = "sas", _("SAS transport (XPORT)")
        SPSS = "spss", _("SPSS (.sav)")
        STATA = "stata", _("Stata (.dta)")
        CASEBOOKS = "casebooks", _("Casebooks (PDF)")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="export_logs",
        verbose_name=_("user"),
        help_text=_("Empty for an export run from the command line without --user."),
    )
    created_at = models.DateTimeField(_("started"), default=timezone.now)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    datasets = models.JSONField(_("datasets"), default=list)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    deidentified = models.BooleanField(_("de-identified"))
    output_format = models.CharField(
        _("format"), max_length=10, choices=Format.choices, default=Format.CSV
    )
    row_count = models.PositiveBigIntegerField(
        _("rows"), null=True, blank=True, help_text=_("Empty until the export finished.")
    )
    completed_at = models.DateTimeField(_("finished"), null=True, blank=True)

    objects = ExportLogQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("export log entry")
        verbose_name_plural = _("export log")

    def __str__(self) -> str:
        kind = _("de-identified") if self.deidentified else _("identified")
        datasets = ", ".join(self.datasets)
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.user or '-'} {kind}: {datasets}"

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ExportLogDeleteForbidden(EXPORT_LOG_PERMANENT)


class OutputJob(models.Model):
    """A long export (ODM, statistics files, a site's casebooks) run by a Celery worker, or in
    the request's own process when no broker is configured. The file is kept for
    OUTPUT_JOB_HOURS, for its owner alone, then removed by the beat's cleanup; the row stays
    (the export log holds the disclosure)."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Waiting for a worker")
        RUNNING = "running", _("Running")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired (file removed)")

    key = models.UUIDField(_("key"), unique=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="output_jobs",
        verbose_name=_("user"),
    )
    output_format = models.CharField(_("format"), max_length=10, choices=ExportLog.Format.choices)
    deidentified = models.BooleanField(_("de-identified"))
    site_ids = models.JSONField(_("sites"), default=list)
    audit = models.BooleanField(_("with audit records and signatures"), default=False)
    language = models.CharField(_("language"), max_length=10, default="en")
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default="queued")
    done = models.PositiveIntegerField(_("done"), default=0)
    total = models.PositiveIntegerField(_("of"), default=0)
    file_name = models.CharField(_("file"), max_length=200, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    export_log = models.ForeignKey(
        ExportLog, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    expires_at = models.DateTimeField(_("kept until"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("export job")
        verbose_name_plural = _("export jobs")

    def __str__(self) -> str:
        return f"{self.key} {self.output_format} {self.state}"

    @property
    def percent(self) -> int:
        if self.state == self.State.DONE:
            return 100
        return int(100 * self.done / self.total) if self.total else 0

    @property
    def directory(self) -> Path:
        return Path(settings.OUTPUT_DIR) / str(self.key)

    @property
    def path(self) -> Path | None:
        return self.directory / self.file_name if self.file_name else None

    @property
    def downloadable(self) -> bool:
        return (
            self.state == self.State.DONE
            and self.path is not None
            and (self.expires_at is None or self.expires_at > timezone.now())
        )
