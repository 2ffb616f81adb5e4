"""The follow-up CRF's rules, table-driven on a plain dict, then through the form."""

import dataclasses
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
}
# The date of death is the death report's: the visit's rules read it from the context.
DIED = dataclasses.replace(CTX, death_date=D(2026, 4, 1))
DEAD = GOOD | {"vital_status": "dead", "last_known_alive": D(2026, 3, 30)}


def test_a_complete_visit_has_no_errors():
    assert visit_errors(GOOD, CTX) == {}
    assert visit_errors(DEAD, DIED) == {}


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
            "distant_progression_date",
            validators.PROGRESSION_AFTER_DEATH,
        ),
        (
            {
                "locoregional_recurrence": True,
                "locoregional_recurrence_date": D(2026, 4, 3),
                "locoregional_recurrence_site": "chest_wall",
            },
            "locoregional_recurrence_date",
            validators.PROGRESSION_AFTER_DEATH,
        ),
        ({"last_known_alive": D(2026, 4, 2)}, "last_known_alive", validators.ALIVE_AFTER_DEATH),
    ],
)
def test_death_rules(changes, field, message):
    errors = visit_errors(DEAD | changes, DIED)
    assert str(message).split("%")[0] in errors[field][0]


def test_a_visit_finding_her_dead_needs_the_death_report_first():
    errors = visit_errors(DEAD, CTX)
    assert errors["vital_status"] == [str(validators.DEATH_REPORT_FIRST)]


def test_alive_after_the_reported_death_is_refused_but_alive_before_it_is_not():
    after = GOOD | {"visit_date": D(2026, 4, 5), "last_known_alive": D(2026, 3, 30)}
    assert "vital_status" in visit_errors(after, DIED)
    before = dataclasses.replace(CTX, death_date=D(2026, 4, 10))
    assert visit_errors(GOOD, before) == {}


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
