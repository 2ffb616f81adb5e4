"""The follow-up visit CRF's cross-field rules, on a plain dict (clinicedc's form validators).

`visit_errors` is called by the form's `clean()` and by `services.record_visit` before it
writes, so a crafted POST or another caller meets the same rules.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from django.utils.translation import gettext_lazy as _

from audit.violations import violation_message
from ruleviolation import RuleViolation

from . import endpoints, schedule
from .models import Visit

# Error messages: module constants, so that tests assert on them.
REQUIRED = _("This field is required.")
VISIT_BEFORE_ENROLMENT = _("The visit date cannot be before the enrolment date (%(date)s).")
DATE_IN_FUTURE = _("This date is in the future.")
DATE_BEFORE_DIAGNOSIS = _("This date is before the diagnosis date (%(date)s).")
OUTSIDE_WINDOW_REASON_REQUIRED = _(
    "The visit date is outside the window (%(start)s to %(end)s): give the reason."
)
DEATH_REPORT_FIRST = _(
    "Enter the death report first: it holds the date and cause of death, and closes the visits."
)
ALIVE_AFTER_DEATH_REPORT = _(
    "The death report says the participant died on %(date)s: she is not alive at this visit."
)
PROGRESSION_AFTER_DEATH = _("This date is after the date of death (%(date)s).")
ALIVE_AFTER_DEATH = _("The last date known alive cannot be after the date of death (%(date)s).")
ONLY_WITH_EVENT = _("Leave this empty unless the answer above is yes.")


@dataclass(frozen=True)
class VisitContext:
    """What the rules need besides the form: the participant's dates, the window, today."""

    diagnosis_date: dt.date
    enrolment_date: dt.date
    today: dt.date
    window: schedule.PlannedVisit | None = None  # None: an unscheduled visit
    # The date of death from the participant's death report (`safety.DeathReport`), if any.
    death_date: dt.date | None = None


def visit_errors(data: dict[str, Any], ctx: VisitContext) -> dict[str, list[str]]:
    """The field errors of a follow-up CRF `data` (cleaned values), by field name."""
    errors: dict[str, list[str]] = {}

    def error(field: str, message: Any, **params: Any) -> None:
        errors.setdefault(field, []).append(str(message % params) if params else str(message))

    visit_date = data.get("visit_date")
    if visit_date is None:
        error("visit_date", REQUIRED)
    elif visit_date < ctx.enrolment_date:
        error("visit_date", VISIT_BEFORE_ENROLMENT, date=ctx.enrolment_date)
    elif visit_date > ctx.today:
        error("visit_date", DATE_IN_FUTURE)
    elif (
        ctx.window is not None
        and not schedule.in_window(ctx.window, visit_date)
        and not (data.get("outside_window_reason") or "").strip()
    ):
        error(
            "outside_window_reason",
            OUTSIDE_WINDOW_REASON_REQUIRED,
            start=ctx.window.window_start,
            end=ctx.window.window_end,
        )

    for field in (
        "last_known_alive",
        "distant_progression_date",
        "locoregional_recurrence_date",
    ):
        value = data.get(field)
        if value is None:
            continue
        if value > ctx.today:
            error(field, DATE_IN_FUTURE)
        elif value < ctx.diagnosis_date:
            error(field, DATE_BEFORE_DIAGNOSIS, date=ctx.diagnosis_date)

    # Each event question: "yes" needs its details, "no" must have none.
    for answer, details in (
        ("distant_progression", ("distant_progression_date", "distant_progression_sites")),
        (
            "locoregional_recurrence",
            ("locoregional_recurrence_date", "locoregional_recurrence_site"),
        ),
    ):
        if data.get(answer) is None:
            error(answer, REQUIRED)
        for field in details:
            if data.get(answer) and not data.get(field):
                error(field, REQUIRED)
            elif data.get(answer) is False and data.get(field):
                error(field, ONLY_WITH_EVENT)

    # The date of death is the death report's: a visit that finds her dead points at it.
    vital = data.get("vital_status")
    death_date = ctx.death_date
    if not vital:
        error("vital_status", REQUIRED)
    elif vital == Visit.VitalStatus.ALIVE:
        if not data.get("last_known_alive"):
            error("last_known_alive", REQUIRED)
        if death_date is not None and visit_date is not None and visit_date > death_date:
            error("vital_status", ALIVE_AFTER_DEATH_REPORT, date=death_date)
    elif death_date is None:
        error("vital_status", DEATH_REPORT_FIRST)

    if death_date is not None:
        for field in ("distant_progression_date", "locoregional_recurrence_date"):
            value = data.get(field)
            if value is not None and value > death_date and field not in errors:
                error(field, PROGRESSION_AFTER_DEATH, date=death_date)
        alive = data.get("last_known_alive")
        if alive is not None and alive > death_date and "last_known_alive" not in errors:
            error("last_known_alive", ALIVE_AFTER_DEATH, date=death_date)

    if not errors:
        # The outcome rules refuse impossible facts too; if they ever disagree with the checks
        # above, the core wins and the form says so at the field it names.
        try:
            endpoints.check_outcome_facts(
                endpoints.OutcomeFacts(
                    diagnosis_date=ctx.diagnosis_date,
                    # No errors: the visit date is given, so this is a date.
                    last_known_alive=cast(
                        dt.date, data.get("last_known_alive") or death_date or visit_date
                    ),
                    last_disease_assessment=visit_date,
                    death_date=death_date,
                    distant_progression_date=data.get("distant_progression_date"),
                    locoregional_recurrence_date=data.get("locoregional_recurrence_date"),
                )
            )
        except RuleViolation as exc:
            error(exc.field if exc.field in data else "visit_date", violation_message(exc))
    return errors
