"""Follow-up schedule (spec section 4): calendar months, visit windows, visit states."""

from __future__ import annotations

from dataclasses import fields
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from followup.schedule import (
    UPCOMING_LEAD_DAYS,
    PlannedVisit,
    add_months,
    reminder_dates,
    visit_schedule,
    visit_state,
)

ALL_CODES = [
    "M03", "M06", "M09", "M12", "M15", "M18", "M21", "M24",
    "M30", "M36", "M42", "M48", "M54", "M60",
]  # fmt: skip


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        pytest.param(date(2023, 1, 31), 1, date(2023, 2, 28), id="31-jan-plus-1-common-year"),
        pytest.param(date(2024, 1, 31), 1, date(2024, 2, 29), id="31-jan-plus-1-leap-year"),
        pytest.param(date(2024, 2, 29), 12, date(2025, 2, 28), id="29-feb-plus-1-year"),
        pytest.param(date(2024, 2, 29), 48, date(2028, 2, 29), id="29-feb-plus-4-years"),
        pytest.param(date(2024, 3, 31), 1, date(2024, 4, 30), id="31-mar-plus-1"),
        pytest.param(date(2023, 11, 30), 3, date(2024, 2, 29), id="30-nov-plus-3-leap"),
        pytest.param(date(2023, 12, 15), 1, date(2024, 1, 15), id="across-new-year"),
        pytest.param(date(2024, 1, 31), 0, date(2024, 1, 31), id="plus-0"),
        pytest.param(date(2024, 3, 31), -1, date(2024, 2, 29), id="minus-1-clamps"),
        pytest.param(date(2024, 1, 15), -1, date(2023, 12, 15), id="minus-1-across-new-year"),
        pytest.param(date(2024, 8, 31), 60, date(2029, 8, 31), id="plus-5-years"),
    ],
)
def test_add_months(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


def test_planned_visit_fields() -> None:
    assert [f.name for f in fields(PlannedVisit)] == [
        "code",
        "target",
        "window_start",
        "window_end",
    ]


def test_the_full_schedule_from_a_month_end_diagnosis() -> None:
    diagnosis = date(2024, 1, 31)
    visits = visit_schedule(diagnosis, diagnosis)
    assert [v.code for v in visits] == ALL_CODES
    assert visits[0] == PlannedVisit("M03", date(2024, 4, 30), date(2024, 4, 16), date(2024, 5, 14))
    assert visits[7] == PlannedVisit("M24", date(2026, 1, 31), date(2026, 1, 17), date(2026, 2, 14))
    assert visits[8] == PlannedVisit("M30", date(2026, 7, 31), date(2026, 7, 1), date(2026, 8, 30))
    assert visits[-1] == PlannedVisit("M60", date(2029, 1, 31), date(2029, 1, 1), date(2029, 3, 2))
    # clamped to the end of a shorter month
    assert [v.target for v in visits[:4]] == [
        date(2024, 4, 30),
        date(2024, 7, 31),
        date(2024, 10, 31),
        date(2025, 1, 31),
    ]


@pytest.mark.parametrize(
    ("code", "target"),
    [
        pytest.param("M12", date(2025, 2, 28), id="m12-common-year"),
        pytest.param("M24", date(2026, 2, 28), id="m24-common-year"),
        pytest.param("M48", date(2028, 2, 29), id="m48-leap-year"),
    ],
)
def test_a_leap_day_diagnosis(code: str, target: date) -> None:
    visits = {v.code: v for v in visit_schedule(date(2024, 2, 29), date(2024, 2, 29))}
    assert visits[code].target == target


@pytest.mark.parametrize(
    ("code", "half_window"),
    [(code, 14) for code in ALL_CODES[:8]] + [(code, 30) for code in ALL_CODES[8:]],
)
def test_windows_are_14_days_in_years_1_2_and_30_days_in_years_3_5(
    code: str, half_window: int
) -> None:
    visit = {v.code: v for v in visit_schedule(date(2023, 5, 10), date(2023, 5, 10))}[code]
    assert visit.target - visit.window_start == timedelta(days=half_window)
    assert visit.window_end - visit.target == timedelta(days=half_window)


@pytest.mark.parametrize(
    ("enrolment", "first_code"),
    [
        pytest.param(date(2024, 5, 14), "M03", id="enrolled-on-last-day-of-m03-window"),
        pytest.param(date(2024, 5, 15), "M06", id="enrolled-day-after-m03-window"),
        pytest.param(date(2026, 2, 14), "M24", id="enrolled-on-last-day-of-m24-window"),
        pytest.param(date(2026, 2, 15), "M30", id="enrolled-day-after-m24-window"),
    ],
)
def test_visits_whose_window_ended_before_enrolment_are_not_planned(
    enrolment: date, first_code: str
) -> None:
    visits = visit_schedule(date(2024, 1, 31), enrolment)
    assert visits[0].code == first_code
    assert [v.code for v in visits] == ALL_CODES[ALL_CODES.index(first_code) :]


def test_enrolment_after_the_last_window_plans_nothing() -> None:
    assert visit_schedule(date(2020, 1, 1), date(2025, 3, 2)) == []


def test_enrolment_before_diagnosis_is_refused() -> None:
    with pytest.raises(ValueError, match="^enrolment_date:"):
        visit_schedule(date(2024, 1, 31), date(2024, 1, 30))


VISIT = PlannedVisit("M06", date(2024, 7, 31), date(2024, 7, 17), date(2024, 8, 14))


@pytest.mark.parametrize(
    ("today", "done", "state"),
    [
        pytest.param(date(2024, 7, 9), False, "scheduled", id="8-days-before-window"),
        pytest.param(date(2024, 7, 10), False, "upcoming", id="7-days-before-window"),
        pytest.param(date(2024, 7, 16), False, "upcoming", id="day-before-window"),
        pytest.param(date(2024, 7, 17), False, "due", id="window-opens"),
        pytest.param(date(2024, 7, 31), False, "due", id="target-day"),
        pytest.param(date(2024, 8, 14), False, "due", id="window-closes"),
        pytest.param(date(2024, 8, 15), False, "overdue", id="day-after-window"),
        pytest.param(date(2025, 1, 1), False, "overdue", id="long-after"),
        pytest.param(date(2024, 1, 1), True, "done", id="done-early"),
        pytest.param(date(2024, 7, 31), True, "done", id="done-in-window"),
        pytest.param(date(2024, 9, 1), True, "done", id="done-late"),
    ],
)
def test_visit_state(today: date, done: bool, state: str) -> None:
    assert visit_state(VISIT, today, done) == state


def test_reminder_dates() -> None:
    assert UPCOMING_LEAD_DAYS == 7
    assert reminder_dates(VISIT) == {
        "upcoming": date(2024, 7, 10),
        "due": date(2024, 7, 17),
        "overdue": date(2024, 8, 15),
    }


def test_schedule_imports_only_the_standard_library(assert_standard_library_only: Any) -> None:
    assert_standard_library_only("followup.schedule")


# Property-based tests ---------------------------------------------------------------------------

_dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31))


@given(_dates, st.integers(min_value=-1200, max_value=1200))
def test_add_months_lands_in_the_right_month(start: date, months: int) -> None:
    result = add_months(start, months)
    assert result.year * 12 + result.month == start.year * 12 + start.month + months
    assert result.day <= start.day
    if start.day <= 28:
        assert result.day == start.day
    else:
        # clamped only when the month is too short
        assert result.day == start.day or (result + timedelta(days=1)).day == 1


@given(_dates, st.integers(min_value=0, max_value=2500))
def test_visit_windows_are_ordered_and_never_overlap(diagnosis: date, days_later: int) -> None:
    enrolment = diagnosis + timedelta(days=days_later)
    visits = visit_schedule(diagnosis, enrolment)
    codes = [v.code for v in visits]
    assert len(set(codes)) == len(codes)
    assert codes == ALL_CODES[len(ALL_CODES) - len(codes) :]
    for visit in visits:
        assert visit.window_start < visit.target < visit.window_end
        assert visit.window_end >= enrolment
    for earlier, later in zip(visits, visits[1:], strict=False):
        assert earlier.target < later.target
        assert earlier.window_end < later.window_start


@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31)),
    st.integers(min_value=-60, max_value=120),
)
def test_visit_state_follows_the_reminder_dates(diagnosis: date, offset: int) -> None:
    for visit in visit_schedule(diagnosis, diagnosis):
        today = visit.window_start + timedelta(days=offset)
        starts = reminder_dates(visit)
        reached = [kind for kind, day in starts.items() if day <= today]
        assert visit_state(visit, today, done=False) == (reached[-1] if reached else "scheduled")
        assert visit_state(visit, today, done=True) == "done"
