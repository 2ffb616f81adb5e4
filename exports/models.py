"""The export log: who took which data out of the EDC, when, and how.

Not clinical data, but evidence of disclosure: rows are inserted once, completed with their
row count when the stream ends, and never deleted.
"""

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
