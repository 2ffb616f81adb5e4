"""The SQL definitions of in-window and overdue agree with the core (`followup.schedule`) on a
table of cases: one rule, stated once in Python and once in SQL, held together here."""

import datetime as dt

import pytest
from django.db.models import DateField, Value

from enrollment.models import OffStudy
from followup import schedule, selectors
from followup.models import PlannedVisit, outside_window
from tests.factories.followup import participant_with_visits
from workflow import services as workflow

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def slot(site_a):
    participant = participant_with_visits(site_a)
    return participant.planned_visits.order_by("window_start").first()


def _days_around(slot: PlannedVisit) -> list[dt.date]:
    one = dt.timedelta(days=1)
    edges = (slot.window_start, slot.target, slot.window_end)
    lead = slot.window_start - dt.timedelta(days=schedule.UPCOMING_LEAD_DAYS)
    return sorted({d + k * one for d in (*edges, lead) for k in (-1, 0, 1)})


def test_in_window_in_sql_agrees_with_the_core(slot):
    for day in _days_around(slot):
        core = schedule.in_window(slot.as_schedule(), day)
        # The day as a value on the slot's own row: the same Q builders the checks use.
        rows = PlannedVisit.objects.filter(pk=slot.pk).annotate(
            day=Value(day, output_field=DateField())
        )
        assert rows.filter(outside_window("day")).exists() is (not core), day


def test_overdue_in_sql_agrees_with_the_core(slot):
    site_id = slot.participant.site_id
    for today in _days_around(slot):
        core = schedule.visit_state(slot.as_schedule(), today, done=False)
        for state in schedule.REMINDER_KINDS:
            in_sql = (
                PlannedVisit.objects.filter(pk=slot.pk)
                .filter(selectors.in_state(state, {site_id: today}))
                .exists()
            )
            assert in_sql is (core == state), (today, state)
        overdue = selectors.overdue(PlannedVisit.objects.filter(pk=slot.pk), {site_id: today})
        assert overdue.exists() is (core == schedule.STATE_OVERDUE), today


def test_an_off_study_participant_has_no_open_visit_to_be_overdue(slot, coordinator_a):
    """`selectors.awaited` reads the slot alone: going off study closes every open visit in
    the same transaction, so none of an off-study participant is ever awaited."""
    participant = slot.participant
    workflow.take_off_study(
        participant=participant,
        user=coordinator_a,
        date=participant.enrolment_date + dt.timedelta(days=1),
        reason=OffStudy.Reason.WITHDRAWN,
    )
    assert not participant.planned_visits.filter(status=PlannedVisit.Status.OPEN).exists()
    later = slot.window_end + dt.timedelta(days=1)
    days = {participant.site_id: later}
    assert not selectors.overdue(PlannedVisit.objects.filter(pk=slot.pk), days).exists()


def test_record_visit_refuses_what_the_form_refuses(slot, coordinator_a):
    """A caller without the form (a crafted POST's data, a command) meets the form's rules."""
    from django.core.exceptions import ValidationError

    from followup import services, validators

    late = slot.window_end + dt.timedelta(days=3)
    data = {
        "visit_date": late,
        "vital_status": "alive",
        "last_known_alive": late,
        "distant_progression": False,
        "locoregional_recurrence": False,
    }
    with pytest.raises(ValidationError) as caught:
        services.record_visit(visit=slot, user=coordinator_a, data=data, today=late)
    assert caught.value.message_dict == {
        "outside_window_reason": [
            str(
                validators.OUTSIDE_WINDOW_REASON_REQUIRED
                % {"start": slot.window_start, "end": slot.window_end}
            )
        ]
    }
    slot.refresh_from_db()
    assert slot.status == PlannedVisit.Status.OPEN
    assert not hasattr(slot, "visit") or slot.recorded_visit is None
