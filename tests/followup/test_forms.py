"""The follow-up CRF's rules, table-driven on a plain dict, then through the form."""

import datetime as dt

import pytest

from followup import schedule, validators
from followup.validators import VisitContext, visit_errors

D = dt.date
CTX = VisitContext(
    diagnosis_date=D(2026, 1, 5),
    enrolment_date=D(2026, 2, 1),
    today=D(2026, 6, 1),
    window=schedule.PlannedVisit("M03", D(2026, 4, 5), D(2026, 3, 22), D(2026, 4, 19)),
)
GOOD = {
    "visit_date": D(2026, 4, 5),
    "outside_window_reason": "",
    "vital_status": "alive",
    "last_known_alive": D(2026, 4, 5),
    "distant_progression": False,
    "distant_progression_date": None,
    "distant_progression_sites": [],
    "locoregional_recurrence": False,
    "locoregional_recurrence_date": None,
    "locoregional_recurrence_site": "",
    "death_date": None,
    "death_cause": "",
}
DEAD = GOOD | {
    "vital_status": "dead",
    "death_date": D(2026, 4, 1),
    "death_cause": "breast_cancer",
    "last_known_alive": D(2026, 3, 30),
}


def test_a_complete_visit_has_no_errors():
    assert visit_errors(GOOD, CTX) == {}
    assert visit_errors(DEAD, CTX) == {}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"visit_date": D(2026, 1, 31)}, "visit_date", validators.VISIT_BEFORE_ENROLMENT),
        ({"visit_date": D(2026, 6, 2)}, "visit_date", validators.DATE_IN_FUTURE),
        ({"visit_date": None}, "visit_date", validators.REQUIRED),
        (
            {"visit_date": D(2026, 4, 20)},
            "outside_window_reason",
            validators.OUTSIDE_WINDOW_REASON_REQUIRED,
        ),
        ({"last_known_alive": D(2026, 6, 5)}, "last_known_alive", validators.DATE_IN_FUTURE),
        (
            {"last_known_alive": D(2025, 12, 1)},
            "last_known_alive",
            validators.DATE_BEFORE_DIAGNOSIS,
        ),
        ({"last_known_alive": None}, "last_known_alive", validators.REQUIRED),
        ({"death_date": D(2026, 4, 1)}, "death_date", validators.NOT_WHEN_ALIVE),
        ({"distant_progression": None}, "distant_progression", validators.REQUIRED),
        ({"distant_progression": True}, "distant_progression_date", validators.REQUIRED),
        ({"distant_progression": True}, "distant_progression_sites", validators.REQUIRED),
        (
            {"distant_progression_date": D(2026, 3, 1)},
            "distant_progression_date",
            validators.ONLY_WITH_EVENT,
        ),
        ({"locoregional_recurrence": True}, "locoregional_recurrence_site", validators.REQUIRED),
        ({"vital_status": ""}, "vital_status", validators.REQUIRED),
    ],
)
def test_bad_input_is_an_error_at_its_field(changes, field, message):
    errors = visit_errors(GOOD | changes, CTX)
    assert field in errors
    assert str(message).split("%")[0] in errors[field][0]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {
                "distant_progression": True,
                "distant_progression_date": D(2026, 4, 2),
                "distant_progression_sites": ["liver"],
            },
            "death_date",
            validators.DEATH_BEFORE_PROGRESSION,
        ),
        (
            {
                "locoregional_recurrence": True,
                "locoregional_recurrence_date": D(2026, 4, 3),
                "locoregional_recurrence_site": "chest_wall",
            },
            "death_date",
            validators.DEATH_BEFORE_RECURRENCE,
        ),
        ({"last_known_alive": D(2026, 4, 2)}, "last_known_alive", validators.ALIVE_AFTER_DEATH),
        ({"death_date": None}, "death_date", validators.REQUIRED),
        ({"death_cause": ""}, "death_cause", validators.REQUIRED),
    ],
)
def test_death_rules(changes, field, message):
    errors = visit_errors(DEAD | changes, CTX)
    assert str(message).split("%")[0] in errors[field][0]


def test_outside_the_window_with_a_reason_is_accepted():
    assert (
        visit_errors(GOOD | {"visit_date": D(2026, 4, 25), "outside_window_reason": "flu"}, CTX)
        == {}
    )


def test_an_unscheduled_visit_has_no_window_to_respect():
    ctx = VisitContext(
        diagnosis_date=CTX.diagnosis_date, enrolment_date=CTX.enrolment_date, today=CTX.today
    )
    assert visit_errors(GOOD | {"visit_date": D(2026, 5, 20)}, ctx) == {}
