"""Safety reporting: adverse events (CTCAE v5.0), serious adverse events with their follow-up
reports and the investigator's signed causality assessment, surgical complications, the death
report and the radiotherapy log.

The chain is clinicedc's (`edc_adverse_event`): initial report, follow-up reports until
resolution, the investigator's review, the death report. Every form derives from
`audit.models.CrfRecord` (audited, versioned, lifecycle, queries, locking); the CTCAE term list
is reference data (`data/ctcae_v5.csv`, loaded by a migration), not a clinical record.

The death report is the single source of the date of death (overall survival reads it; a
follow-up visit no longer carries one): `workflow.services.record_death` is the one way it is
written.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from assessments.models import Surgery
from audit.carried import CarriedCharField, CarriedDateField
from audit.models import ClinicalRecord, CrfRecord, ElectronicSignature
from audit.personal_data import CALENDAR_DATE, FREE_TEXT, personal
from enrollment.fields import CarriedStudyIdField, study_id_carried
from enrollment.models import Participant

from . import grading, partialdates


class CtcaeTerm(models.Model):
    """One CTCAE v5.0 term: its MedDRA code and SOC, and the definition of each grade it
    defines (an empty grade is one the CTCAE leaves undefined, "-")."""

    meddra_code = models.CharField(_("MedDRA code"), max_length=8, unique=True)
    soc = models.CharField(_("system organ class"), max_length=120)
    term = models.CharField(_("CTCAE term"), max_length=200)
    grade_1 = models.TextField(_("grade 1"), blank=True)
    grade_2 = models.TextField(_("grade 2"), blank=True)
    grade_3 = models.TextField(_("grade 3"), blank=True)
    grade_4 = models.TextField(_("grade 4"), blank=True)
    grade_5 = models.TextField(_("grade 5"), blank=True)
    definition = models.TextField(_("definition"), blank=True)

    class Meta:
        ordering = ["soc", "term"]
        verbose_name = _("CTCAE term")
        verbose_name_plural = _("CTCAE terms")
        constraints = [
            # The keys that an adverse event's carried term columns reference on PostgreSQL.
            models.UniqueConstraint(
                fields=["id", "meddra_code", "term", "soc"], name="ctcae_term_carried"
            ),
            models.UniqueConstraint(
                fields=["id", "meddra_code", "term"], name="ctcae_coded_term_carried"
            ),
        ]

    def __str__(self) -> str:
        return self.term

    @property
    def is_other_specify(self) -> bool:
        """ "<SOC> - Other, specify": the site describes the event; a data manager codes it."""
        return self.term.endswith("Other, specify")

    def grade_definitions(self) -> dict[int, str]:
        """The grades this term defines, with their definitions."""
        cells = (self.grade_1, self.grade_2, self.grade_3, self.grade_4, self.grade_5)
        return {grade: text for grade, text in zip(grading.GRADES, cells, strict=True) if text}


class Precision(models.TextChoices):
    DAY = partialdates.DAY, _("Exact date")
    MONTH = partialdates.MONTH, _("Month and year only")
    YEAR = partialdates.YEAR, _("Year only")


class Relationship(models.TextChoices):
    NOT_RELATED = "not_related", _("Not related")
    UNLIKELY = "unlikely", _("Unlikely")
    POSSIBLE = "possible", _("Possible")
    PROBABLE = "probable", _("Probable")
    DEFINITE = "definite", _("Definite")


# Possible, probable and definite count as related (an adverse reaction, ICH E2A).
RELATED = frozenset({Relationship.POSSIBLE, Relationship.PROBABLE, Relationship.DEFINITE})

RELATIONSHIP_FIELDS = ("relationship_surgery_1", "relationship_surgery_2", "relationship_systemic")


class Outcome(models.TextChoices):
    RECOVERED = "recovered", _("Recovered / resolved")
    RECOVERING = "recovering", _("Recovering / resolving")
    NOT_RECOVERED = "not_recovered", _("Not recovered / not resolved")
    SEQUELAE = "sequelae", _("Recovered with sequelae")
    FATAL = "fatal", _("Fatal")
    UNKNOWN = "unknown", _("Unknown")


# Outcomes that end the event: it has a resolution date (fatal: the date of death).
RESOLVED_OUTCOMES = frozenset({Outcome.RECOVERED, Outcome.SEQUELAE, Outcome.FATAL})


def _relationship(label: Any) -> models.CharField[Any, Any]:
    return models.CharField(label, max_length=12, choices=Relationship.choices, blank=True)


class AdverseEvent(CrfRecord):
    """The adverse event form: CTCAE term and grade, dates, seriousness, relationship to each
    intervention, action taken and outcome."""

    class ActionTaken(models.TextChoices):
        NONE = "none", _("None")
        DOSE_REDUCED = "dose_reduced", _("Dose reduced")
        INTERRUPTED = "interrupted", _("Treatment interrupted")
        WITHDRAWN = "withdrawn", _("Treatment withdrawn")
        NOT_APPLICABLE = "not_applicable", _("Not applicable")

    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="adverse_events"
    )
    study_id = CarriedStudyIdField()
    term = models.ForeignKey(
        CtcaeTerm, on_delete=models.PROTECT, related_name="+", verbose_name=_("CTCAE term")
    )
    other_specify = personal(
        models.CharField(_("other, specify"), max_length=200, blank=True), FREE_TEXT
    )
    # A data manager codes an "other, specify" event to a CTCAE term later.
    coded_term = models.ForeignKey(
        CtcaeTerm,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("coded term"),
    )
    # The terms' columns, carried on the event so that the export reads the events alone. A
    # CTCAE term never changes once loaded; on PostgreSQL a foreign key with them keeps each
    # copy its term's.
    term_code = CarriedCharField(
        _("MedDRA code"), max_length=8, source="term", attribute="meddra_code"
    )
    term_name = CarriedCharField(_("CTCAE term"), max_length=200, source="term", attribute="term")
    term_soc = CarriedCharField(
        _("system organ class"), max_length=120, source="term", attribute="soc"
    )
    coded_term_code = CarriedCharField(
        _("coded MedDRA code"), max_length=8, source="coded_term", attribute="meddra_code"
    )
    coded_term_name = CarriedCharField(
        _("coded term"), max_length=200, source="coded_term", attribute="term"
    )
    grade = models.PositiveSmallIntegerField(_("CTCAE grade"), null=True, blank=True)
    onset_date = personal(models.DateField(_("onset date")), CALENDAR_DATE)
    onset_precision = models.CharField(
        _("onset date known to"), max_length=5, choices=Precision.choices, default=Precision.DAY
    )
    ongoing = models.BooleanField(_("ongoing"), default=True)
    resolution_date = personal(
        models.DateField(_("resolution date"), null=True, blank=True), CALENDAR_DATE
    )
    resolution_precision = models.CharField(
        _("resolution date known to"),
        max_length=5,
        choices=Precision.choices,
        default=Precision.DAY,
    )
    # Seriousness criteria (ICH E2A).
    results_in_death = models.BooleanField(_("results in death"), default=False)
    life_threatening = models.BooleanField(_("life-threatening"), default=False)
    hospitalisation = models.BooleanField(
        _("requires hospitalisation or prolongs it"), default=False
    )
    disability = models.BooleanField(_("persistent or significant disability"), default=False)
    congenital_anomaly = models.BooleanField(_("congenital anomaly or birth defect"), default=False)
    other_important_event = models.BooleanField(_("other important medical event"), default=False)
    # Set by the service from the criteria: the worklist and the reports read it in SQL.
    serious = models.BooleanField(_("serious"), default=False, editable=False)
    aware_at = personal(
        models.DateTimeField(_("site aware of the serious event at"), null=True, blank=True),
        CALENDAR_DATE,
    )
    relationship_surgery_1 = _relationship(_("relationship to the first operation"))
    relationship_surgery_2 = _relationship(_("relationship to the second operation"))
    relationship_systemic = _relationship(_("relationship to the current systemic therapy"))
    action_taken = models.CharField(
        _("action taken"), max_length=16, choices=ActionTaken.choices, blank=True
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    # The surgery this event complicates, if any (arms 1-3): a surgical complication.
    surgery = models.ForeignKey(
        Surgery,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complications",
        verbose_name=_("complication of the operation"),
    )
    # Carried so that the export of the events reads this table alone (corrected by
    # `assessments.services.surgery_save` when the operation's date is).
    surgery_date = personal(
        CarriedDateField(_("date of the operation"), source="surgery", attribute="surgery_date"),
        CALENDAR_DATE,
    )
    clavien_dindo = models.CharField(
        _("Clavien-Dindo grade"),
        max_length=4,
        choices=[(g, g) for g in grading.CLAVIEN_DINDO_GRADES],
        blank=True,
    )
    reoperation = models.BooleanField(_("re-operation"), null=True, blank=True)

    site_path = "participant__site"

    class Meta:
        ordering = ["participant", "onset_date", "pk"]
        verbose_name = _("adverse event")
        verbose_name_plural = _("adverse events")
        constraints = [
            study_id_carried("adverse_event_study_id_carried"),
            # The copies are there when their terms are (a foreign key ignores a row with an
            # empty column).
            models.CheckConstraint(
                condition=Q(
                    term_code__isnull=False, term_name__isnull=False, term_soc__isnull=False
                ),
                name="adverse_event_carries_its_term",
            ),
            models.CheckConstraint(
                condition=Q(coded_term__isnull=True)
                | Q(coded_term_code__isnull=False, coded_term_name__isnull=False),
                name="adverse_event_carries_its_coded_term",
            ),
            models.CheckConstraint(
                condition=Q(surgery__isnull=True, surgery_date__isnull=True)
                | Q(surgery__isnull=False, surgery_date__isnull=False),
                name="adverse_event_carries_its_operation_date",
            ),
            models.CheckConstraint(
                condition=Q(grade__isnull=True) | Q(grade__gte=1, grade__lte=5),
                name="adverse_event_grade_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(serious=False) | Q(aware_at__isnull=False),
                name="adverse_event_serious_has_awareness",
            ),
            models.CheckConstraint(
                condition=Q(surgery__isnull=True) | ~Q(clavien_dindo=""),
                name="adverse_event_complication_has_clavien_dindo",
            ),
        ]
        indexes = [
            models.Index(fields=["aware_at"], condition=Q(serious=True), name="ae_serious_aware"),
        ]

    def __str__(self) -> str:
        return f"{self.participant} {self.term} G{self.grade or '?'}"

    def get_absolute_url(self) -> str:
        return reverse("safety:ae_edit", kwargs={"pk": self.pk})

    @property
    def is_entered(self) -> bool:
        return bool(self.term_id and self.grade and self.onset_date and self.outcome)

    @property
    def criteria(self) -> dict[str, bool]:
        return {name: getattr(self, name) for name in grading.SERIOUSNESS_CRITERIA}

    @property
    def shown_term(self) -> str:
        """The term as reported: "other, specify" with its text, and its coding once made."""
        if self.term.is_other_specify and self.other_specify:
            return f"{self.term.term}: {self.other_specify}"
        return self.term.term

    @property
    def onset(self) -> partialdates.PartialDate | None:
        return partialdates.from_stored(self.onset_date, self.onset_precision)

    @property
    def resolution(self) -> partialdates.PartialDate | None:
        return partialdates.from_stored(self.resolution_date, self.resolution_precision)

    @property
    def deadline(self) -> dt.datetime | None:
        return grading.sae_clock(self.aware_at).deadline if self.serious and self.aware_at else None

    @property
    def is_complication(self) -> bool:
        return self.surgery_id is not None


class SaeFollowUp(CrfRecord):
    """A follow-up report of a serious adverse event, until its resolution."""

    adverse_event = models.ForeignKey(
        AdverseEvent,
        on_delete=models.PROTECT,
        related_name="follow_ups",
        verbose_name=_("adverse event"),
    )
    report_date = personal(models.DateField(_("report date")), CALENDAR_DATE)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    resolution_date = personal(
        models.DateField(_("resolution date"), null=True, blank=True), CALENDAR_DATE
    )
    narrative = personal(models.TextField(_("narrative")), FREE_TEXT)

    site_path = "adverse_event__participant__site"
    participant_path = "adverse_event__participant"
    is_entered = True  # the follow-up page requires every field it needs

    class Meta:
        ordering = ["adverse_event", "report_date", "pk"]
        verbose_name = _("SAE follow-up report")
        verbose_name_plural = _("SAE follow-up reports")

    def __str__(self) -> str:
        return _("%(event)s follow-up %(date)s") % {
            "event": self.adverse_event,
            "date": self.report_date,
        }

    def get_absolute_url(self) -> str:
        return reverse("safety:follow_up_edit", kwargs={"pk": self.pk})

    @property
    def closes_event(self) -> bool:
        return self.outcome in RESOLVED_OUTCOMES


class CausalityAssessment(ClinicalRecord):
    """The investigator's causality and expectedness assessment of a serious adverse event,
    signed (the same electronic signature as the arm decision, `audit.signatures.sign`).
    Written once, with its signature; a later assessment of the same event supersedes it."""

    adverse_event = models.ForeignKey(
        AdverseEvent,
        on_delete=models.PROTECT,
        related_name="assessments",
        verbose_name=_("adverse event"),
    )
    adverse_event_version = models.PositiveIntegerField(_("version of the assessed report"))
    relationship_surgery_1 = _relationship(_("relationship to the first operation"))
    relationship_surgery_2 = _relationship(_("relationship to the second operation"))
    relationship_systemic = _relationship(_("relationship to the current systemic therapy"))
    expected = models.BooleanField(_("expected (listed in the reference safety information)"))
    comment = personal(models.TextField(_("comment"), blank=True), FREE_TEXT)
    signature = models.OneToOneField(
        ElectronicSignature,
        on_delete=models.PROTECT,
        null=True,
        editable=False,
        related_name="+",
        verbose_name=_("signature"),
    )

    site_path = "adverse_event__participant__site"
    participant_path = "adverse_event__participant"

    class Meta:
        ordering = ["adverse_event", "created_at", "pk"]
        verbose_name = _("causality assessment")
        verbose_name_plural = _("causality assessments")

    def __str__(self) -> str:
        return f"{self.adverse_event} assessment {self.pk}"

    @property
    def related(self) -> bool:
        return any(getattr(self, f) in RELATED for f in RELATIONSHIP_FIELDS)


class DeathReport(CrfRecord):
    """The death report: the single source of the date of death (overall survival)."""

    class Cause(models.TextChoices):
        BREAST_CANCER = "breast_cancer", _("Breast cancer")
        TREATMENT = "treatment_related", _("Treatment-related")
        OTHER_CANCER = "other_cancer", _("Other cancer")
        OTHER = "other", _("Other cause")
        UNKNOWN = "unknown", _("Unknown")

    class Autopsy(models.TextChoices):
        YES = "yes", _("Yes")
        NO = "no", _("No")
        UNKNOWN = "unknown", _("Unknown")

    class Source(models.TextChoices):
        HOSPITAL = "hospital_record", _("Hospital record")
        PHYSICIAN = "physician", _("Treating physician")
        FAMILY = "family", _("Family")
        CERTIFICATE = "death_certificate", _("Death certificate")
        REGISTRY = "registry", _("Civil or cancer registry")
        OTHER = "other", _("Other")

    participant = models.OneToOneField(
        Participant, on_delete=models.PROTECT, related_name="death_report"
    )
    study_id = CarriedStudyIdField()
    death_date = personal(models.DateField(_("date of death")), CALENDAR_DATE)
    primary_cause = models.CharField(_("primary cause of death"), max_length=20, choices=Cause)
    cause_detail = personal(models.TextField(_("cause of death, details"), blank=True), FREE_TEXT)
    autopsy = models.CharField(_("autopsy done"), max_length=8, choices=Autopsy)
    information_source = models.CharField(_("source of information"), max_length=20, choices=Source)

    site_path = "participant__site"
    is_entered = True  # the death report page requires every field it needs

    class Meta:
        verbose_name = _("death report")
        verbose_name_plural = _("death reports")
        constraints = [
            study_id_carried("death_report_study_id_carried"),
        ]

    def __str__(self) -> str:
        return f"{self.participant} death report"

    def get_absolute_url(self) -> str:
        return reverse("safety:death_report", kwargs={"pk": self.participant_id})


class Radiotherapy(CrfRecord):
    """One course of radiotherapy (locoregional progression-free survival is read beside it)."""

    class Site(models.TextChoices):
        BREAST = "breast", _("Breast")
        CHEST_WALL = "chest_wall", _("Chest wall")
        REGIONAL_NODES = "regional_nodes", _("Regional nodes")
        BONE = "bone", _("Bone metastasis")
        BRAIN = "brain", _("Brain metastasis")
        OTHER = "other", _("Other metastasis")

    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="radiotherapy"
    )
    study_id = CarriedStudyIdField()
    treated_site = models.CharField(_("treated site"), max_length=16, choices=Site)
    dose_gy = models.DecimalField(_("total dose (Gy)"), max_digits=5, decimal_places=2)
    fractions = models.PositiveSmallIntegerField(_("fractions"))
    start_date = personal(models.DateField(_("start date")), CALENDAR_DATE)
    end_date = personal(models.DateField(_("end date"), null=True, blank=True), CALENDAR_DATE)

    site_path = "participant__site"
    is_entered = True  # the radiotherapy page requires every field it needs

    class Meta:
        ordering = ["participant", "start_date", "pk"]
        verbose_name = _("radiotherapy")
        verbose_name_plural = _("radiotherapy")
        constraints = [
            study_id_carried("radiotherapy_study_id_carried"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="radiotherapy_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(dose_gy__gt=0, fractions__gte=1), name="radiotherapy_has_dose"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant} {self.get_treated_site_display()} {self.start_date}"

    def get_absolute_url(self) -> str:
        return reverse("safety:radiotherapy_edit", kwargs={"pk": self.pk})
