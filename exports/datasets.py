"""What each export file contains: the one declarative place.

A dataset is a model and a list of columns; a column is an output name (the contract of
issue 8 and the names of `shared/spec/rules.md`), a lookup from the dataset's model and a kind
that says how it is rendered. A renamed model field is a one-line change here. The SQL that
PostgreSQL's COPY streams, the SQLite fallback, the de-identified variant and the data
dictionary are all generated from these lists (`exports.streaming`, `exports.dictionary`).
What is personal data is not said here but on the model fields (`audit.personal_data`): a
de-identified file leaves out the columns whose field is an identifier or free text and writes
those whose field is a calendar date as days from the participant's diagnosis.

Two datasets carry columns that a rule of the protocol computes in Python: `screening`
(eligibility, `enrollment.eligibility.evaluate`) and `analysis` (the outcomes,
`followup.endpoints`; the biomarker categories; the signed arms). The rules are never restated
in SQL: their results are stored when the facts change, with their rules version
(`exports.derived`, `exports.models.ScreeningVerdict` and `ParticipantOutcome`), so every
dataset is one COPY. The screening columns read the verdict (`verdict__...`); the analysis
dataset is the stored analysis row itself, which carries the participant's and her baseline's
columns beside the computed ones (one table, as fast to export as any).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, cast

from django.apps import apps
from django.db.models import Field
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from audit.personal_data import (
    CALENDAR_DATE,
    WITHHELD,
    PersonalData,
    field_at,
    personal_kind,
    reference_date_lookup,
)

# Column kinds: how a value is written.
TEXT = "text"
INTEGER = "integer"
DECIMAL = "decimal"
DATE = "date"  # ISO 8601; days from diagnosis when de-identified
DATETIME = "datetime"  # ISO 8601 UTC; days from diagnosis when de-identified
BOOLEAN = "boolean"  # true / false
CODES = "codes"  # ;-separated codes
SCREENING_NUMBER = "screening_number"  # S-00042, from the screening's primary key

DATE_KINDS = frozenset({DATE, DATETIME})


@dataclass(frozen=True)
class Column:
    name: str
    lookup: str | None = None  # from the dataset's model; None: derived, no model field
    kind: str = TEXT
    label: str | Promise | None = None  # default: the model field's verbose name
    unit: str = ""
    allowed: str | Promise = ""  # for derived columns; model fields give their choices
    # For a derived column: the model field it is made from, whose personal-data declaration
    # (audit.personal_data) is the column's.
    source: str | None = None


@dataclass(frozen=True)
class Dataset:
    name: str
    form: str | Promise
    model: str  # "app_label.ModelName"; a model whose app is not installed: header only
    columns: tuple[Column, ...]
    # Lookup of the date that de-identified dates count from; None: the model's own
    # declaration (audit.personal_data.reference_date_lookup), the participant's diagnosis.
    reference_date: str | None = None
    order_by: tuple[str, ...] = ("pk",)
    note: str | Promise = ""
    # The dictionary's note while the model's app is not installed (the file is header only).
    missing_note: str | Promise = ""
    # Lookups the rows must match (complications: the adverse events of an operation).
    filters: tuple[tuple[str, Any], ...] = ()
    # The lookup from a row to its participant (what a batch of the ODM's subjects narrows
    # by); None: the row's `participant`, or the row itself in a dataset of participants.
    participant: str | None = None

    @property
    def participant_lookup(self) -> str:
        if self.participant is not None:
            return self.participant
        return "pk" if self.model == "enrollment.Participant" else "participant"

    @property
    def filename(self) -> str:
        return f"{self.name}.csv"

    def personal_kind(self, column: Column) -> PersonalData | None:
        """What the column's model field declares it holds (audit.personal_data)."""
        return _personal_kind(self.model, column.lookup or column.source)

    def shifted(self, column: Column, *, deidentified: bool) -> bool:
        """Whether the column is written as days from the reference date."""
        return deidentified and self.personal_kind(column) == CALENDAR_DATE

    def reference_lookup(self) -> str | None:
        if self.reference_date is not None:
            return self.reference_date
        model = model_or_none(self.model)
        return reference_date_lookup(model) if model is not None else None

    def columns_for(self, *, deidentified: bool) -> tuple[Column, ...]:
        """The columns of the file; de-identified, without identifiers and free text."""
        if not deidentified:
            return self.columns
        return tuple(c for c in self.columns if self.personal_kind(c) not in WITHHELD)

    def header(self, *, deidentified: bool) -> list[str]:
        return [c.name for c in self.columns_for(deidentified=deidentified)]


def model_or_none(label: str) -> Any:
    """The model; None while its app is not installed (the file is header only)."""
    try:
        return apps.get_model(label)
    except LookupError:
        return None


def model_field(model: Any, lookup: str | None) -> Field[Any, Any] | None:
    """The field a lookup ends at, following relations; None for a derived column."""
    if model is None or not lookup:
        return None
    if lookup == "pk":
        pk: Field[Any, Any] = model._meta.pk
        return pk
    field = field_at(model, lookup)
    # The contract's lookups end at concrete fields, never at a reverse relation.
    return cast("Field[Any, Any] | None", field)


@functools.cache
def _personal_kind(model_label: str, lookup: str | None) -> PersonalData | None:
    return personal_kind(model_field(model_or_none(model_label), lookup))


def C(name: str, lookup: str | None = "", kind: str = TEXT, **kwargs: Any) -> Column:  # noqa: N802
    """A column; the lookup defaults to the column's own name."""
    return Column(name, name if lookup == "" else lookup, kind, **kwargs)


# The row's own copy of its participant's study ID (enrollment.fields.CarriedStudyIdField):
# read without joining the participants.
STUDY_ID = C("study_id")
SITE = C("site", "participant__site__code", label=_("site code"))

SCREENING = Dataset(
    "screening",
    _("Screening (eligibility checklist)"),
    "enrollment.Screening",
    (
        C("screening_id", "pk", SCREENING_NUMBER, label=_("screening number")),
        C("study_id"),
        C("site", "site__code", label=_("site code")),
        C("status"),
        C("consent_date", kind=DATE),
        C("initials"),
        C("hospital_number"),
        # One column per ScreeningFacts field, in its order (spec section 1), as the rules
        # saw them: lab values converted, bilirubin/AST/ALT/creatinine as multiples of the ULN.
        C("birth_date", kind=DATE),
        C("screening_date", kind=DATE),
        C("sex"),
        C("invasive_carcinoma_confirmed", kind=BOOLEAN),
        C("stage_iv_at_diagnosis", kind=BOOLEAN),
        C(
            "metastasis_confirmed_by",
            "verdict__metastasis_confirmed_by",
            label=_("strongest confirmation of the metastatic sites"),
            allowed="pathology; imaging; unconfirmed",
        ),
        C("operable", kind=BOOLEAN),
        C("ecog", kind=INTEGER),
        C("anc", "verdict__anc", DECIMAL, label=_("absolute neutrophil count"), unit="10^9/L"),
        C("platelets", "verdict__platelets", DECIMAL, label=_("platelets"), unit="10^9/L"),
        C("hemoglobin", "verdict__hemoglobin", DECIMAL, label=_("hemoglobin"), unit="g/dL"),
        C(
            "bilirubin_uln",
            "verdict__bilirubin_uln",
            DECIMAL,
            label=_("total bilirubin / ULN"),
            unit="x ULN",
        ),
        C("ast_uln", "verdict__ast_uln", DECIMAL, label=_("AST (SGOT) / ULN"), unit="x ULN"),
        C("alt_uln", "verdict__alt_uln", DECIMAL, label=_("ALT (SGPT) / ULN"), unit="x ULN"),
        C(
            "creatinine_uln",
            "verdict__creatinine_uln",
            DECIMAL,
            label=_("creatinine / ULN"),
            unit="x ULN",
        ),
        C("prior_locoregional_surgery", kind=BOOLEAN),
        C("diagnosis_date", kind=DATE),
        C("systemic_therapy_start", kind=DATE),
        C("other_primary_malignancy", kind=BOOLEAN),
        C(
            "metastatic_sites",
            "verdict__metastatic_sites",
            CODES,
            label=_("metastatic site codes"),
        ),
        C("liver_metastasis_count", kind=INTEGER),
        C("followup_feasible", kind=BOOLEAN),
        C(
            "eligible",
            "verdict__eligible",
            BOOLEAN,
            label=_("eligible (empty: undecided, facts missing)"),
        ),
        C("failed", "verdict__failed", CODES, label=_("criteria not met")),
        C("missing", "verdict__missing", CODES, label=_("criteria that cannot be judged yet")),
        C(
            "age_at_screening",
            "verdict__age_at_screening",
            INTEGER,
            label=_("completed years at screening"),
            unit="y",
        ),
    ),
    note=_(
        "Eligibility computed by enrollment.eligibility.evaluate from the stored checklist. "
        "Unenrolled screenings have an empty study_id."
    ),
)

PARTICIPANTS = Dataset(
    "participants",
    _("Enrolment"),
    "enrollment.Participant",
    (
        C("study_id"),
        C("screening_id", "screening_id", SCREENING_NUMBER, label=_("screening number")),
        C("site", "site__code", label=_("site code")),
        C("diagnosis_date", kind=DATE),
        C("enrolment_date", kind=DATE),
        C("status"),
    ),
)

BASELINE = Dataset(
    "baseline",
    _("Baseline"),
    "assessments.Baseline",
    (
        STUDY_ID,
        C("baseline_date", kind=DATE),
        C("histology"),
        C("grade", kind=INTEGER),
        C("er_percent", kind=INTEGER, unit="%"),
        C("pr_percent", kind=INTEGER, unit="%"),
        C("her2_ihc"),
        C("her2_ish"),
        C("ki67_percent", kind=INTEGER, unit="%"),
        C("clinical_t"),
        C("clinical_n"),
        C("distant_m"),
        C("menopausal_status"),
        C("germline_brca"),
    ),
)

LESIONS = Dataset(
    "lesions",
    _("Baseline lesions"),
    "assessments.BaselineLesion",
    (
        STUDY_ID,
        C("lesion_number", "number", INTEGER),
        C("compartment"),
        C("organ_site"),
        C("nodal", kind=BOOLEAN),
        C("kind"),
        C("location", "description"),
        C("baseline_mm", kind=DECIMAL, unit="mm"),
    ),
    note=_("One row per lesion; its measurements are in lesion_measurements.csv."),
    participant="baseline__participant",
)

# The lesions' results, one row per lesion and assessment (SDTM's TR beside TU's lesions):
# the measurement carries the lesion's number and the assessment's date (audit.carried).
LESION_MEASUREMENTS = Dataset(
    "lesion_measurements",
    _("Lesion measurements"),
    "assessments.LesionMeasurement",
    (
        STUDY_ID,
        C("lesion_number", kind=INTEGER),
        C("assessment_date", kind=DATE),
        C("current_mm", kind=DECIMAL, unit="mm"),
        C("measurement_status", "status"),
    ),
    order_by=("lesion_id", "assessment_date"),
    note=_(
        "One row per lesion and assessment: a lesion (study_id, lesion_number in lesions.csv) "
        "at the response assessment of that date (assessments.csv)."
    ),
    participant="assessment__participant",
)

THERAPY = Dataset(
    "therapy",
    _("Systemic therapy"),
    "assessments.TherapyLine",
    (
        STUDY_ID,
        C("line_number", kind=INTEGER),
        C("category"),
        C("agents"),
        C("start_date", kind=DATE),
        C("stop_date", kind=DATE),
        C("reason_stopped"),
    ),
)

ASSESSMENTS = Dataset(
    "assessments",
    _("Response assessment (RECIST 1.1)"),
    "assessments.ResponseAssessment",
    (
        STUDY_ID,
        C("assessment_date", kind=DATE),
        C("modality"),
        C("status", "crf_status"),
        C("primary_target"),
        C("primary_non_target"),
        C("primary_new_lesions", kind=BOOLEAN),
        C("primary_response"),
        C("metastatic_target"),
        C("metastatic_non_target"),
        C("metastatic_new_lesions", kind=BOOLEAN),
        C("metastatic_response"),
        C("primary_target_sum_mm", kind=DECIMAL, unit="mm"),
        C("metastatic_target_sum_mm", kind=DECIMAL, unit="mm"),
    ),
)

ASSIGNMENTS = Dataset(
    "assignments",
    _("Arm assignment and signature"),
    "arms.ArmAssignment",
    (
        STUDY_ID,
        C("assessment_date", kind=DATE),
        C("primary_response"),
        C("metastatic_response"),
        C("proposed_arm", kind=INTEGER),
        C("confirmed_arm", kind=INTEGER),
        C("overridden", kind=BOOLEAN),
        C("status"),
        C("override_reason"),
        C("no_proposal_reason"),
        C("rules_version"),
        C("signed_by"),
        C("signed_at", kind=DATETIME),
        C("signature_meaning"),
    ),
    note=_("confirmed_arm is empty until an investigator signs the assignment."),
)

SURGERY = Dataset(
    "surgery",
    _("Surgery and pathology"),
    "assessments.Surgery",
    (
        STUDY_ID,
        C("procedure"),
        C("metastasis_site"),
        C("surgery_date", kind=DATE),
        C("ypt"),
        C("ypn"),
        C("residual_invasive_disease", kind=BOOLEAN),
        C("margins"),
        C("axillary_procedure"),
        C("length_of_stay_days", kind=INTEGER, unit="d"),
    ),
)

VISITS = Dataset(
    "visits",
    _("Follow-up visit"),
    "followup.Visit",
    (
        STUDY_ID,
        # The planned visit's columns, from the slot the form was recorded for, carried on the
        # form (`Visit.carry_slot`; empty for an unscheduled visit).
        C("code", "slot_code"),
        C("kind"),
        C("target", "slot_target", DATE),
        C("window_start", "slot_window_start", DATE),
        C("window_end", "slot_window_end", DATE),
        C("status", "slot_status"),
        C("visit_date", kind=DATE),
        C("vital_status"),
        C("last_known_alive", kind=DATE),
        C("distant_progression", kind=BOOLEAN),
        C("distant_progression_date", kind=DATE),
        C("distant_progression_sites", kind=CODES),
        C("locoregional_recurrence", kind=BOOLEAN),
        C("locoregional_recurrence_date", kind=DATE),
        C("locoregional_recurrence_site"),
        C("systemic_therapy"),
        C("status_reason", "slot_status_reason"),
        C("outside_window_reason"),
    ),
    note=_(
        "One row per recorded visit form; planned visits not yet recorded, missed or no "
        "longer required have no form and no row. code, target, window and status are those "
        "of the planned visit the form was recorded for (empty for an unscheduled visit). "
        "The date and cause of death are in deaths.csv (the death report)."
    ),
)

PLANNED_VISITS = Dataset(
    "planned_visits",
    _("Follow-up schedule (planned visits)"),
    "followup.PlannedVisit",
    (
        STUDY_ID,
        C("code"),
        C("target", kind=DATE),
        C("window_start", kind=DATE),
        C("window_end", kind=DATE),
        C("status"),
        C("status_reason"),
    ),
    note=_(
        "One row per visit of the schedule, whatever became of it: open, done, missed or no "
        "longer required (whether an open visit is due or overdue depends on the day and is "
        "not exported). A done visit's form is in visits.csv, joined by study_id and code."
    ),
)

OFF_STUDY = Dataset(
    "off_study",
    _("End of participation"),
    "enrollment.OffStudy",
    (
        STUDY_ID,
        C("off_study_date", "date", DATE),
        C("reason"),
        C("note"),
    ),
)

QUERIES = Dataset(
    "queries",
    _("Data-quality queries"),
    "dataquality.DataQuery",
    (
        STUDY_ID,
        C("query_id", "pk", INTEGER, label=_("query number")),
        C("form", "form__model", label=_("form")),
        C("form_id", "object_id", INTEGER),
        C("variable", "field_name"),
        C("query_text", "text"),
        C("status"),
        C("automatic_check", "check_code"),
        C("opened_at", kind=DATETIME),
        C("updated_at", kind=DATETIME),
    ),
    note=_("One row per data-quality query; the thread of answers stays in the EDC."),
    missing_note=_("No data-quality queries yet: this file has its header only."),
)

_AE_COLUMNS = (
    STUDY_ID,
    C("event_id", "pk", INTEGER, label=_("adverse event number")),
    C("meddra_code", "term_code"),
    C("ctcae_term", "term_name"),
    C("soc", "term_soc"),
    C("other_specify"),
    C("coded_meddra_code", "coded_term_code", label=_("coded MedDRA code")),
    C("coded_term", "coded_term_name"),
    C("grade", kind=INTEGER, allowed="1; 2; 3; 4; 5"),
    C("onset_date", kind=DATE),
    C("onset_precision"),
    C("ongoing", kind=BOOLEAN),
    C("resolution_date", kind=DATE),
    C("resolution_precision"),
    C("serious", kind=BOOLEAN),
    C("results_in_death", kind=BOOLEAN),
    C("life_threatening", kind=BOOLEAN),
    C("hospitalisation", kind=BOOLEAN),
    C("disability", kind=BOOLEAN),
    C("congenital_anomaly", kind=BOOLEAN),
    C("other_important_event", kind=BOOLEAN),
    C("aware_at", kind=DATETIME),
    C("relationship_surgery_1"),
    C("relationship_surgery_2"),
    C("relationship_systemic"),
    C("action_taken"),
    C("outcome"),
    C("form_status", "crf_status"),
)
PARTIAL_DATES_NOTE = _(
    "A partial date is written as the first day of the period it names, with its precision "
    "(day, month or year) in the next column: an onset_date on the first of March with "
    "onset_precision month means some day in March."
)

ADVERSE_EVENTS = Dataset(
    "adverse_events",
    _("Adverse events (CTCAE v5.0)"),
    "safety.AdverseEvent",
    _AE_COLUMNS
    + (
        C("surgery_date", kind=DATE, label=_("date of the operation")),
        C("clavien_dindo"),
    ),
    note=PARTIAL_DATES_NOTE,
)

COMPLICATIONS = Dataset(
    "complications",
    _("Surgical complications"),
    "safety.AdverseEvent",
    (
        STUDY_ID,
        C("event_id", "pk", INTEGER, label=_("adverse event number")),
        C("procedure", "surgery__procedure"),
        C("surgery_date", "surgery__surgery_date", DATE, label=_("date of the operation")),
        C("length_of_stay_days", "surgery__length_of_stay_days", INTEGER, unit="d"),
        C("meddra_code", "term_code"),
        C("ctcae_term", "term_name"),
        C("grade", kind=INTEGER),
        C("clavien_dindo"),
        C("reoperation", kind=BOOLEAN),
        C("onset_date", kind=DATE),
        C("onset_precision"),
        C("resolution_date", kind=DATE),
        C("outcome"),
    ),
    note=_(
        "One row per adverse event recorded as a complication of an operation (also in "
        "adverse_events.csv, by event_id). Within 30 or 90 days: onset_date minus "
        "surgery_date."
    ),
    filters=(("surgery__isnull", False),),
)

DEATHS = Dataset(
    "deaths",
    _("Death report"),
    "safety.DeathReport",
    (
        STUDY_ID,
        C("death_date", kind=DATE),
        C("primary_cause"),
        C("cause_detail"),
        C("autopsy"),
        C("information_source"),
        C("form_status", "crf_status"),
    ),
    note=_("The single source of the date of death (overall survival in analysis.csv)."),
)

RADIOTHERAPY = Dataset(
    "radiotherapy",
    _("Radiotherapy"),
    "safety.Radiotherapy",
    (
        STUDY_ID,
        C("treated_site"),
        C("dose_gy", kind=DECIMAL, unit="Gy"),
        C("fractions", kind=INTEGER),
        C("start_date", kind=DATE),
        C("end_date", kind=DATE),
    ),
)

# Days and events: `followup.endpoints`; OutcomeFacts aggregated from the follow-up visits.
OUTCOME_FACTS = (
    C("diagnosis_date", kind=DATE),
    C(
        "last_known_alive",
        kind=DATE,
        label=_("latest date known alive"),
    ),
    C(
        "last_disease_assessment",
        kind=DATE,
        label=_("latest follow-up with disease status"),
    ),
    C("death_date", kind=DATE, label=_("date of death (death report)")),
    C(
        "distant_progression_date",
        kind=DATE,
        label=_("first distant progression"),
    ),
    C(
        "locoregional_recurrence_date",
        kind=DATE,
        label=_("first locoregional recurrence"),
    ),
)
OUTCOMES = (
    C(
        "os_days",
        kind=INTEGER,
        label=_("overall survival: days from diagnosis"),
        unit="d",
    ),
    C(
        "os_event",
        kind=BOOLEAN,
        label=_("overall survival: death (false: censored)"),
    ),
    C(
        "dpfs_days",
        kind=INTEGER,
        label=_("distant PFS: days from diagnosis"),
        unit="d",
    ),
    C(
        "dpfs_event",
        kind=BOOLEAN,
        label=_("distant PFS: event (false: censored)"),
    ),
    C(
        "lrpfs_days",
        kind=INTEGER,
        label=_("locoregional PFS: days from diagnosis"),
        unit="d",
    ),
    C(
        "lrpfs_event",
        kind=BOOLEAN,
        label=_("locoregional PFS: event (false: censored)"),
    ),
)

ARM_ALLOWED = "1; 2; 3; 4"

ANALYSIS = Dataset(
    "analysis",
    _("Analysis dataset (one row per participant)"),
    "exports.ParticipantOutcome",
    (
        C("study_id"),
        C("site", "site__code", label=_("site code")),
        C("enrolment_date", kind=DATE),
        C("status"),
        C(
            "first_arm",
            kind=INTEGER,
            label=_("arm at first signed assignment"),
            allowed=ARM_ALLOWED,
        ),
        C(
            "current_arm",
            kind=INTEGER,
            label=_("current (latest signed) arm"),
            allowed=ARM_ALLOWED,
        ),
        C("histology"),
        C("grade", kind=INTEGER),
        C("er_percent", kind=INTEGER, unit="%"),
        C("pr_percent", kind=INTEGER, unit="%"),
        C("her2_ihc"),
        C("her2_ish"),
        C(
            "er_status",
            label=_("ER category"),
            allowed="negative; low_positive; positive",
        ),
        C(
            "pr_status",
            label=_("PR category"),
            allowed="negative; low_positive; positive",
        ),
        C("her2_status", label=_("HER2 category")),
        C("ki67_percent", kind=INTEGER, unit="%"),
        C("clinical_t"),
        C("clinical_n"),
        C("menopausal_status"),
        C(
            "metastatic_sites",
            kind=CODES,
            label=_("metastatic site codes"),
        ),
        *OUTCOME_FACTS,
        *OUTCOMES,
    ),
    note=_(
        "Outcomes by followup.endpoints. last_known_alive: the latest of the enrolment date, "
        "the last-known-alive dates and the dates of visits with vital status alive; "
        "last_disease_assessment: the latest done visit that recorded distant or "
        "locoregional status; event dates: the earliest recorded. Outcome columns are empty "
        "when the rules refuse the facts as inconsistent."
    ),
)

DATASETS: tuple[Dataset, ...] = (
    SCREENING,
    PARTICIPANTS,
    BASELINE,
    LESIONS,
    LESION_MEASUREMENTS,
    THERAPY,
    ASSESSMENTS,
    ASSIGNMENTS,
    SURGERY,
    VISITS,
    PLANNED_VISITS,
    OFF_STUDY,
    ADVERSE_EVENTS,
    COMPLICATIONS,
    DEATHS,
    RADIOTHERAPY,
    QUERIES,
    ANALYSIS,
)
BY_NAME: dict[str, Dataset] = {d.name: d for d in DATASETS}
DICTIONARY_FILENAME = "data_dictionary.csv"
