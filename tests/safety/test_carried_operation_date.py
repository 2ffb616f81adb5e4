"""A surgical complication carries its operation's date: copied when the event is written,
changed or cleared with its operation, copied again when the operation's date is corrected,
kept its operation's by the database, and read by the export of the events without joining
the operations."""

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction

from assessments import services
from exports import streaming
from exports.datasets import BY_NAME
from safety import services as safety
from safety.models import AdverseEvent
from tests.factories import arms as arms_factories
from tests.factories.assessments import ENROLMENT, TODAY
from tests.factories.safety import serious_event, term

pytestmark = pytest.mark.django_db


@pytest.fixture
def participant(site_a, coordinator_a):
    return arms_factories.participant_with_baseline(site_a, coordinator_a)


@pytest.fixture
def surgery(participant, coordinator_a):
    return arms_factories.surgery(
        participant, coordinator_a, "mastectomy", ENROLMENT + dt.timedelta(days=90)
    )


def _dates(participant):
    return list(
        AdverseEvent.objects.filter(participant=participant)
        .order_by("pk")
        .values_list("surgery_date", flat=True)
    )


def _complication(participant, surgery, coordinator_a) -> AdverseEvent:
    return safety.adverse_event_save(
        event=AdverseEvent(
            participant=participant,
            term=term("Wound infection"),
            grade=2,
            onset_date=surgery.surgery_date + dt.timedelta(days=5),
            ongoing=True,
            outcome="not_recovered",
            relationship_surgery_1="probable",
            surgery=surgery,
            clavien_dindo="II",
        ),
        user=coordinator_a,
    )


def _check_keys():
    if connection.vendor == "postgresql":
        connection.check_constraints()  # the deferred key, as at the commit


def test_a_complication_carries_its_operations_date_and_another_event_none(
    participant, surgery, coordinator_a
):
    _complication(participant, surgery, coordinator_a)
    serious_event(participant)
    _check_keys()
    assert _dates(participant) == [surgery.surgery_date, None]


def test_an_event_moved_to_another_operation_or_to_none_carries_that(
    participant, surgery, coordinator_a
):
    event = _complication(participant, surgery, coordinator_a)
    second = arms_factories.surgery(
        participant, coordinator_a, "metastasis_resection", ENROLMENT + dt.timedelta(days=120)
    )
    event.surgery, event.relationship_surgery_2 = second, "probable"
    event.onset_date = second.surgery_date + dt.timedelta(days=2)
    safety.adverse_event_save(
        event=event,
        user=coordinator_a,
        reason="the second operation",
        expected_version=event.version,
    )
    _check_keys()
    assert _dates(participant) == [second.surgery_date]
    event.surgery, event.clavien_dindo = None, ""
    safety.adverse_event_save(
        event=event, user=coordinator_a, reason="not a complication", expected_version=event.version
    )
    _check_keys()
    assert _dates(participant) == [None]


def test_a_corrected_operation_date_is_copied_to_its_complications(
    participant, surgery, coordinator_a
):
    _complication(participant, surgery, coordinator_a)
    corrected = surgery.surgery_date - dt.timedelta(days=1)
    surgery.surgery_date = corrected
    services.surgery_save(
        surgery=surgery,
        user=coordinator_a,
        reason="Date transcribed wrongly",
        expected_version=surgery.version,
        today=TODAY,
    )
    _check_keys()
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


def test_the_trial_wide_identified_export_of_events_reads_their_table_alone():
    sql = str(streaming.select_queryset(BY_NAME["adverse_events"], streaming.Scope()).query)
    assert "JOIN" not in sql
