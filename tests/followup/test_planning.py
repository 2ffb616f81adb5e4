import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from audit.carried import is_carried
from enrollment.models import Participant
from exports.casebooks import _shown_fields
from followup import schedule
from followup.models import SLOT_COLUMNS, PlannedVisit, Reminder, Visit
from followup.services import (
    NO_LONGER_OPEN,
    close_visits,
    mark_visit_missed,
    plan_visits,
    record_unscheduled_visit,
    record_visit,
    replan_visits,
)
from safety.models import DeathReport
from tests.factories.followup import participant, participant_with_visits
from workflow.services import record_death

pytestmark = pytest.mark.django_db


def _done(visit, user, day):
    return record_visit(
        visit=visit,
        user=user,
        data={
            "visit_date": day,
            "vital_status": "alive",
            "last_known_alive": day,
            "distant_progression": False,
            "locoregional_recurrence": False,
        },
    )


def test_it_plans_the_visits_of_the_schedule(site_a, coordinator_a):
    p = participant(site_a)
    visits = plan_visits(participant=p, user=coordinator_a)
    expected = schedule.visit_schedule(p.diagnosis_date, p.enrolment_date)
    assert [(v.code, v.target, v.window_start, v.window_end) for v in visits] == [
        (e.code, e.target, e.window_start, e.window_end) for e in expected
    ]
    assert all(v.status == PlannedVisit.Status.OPEN and v.history.count() == 1 for v in visits)


def test_planning_twice_plans_once(site_a, coordinator_a):
    p = participant(site_a)
    first = plan_visits(participant=p, user=coordinator_a)
    second = plan_visits(participant=p, user=coordinator_a)
    assert [v.pk for v in first] == [v.pk for v in second]


def test_a_late_enrolment_is_not_planned_the_closed_windows(site_a, coordinator_a):
    p = participant(
        site_a, diagnosis_date=dt.date(2025, 1, 10), enrolment_date=dt.date(2026, 1, 20)
    )
    codes = [v.code for v in plan_visits(participant=p, user=coordinator_a)]
    assert codes[0] == "M12"  # M12 window: 2025-12-27..2026-01-24
    assert codes[-1] == "M60"


def test_replan_keeps_done_visits_and_moves_the_rest(site_a, coordinator_a):
    p = participant_with_visits(site_a, coordinator_a)
    m03 = p.planned_visits.get(code="M03")
    _done(m03, coordinator_a, m03.target)
    m06 = p.planned_visits.get(code="M06")
    Reminder.objects.create(
        planned_visit=m06, kind="upcoming", due_on=m06.window_start, status="skipped"
    )
    p.diagnosis_date = dt.date(2026, 1, 20)
    p.save()
    visits = {v.code: v for v in replan_visits(participant=p, user=coordinator_a, reason="typo")}
    expected = {e.code: e for e in schedule.visit_schedule(p.diagnosis_date, p.enrolment_date)}
    assert visits["M03"].target == m03.target  # done: kept as it happened
    assert visits["M03"].status == PlannedVisit.Status.DONE
    for code in ("M06", "M60"):
        assert visits[code].target == expected[code].target
        assert visits[code].window_start == expected[code].window_start
    # A moved visit's unsent reminders go: it is judged afresh against its new window.
    assert not Reminder.objects.filter(planned_visit=m06).exists()
    assert "typo" in visits["M06"].history.first().history_change_reason


def test_replan_drops_a_visit_the_new_schedule_no_longer_has(site_a, coordinator_a):
    p = participant_with_visits(
        site_a,
        coordinator_a,
        diagnosis_date=dt.date(2025, 6, 1),
        enrolment_date=dt.date(2025, 9, 10),
    )
    assert p.planned_visits.filter(code="M03").exists()  # window 2025-08-18..2025-09-15
    p.diagnosis_date = dt.date(2025, 5, 1)  # M03 window now closes 2025-08-15
    p.save()
    replan_visits(participant=p, user=coordinator_a, reason="corrected from pathology report")
    assert p.planned_visits.get(code="M03").status == PlannedVisit.Status.NOT_REQUIRED


def test_close_visits_marks_past_windows_missed_and_later_ones_not_required(site_a, coordinator_a):
    p = participant_with_visits(site_a, coordinator_a)
    m03, m06 = p.planned_visits.get(code="M03"), p.planned_visits.get(code="M06")
    _done(m03, coordinator_a, m03.target)
    p.status = Participant.Status.OFF_STUDY
    p.save()
    as_of = m06.window_end + dt.timedelta(days=3)
    closed = close_visits(participant=p, user=coordinator_a, as_of=as_of)
    statuses = dict(p.planned_visits.values_list("code", "status"))
    assert statuses["M03"] == PlannedVisit.Status.DONE
    assert statuses["M06"] == PlannedVisit.Status.MISSED
    assert {statuses[c] for c in statuses if c not in ("M03", "M06")} == {
        PlannedVisit.Status.NOT_REQUIRED
    }
    assert closed == len(statuses) - 1
    assert close_visits(participant=p, user=coordinator_a, as_of=as_of) == 0


def test_a_reported_death_closes_the_other_open_visits(site_a, coordinator_a):
    p = participant_with_visits(site_a, coordinator_a)
    m06 = p.planned_visits.get(code="M06")
    death = m06.target - dt.timedelta(days=2)
    record_death(
        report=DeathReport(
            participant=p,
            death_date=death,
            primary_cause="breast_cancer",
            autopsy="no",
            information_source="family",
        ),
        user=coordinator_a,
        today=m06.target,
    )
    record_visit(
        visit=m06,
        user=coordinator_a,
        data={
            "visit_date": m06.target,
            "vital_status": "dead",
            "last_known_alive": m06.target - dt.timedelta(days=5),
            "distant_progression": False,
            "locoregional_recurrence": False,
        },
        today=m06.target,
    )
    statuses = dict(p.planned_visits.values_list("code", "status"))
    assert statuses["M06"] == PlannedVisit.Status.DONE
    assert statuses["M03"] == PlannedVisit.Status.MISSED
    assert statuses["M09"] == PlannedVisit.Status.NOT_REQUIRED


@pytest.mark.parametrize(
    ("offset_from_window_start", "state"),
    [(-8, "scheduled"), (-7, "upcoming"), (0, "due"), (28, "due"), (29, "overdue")],
)
def test_state_of_an_open_visit_comes_from_the_schedule(site_a, offset_from_window_start, state):
    p = participant_with_visits(site_a)
    m03 = p.planned_visits.get(code="M03")  # window of 29 days: start .. start + 28
    day = m03.window_start + dt.timedelta(days=offset_from_window_start)
    assert m03.state_on(day) == state
    assert state == schedule.visit_state(m03, day, done=False)


def _carried(visit):
    return tuple(getattr(visit, f"slot_{name}") for name in SLOT_COLUMNS)


def _slot_of(visit):
    return tuple(getattr(visit.planned_visit, name) for name in SLOT_COLUMNS)


def test_a_recorded_form_carries_its_slot_through_replanning_and_closing(site_a, coordinator_a):
    p = participant_with_visits(site_a, coordinator_a)
    m03 = p.planned_visits.get(code="M03")
    form = _done(m03, coordinator_a, m03.target)
    form.refresh_from_db()
    assert _carried(form) == _slot_of(form)
    assert form.slot_code == "M03" and form.slot_status == PlannedVisit.Status.DONE
    # What moves or closes the other visits leaves a done slot, and so its copy, as it is.
    p.diagnosis_date = dt.date(2026, 1, 20)
    p.save()
    replan_visits(participant=p, user=coordinator_a, reason="typo")
    close_visits(participant=p, user=coordinator_a, as_of=m03.target + dt.timedelta(days=200))
    form.refresh_from_db()
    assert _carried(form) == _slot_of(form)


def test_an_unscheduled_visit_carries_no_slot(site_a, coordinator_a):
    p = participant_with_visits(site_a, coordinator_a)
    form = record_unscheduled_visit(
        participant=p,
        user=coordinator_a,
        data={
            "visit_date": p.enrolment_date + dt.timedelta(days=10),
            "vital_status": "alive",
            "last_known_alive": p.enrolment_date + dt.timedelta(days=10),
            "distant_progression": False,
            "locoregional_recurrence": False,
        },
    )
    form.refresh_from_db()
    assert _carried(form) == (None,) * len(SLOT_COLUMNS)


def test_a_done_visit_cannot_be_recorded_as_missed(site_a, coordinator_a):
    p = participant_with_visits(site_a, coordinator_a)
    m03 = p.planned_visits.get(code="M03")
    form = _done(m03, coordinator_a, m03.target)
    m03.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        mark_visit_missed(
            visit=m03, user=coordinator_a, reason="no show", expected_version=m03.version
        )
    assert refused.value.messages == [str(NO_LONGER_OPEN)]
    form.refresh_from_db()
    assert _carried(form) == _slot_of(form)


def test_the_form_carries_every_column_of_its_slot_and_shows_none_as_an_entry():
    carried = {f.name for f in Visit._meta.concrete_fields if is_carried(f)}
    assert carried == {"study_id", *(f"slot_{name}" for name in SLOT_COLUMNS)}
    assert not carried & {f.name for f in _shown_fields(Visit)}
