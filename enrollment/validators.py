"""The cross-field rules of the enrolment forms, one function per form, on a plain dict.

Each takes the form's values by model field name and returns the field errors. The form's
`clean()` shows them at their fields; the service that writes calls the same function and
refuses the save, so a crafted POST or another caller meets the same rule (clinicedc's form
validators). What the protocol itself refuses (`eligibility.check_facts`) stays in the core;
`fact_field` says at which form field its `RuleViolation` belongs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from . import eligibility
from .models import MetastaticSite

# Ages outside this range are not a screen failure but a typing error.
MAX_PLAUSIBLE_AGE_YEARS = 120

FUTURE_DATE = _("This date is in the future.")
BIRTH_NOT_BEFORE_SCREENING = _("The date of birth must be before the screening date.")
IMPOSSIBLE_AGE = _("This date of birth gives an age over %(max)s years: check it.")
DIAGNOSIS_BEFORE_BIRTH = _("The diagnosis cannot be before the date of birth.")
DIAGNOSIS_AFTER_SCREENING = _("The diagnosis cannot be after the screening date.")
SYSTEMIC_BEFORE_DIAGNOSIS = _("Systemic therapy cannot start before the diagnosis.")
ULN_NOT_POSITIVE = _("The upper limit of normal must be more than 0.")
UNIT_REQUIRED = _("Give the unit of this value.")
LIVER_COUNT_WITHOUT_LIVER = _("Liver lesions are counted but the liver is not a metastatic site.")
LIVER_SITE_WITHOUT_LESION = _("The liver is a metastatic site: count at least one lesion.")
AFTER_CONSENT = _("The patient was enrolled on the date of consent: this date cannot be after it.")
OFF_STUDY_BEFORE_ENROLMENT = _("The off-study date cannot be before the enrolment date.")

# (value field, ULN field or None, unit field) of the screening's laboratory values.
LAB_VALUE_FIELDS = (
    ("anc", None, "anc_unit"),
    ("platelets", None, "platelets_unit"),
    ("hemoglobin", None, "hemoglobin_unit"),
    ("bilirubin", "bilirubin_uln", "bilirubin_unit"),
    ("ast", "ast_uln", "ast_unit"),
    ("alt", "alt_uln", "alt_unit"),
    ("creatinine", "creatinine_uln", "creatinine_unit"),
)
# A screening fact the core names that is computed from a form field of another name: the
# ratios to the upper limit of normal come from the value typed in.
_FACT_FIELDS = {
    "bilirubin_uln": "bilirubin",
    "ast_uln": "ast",
    "alt_uln": "alt",
    "creatinine_uln": "creatinine",
}

FieldErrors = dict[str, list[Any]]


def fact_field(fact: str) -> str:
    """The screening form field where a `RuleViolation` about `fact` is shown."""
    return _FACT_FIELDS.get(fact, fact)


def screening_errors(
    data: Mapping[str, Any], *, today: dt.date, consent_date: dt.date | None = None
) -> FieldErrors:
    """The screening CRF: dates in order (birth, diagnosis, screening, consent) and not in the
    future, a unit for each laboratory value, a positive ULN, and a liver lesion count that
    agrees with the liver as a metastatic site (`data["metastases"]`: site code -> how it was
    confirmed). `consent_date`: the enrolment's, once enrolled."""
    errors: FieldErrors = {}

    def error(field: str, message: Any) -> None:
        errors.setdefault(field, []).append(message)

    for name in ("screening_date", "birth_date", "diagnosis_date", "systemic_therapy_start"):
        value = data.get(name)
        if value and value > today:
            error(name, FUTURE_DATE)
    screening_date = data.get("screening_date")
    birth = data.get("birth_date")
    diagnosis = data.get("diagnosis_date")
    systemic = data.get("systemic_therapy_start")
    if birth and screening_date and "birth_date" not in errors:
        if birth >= screening_date:
            error("birth_date", BIRTH_NOT_BEFORE_SCREENING)
        elif eligibility.completed_years(birth, screening_date) > MAX_PLAUSIBLE_AGE_YEARS:
            error("birth_date", IMPOSSIBLE_AGE % {"max": MAX_PLAUSIBLE_AGE_YEARS})
    if diagnosis and "diagnosis_date" not in errors:
        if birth and diagnosis < birth:
            error("diagnosis_date", DIAGNOSIS_BEFORE_BIRTH)
        elif screening_date and diagnosis > screening_date:
            error("diagnosis_date", DIAGNOSIS_AFTER_SCREENING)
    if consent_date and screening_date and screening_date > consent_date:
        error("screening_date", AFTER_CONSENT)
    if consent_date and diagnosis and diagnosis > consent_date and "diagnosis_date" not in errors:
        error("diagnosis_date", AFTER_CONSENT)
    if systemic and diagnosis and systemic < diagnosis:
        error("systemic_therapy_start", SYSTEMIC_BEFORE_DIAGNOSIS)
    for value, uln, unit in LAB_VALUE_FIELDS:
        uln_value = data.get(uln) if uln else None
        if uln and uln_value is not None and uln_value <= 0:
            error(uln, ULN_NOT_POSITIVE)
        given = data.get(value) is not None or uln_value is not None
        if given and not data.get(unit):
            error(unit, UNIT_REQUIRED)
    liver_count = data.get("liver_metastasis_count")
    has_liver = MetastaticSite.LIVER in (data.get("metastases") or {})
    if liver_count and not has_liver:
        error("liver_metastasis_count", LIVER_COUNT_WITHOUT_LIVER)
    elif liver_count == 0 and has_liver:
        error("liver_metastasis_count", LIVER_SITE_WITHOUT_LESION)
    return errors


def off_study_errors(
    data: Mapping[str, Any], *, enrolment_date: dt.date, today: dt.date
) -> FieldErrors:
    """The off-study form: dated between the enrolment and today."""
    date = data.get("date")
    if date is None:
        return {}
    if date > today:
        return {"date": [FUTURE_DATE]}
    if date < enrolment_date:
        return {"date": [OFF_STUDY_BEFORE_ENROLMENT]}
    return {}
