"""Eligibility of NCT05285332 (spec section 1).

"Operable stage IV breast cancer patients, whose primary lesion is invasive breast cancer
confirmed by pathology, and metastases can be confirmed by pathology or imageology
examination", aged 18 to 75, female, ECOG 0-2, with fully functional bone marrow, liver and
kidney, no locoregional surgery of the primary and any systemic treatment started within a
year of diagnosis; not with another primary malignancy, more than two visceral organs involved,
no prospect of regular follow-up, or multiple liver metastases with SGOT/SGPT above four times
the upper limit of normal.

Each criterion of the checklist is met, failed or missing. A criterion is missing when the
facts it needs are not all known, unless the facts that are known already decide it: a known
ANC of 0.9 fails organ function even when the creatinine is not yet known. An exclusion
criterion is failed when the exclusion applies. The patient is eligible when every criterion
is met, not eligible when any failed, and undecided otherwise: the rules never guess.

Pure Python: standard library only, no clock. The screening date is part of the facts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from ruleviolation import (
    AFTER_SCREENING,
    BEFORE_DIAGNOSIS,
    OUT_OF_RANGE,
    UNKNOWN_CODE,
    RuleViolation,
)
from trialcalendar import add_months
from trialcalendar import completed_years as completed_years

# Protocol thresholds. A protocol amendment changes one line here.

# The version of these rules: a verdict stored with another version is recomputed
# (`manage.py recompute_derived`). Raise it with any change that can change a verdict.
RULES_VERSION = "1.0"

# "Ages Eligible for Study: 18 Years to 75 Years"; spec: "completed years of age at
# screening_date are 18 to 75, both included".
MIN_AGE_YEARS = 18
MAX_AGE_YEARS = 75
# "ECOG-PS 0-2."
MAX_ECOG = 2
# "Bone marrow, liver and kidney should be fully functional." Spec: "ANC >= 1.5, platelets
# >= 100, hemoglobin >= 9.0, bilirubin <= 1.5 x ULN, creatinine <= 1.5 x ULN, and AST and ALT
# each <= 2.5 x ULN, or <= 4.0 x ULN when "liver" is among the metastatic sites".
MIN_ANC = 1.5  # 10^9/L
MIN_PLATELETS = 100.0  # 10^9/L
MIN_HEMOGLOBIN = 9.0  # g/dL
MAX_BILIRUBIN_ULN = 1.5
MAX_CREATININE_ULN = 1.5
MAX_TRANSAMINASE_ULN = 2.5
MAX_TRANSAMINASE_ULN_LIVER_METASTASES = 4.0
# "For the patient who accepted systematic treatment before operation, the systematic
# treatment must be administered within a year since diagnosed." Spec: "started on or before
# diagnosis date plus 1 year".
SYSTEMIC_THERAPY_LIMIT_YEARS = 1
# Exclusion: "More than two visceral organ involvement."
MAX_VISCERAL_ORGANS = 2
# Exclusion: "Multiple liver metastases with deranged liver function tests (SGOT/SGPT more than
# four times the upper normal limit)." Spec: "liver_metastasis_count >= 2 and AST or ALT is
# more than 4.0 x ULN".
LIVER_EXCLUSION_MIN_LESIONS = 2
LIVER_EXCLUSION_TRANSAMINASE_ULN = 4.0

# The ECOG performance status scale runs from 0 (fully active) to 5 (dead).
ECOG_SCALE = range(0, 6)

SEX_FEMALE = "female"
SEX_MALE = "male"
SEXES = (SEX_FEMALE, SEX_MALE)

# "metastases can be confirmed by pathology or imageology examination"
CONFIRMED_BY_PATHOLOGY = "pathology"
CONFIRMED_BY_IMAGING = "imaging"
UNCONFIRMED = "unconfirmed"
METASTASIS_CONFIRMATIONS = (CONFIRMED_BY_PATHOLOGY, CONFIRMED_BY_IMAGING, UNCONFIRMED)

# Metastatic site codes. The liver matters twice: it raises the AST/ALT limit of organ function
# and it is the site of the liver exclusion.
LIVER = "liver"
VISCERAL_SITES = frozenset(
    {LIVER, "lung", "pleura", "brain", "peritoneum", "adrenal", "other_visceral"}
)
NON_VISCERAL_SITES = frozenset({"bone", "distant_lymph_node", "skin_soft_tissue"})
METASTATIC_SITES = VISCERAL_SITES | NON_VISCERAL_SITES
# Every site code with a short English description, in the spec's order, for choices.
SITE_LABELS: dict[str, str] = {
    LIVER: "Liver",
    "lung": "Lung",
    "pleura": "Pleura",
    "brain": "Brain",
    "peritoneum": "Peritoneum",
    "adrenal": "Adrenal gland",
    "other_visceral": "Other visceral organ",
    "bone": "Bone",
    "distant_lymph_node": "Distant lymph node",
    "skin_soft_tissue": "Skin or soft tissue",
}

# Criterion codes, in the order of the protocol's checklist.
AGE_18_75 = "age_18_75"
FEMALE = "female"
INVASIVE_PRIMARY_CONFIRMED = "invasive_primary_confirmed"
DE_NOVO_STAGE_IV = "de_novo_stage_iv"
METASTASIS_CONFIRMED = "metastasis_confirmed"
OPERABLE = "operable"
ECOG_0_2 = "ecog_0_2"
ORGAN_FUNCTION = "organ_function"
NO_PRIOR_LOCOREGIONAL_SURGERY = "no_prior_locoregional_surgery"
SYSTEMIC_WITHIN_1Y = "systemic_within_1y"
OTHER_PRIMARY_MALIGNANCY = "other_primary_malignancy"
VISCERAL_ORGANS_OVER_2 = "visceral_organs_over_2"
FOLLOWUP_NOT_FEASIBLE = "followup_not_feasible"
MULTIPLE_LIVER_METS_LFT_OVER_4ULN = "multiple_liver_mets_lft_over_4uln"

INCLUSION_CRITERIA = (
    AGE_18_75,
    FEMALE,
    INVASIVE_PRIMARY_CONFIRMED,
    DE_NOVO_STAGE_IV,
    METASTASIS_CONFIRMED,
    OPERABLE,
    ECOG_0_2,
    ORGAN_FUNCTION,
    NO_PRIOR_LOCOREGIONAL_SURGERY,
    SYSTEMIC_WITHIN_1Y,
)
EXCLUSION_CRITERIA = (
    OTHER_PRIMARY_MALIGNANCY,
    VISCERAL_ORGANS_OVER_2,
    FOLLOWUP_NOT_FEASIBLE,
    MULTIPLE_LIVER_METS_LFT_OVER_4ULN,
)
CRITERIA = INCLUSION_CRITERIA + EXCLUSION_CRITERIA

# Inclusion criteria say what must hold; exclusion criteria say what must not.
CRITERION_LABELS: dict[str, str] = {
    AGE_18_75: "Aged 18 to 75 years at screening",
    FEMALE: "Female",
    INVASIVE_PRIMARY_CONFIRMED: "Primary tumour is invasive breast cancer, confirmed by pathology",
    DE_NOVO_STAGE_IV: "Distant metastasis present at first diagnosis (de novo stage IV)",
    METASTASIS_CONFIRMED: "Metastases confirmed by pathology or imaging",
    OPERABLE: "Primary tumour operable",
    ECOG_0_2: "ECOG performance status 0 to 2",
    ORGAN_FUNCTION: "Adequate bone marrow, liver and kidney function",
    NO_PRIOR_LOCOREGIONAL_SURGERY: "No prior locoregional surgery of the primary tumour",
    SYSTEMIC_WITHIN_1Y: "Systemic therapy, if started, began within one year of diagnosis",
    OTHER_PRIMARY_MALIGNANCY: "Another primary malignant tumour",
    VISCERAL_ORGANS_OVER_2: "More than two visceral organs involved",
    FOLLOWUP_NOT_FEASIBLE: "Cannot attend regular follow-up",
    MULTIPLE_LIVER_METS_LFT_OVER_4ULN: "Two or more liver metastases with AST or ALT above 4 x ULN",
}

# The judgement of one criterion.
STATUS_MET = "met"
STATUS_FAILED = "failed"
STATUS_MISSING = "missing"
STATUSES = (STATUS_MET, STATUS_FAILED, STATUS_MISSING)


@dataclass(frozen=True)
class ScreeningFacts:
    birth_date: date | None
    screening_date: date  # the day the checklist is judged
    sex: str | None  # "female" | "male"
    invasive_carcinoma_confirmed: bool | None  # primary = invasive breast cancer, by pathology
    stage_iv_at_diagnosis: bool | None  # distant metastasis present at first diagnosis (de novo)
    metastasis_confirmed_by: str | None  # "pathology" | "imaging" | "unconfirmed"
    operable: bool | None  # investigator: primary tumour operable
    ecog: int | None  # 0..5
    anc: float | None  # neutrophils, 10^9/L
    platelets: float | None  # 10^9/L
    hemoglobin: float | None  # g/dL
    bilirubin_uln: float | None  # total bilirubin as a multiple of the site's ULN
    ast_uln: float | None  # AST (SGOT) / ULN
    alt_uln: float | None  # ALT (SGPT) / ULN
    creatinine_uln: float | None  # creatinine / ULN
    prior_locoregional_surgery: bool | None  # surgery of the primary before enrolment
    diagnosis_date: date | None
    systemic_therapy_start: date | None  # None = not started yet
    other_primary_malignancy: bool | None
    metastatic_sites: frozenset[str]  # site codes, below
    liver_metastasis_count: int | None  # lesions in the liver
    followup_feasible: bool | None  # can attend regular follow-up


@dataclass(frozen=True)
class Eligibility:
    # True: all met; False: any criterion failed; None: none failed, some missing
    eligible: bool | None
    failed: tuple[str, ...]  # criterion codes not met, in the order of CRITERIA
    missing: tuple[str, ...]  # criterion codes that cannot be judged for missing facts


def check_facts(facts: ScreeningFacts) -> None:
    """Refuse screening facts that cannot be true, with a `RuleViolation` (a `ValueError`)
    naming the field and the rule.

    `evaluate` and `judge` check this first.
    """
    if facts.birth_date is not None and facts.birth_date > facts.screening_date:
        raise RuleViolation(
            "birth_date",
            AFTER_SCREENING,
            f"{facts.birth_date.isoformat()} is after the screening date "
            f"{facts.screening_date.isoformat()}",
        )
    if facts.sex is not None and facts.sex not in SEXES:
        raise RuleViolation("sex", UNKNOWN_CODE, f"unknown value {facts.sex!r}")
    if (
        facts.metastasis_confirmed_by is not None
        and facts.metastasis_confirmed_by not in METASTASIS_CONFIRMATIONS
    ):
        raise RuleViolation(
            "metastasis_confirmed_by",
            UNKNOWN_CODE,
            f"unknown value {facts.metastasis_confirmed_by!r}",
        )
    if facts.ecog is not None and facts.ecog not in ECOG_SCALE:
        raise RuleViolation("ecog", OUT_OF_RANGE, f"must be 0 to 5, got {facts.ecog!r}")
    labs = (
        ("anc", facts.anc),
        ("platelets", facts.platelets),
        ("hemoglobin", facts.hemoglobin),
        ("bilirubin_uln", facts.bilirubin_uln),
        ("ast_uln", facts.ast_uln),
        ("alt_uln", facts.alt_uln),
        ("creatinine_uln", facts.creatinine_uln),
    )
    for name, value in labs:
        if value is not None and not (math.isfinite(value) and value >= 0):
            raise RuleViolation(
                name, OUT_OF_RANGE, f"must be a finite value of 0 or more, got {value!r}"
            )
    if facts.liver_metastasis_count is not None and facts.liver_metastasis_count < 0:
        raise RuleViolation(
            "liver_metastasis_count",
            OUT_OF_RANGE,
            f"must be 0 or more, got {facts.liver_metastasis_count!r}",
        )
    for code in sorted(facts.metastatic_sites):
        if code not in METASTATIC_SITES:
            raise RuleViolation("metastatic_sites", UNKNOWN_CODE, f"unknown site code {code!r}")
    if (
        facts.systemic_therapy_start is not None
        and facts.diagnosis_date is not None
        and facts.systemic_therapy_start < facts.diagnosis_date
    ):
        raise RuleViolation(
            "systemic_therapy_start",
            BEFORE_DIAGNOSIS,
            f"{facts.systemic_therapy_start.isoformat()} is before the "
            f"diagnosis date {facts.diagnosis_date.isoformat()}",
        )


# Three-valued logic: None is "not known". A conjunction with a known false part is false and a
# disjunction with a known true part is true, whatever the unknown parts: this is how the facts
# that are present decide a criterion whose other facts are missing.


def _all(*parts: bool | None) -> bool | None:
    if False in parts:
        return False
    if None in parts:
        return None
    return True


def _any(*parts: bool | None) -> bool | None:
    if True in parts:
        return True
    if None in parts:
        return None
    return False


def _not(part: bool | None) -> bool | None:
    return None if part is None else not part


def _at_least(value: float | None, limit: float) -> bool | None:
    return None if value is None else value >= limit


def _at_most(value: float | None, limit: float) -> bool | None:
    return None if value is None else value <= limit


def _above(value: float | None, limit: float) -> bool | None:
    return None if value is None else value > limit


def _age_18_75(f: ScreeningFacts) -> bool | None:
    if f.birth_date is None:
        return None
    return MIN_AGE_YEARS <= completed_years(f.birth_date, f.screening_date) <= MAX_AGE_YEARS


def _metastasis_confirmed(f: ScreeningFacts) -> bool | None:
    if f.metastasis_confirmed_by is None:
        return None
    return f.metastasis_confirmed_by in (CONFIRMED_BY_PATHOLOGY, CONFIRMED_BY_IMAGING)


def _organ_function(f: ScreeningFacts) -> bool | None:
    transaminase_limit = MAX_TRANSAMINASE_ULN
    if LIVER in f.metastatic_sites:
        transaminase_limit = MAX_TRANSAMINASE_ULN_LIVER_METASTASES
    return _all(
        _at_least(f.anc, MIN_ANC),
        _at_least(f.platelets, MIN_PLATELETS),
        _at_least(f.hemoglobin, MIN_HEMOGLOBIN),
        _at_most(f.bilirubin_uln, MAX_BILIRUBIN_ULN),
        _at_most(f.creatinine_uln, MAX_CREATININE_ULN),
        _at_most(f.ast_uln, transaminase_limit),
        _at_most(f.alt_uln, transaminase_limit),
    )


def _systemic_within_1y(f: ScreeningFacts) -> bool | None:
    if f.systemic_therapy_start is None:
        return True  # not started yet
    if f.diagnosis_date is None:
        return None
    limit = add_months(f.diagnosis_date, 12 * SYSTEMIC_THERAPY_LIMIT_YEARS)
    return f.systemic_therapy_start <= limit


def _liver_exclusion_applies(f: ScreeningFacts) -> bool | None:
    multiple = (
        None
        if f.liver_metastasis_count is None
        else f.liver_metastasis_count >= LIVER_EXCLUSION_MIN_LESIONS
    )
    deranged = _any(
        _above(f.ast_uln, LIVER_EXCLUSION_TRANSAMINASE_ULN),
        _above(f.alt_uln, LIVER_EXCLUSION_TRANSAMINASE_ULN),
    )
    return _all(multiple, deranged)


def _status(met: bool | None) -> str:
    if met is None:
        return STATUS_MISSING
    return STATUS_MET if met else STATUS_FAILED


def judge(facts: ScreeningFacts) -> tuple[tuple[str, str], ...]:
    """Every criterion of the checklist with its status, in the order of `CRITERIA`.

    The status is "met", "failed" (for an exclusion criterion: the exclusion applies) or
    "missing" (the facts needed are not known and the known ones do not decide it). Impossible
    facts are a `ValueError` naming the field.
    """
    check_facts(facts)
    f = facts
    visceral_organs = len(VISCERAL_SITES.intersection(f.metastatic_sites))
    met: dict[str, bool | None] = {
        AGE_18_75: _age_18_75(f),
        FEMALE: None if f.sex is None else f.sex == SEX_FEMALE,
        INVASIVE_PRIMARY_CONFIRMED: f.invasive_carcinoma_confirmed,
        DE_NOVO_STAGE_IV: f.stage_iv_at_diagnosis,
        METASTASIS_CONFIRMED: _metastasis_confirmed(f),
        OPERABLE: f.operable,
        ECOG_0_2: _at_most(f.ecog, MAX_ECOG),
        ORGAN_FUNCTION: _organ_function(f),
        NO_PRIOR_LOCOREGIONAL_SURGERY: _not(f.prior_locoregional_surgery),
        SYSTEMIC_WITHIN_1Y: _systemic_within_1y(f),
        OTHER_PRIMARY_MALIGNANCY: _not(f.other_primary_malignancy),
        VISCERAL_ORGANS_OVER_2: visceral_organs <= MAX_VISCERAL_ORGANS,
        FOLLOWUP_NOT_FEASIBLE: f.followup_feasible,
        MULTIPLE_LIVER_METS_LFT_OVER_4ULN: _not(_liver_exclusion_applies(f)),
    }
    return tuple((code, _status(met[code])) for code in CRITERIA)


def evaluate(facts: ScreeningFacts) -> Eligibility:
    """The verdict of the checklist: eligible when every criterion is met, not eligible when any
    failed, undecided (`None`) when none failed but some are missing.

    `failed` and `missing` list criterion codes in the order of `CRITERIA`.
    """
    statuses = judge(facts)
    failed = tuple(code for code, status in statuses if status == STATUS_FAILED)
    missing = tuple(code for code, status in statuses if status == STATUS_MISSING)
    eligible = False if failed else (None if missing else True)
    return Eligibility(eligible=eligible, failed=failed, missing=missing)
