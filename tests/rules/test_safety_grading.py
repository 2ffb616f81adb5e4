"""Safety rules (safety.grading): CTCAE grades, seriousness, the 24-hour clock, Clavien-Dindo."""

from __future__ import annotations

import datetime as dt

import pytest

from ruleviolation import OUT_OF_RANGE, UNKNOWN_CODE, RuleViolation
from safety import grading

# A term that defines grades 2 to 5 only (a shape some CTCAE terms have, e.g. "Sepsis" 3-5),
# and Alopecia (MedDRA 10001760), which defines grades 1 and 2 only.
GRADES_2_TO_5 = {
    2: "Localized, local intervention indicated",
    3: "IV antibiotic, antifungal, or antiviral intervention indicated",
    4: "Life-threatening consequences; urgent intervention indicated",
    5: "Death",
}
ALOPECIA = {1: "Hair loss of <50% of normal", 2: "Hair loss of >=50% normal"}


@pytest.mark.parametrize(
    ("grade", "defined", "code"),
    [
        (1, ALOPECIA, None),
        (2, ALOPECIA, None),
        (3, ALOPECIA, UNKNOWN_CODE),
        (5, ALOPECIA, UNKNOWN_CODE),
        (1, GRADES_2_TO_5, UNKNOWN_CODE),
        (3, GRADES_2_TO_5, None),
        (5, GRADES_2_TO_5, None),
        (0, GRADES_2_TO_5, OUT_OF_RANGE),
        (6, GRADES_2_TO_5, OUT_OF_RANGE),
        (-1, ALOPECIA, OUT_OF_RANGE),
        (2, {2: "  "}, UNKNOWN_CODE),
    ],
)
def test_a_grade_must_be_one_the_term_defines(grade, defined, code):
    if code is None:
        grading.check_grade(grade, defined)
    else:
        with pytest.raises(RuleViolation) as exc:
            grading.check_grade(grade, defined)
        assert exc.value.code == code and exc.value.field == "grade"


@pytest.mark.parametrize(
    ("grade", "death_report", "severe"),
    [(None, False, False), (1, False, False), (2, False, False), (3, False, True),
     (4, False, True), (5, True, True)],
)  # fmt: skip
def test_grade_5_needs_the_death_report_and_3_is_severe(grade, death_report, severe):
    assert grading.requires_death_report(grade) is death_report
    assert grading.is_severe(grade) is severe


@pytest.mark.parametrize(
    ("criteria", "serious"),
    [
        ({}, False),
        (dict.fromkeys(grading.SERIOUSNESS_CRITERIA, False), False),
        ({"hospitalisation": True}, True),
        ({"results_in_death": True}, True),
        ({"life_threatening": None, "disability": True}, True),
        ({"other_important_event": True}, True),
        ({"congenital_anomaly": True}, True),
    ],
)
def test_any_criterion_of_ich_e2a_makes_an_event_serious(criteria, serious):
    assert grading.is_serious(criteria) is serious


def test_an_unknown_criterion_is_refused():
    with pytest.raises(RuleViolation) as exc:
        grading.is_serious({"hospitalised": True})
    assert exc.value.field == "hospitalised"


@pytest.mark.parametrize(
    ("grade", "death", "conflicts"),
    [
        (5, True, []),
        (5, False, ["results_in_death"]),
        (3, True, ["grade"]),
        (None, True, []),
        (4, False, []),
    ],
)
def test_death_and_grade_5_go_together(grade, death, conflicts):
    assert grading.seriousness_conflicts(grade, {"results_in_death": death}) == conflicts


AWARE = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("now", "left", "overdue"),
    [
        (AWARE, dt.timedelta(hours=24), False),
        (AWARE + dt.timedelta(hours=23, minutes=59), dt.timedelta(minutes=1), False),
        (AWARE + dt.timedelta(hours=24), dt.timedelta(0), False),
        (AWARE + dt.timedelta(hours=24, seconds=1), -dt.timedelta(seconds=1), True),
        (AWARE + dt.timedelta(days=3), -dt.timedelta(days=2), True),
    ],
)
def test_the_sae_clock_runs_24_hours_from_awareness(now, left, overdue):
    clock = grading.sae_clock(AWARE)
    assert clock.deadline == dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)
    assert clock.time_left(now) == left
    assert clock.is_overdue(now) is overdue


def test_a_report_made_late_stays_late_and_one_in_time_is_not_overdue():
    clock = grading.sae_clock(AWARE)
    later = AWARE + dt.timedelta(days=10)
    assert clock.is_overdue(later, reported_at=AWARE + dt.timedelta(hours=2)) is False
    assert clock.is_overdue(later, reported_at=AWARE + dt.timedelta(hours=25)) is True


def test_the_clock_refuses_a_time_without_its_zone():
    with pytest.raises(RuleViolation):
        grading.sae_clock(dt.datetime(2026, 3, 1, 9, 30))  # noqa: DTZ001 - the point of the test


def test_the_clock_counts_across_time_zones():
    shanghai = dt.timezone(dt.timedelta(hours=8))
    clock = grading.sae_clock(dt.datetime(2026, 3, 1, 17, 30, tzinfo=shanghai))
    assert clock.deadline == AWARE + dt.timedelta(hours=24)


def test_clavien_dindo_has_the_seven_grades_in_order_with_definitions():
    assert grading.CLAVIEN_DINDO_GRADES == ("I", "II", "IIIa", "IIIb", "IVa", "IVb", "V")
    assert all(grading.CLAVIEN_DINDO[g] for g in grading.CLAVIEN_DINDO_GRADES)
    assert grading.CLAVIEN_DINDO_DEATH == "V"


@pytest.mark.parametrize(
    ("grades", "worst"),
    [([], None), (["I"], "I"), (["II", "I"], "II"), (["IIIa", "IIIb", "II"], "IIIb"),
     (["IVb", "IVa"], "IVb"), (["V", "IVb", "I"], "V")],
)  # fmt: skip
def test_the_worst_clavien_dindo_grade(grades, worst):
    assert grading.worst_clavien_dindo(grades) == worst


@pytest.mark.parametrize("grade", ["0", "III", "iv", "VI", ""])
def test_an_unknown_clavien_dindo_grade_is_refused(grade):
    with pytest.raises(RuleViolation):
        grading.clavien_dindo_rank(grade)


@pytest.mark.parametrize(
    ("grade", "reoperation"), [("IIIa", False), ("IIIb", True), ("IVa", False)]
)
def test_iiib_is_the_reoperation_grade(grade, reoperation):
    assert grading.clavien_dindo_needs_reoperation(grade) is reoperation


SURGERY = dt.date(2026, 3, 1)


@pytest.mark.parametrize(("days", "window"), [(0, 30), (30, 30), (31, 90), (90, 90), (91, None)])
def test_a_complication_falls_in_the_30_or_90_day_window(days, window):
    assert grading.complication_window(SURGERY, SURGERY + dt.timedelta(days=days)) == window


def test_a_complication_before_its_operation_is_impossible():
    with pytest.raises(RuleViolation):
        grading.complication_window(SURGERY, SURGERY - dt.timedelta(days=1))
