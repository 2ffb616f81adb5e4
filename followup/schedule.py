"""Follow-up schedule of NCT05285332 (spec section 4).

Follow-up runs five years from the diagnosis of de novo stage IV breast cancer, the horizon at
which all three outcomes (overall, distant progression-free and locoregional progression-free
survival) are measured. The visits are counted from the diagnosis date, not from enrolment:
every 3 months in years 1-2 and every 6 months in years 3-5, each with a window around its
target day. A patient enrolled some time after diagnosis is not planned the visits whose
window had already closed.

Pure Python: standard library only, no clock. "Today" is always an argument.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from ruleviolation import BEFORE_DIAGNOSIS, RuleViolation
from trialcalendar import add_months as add_months

# Protocol thresholds. A protocol amendment changes one line here.

# "Follow-up runs five years from diagnosis, when all three outcomes are measured."
FOLLOWUP_MONTHS = 60
# "Visits every 3 months in years 1-2 (months 3, 6, ..., 24; window plus or minus 14 days)"
EARLY_PHASE_LAST_MONTH = 24
EARLY_VISIT_INTERVAL_MONTHS = 3
EARLY_VISIT_WINDOW_DAYS = 14
# "and every 6 months in years 3-5 (months 30, 36, ..., 60; window plus or minus 30 days)."
LATE_VISIT_INTERVAL_MONTHS = 6
LATE_VISIT_WINDOW_DAYS = 30
# "A visit is upcoming from 7 days before its window opens"
UPCOMING_LEAD_DAYS = 7

# (month after diagnosis, window half-width in days) of every protocol visit, in order:
# months 3, 6, ..., 24 with +/- 14 days, then months 30, 36, ..., 60 with +/- 30 days.
_EARLY_MONTHS = range(
    EARLY_VISIT_INTERVAL_MONTHS, EARLY_PHASE_LAST_MONTH + 1, EARLY_VISIT_INTERVAL_MONTHS
)
_LATE_MONTHS = range(
    EARLY_PHASE_LAST_MONTH + LATE_VISIT_INTERVAL_MONTHS,
    FOLLOWUP_MONTHS + 1,
    LATE_VISIT_INTERVAL_MONTHS,
)
VISIT_PLAN: tuple[tuple[int, int], ...] = tuple(
    (month, EARLY_VISIT_WINDOW_DAYS) for month in _EARLY_MONTHS
) + tuple((month, LATE_VISIT_WINDOW_DAYS) for month in _LATE_MONTHS)

# The states of a planned visit on a given day, in the order a visit passes through them.
# "A visit is upcoming from 7 days before its window opens, due while the window is open, and
# overdue (missed) the day after the window ends if not done."
STATE_SCHEDULED = "scheduled"
STATE_UPCOMING = "upcoming"
STATE_DUE = "due"
STATE_OVERDUE = "overdue"
STATE_DONE = "done"
VISIT_STATES = (STATE_SCHEDULED, STATE_UPCOMING, STATE_DUE, STATE_OVERDUE, STATE_DONE)

# The reminders a visit can give, one for each state a coordinator must act on.
REMINDER_KINDS = (STATE_UPCOMING, STATE_DUE, STATE_OVERDUE)


@dataclass(frozen=True)
class PlannedVisit:
    code: str  # "M03", "M06", ... "M60"
    target: date
    window_start: date
    window_end: date


def visit_code(month: int) -> str:
    """The code of the visit `month` months after diagnosis: "M03", "M06", ... "M60"."""
    return f"M{month:02d}"


def visit_schedule(diagnosis_date: date, enrolment_date: date) -> list[PlannedVisit]:
    """Plan the follow-up visits of a patient, in chronological order.

    The target of each visit is the diagnosis date plus N months; its window opens and closes
    14 days (years 1-2) or 30 days (years 3-5) either side of the target. Visits whose window
    ends before the enrolment date are not planned. An enrolment before the diagnosis date is
    a `ValueError`.
    """
    if enrolment_date < diagnosis_date:
        raise RuleViolation(
            "enrolment_date",
            BEFORE_DIAGNOSIS,
            f"{enrolment_date.isoformat()} is before the diagnosis date "
            f"{diagnosis_date.isoformat()}",
        )
    visits: list[PlannedVisit] = []
    for month, window_days in VISIT_PLAN:
        target = add_months(diagnosis_date, month)
        window = timedelta(days=window_days)
        visit = PlannedVisit(
            code=visit_code(month),
            target=target,
            window_start=target - window,
            window_end=target + window,
        )
        if visit.window_end >= enrolment_date:
            visits.append(visit)
    return visits


def in_window(visit: PlannedVisit, day: date) -> bool:
    """Whether a visit on `day` took place inside the window of `visit`, both ends included.

    A visit outside its window is not refused (patients are seen when they can be), but its
    form must say why; the data-quality check queries one that does not.
    """
    return visit.window_start <= day <= visit.window_end


def reminder_dates(visit: PlannedVisit) -> dict[str, date]:
    """The day from which each reminder of `visit` is due, by kind.

    "upcoming": 7 days before the window opens; "due": the day the window opens; "overdue":
    the day after the window ends.
    """
    return {
        STATE_UPCOMING: visit.window_start - timedelta(days=UPCOMING_LEAD_DAYS),
        STATE_DUE: visit.window_start,
        STATE_OVERDUE: visit.window_end + timedelta(days=1),
    }


def visit_state(visit: PlannedVisit, today: date, done: bool) -> str:
    """The state of `visit` on `today`: one of `VISIT_STATES`.

    A visit that took place is "done", whatever the day. Otherwise it is "scheduled" until 7
    days before its window opens, "upcoming" from then, "due" while the window is open and
    "overdue" (missed) from the day after the window ends.
    """
    if done:
        return STATE_DONE
    starts = reminder_dates(visit)
    if today >= starts[STATE_OVERDUE]:
        return STATE_OVERDUE
    if today >= starts[STATE_DUE]:
        return STATE_DUE
    if today >= starts[STATE_UPCOMING]:
        return STATE_UPCOMING
    return STATE_SCHEDULED
