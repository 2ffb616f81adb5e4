"""Assessments: baseline tumour data, systemic therapy, RECIST response assessments, surgery.

Every model is a CrfRecord (a ClinicalRecord with a form lifecycle: audited, versioned, never
deleted) and declares `site_path` so that `access.scoping` limits it to the user's sites.
Writes go through `services`.
"""

from decimal import Decimal
from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from audit.carried import CarriedDateField, CarriedSmallIntegerField
from audit.models import ClinicalQuerySet, CrfRecord, CrfStatus
from audit.personal_data import CALENDAR_DATE, personal
from enrollment.fields import CarriedStudyIdField, study_id_carried
from enrollment.models import MetastaticSite, Participant

from . import biomarkers, pathology, recist

NEGATIVE_MEASUREMENT = _("A measurement cannot be negative.")
PERCENT_RANGE = _("Give a percentage from 0 to 100.")


def _percent_field(verbose_name: StrOrPromise, **kwargs: Any) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        verbose_name,
        validators=[
            MinValueValidator(0, message=PERCENT_RANGE),
            MaxValueValidator(100, message=PERCENT_RANGE),
        ],
        **kwargs,
    )


def _mm_field(verbose_name: StrOrPromise, **kwargs: Any) -> models.DecimalField:
    return models.DecimalField(
        verbose_name,
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(Decimal(0), message=NEGATIVE_MEASUREMENT)],
        **kwargs,
    )


class Compartment(models.TextChoices):
    PRIMARY = "primary", _("Primary (breast and regional nodes)")
    METASTATIC = "metastatic", _("Metastatic (distant lesions)")


# Organ sites of lesions: the primary compartment's two, then the metastatic compartment's,
# which are the protocol's site codes as enrolment defines them (rules.md section 1).
# django-stubs types the functional API with a name only; a list of (name, (value, label))
# members is the enum API Django documents for Choices.
OrganSite = models.TextChoices(  # type: ignore[call-overload]
    "OrganSite",
    [
        ("BREAST", ("breast", _("Breast"))),
        ("REGIONAL_NODE", ("regional_node", _("Regional lymph node"))),
        *((site.name, (site.value, site.label)) for site in MetastaticSite),
    ],
)

PRIMARY_SITES = frozenset({OrganSite.BREAST, OrganSite.REGIONAL_NODE})
NODAL_SITES = frozenset({OrganSite.REGIONAL_NODE, OrganSite.DISTANT_LYMPH_NODE})
METASTATIC_SITE_CHOICES = [(s.value, s.label) for s in OrganSite if s not in PRIMARY_SITES]


HR_CATEGORY_LABELS = {
    biomarkers.HR_NEGATIVE: _("negative"),
    biomarkers.HR_LOW_POSITIVE: _("low positive"),
    biomarkers.HR_POSITIVE: _("positive"),
}
HER2_CATEGORY_LABELS = {
    biomarkers.HER2_POSITIVE: _("HER2-positive"),
    biomarkers.HER2_LOW: _("HER2-low"),
    biomarkers.HER2_ZERO: _("HER2-zero"),
}
RESPONSE_LABELS = {
    recist.CR: _("CR"),
    recist.PR: _("PR"),
    recist.SD: _("SD"),
    recist.NON_CR_NON_PD: _("Non-CR/non-PD"),
    recist.PD: _("PD"),
    recist.NE: _("NE"),
}
UNDETERMINED = _("undetermined")


def compartment_of(organ_site: str) -> str:
    return Compartment.PRIMARY if organ_site in PRIMARY_SITES else Compartment.METASTATIC


class Baseline(CrfRecord):
    """The baseline CRF: one per participant, with its lesions (BaselineLesion)."""

    class Histology(models.TextChoices):
        DUCTAL_NST = "ductal_nst", _("Invasive ductal carcinoma, NST")
        LOBULAR = "lobular", _("Invasive lobular carcinoma")
        MIXED = "mixed", _("Mixed ductal and lobular")
        OTHER = "other", _("Other")

    class Her2Ihc(models.TextChoices):
        IHC_0 = biomarkers.IHC_0, _("IHC 0")
        IHC_1 = biomarkers.IHC_1, _("IHC 1+")
        IHC_2 = biomarkers.IHC_2, _("IHC 2+")
        IHC_3 = biomarkers.IHC_3, _("IHC 3+")

    class Her2Ish(models.TextChoices):
        NOT_DONE = biomarkers.ISH_NOT_DONE, _("Not done")
        NEGATIVE = biomarkers.ISH_NEGATIVE, _("Not amplified")
        POSITIVE = biomarkers.ISH_POSITIVE, _("Amplified")

    class ClinicalT(models.TextChoices):
        TX = "cTX", "cTX"
        T1 = "cT1", "cT1"
        T2 = "cT2", "cT2"
        T3 = "cT3", "cT3"
        T4A = "cT4a", "cT4a"
        T4B = "cT4b", "cT4b"
        T4C = "cT4c", "cT4c"
        T4D = "cT4d", "cT4d"

    class ClinicalN(models.TextChoices):
        NX = "cNX", "cNX"
        N0 = "cN0", "cN0"
        N1 = "cN1", "cN1"
        N2A = "cN2a", "cN2a"
        N2B = "cN2b", "cN2b"
        N3A = "cN3a", "cN3a"
        N3B = "cN3b", "cN3b"
        N3C = "cN3c", "cN3c"

    class DistantM(models.TextChoices):
        # De novo stage IV: always M1 (AJCC 8th); what differs is how it was shown.
        CM1 = "cM1", _("cM1 (clinical or radiological)")
        PM1 = "pM1", _("pM1 (histologically proven)")

    class Menopause(models.TextChoices):
        PRE = "pre", _("Premenopausal")
        PERI = "peri", _("Perimenopausal")
        POST = "post", _("Postmenopausal")

    class Brca(models.TextChoices):
        NOT_TESTED = "not_tested", _("Not tested")
        NEGATIVE = "negative", _("No pathogenic variant")
        BRCA1 = "brca1", _("BRCA1 pathogenic variant")
        BRCA2 = "brca2", _("BRCA2 pathogenic variant")
        VUS = "vus", _("Variant of uncertain significance")

    participant = models.OneToOneField(
        Participant, on_delete=models.PROTECT, related_name="baseline"
    )
    study_id = CarriedStudyIdField()
    baseline_date = personal(
        models.DateField(
            _("date of baseline imaging"),
            help_text=_("Response assessments must be dated after this day."),
        ),
        CALENDAR_DATE,
    )
    histology = models.CharField(_("histology"), max_length=16, choices=Histology.choices)
    grade = models.PositiveSmallIntegerField(
        _("Nottingham grade"), choices=[(1, "1"), (2, "2"), (3, "3")], null=True, blank=True
    )
    # Not format strings: "%" is a percentage (the comments keep xgettext from checking them).
    # xgettext:no-python-format
    er_percent = _percent_field(_("ER, % of stained nuclei"))
    # xgettext:no-python-format
    pr_percent = _percent_field(_("PR, % of stained nuclei"))
    her2_ihc = models.CharField(_("HER2 IHC"), max_length=4, choices=Her2Ihc.choices)
    her2_ish = models.CharField(
        _("HER2 ISH"), max_length=12, choices=Her2Ish.choices, default=Her2Ish.NOT_DONE
    )
    ki67_percent = _percent_field(_("Ki-67, %"), null=True, blank=True)
    clinical_t = models.CharField(_("cT (AJCC 8th)"), max_length=4, choices=ClinicalT.choices)
    clinical_n = models.CharField(_("cN (AJCC 8th)"), max_length=4, choices=ClinicalN.choices)
    distant_m = models.CharField(
        _("M (AJCC 8th)"), max_length=3, choices=DistantM.choices, default=DistantM.CM1
    )
    menopausal_status = models.CharField(
        _("menopausal status"), max_length=4, choices=Menopause.choices
    )
    germline_brca = models.CharField(
        _("germline BRCA status"), max_length=12, choices=Brca.choices, default=Brca.NOT_TESTED
    )

    site_path = "participant__site"
    crf_parts = ("lesions",)

    @property
    def is_entered(self) -> bool:
        # `baseline_save` refuses a baseline without lesions in both compartments.
        return self.pk is not None

    class Meta:
        verbose_name = _("baseline")
        verbose_name_plural = _("baselines")
        constraints = [
            study_id_carried("baseline_study_id_carried"),
            # Referenced with the lesions' carried study IDs, as the participant's is.
            models.UniqueConstraint(fields=["id", "study_id"], name="baseline_id_study_id"),
            models.CheckConstraint(
                condition=models.Q(er_percent__lte=100, pr_percent__lte=100),
                name="baseline_receptor_percent_max_100",
            ),
            models.CheckConstraint(
                condition=models.Q(ki67_percent__isnull=True) | models.Q(ki67_percent__lte=100),
                name="baseline_ki67_max_100",
            ),
        ]

    def get_absolute_url(self) -> str:
        """The page where this form is entered (the data-quality pages link to it)."""
        return reverse("assessments:baseline", kwargs={"pk": self.participant_id})

    def __str__(self) -> str:
        return f"{self.participant} baseline"

    @property
    def er_category(self) -> str | None:
        return biomarkers.hormone_receptor_category(self.er_percent)

    @property
    def pr_category(self) -> str | None:
        return biomarkers.hormone_receptor_category(self.pr_percent)

    @property
    def her2_category(self) -> str | None:
        return biomarkers.her2_category(self.her2_ihc or None, self.her2_ish or None)

    @property
    def er_category_label(self) -> str:
        return str(HR_CATEGORY_LABELS.get(self.er_category or "", UNDETERMINED))

    @property
    def pr_category_label(self) -> str:
        return str(HR_CATEGORY_LABELS.get(self.pr_category or "", UNDETERMINED))

    @property
    def her2_category_label(self) -> str:
        return str(HER2_CATEGORY_LABELS.get(self.her2_category or "", UNDETERMINED))


class BaselineLesion(CrfRecord):
    """One lesion seen at baseline; its compartment and nodal flag follow from its organ site."""

    class Kind(models.TextChoices):
        TARGET = "target", _("Target")
        NON_TARGET = "non_target", _("Non-target")

    baseline = models.ForeignKey(Baseline, on_delete=models.PROTECT, related_name="lesions")
    study_id = CarriedStudyIdField(source="baseline")
    number = models.PositiveSmallIntegerField(_("number"))
    compartment = models.CharField(_("compartment"), max_length=10, choices=Compartment.choices)
    organ_site = models.CharField(_("organ site"), max_length=20, choices=OrganSite.choices)
    nodal = models.BooleanField(_("lymph node"), default=False)
    kind = models.CharField(_("target or non-target"), max_length=10, choices=Kind.choices)
    description = models.CharField(_("location"), max_length=100)
    baseline_mm = _mm_field(
        _("baseline size, mm"),
        null=True,
        blank=True,
        help_text=_("Longest diameter; short axis for a lymph node. Required for a target."),
    )

    site_path = "baseline__participant__site"
    participant_path = "baseline__participant"
    is_crf_part = True
    is_entered = True  # a part is completed with its form

    class Meta:
        ordering = ["number"]
        verbose_name = _("baseline lesion")
        verbose_name_plural = _("baseline lesions")
        constraints = [
            study_id_carried("lesion_study_id_carried"),
            models.UniqueConstraint(fields=["baseline", "number"], name="lesion_number_unique"),
            # Referenced with the number its measurements carry.
            models.UniqueConstraint(fields=["id", "number"], name="lesion_id_number"),
            models.CheckConstraint(
                condition=~models.Q(kind="target") | models.Q(baseline_mm__isnull=False),
                name="lesion_target_is_measured",
            ),
            models.CheckConstraint(
                condition=models.Q(baseline_mm__isnull=True) | models.Q(baseline_mm__gte=0),
                name="lesion_baseline_mm_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        prefix = "T" if self.is_target else "NT"
        return f"{prefix}{self.number} {self.get_organ_site_display()}: {self.description}"

    @property
    def is_target(self) -> bool:
        return self.kind == self.Kind.TARGET


class TherapyLine(CrfRecord):
    """One regimen of systemic therapy."""

    class Category(models.TextChoices):
        ENDOCRINE = "endocrine", _("Endocrine")
        CHEMOTHERAPY = "chemotherapy", _("Chemotherapy")
        TARGETED = "targeted", _("Targeted")
        IMMUNOTHERAPY = "immunotherapy", _("Immunotherapy")
        OTHER = "other", _("Other")

    class StopReason(models.TextChoices):
        COMPLETED = "completed", _("Planned course completed")
        PROGRESSION = "progression", _("Progression")
        TOXICITY = "toxicity", _("Toxicity")
        ARM_CHANGE = "arm_change", _("Regimen changed per assigned arm")
        PATIENT_CHOICE = "patient_choice", _("Patient's choice")
        OTHER = "other", _("Other")

    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="therapy_lines"
    )
    study_id = CarriedStudyIdField()
    line_number = models.PositiveSmallIntegerField(
        _("line"), validators=[MinValueValidator(1)], default=1
    )
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    agents = models.CharField(_("agents"), max_length=200)
    start_date = personal(models.DateField(_("start date")), CALENDAR_DATE)
    stop_date = personal(models.DateField(_("stop date"), null=True, blank=True), CALENDAR_DATE)
    reason_stopped = models.CharField(
        _("reason stopped"), max_length=16, choices=StopReason.choices, blank=True
    )

    site_path = "participant__site"
    is_entered = True  # the therapy page requires every field it needs

    class Meta:
        ordering = ["start_date", "line_number", "pk"]
        verbose_name = _("systemic therapy")
        verbose_name_plural = _("systemic therapy")
        constraints = [
            study_id_carried("therapy_study_id_carried"),
            models.CheckConstraint(
                condition=models.Q(stop_date__isnull=True)
                | models.Q(stop_date__gte=models.F("start_date")),
                name="therapy_stop_not_before_start",
            ),
        ]

    def get_absolute_url(self) -> str:
        """The page where this form is entered (the data-quality pages link to it)."""
        return reverse("assessments:therapy_edit", kwargs={"pk": self.pk})

    def __str__(self) -> str:
        return f"{self.participant} line {self.line_number}: {self.agents}"


class ResponseAssessmentQuerySet(ClinicalQuerySet["ResponseAssessment"]):
    def completed(self) -> "ResponseAssessmentQuerySet":
        return self.exclude(crf_status=CrfStatus.DRAFT)

    def drafts(self) -> "ResponseAssessmentQuerySet":
        return self.filter(crf_status=CrfStatus.DRAFT)


class ResponseAssessment(CrfRecord):
    """One dated imaging assessment, judged per compartment by `assessments.recist`.

    The computed fields are stored (the export reads them) and are written only by
    `services.assessment_save`, from the measurements and the earlier assessments' sums.
    """

    class Modality(models.TextChoices):
        CT = "ct", _("CT")
        MRI = "mri", _("MRI")
        PET_CT = "pet_ct", _("PET-CT")
        ULTRASOUND = "ultrasound", _("Ultrasound")
        MAMMOGRAPHY = "mammography", _("Mammography")
        BONE_SCAN = "bone_scan", _("Bone scan")
        CLINICAL = "clinical", _("Clinical examination")

    RESPONSE_CHOICES = list(RESPONSE_LABELS.items())

    # django-stubs declares the inherited `objects` a ClassVar and refuses a subclass's own.
    objects = ResponseAssessmentQuerySet.as_manager()  # type: ignore[misc]

    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="response_assessments"
    )
    study_id = CarriedStudyIdField()
    assessment_date = personal(models.DateField(_("assessment date")), CALENDAR_DATE)
    modality = models.CharField(_("imaging modality"), max_length=12, choices=Modality.choices)
    completed_at = personal(
        models.DateTimeField(_("completed"), null=True, blank=True), CALENDAR_DATE
    )

    primary_new_lesions = models.BooleanField(_("new lesions, primary compartment"), default=False)
    primary_target = models.CharField(
        _("primary: target response"), max_length=16, choices=RESPONSE_CHOICES, blank=True
    )
    primary_non_target = models.CharField(
        _("primary: non-target response"), max_length=16, choices=RESPONSE_CHOICES, blank=True
    )
    primary_response = models.CharField(
        _("primary: overall response"), max_length=16, choices=RESPONSE_CHOICES, blank=True
    )
    primary_target_sum_mm = models.DecimalField(
        _("primary: sum of target diameters, mm"),
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
        help_text=_("Empty when a target lesion was not evaluated: such a sum is no nadir."),
    )

    metastatic_new_lesions = models.BooleanField(
        _("new lesions, metastatic compartment"), default=False
    )
    metastatic_target = models.CharField(
        _("metastases: target response"), max_length=16, choices=RESPONSE_CHOICES, blank=True
    )
    metastatic_non_target = models.CharField(
        _("metastases: non-target response"), max_length=16, choices=RESPONSE_CHOICES, blank=True
    )
    metastatic_response = models.CharField(
        _("metastases: overall response"), max_length=16, choices=RESPONSE_CHOICES, blank=True
    )
    metastatic_target_sum_mm = models.DecimalField(
        _("metastases: sum of target diameters, mm"),
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
    )

    site_path = "participant__site"
    crf_parts = ("measurements",)

    class Meta:
        ordering = ["assessment_date", "pk"]
        verbose_name = _("response assessment")
        verbose_name_plural = _("response assessments")
        constraints = [
            study_id_carried("assessment_study_id_carried"),
            models.UniqueConstraint(
                fields=["participant", "assessment_date"], name="assessment_one_per_day"
            ),
            # Referenced with the study ID and the date its measurements carry.
            models.UniqueConstraint(
                fields=["id", "study_id", "assessment_date"], name="assessment_id_study_id_date"
            ),
        ]

    def get_absolute_url(self) -> str:
        """The page where this form is entered (the data-quality pages link to it)."""
        return reverse("assessments:assessment", kwargs={"pk": self.pk})

    def __str__(self) -> str:
        return f"{self.participant} assessment {self.assessment_date:%Y-%m-%d}"

    @property
    def is_complete(self) -> bool:
        """Completed on its page ("Save and complete"): its responses count from then on."""
        return self.crf_status != CrfStatus.DRAFT

    @property
    def is_entered(self) -> bool:
        # An assessment is completed on its own page, which computes its responses and
        # proposes the arm; the data-quality page cannot complete a draft one.
        return self.is_complete


class LesionMeasurement(CrfRecord):
    """A baseline lesion at one assessment: a size (target) or a status (either kind)."""

    class LesionStatus(models.TextChoices):
        ABSENT = recist.ABSENT, _("Absent")
        PRESENT = recist.PRESENT, _("Present")
        PROGRESSION = recist.PROGRESSION, _("Unequivocal progression")
        NOT_EVALUATED = recist.NOT_EVALUATED, _("Not evaluated")

    assessment = models.ForeignKey(
        ResponseAssessment, on_delete=models.PROTECT, related_name="measurements"
    )
    lesion = models.ForeignKey(
        BaselineLesion, on_delete=models.PROTECT, related_name="measurements"
    )
    current_mm = _mm_field(_("size, mm"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=LesionStatus.choices, blank=True)
    # Carried so that the export of the measurements reads this table alone. The lesion's
    # number never changes once it is measured (`validators.lesions_frozen`); a corrected
    # assessment date is copied again by `assessment_save`. On PostgreSQL foreign keys on
    # (assessment, study ID, date) and (lesion, number) keep the copies their sources'.
    study_id = CarriedStudyIdField(source="assessment")
    lesion_number = CarriedSmallIntegerField(
        _("lesion number"), source="lesion", attribute="number", once=True
    )
    assessment_date = personal(
        CarriedDateField(_("assessment date"), source="assessment", attribute="assessment_date"),
        CALENDAR_DATE,
    )

    site_path = "assessment__participant__site"
    participant_path = "assessment__participant"
    is_crf_part = True
    is_entered = True  # a part is completed with its form

    class Meta:
        ordering = ["lesion__number"]
        verbose_name = _("lesion measurement")
        verbose_name_plural = _("lesion measurements")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "lesion"], name="measurement_one_per_lesion"
            ),
            study_id_carried("measurement_study_id_carried"),
            models.CheckConstraint(
                condition=models.Q(lesion_number__isnull=False, assessment_date__isnull=False),
                name="measurement_copies_carried",
            ),
            models.CheckConstraint(
                condition=models.Q(current_mm__isnull=True) | models.Q(current_mm__gte=0),
                name="measurement_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lesion}: {self.current_mm if self.current_mm is not None else self.status}"


class Surgery(CrfRecord):
    """Surgery and its pathology; pCR is derived (`assessments.pathology.is_pcr`)."""

    class Procedure(models.TextChoices):
        MASTECTOMY = "mastectomy", _("Mastectomy")
        BREAST_CONSERVING = "breast_conserving", _("Breast-conserving surgery")
        METASTASIS_RESECTION = "metastasis_resection", _("Resection of a metastasis")

    class Margins(models.TextChoices):
        NEGATIVE = "negative", _("Negative (no ink on tumour, 2 mm or more)")
        CLOSE = "close", _("Close (under 2 mm)")
        POSITIVE = "positive", _("Positive (ink on tumour)")
        NOT_ASSESSED = "not_assessed", _("Not assessed")

    class AxillaryProcedure(models.TextChoices):
        NONE = "none", _("None")
        SENTINEL = "sentinel", _("Sentinel lymph node biopsy")
        DISSECTION = "dissection", _("Axillary lymph node dissection")
        SENTINEL_THEN_DISSECTION = "sentinel_dissection", _("Sentinel biopsy, then dissection")

    YPT_CHOICES = [(c, c) for c in pathology.YPT_CODES]
    YPN_CHOICES = [(c, c) for c in pathology.YPN_CODES]

    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="surgeries")
    study_id = CarriedStudyIdField()
    procedure = models.CharField(_("procedure"), max_length=24, choices=Procedure.choices)
    metastasis_site = models.CharField(
        _("site of the resected metastasis"),
        max_length=20,
        choices=METASTATIC_SITE_CHOICES,
        blank=True,
    )
    surgery_date = personal(models.DateField(_("date of surgery")), CALENDAR_DATE)
    ypt = models.CharField(_("ypT"), max_length=8, choices=YPT_CHOICES, blank=True)
    ypn = models.CharField(_("ypN"), max_length=10, choices=YPN_CHOICES, blank=True)
    residual_invasive_disease = models.BooleanField(
        _("residual invasive disease"), null=True, blank=True
    )
    margins = models.CharField(_("resection margins"), max_length=14, choices=Margins, blank=True)
    axillary_procedure = models.CharField(
        _("axillary procedure"), max_length=20, choices=AxillaryProcedure, blank=True
    )
    length_of_stay_days = models.PositiveSmallIntegerField(
        _("length of stay (days)"), null=True, blank=True
    )

    site_path = "participant__site"
    is_entered = True  # the surgery page requires every field it needs

    class Meta:
        ordering = ["surgery_date", "pk"]
        verbose_name = _("surgery")
        verbose_name_plural = _("surgeries")
        constraints = [
            study_id_carried("surgery_study_id_carried"),
            # The key of the date that its complications carry (safety.AdverseEvent).
            models.UniqueConstraint(fields=["id", "surgery_date"], name="surgery_id_date"),
            models.CheckConstraint(
                condition=~models.Q(procedure="metastasis_resection")
                | ~models.Q(metastasis_site=""),
                name="surgery_resection_names_site",
            ),
        ]

    def get_absolute_url(self) -> str:
        """The page where this form is entered (the data-quality pages link to it)."""
        return reverse("assessments:surgery_edit", kwargs={"pk": self.pk})

    def __str__(self) -> str:
        return f"{self.participant} {self.get_procedure_display()} {self.surgery_date}"

    @property
    def is_breast_surgery(self) -> bool:
        return self.procedure != self.Procedure.METASTASIS_RESECTION

    @property
    def pcr(self) -> bool | None:
        if not self.is_breast_surgery:
            return None
        return pathology.is_pcr(self.ypt or None, self.ypn or None)
