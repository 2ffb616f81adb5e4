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

from access.scoping import SiteScopedQuerySet
from assessments.models import Baseline
from audit.carried import copy_of, mark_carried
from audit.csv_writer import formula_free
from audit.personal_data import CALENDAR_DATE, personal
from enrollment.models import Participant

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


# --- What the rules computed, stored for the export -------------------------------------------
#
# The screening and analysis datasets carry values a rule of the core computes (eligibility,
# the outcomes, the biomarker categories, the arms). They are computed when their facts
# change, by the one refresh function of each kind (`exports.derived.refresh_eligibility`,
# `exports.derived.refresh_outcomes`, called by the use cases of `workflow.services` in
# their transaction), stored here with the version of the rules that computed them, and
# read by the export's COPY like any column. `manage.py recompute_derived` recomputes them
# all, or those of another rules version. Not clinical records: nobody enters them, and the
# facts they come from are audited where they are entered.


class ScreeningVerdict(models.Model):
    """The eligibility rules' reading of one screening checklist (`enrollment.eligibility`)."""

    screening = models.OneToOneField(
        "enrollment.Screening",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="verdict",
        verbose_name=_("screening"),
    )
    rules_version = models.CharField(_("rules version"), max_length=32)
    computed_at = models.DateTimeField(_("computed"), default=timezone.now)
    # The facts as the rules saw them: lab values converted, the ULN ratios computed (the raw
    # values when the checklist cannot be judged).
    metastasis_confirmed_by = models.CharField(max_length=16, blank=True)
    anc = models.FloatField(null=True)
    platelets = models.FloatField(null=True)
    hemoglobin = models.FloatField(null=True)
    bilirubin_uln = models.FloatField(null=True)
    ast_uln = models.FloatField(null=True)
    alt_uln = models.FloatField(null=True)
    creatinine_uln = models.FloatField(null=True)
    metastatic_sites = models.TextField(blank=True)  # codes, `;`-joined (derived.joined)
    # The verdict; empty while the checklist cannot be judged (an unknown unit).
    eligible = models.BooleanField(null=True)
    # The criteria by code, `;`-joined (derived.joined).
    failed = models.TextField(blank=True)
    missing = models.TextField(blank=True)
    age_at_screening = models.PositiveSmallIntegerField(null=True)

    class Meta:
        verbose_name = _("eligibility verdict")
        verbose_name_plural = _("eligibility verdicts")
        indexes = [models.Index(fields=["rules_version"], name="verdict_rules_version")]
        constraints = formula_free(
            "verdict", ("metastasis_confirmed_by", "metastatic_sites", "failed", "missing")
        )

    def __str__(self) -> str:
        return f"{self.screening_id}: {self.eligible} ({self.rules_version})"


class ParticipantOutcome(models.Model):
    """One participant's analysis row, whole: what the rules computed (the outcomes of
    `followup.endpoints` from the facts aggregated over her visits, the biomarker categories of
    `assessments.biomarkers`, her first and current signed arms of `arms.models`) beside the
    participant's and her baseline's columns, copied by the same refresh. Every use case that
    changes one of them refreshes the row, so the analysis export is one table's COPY."""

    participant = models.OneToOneField(
        "enrollment.Participant",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="outcome",
        verbose_name=_("participant"),
    )
    rules_version = models.CharField(_("rules version"), max_length=32)
    computed_at = models.DateTimeField(_("computed"), default=timezone.now)
    # Copied from the participant: her site is set at enrolment and never changes.
    study_id = copy_of(Participant, "study_id")
    site = mark_carried(
        models.ForeignKey(
            "access.Site",
            on_delete=models.PROTECT,
            related_name="+",
            null=True,
            editable=False,
            verbose_name=_("site"),
        )
    )
    enrolment_date = copy_of(Participant, "enrolment_date")
    diagnosis_date = copy_of(Participant, "diagnosis_date")
    status = copy_of(Participant, "status")
    # Copied from her baseline.
    histology = copy_of(Baseline, "histology")
    grade = copy_of(Baseline, "grade")
    er_percent = copy_of(Baseline, "er_percent")
    pr_percent = copy_of(Baseline, "pr_percent")
    her2_ihc = copy_of(Baseline, "her2_ihc")
    her2_ish = copy_of(Baseline, "her2_ish")
    ki67_percent = copy_of(Baseline, "ki67_percent")
    clinical_t = copy_of(Baseline, "clinical_t")
    clinical_n = copy_of(Baseline, "clinical_n")
    menopausal_status = copy_of(Baseline, "menopausal_status")
    # Computed by the rules.
    first_arm = models.PositiveSmallIntegerField(null=True)
    current_arm = models.PositiveSmallIntegerField(null=True)
    er_status = models.CharField(max_length=16, blank=True)
    pr_status = models.CharField(max_length=16, blank=True)
    her2_status = models.CharField(max_length=16, blank=True)
    metastatic_sites = models.TextField(blank=True)  # codes, `;`-joined (derived.joined)
    last_known_alive = personal(models.DateField(null=True), CALENDAR_DATE)
    last_disease_assessment = personal(models.DateField(null=True), CALENDAR_DATE)
    death_date = personal(models.DateField(null=True), CALENDAR_DATE)
    distant_progression_date = personal(models.DateField(null=True), CALENDAR_DATE)
    locoregional_recurrence_date = personal(models.DateField(null=True), CALENDAR_DATE)
    # Empty when the rules refuse the facts as inconsistent.
    os_days = models.IntegerField(null=True)
    os_event = models.BooleanField(null=True)
    dpfs_days = models.IntegerField(null=True)
    dpfs_event = models.BooleanField(null=True)
    lrpfs_days = models.IntegerField(null=True)
    lrpfs_event = models.BooleanField(null=True)

    objects = SiteScopedQuerySet.as_manager()

    site_path = "site"
    deidentified_dates_from = "diagnosis_date"

    class Meta:
        verbose_name = _("participant outcome")
        verbose_name_plural = _("participant outcomes")
        indexes = [models.Index(fields=["rules_version"], name="outcome_rules_version")]
        # Identifiers and codes only, copied or computed by the refresh.
        constraints = formula_free(
            "outcome",
            (
                "study_id",
                "status",
                "histology",
                "her2_ihc",
                "her2_ish",
                "clinical_t",
                "clinical_n",
                "menopausal_status",
                "er_status",
                "pr_status",
                "her2_status",
                "metastatic_sites",
            ),
        )

    def __str__(self) -> str:
        return f"{self.participant_id} ({self.rules_version})"


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
