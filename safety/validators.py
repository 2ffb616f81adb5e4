"""The cross-field rules of the safety forms, one function per form, on a plain dict.

Each is called by the form's `clean()` and by the service that writes (clinicedc's form
validators), so a crafted POST meets the same rules. The rules themselves are the pure core
(`grading`, `partialdates`); these functions say where each refusal belongs on the form.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from ruleviolation import RuleViolation

from . import grading, partialdates
from .models import RELATIONSHIP_FIELDS, RESOLVED_OUTCOMES, Outcome

REQUIRED = _("This field is required.")
IN_FUTURE = _("This date is in the future.")
BEFORE_DIAGNOSIS = _("This date is before the date of diagnosis (%(date)s).")
GRADE_NOT_DEFINED = _("This term has no grade %(grade)s in CTCAE v5.0.")
OTHER_NEEDS_TEXT = _('Describe the event: the term is "other, specify".')
TEXT_ONLY_FOR_OTHER = _('Leave this empty unless the term is "other, specify".')
RESOLUTION_BEFORE_ONSET = _("The resolution cannot be before the onset (%(onset)s).")
ONGOING_HAS_NO_RESOLUTION = _("An ongoing event has no resolution date.")
RESOLVED_NEEDS_DATE = _("Give the resolution date: the outcome says the event ended.")
ONGOING_CONTRADICTS_OUTCOME = _("An event with this outcome is not ongoing.")
SERIOUS_NEEDS_AWARENESS = _("Give the date and time the site learnt of the serious event.")
AWARENESS_ONLY_WHEN_SERIOUS = _("Leave this empty unless a seriousness criterion is met.")
AWARENESS_IN_FUTURE = _("This time is in the future.")
GRADE_5_NEEDS_DEATH = _('A grade 5 event resulted in death: tick "results in death".')
DEATH_NEEDS_GRADE_5 = _("An event that resulted in death is grade 5.")
GRADE_5_IS_FATAL = _("A grade 5 event's outcome is fatal.")
FATAL_IS_GRADE_5 = _("A fatal outcome is grade 5.")
RELATIONSHIP_REQUIRED = _("Give the relationship: the participant received this intervention.")
RELATIONSHIP_NOT_RECEIVED = _("Leave this empty: the participant did not receive it.")
COMPLICATION_NEEDS_CLAVIEN = _("Give the Clavien-Dindo grade of the surgical complication.")
CLAVIEN_ONLY_FOR_COMPLICATION = _("Leave this empty unless the event complicates an operation.")
COMPLICATION_BEFORE_SURGERY = _("A complication cannot begin before its operation (%(date)s).")
CLAVIEN_V_IS_DEATH = _("Clavien-Dindo V is the death of the patient: the event is grade 5.")
REOPERATION_IS_IIIB = _("A re-operation under general anaesthesia is Clavien-Dindo IIIb or worse.")
DEATH_BEFORE_EVENT = _("The date of death cannot be before %(what)s (%(date)s).")
END_BEFORE_START = _("The end date cannot be before the start date.")
DOSE_OUT_OF_RANGE = _("Give a total dose between 0.5 and 100 Gy.")
FRACTIONS_OUT_OF_RANGE = _("Give between 1 and 60 fractions.")
FOLLOW_UP_BEFORE_ONSET = _("The report cannot be before the event's onset (%(date)s).")
RESOLVED_FOLLOW_UP_NEEDS_DATE = _("Give the resolution date: this outcome ends the event.")
RESOLUTION_ONLY_WHEN_RESOLVED = _("Leave this empty unless the outcome ends the event.")

FieldErrors = dict[str, list[Any]]


def _add(errors: FieldErrors, name: str, message: Any, **params: Any) -> None:
    errors.setdefault(name, []).append(message % params if params else message)


@dataclass(frozen=True)
class AdverseEventContext:
    """What the adverse event rules need besides the form."""

    diagnosis_date: dt.date
    today: dt.date
    now: dt.datetime
    # The grades the chosen term defines, with their definitions (empty: no term yet).
    grade_definitions: Mapping[int, str] = field(default_factory=dict)
    is_other_specify: bool = False
    # The interventions the participant received: how many operations, any systemic therapy.
    operations: int = 0
    systemic_therapy: bool = False
    # The date of the operation this event complicates, if any.
    surgery_date: dt.date | None = None


def _partial(
    errors: FieldErrors, data: Mapping[str, Any], name: str
) -> partialdates.PartialDate | None:
    try:
        return partialdates.from_stored(
            data.get(f"{name}_date"), data.get(f"{name}_precision") or "day"
        )
    except RuleViolation as exc:
        _add(errors, f"{name}_precision", exc.message)
        return None


def adverse_event_errors(data: Mapping[str, Any], ctx: AdverseEventContext) -> FieldErrors:
    """An adverse event: a grade its term defines, dates in order at their precision, the
    seriousness criteria agreeing with the grade and outcome, an awareness time for a serious
    event, a relationship to each intervention received, and a complication's Clavien-Dindo."""
    errors: FieldErrors = {}
    grade = data.get("grade")
    if data.get("term") is not None and grade is not None:
        try:
            grading.check_grade(grade, ctx.grade_definitions)
        except RuleViolation:
            _add(errors, "grade", GRADE_NOT_DEFINED, grade=grade)
    if data.get("term") is not None:
        text = (data.get("other_specify") or "").strip()
        if ctx.is_other_specify and not text:
            _add(errors, "other_specify", OTHER_NEEDS_TEXT)
        elif text and not ctx.is_other_specify:
            _add(errors, "other_specify", TEXT_ONLY_FOR_OTHER)

    onset = _partial(errors, data, "onset")
    resolution = _partial(errors, data, "resolution")
    if onset is not None:
        if partialdates.must_be_after(onset, ctx.today):
            _add(errors, "onset_date", IN_FUTURE)
        elif partialdates.must_be_before(onset, ctx.diagnosis_date):
            _add(errors, "onset_date", BEFORE_DIAGNOSIS, date=ctx.diagnosis_date)
        if ctx.surgery_date is not None and partialdates.must_be_before(onset, ctx.surgery_date):
            _add(errors, "onset_date", COMPLICATION_BEFORE_SURGERY, date=ctx.surgery_date)
    outcome = data.get("outcome")
    ongoing = data.get("ongoing")
    if resolution is not None:
        if ongoing:
            _add(errors, "resolution_date", ONGOING_HAS_NO_RESOLUTION)
        elif partialdates.must_be_after(resolution, ctx.today):
            _add(errors, "resolution_date", IN_FUTURE)
        elif onset is not None:
            try:
                partialdates.check_order(onset, resolution)
            except RuleViolation:
                _add(errors, "resolution_date", RESOLUTION_BEFORE_ONSET, onset=onset.iso())
    elif outcome in RESOLVED_OUTCOMES:
        _add(errors, "resolution_date", RESOLVED_NEEDS_DATE)
    if ongoing and outcome in RESOLVED_OUTCOMES:
        _add(errors, "ongoing", ONGOING_CONTRADICTS_OUTCOME)

    criteria = {name: bool(data.get(name)) for name in grading.SERIOUSNESS_CRITERIA}
    serious = grading.is_serious(criteria)
    aware_at = data.get("aware_at")
    if serious and aware_at is None:
        _add(errors, "aware_at", SERIOUS_NEEDS_AWARENESS)
    elif aware_at is not None and not serious:
        _add(errors, "aware_at", AWARENESS_ONLY_WHEN_SERIOUS)
    elif aware_at is not None and aware_at > ctx.now:
        _add(errors, "aware_at", AWARENESS_IN_FUTURE)
    for conflict in grading.seriousness_conflicts(grade, criteria):
        if conflict == "results_in_death":
            _add(errors, "results_in_death", GRADE_5_NEEDS_DEATH)
        else:
            _add(errors, "grade", DEATH_NEEDS_GRADE_5)
    if grading.requires_death_report(grade) and outcome and outcome != Outcome.FATAL:
        _add(errors, "outcome", GRADE_5_IS_FATAL)
    elif outcome == Outcome.FATAL and grade is not None and grade != grading.DEATH_GRADE:
        _add(errors, "grade", FATAL_IS_GRADE_5)

    received = {
        "relationship_surgery_1": ctx.operations >= 1,
        "relationship_surgery_2": ctx.operations >= 2,
        "relationship_systemic": ctx.systemic_therapy,
    }
    for name in RELATIONSHIP_FIELDS:
        if received[name] and not data.get(name):
            _add(errors, name, RELATIONSHIP_REQUIRED)
        elif not received[name] and data.get(name):
            _add(errors, name, RELATIONSHIP_NOT_RECEIVED)

    clavien = data.get("clavien_dindo") or ""
    if ctx.surgery_date is not None:
        if not clavien:
            _add(errors, "clavien_dindo", COMPLICATION_NEEDS_CLAVIEN)
        elif clavien == grading.CLAVIEN_DINDO_DEATH and grade != grading.DEATH_GRADE:
            _add(errors, "clavien_dindo", CLAVIEN_V_IS_DEATH)
        elif data.get("reoperation") and grading.clavien_dindo_rank(
            clavien
        ) < grading.clavien_dindo_rank("IIIb"):
            _add(errors, "clavien_dindo", REOPERATION_IS_IIIB)
    elif clavien or data.get("reoperation") is not None:
        _add(errors, "clavien_dindo", CLAVIEN_ONLY_FOR_COMPLICATION)
    return errors


@dataclass(frozen=True)
class DeathContext:
    diagnosis_date: dt.date
    today: dt.date
    # The latest dates the follow-up knows of (she cannot have died before them).
    last_known_alive: dt.date | None = None
    distant_progression_date: dt.date | None = None
    locoregional_recurrence_date: dt.date | None = None


def death_report_errors(data: Mapping[str, Any], ctx: DeathContext) -> FieldErrors:
    """A death report: dated between the diagnosis and today, not before anything the
    follow-up saw her alive for."""
    errors: FieldErrors = {}
    death = data.get("death_date")
    if death is None:
        return errors
    if death > ctx.today:
        _add(errors, "death_date", IN_FUTURE)
    elif death < ctx.diagnosis_date:
        _add(errors, "death_date", BEFORE_DIAGNOSIS, date=ctx.diagnosis_date)
    for what, date in (
        (_("the last date known alive"), ctx.last_known_alive),
        (_("the distant progression"), ctx.distant_progression_date),
        (_("the locoregional recurrence"), ctx.locoregional_recurrence_date),
    ):
        if date is not None and death < date and "death_date" not in errors:
            _add(errors, "death_date", DEATH_BEFORE_EVENT, what=what, date=date)
    return errors


def radiotherapy_errors(
    data: Mapping[str, Any], *, diagnosis_date: dt.date, today: dt.date
) -> FieldErrors:
    errors: FieldErrors = {}
    start, end = data.get("start_date"), data.get("end_date")
    for name, value in (("start_date", start), ("end_date", end)):
        if value is None:
            continue
        if value > today:
            _add(errors, name, IN_FUTURE)
        elif value < diagnosis_date:
            _add(errors, name, BEFORE_DIAGNOSIS, date=diagnosis_date)
    if start is not None and end is not None and end < start and "end_date" not in errors:
        _add(errors, "end_date", END_BEFORE_START)
    dose = data.get("dose_gy")
    if dose is not None and not Decimal("0.5") <= dose <= Decimal("100"):
        _add(errors, "dose_gy", DOSE_OUT_OF_RANGE)
    fractions = data.get("fractions")
    if fractions is not None and not 1 <= fractions <= 60:
        _add(errors, "fractions", FRACTIONS_OUT_OF_RANGE)
    return errors


def follow_up_errors(
    data: Mapping[str, Any], *, onset_date: dt.date, today: dt.date
) -> FieldErrors:
    """A follow-up report: dated from the onset to today; an outcome that ends the event has
    its resolution date, and only such an outcome."""
    errors: FieldErrors = {}
    report, resolution = data.get("report_date"), data.get("resolution_date")
    if report is not None:
        if report > today:
            _add(errors, "report_date", IN_FUTURE)
        elif report < onset_date:
            _add(errors, "report_date", FOLLOW_UP_BEFORE_ONSET, date=onset_date)
    outcome = data.get("outcome")
    if outcome in RESOLVED_OUTCOMES and resolution is None:
        _add(errors, "resolution_date", RESOLVED_FOLLOW_UP_NEEDS_DATE)
    elif outcome and outcome not in RESOLVED_OUTCOMES and resolution is not None:
        _add(errors, "resolution_date", RESOLUTION_ONLY_WHEN_RESOLVED)
    if resolution is not None and "resolution_date" not in errors:
        if resolution > today:
            _add(errors, "resolution_date", IN_FUTURE)
        elif resolution < onset_date:
            _add(errors, "resolution_date", RESOLUTION_BEFORE_ONSET, onset=onset_date)
    return errors
