"""Automatic checks: a visit outside its window without a reason opens a query, once."""

import datetime as dt

import pytest
from django.core.management import call_command

from audit.services import save_record
from dataquality import services
from dataquality.models import DataQuery
from followup.models import PlannedVisit, Visit
from tests.factories.followup import participant_with_visits

pytestmark = pytest.mark.django_db


@pytest.fixture
def late_visit(site_a, coordinator_a):
    participant = participant_with_visits(site_a, coordinator_a)
    slot = participant.planned_visits.order_by("target").first()
    slot.status = PlannedVisit.Status.DONE
    save_record(slot, user=coordinator_a, reason="Imported", expected_version=slot.version)
    visit = Visit(
        participant=participant,
        planned_visit=slot,
        visit_date=slot.window_end + dt.timedelta(days=10),
    )
    return save_record(visit, user=coordinator_a, reason="Imported", expected_version=visit.version)


def test_a_visit_outside_its_window_without_a_reason_opens_one_query(late_visit):
    assert services.run_automatic_checks() == {services.CHECK_VISIT_OUTSIDE_WINDOW: 1}
    query = DataQuery.objects.get()
    assert (query.object_id, query.field_name, query.opened_by) == (
        late_visit.pk,
        "visit_date",
        None,
    )
    assert query.participant_id == late_visit.participant_id
    assert query.messages.get().kind == "opened"
    # Idempotent: a second run, and the command, open nothing more.
    assert services.run_automatic_checks() == {services.CHECK_VISIT_OUTSIDE_WINDOW: 0}
    call_command("run_automatic_checks")
    assert DataQuery.objects.count() == 1


def test_the_database_refuses_a_second_query_of_the_same_check(late_visit):
    now = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    kwargs = {
        "record": late_visit,
        "check_code": services.CHECK_VISIT_OUTSIDE_WINDOW,
        "field_name": "visit_date",
        "text": "late",
        "now": now,
    }
    assert services.open_automatic_query(**kwargs) is not None
    assert services.open_automatic_query(**kwargs) is None
    assert DataQuery.objects.count() == 1


def test_a_visit_with_a_reason_opens_nothing(late_visit, coordinator_a):
    late_visit.outside_window_reason = "Patient was abroad"
    save_record(
        late_visit, user=coordinator_a, reason="Reason given", expected_version=late_visit.version
    )
    assert services.run_automatic_checks() == {services.CHECK_VISIT_OUTSIDE_WINDOW: 0}


def test_the_nightly_task_runs_the_checks(late_visit):
    from dataquality.tasks import run_automatic_checks_task

    assert run_automatic_checks_task() == {services.CHECK_VISIT_OUTSIDE_WINDOW: 1}
    assert run_automatic_checks_task() == {services.CHECK_VISIT_OUTSIDE_WINDOW: 0}
