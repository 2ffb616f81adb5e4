"""A surgical complication carries its operation's date: copied when the event is written,
copied again when the operation's date is corrected, kept its operation's by the database, and
read by the export of the events without joining the operations."""

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction

from assessments import services
from exports import streaming
from exports.datasets import BY_NAME
from safety.models import AdverseEvent
from tests.factories import arms as arms_factories
from tests.factories.assessments import TODAY
from tests.factories.enrollment import enrolled_participant
from tests.factories.safety import serious_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def participant(site_a, coordinator_a):
    return enrolled_participant(site_a, coordinator_a)


@pytest.fixture
def surgery(participant, coordinator_a):
    return arms_factories.surgery(
        participant, coordinator_a, "mastectomy", participant.enrolment_date
    )


def _dates(participant):
    return list(
        AdverseEvent.objects.filter(participant=participant)
        .order_by("pk")
        .values_list("surgery_date", flat=True)
    )


def test_a_complication_carries_its_operations_date_and_another_event_none(participant, surgery):
    serious_event(participant, surgery=surgery)
    serious_event(participant)
    assert _dates(participant) == [surgery.surgery_date, None]


def test_a_corrected_operation_date_is_copied_to_its_complications(
    participant, surgery, coordinator_a
):
    serious_event(participant, surgery=surgery)
    corrected = surgery.surgery_date + dt.timedelta(days=1)
    surgery.surgery_date = corrected
    services.surgery_save(
        surgery=surgery,
        user=coordinator_a,
        reason="Date transcribed wrongly",
        expected_version=surgery.version,
        today=TODAY,
    )
    assert _dates(participant) == [corrected]


@pytest.mark.parametrize("change", [{"surgery_date": None}, {"surgery": None}])
def test_the_database_refuses_a_complication_without_its_date_or_a_date_without_one(
    participant, surgery, change
):
    event = serious_event(participant, surgery=surgery)
    with pytest.raises(IntegrityError), transaction.atomic():
        AdverseEvent.objects.filter(pk=event.pk).update(**change, clavien_dindo="II")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the foreign key is PostgreSQL's")
def test_postgresql_refuses_a_date_that_is_not_its_operations(participant, surgery):
    event = serious_event(participant, surgery=surgery)
    with pytest.raises(IntegrityError), transaction.atomic():
        AdverseEvent.objects.filter(pk=event.pk).update(surgery_date=dt.date(2020, 1, 1))
        connection.check_constraints()


def test_the_trial_wide_export_of_events_reads_their_table_alone():
    sql = str(streaming.select_queryset(BY_NAME["adverse_events"], streaming.Scope()).query)
    assert "JOIN" not in sql
