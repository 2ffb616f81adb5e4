import datetime as dt
from decimal import Decimal
from typing import cast

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from access.models import Site
from audit.carried import mark_carried
from audit.models import ClinicalRecord, CrfRecord
from audit.personal_data import CALENDAR_DATE, FREE_TEXT, IDENTIFIER, personal

from . import eligibility, labs
from .fields import STUDY_ID_MAX_LENGTH, CarriedStudyIdField, study_id_carried
from .labels import CRITERION_LABELS


class Sex(models.TextChoices):
    FEMALE = eligibility.SEX_FEMALE, _("Female")
    MALE = eligibility.SEX_MALE, _("Male")


class Confirmation(models.TextChoices):
    PATHOLOGY = eligibility.CONFIRMED_BY_PATHOLOGY, _("Pathology")
    IMAGING = eligibility.CONFIRMED_BY_IMAGING, _("Imaging")
    UNCONFIRMED = eligibility.UNCONFIRMED, _("Not confirmed")


class MetastaticSite(models.TextChoices):
    """The spec's site codes, in its order: visceral first, then non-visceral."""

    LIVER = "liver", _("Liver")
    LUNG = "lung", _("Lung")
    PLEURA = "pleura", _("Pleura")
    BRAIN = "brain", _("Brain")
    PERITONEUM = "peritoneum", _("Peritoneum")
    ADRENAL = "adrenal", _("Adrenal")
    OTHER_VISCERAL = "other_visceral", _("Other visceral organ")
    BONE = "bone", _("Bone")
    DISTANT_LYMPH_NODE = "distant_lymph_node", _("Distant lymph node")
    SKIN_SOFT_TISSUE = "skin_soft_tissue", _("Skin / soft tissue")


# The ECOG performance status scale (Oken et al., 1982), shown with its wording on the form.
ECOG_CHOICES = [
    (0, _("0 – Fully active, able to carry on all pre-disease performance without restriction")),
    (
        1,
        _(
            "1 – Restricted in physically strenuous activity but ambulatory and able to carry "
            "out work of a light or sedentary nature"
        ),
    ),
    (
        2,
        _(
            # xgettext:no-python-format
            "2 – Ambulatory and capable of all self-care but unable to carry out any work "
            "activities; up and about more than 50% of waking hours"
        ),
    ),
    (
        3,
        _(
            # xgettext:no-python-format
            "3 – Capable of only limited self-care; confined to bed or chair more than 50% of "
            "waking hours"
        ),
    ),
    (
        4,
        _(
            "4 – Completely disabled; cannot carry on any self-care; totally confined to bed "
            "or chair"
        ),
    ),
    (5, _("5 – Dead")),
]

# Confirmation strength: the best confirmation among the listed sites is the screening's.
_CONFIRMATION_ORDER = (Confirmation.PATHOLOGY, Confirmation.IMAGING, Confirmation.UNCONFIRMED)


def _lab(verbose: StrOrPromise) -> models.DecimalField:
    return models.DecimalField(verbose, max_digits=12, decimal_places=3, null=True, blank=True)


def _unit(units: labs.Units) -> models.CharField:
    return models.CharField(_("unit"), max_length=10, blank=True, choices=labs.unit_choices(units))


class Screening(CrfRecord):
    """One candidate patient's eligibility checklist at a site, and its outcome.

    Initials and hospital number are personal data: they identify the patient to the site's
    own staff, are visible only through site scoping and never leave in a de-identified export.
    Every fact may be left blank: the checklist then shows the criterion as missing, and the
    screening can be saved and resumed.
    """

    class Status(models.TextChoices):
        IN_SCREENING = "in_screening", _("In screening")
        SCREEN_FAILED = "screen_failed", _("Screen failure")
        ENROLLED = "enrolled", _("Enrolled")

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="screenings")
    initials = personal(models.CharField(_("patient initials"), max_length=4), IDENTIFIER)
    hospital_number = personal(models.CharField(_("hospital number"), max_length=32), IDENTIFIER)
    screening_date = personal(models.DateField(_("screening date")), CALENDAR_DATE)

    birth_date = personal(models.DateField(_("date of birth"), null=True, blank=True), IDENTIFIER)
    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices, blank=True)
    diagnosis_date = personal(
        models.DateField(_("date of diagnosis"), null=True, blank=True), CALENDAR_DATE
    )
    invasive_carcinoma_confirmed = models.BooleanField(
        _("invasive breast carcinoma confirmed by pathology"), null=True, blank=True
    )
    stage_iv_at_diagnosis = models.BooleanField(
        _("distant metastasis present at first diagnosis (de novo stage IV)"),
        null=True,
        blank=True,
    )
    # Metastatic site code -> how it was confirmed (Confirmation). A JSON object rather than a
    # child table so that the whole checklist is one audited row, on SQLite and PostgreSQL.
    metastases = models.JSONField(_("metastatic sites"), default=dict, blank=True)
    liver_metastasis_count = models.PositiveSmallIntegerField(
        _("number of liver lesions"), null=True, blank=True
    )
    operable = models.BooleanField(_("primary tumour operable"), null=True, blank=True)
    ecog = models.PositiveSmallIntegerField(
        _("ECOG performance status"), choices=ECOG_CHOICES, null=True, blank=True
    )

    anc = _lab(_("absolute neutrophil count"))
    anc_unit = _unit(labs.ANC_UNITS)
    platelets = _lab(_("platelets"))
    platelets_unit = _unit(labs.PLATELET_UNITS)
    hemoglobin = _lab(_("hemoglobin"))
    hemoglobin_unit = _unit(labs.HEMOGLOBIN_UNITS)
    bilirubin = _lab(_("total bilirubin"))
    bilirubin_uln = _lab(_("bilirubin ULN"))
    bilirubin_unit = _unit(labs.BILIRUBIN_UNITS)
    ast = _lab(_("AST (SGOT)"))
    ast_uln = _lab(_("AST ULN"))
    ast_unit = _unit(labs.TRANSAMINASE_UNITS)
    alt = _lab(_("ALT (SGPT)"))
    alt_uln = _lab(_("ALT ULN"))
    alt_unit = _unit(labs.TRANSAMINASE_UNITS)
    creatinine = _lab(_("creatinine"))
    creatinine_uln = _lab(_("creatinine ULN"))
    creatinine_unit = _unit(labs.CREATININE_UNITS)

    prior_locoregional_surgery = models.BooleanField(
        _("prior locoregional surgery of the primary"), null=True, blank=True
    )
    systemic_therapy_start = personal(
        models.DateField(_("start of systemic therapy"), null=True, blank=True), CALENDAR_DATE
    )
    other_primary_malignancy = models.BooleanField(
        _("another primary malignant tumour"), null=True, blank=True
    )
    followup_feasible = models.BooleanField(
        _("can attend regular follow-up"), null=True, blank=True
    )

    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.IN_SCREENING
    )
    failed_criteria = models.JSONField(_("failed criteria"), default=list, blank=True)
    consent_date = personal(
        models.DateField(_("date of informed consent"), null=True, blank=True), CALENDAR_DATE
    )
    outcome_note = personal(models.TextField(_("note"), blank=True), FREE_TEXT)

    # The study ID of the participant it enrolled, carried for the screening log and the
    # export (which then read the screenings without joining the participants): set by
    # `services.enrol_participant`; on PostgreSQL a foreign key keeps it the participant's.
    study_id = mark_carried(
        models.CharField(
            _("study ID"), max_length=STUDY_ID_MAX_LENGTH, null=True, blank=True, editable=False
        )
    )

    # De-identified, its dates count from its own diagnosis date (audit.personal_data).
    deidentified_dates_from = "diagnosis_date"

    class Meta:
        ordering = ["-screening_date", "-id"]
        verbose_name = _("screening")
        verbose_name_plural = _("screenings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ecog__isnull=True) | models.Q(ecog__lte=5),
                name="screening_ecog_0_5",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["in_screening", "screen_failed", "enrolled"]),
                name="screening_status_known",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="enrolled") | models.Q(consent_date__isnull=False),
                name="screening_enrolled_has_consent",
            ),
            models.CheckConstraint(
                condition=models.Q(study_id__isnull=True) | models.Q(status="enrolled"),
                name="screening_study_id_once_enrolled",
            ),
            *[
                models.CheckConstraint(
                    condition=models.Q(**{f"{lab}__isnull": True}) | models.Q(**{f"{lab}__gte": 0}),
                    name=f"screening_{lab}_not_negative",
                )
                for lab in (
                    "anc",
                    "platelets",
                    "hemoglobin",
                    "bilirubin",
                    "ast",
                    "alt",
                    "creatinine",
                )
            ],
            *[
                models.CheckConstraint(
                    condition=models.Q(**{f"{lab}_uln__isnull": True})
                    | models.Q(**{f"{lab}_uln__gt": 0}),
                    name=f"screening_{lab}_uln_positive",
                )
                for lab in ("bilirubin", "ast", "alt", "creatinine")
            ],
        ]
        indexes = [
            models.Index(fields=["site", "status", "screening_date"]),
            # The screening log's order: its first page is read off this index.
            models.Index(fields=["-screening_date", "-id"], name="screening_log_order"),
        ]

    def get_absolute_url(self) -> str:
        """The page where this form is entered (the data-quality pages link to it)."""
        return reverse("enrollment:screening_detail", kwargs={"pk": self.pk})

    def __str__(self) -> str:
        # Not the initials: a screening is named in places that are not site-scoped (the admin,
        # history titles, logs); pages that may show them do so explicitly.
        return self.screening_number

    @property
    def failed_criteria_labels(self) -> list[str]:
        """The criteria the screening failed, by their names in the active language."""
        return [str(CRITERION_LABELS.get(code, code)) for code in self.failed_criteria or []]

    @property
    def screening_number(self) -> str:
        return f"S-{self.pk:05d}" if self.pk else "S-new"

    @property
    def metastatic_sites(self) -> frozenset[str]:
        return frozenset(self.metastases or {})

    @property
    def metastasis_confirmed_by(self) -> str | None:
        """The strongest confirmation of any listed site; None when no site is listed.

        Protocol: "metastases can be confirmed by pathology or imageology examination" —
        one site so confirmed confirms the metastatic disease.
        """
        given = set((self.metastases or {}).values())
        return next((c.value for c in _CONFIRMATION_ORDER if c.value in given), None)

    @property
    def metastases_display(self) -> list[tuple[str, str]]:
        """(site, confirmation) labels in the spec's site order, for pages."""
        given = self.metastases or {}
        return [
            (str(label), str(Confirmation(given[code]).label))
            for code, label in MetastaticSite.choices
            if code in given
        ]

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.IN_SCREENING

    @property
    def is_entered(self) -> bool:
        """A screening is entered once its outcome is recorded (enrolled or screen failure)."""
        return not self.is_open

    def facts(self, *, today: dt.date | None = None) -> eligibility.ScreeningFacts:
        """The facts the rules judge. Lab values converted; ratios to the ULN computed.

        Raises ValueError for a unit that is not known or a ULN of zero.
        """

        def f(value: Decimal | None) -> float | None:
            return None if value is None else float(value)

        return eligibility.ScreeningFacts(
            birth_date=self.birth_date,
            # A stored screening has its date; the live checklist of a new one passes today.
            screening_date=cast(dt.date, self.screening_date or today),
            sex=self.sex or None,
            invasive_carcinoma_confirmed=self.invasive_carcinoma_confirmed,
            stage_iv_at_diagnosis=self.stage_iv_at_diagnosis,
            metastasis_confirmed_by=self.metastasis_confirmed_by,
            operable=self.operable,
            ecog=self.ecog,
            anc=labs.convert(f(self.anc), self.anc_unit, labs.ANC_UNITS),
            platelets=labs.convert(f(self.platelets), self.platelets_unit, labs.PLATELET_UNITS),
            hemoglobin=labs.convert(
                f(self.hemoglobin), self.hemoglobin_unit, labs.HEMOGLOBIN_UNITS
            ),
            bilirubin_uln=labs.uln_ratio(f(self.bilirubin), f(self.bilirubin_uln)),
            ast_uln=labs.uln_ratio(f(self.ast), f(self.ast_uln)),
            alt_uln=labs.uln_ratio(f(self.alt), f(self.alt_uln)),
            creatinine_uln=labs.uln_ratio(f(self.creatinine), f(self.creatinine_uln)),
            prior_locoregional_surgery=self.prior_locoregional_surgery,
            diagnosis_date=self.diagnosis_date,
            # Spec: None means "not started yet"; the form says so at the field.
            systemic_therapy_start=self.systemic_therapy_start,
            other_primary_malignancy=self.other_primary_malignancy,
            metastatic_sites=self.metastatic_sites,
            liver_metastasis_count=self.liver_metastasis_count,
            followup_feasible=self.followup_feasible,
        )


class Participant(ClinicalRecord):
    """An enrolled patient, known by a study ID allocated per site at enrolment."""

    class Status(models.TextChoices):
        ENROLLED = "enrolled", _("Enrolled")
        OFF_STUDY = "off_study", _("Off study")

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="participants")
    study_id = models.CharField(_("study ID"), max_length=16, unique=True)
    sequence = models.PositiveIntegerField(_("sequence at site"))
    diagnosis_date = personal(models.DateField(_("date of diagnosis")), CALENDAR_DATE)
    enrolment_date = personal(models.DateField(_("date of enrolment")), CALENDAR_DATE)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ENROLLED
    )
    # Null only for participants created outside the screening workflow (tests, imports).
    screening = models.OneToOneField(
        Screening,
        on_delete=models.PROTECT,
        related_name="participant",
        null=True,
        blank=True,
        verbose_name=_("screening"),
    )

    deidentified_dates_from = "diagnosis_date"

    class Meta:
        ordering = ["study_id"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.UniqueConstraint(fields=["site", "sequence"], name="participant_site_sequence"),
            # The key that the forms' carried study IDs reference with it (enrollment.fields):
            # on PostgreSQL a form's (participant, study_id) must be a participant's.
            models.UniqueConstraint(fields=["id", "study_id"], name="participant_id_study_id"),
            # And the one that her screening's carried study ID references.
            models.UniqueConstraint(
                fields=["screening", "study_id"], name="participant_screening_study_id"
            ),
            models.CheckConstraint(
                condition=models.Q(enrolment_date__gte=models.F("diagnosis_date")),
                name="participant_enrolled_after_diagnosis",
            ),
        ]

    def __str__(self) -> str:
        return self.study_id

    @property
    def is_off_study(self) -> bool:
        return self.status == self.Status.OFF_STUDY


class StudyIdCounter(models.Model):
    """The last study ID sequence a site allocated.

    Enrolment locks this row (SELECT ... FOR UPDATE) in the same transaction that creates the
    participant: two concurrent enrolments at one site queue on the lock, and a rolled-back
    enrolment rolls back its increment, so the sequence is gap-free and never reused.
    """

    site = models.OneToOneField(
        Site, on_delete=models.PROTECT, primary_key=True, related_name="study_id_counter"
    )
    last_sequence = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("study ID counter")
        verbose_name_plural = _("study ID counters")

    def __str__(self) -> str:
        return f"{self.site_id}: {self.last_sequence}"


class OffStudy(CrfRecord):
    """A participant's end of participation: completed, withdrawn, lost, died, other."""

    class Reason(models.TextChoices):
        COMPLETED = "completed", _("Completed the study")
        WITHDRAWN = "withdrawn", _("Withdrew consent")
        LOST_TO_FOLLOW_UP = "lost_to_follow_up", _("Lost to follow-up")
        DIED = "died", _("Died")
        OTHER = "other", _("Other")

    participant = models.OneToOneField(
        Participant, on_delete=models.PROTECT, related_name="off_study"
    )
    study_id = CarriedStudyIdField()
    date = personal(models.DateField(_("date off study")), CALENDAR_DATE)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    note = personal(models.TextField(_("note"), blank=True), FREE_TEXT)

    site_path = "participant__site"

    class Meta:
        verbose_name = _("off-study record")
        verbose_name_plural = _("off-study records")
        constraints = [
            study_id_carried("off_study_study_id_carried"),
        ]

    def __str__(self) -> str:
        return f"{self.participant_id}: {self.get_reason_display()} ({self.date})"

    @property
    def is_entered(self) -> bool:
        # Saved whole by the off-study page: date and reason are required there.
        return True
