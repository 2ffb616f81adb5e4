"""A lesion measurement carries its assessment's study ID and date and its lesion's number:
copied when it is written, copied again when the assessment's date is corrected, kept its
sources' by the database, and read by the export without joining the lesions or assessments."""

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction

from assessments.models import BaselineLesion, LesionMeasurement
from exports import streaming
from exports.datasets import BY_NAME
from tests.factories import assessments as f
from tests.factories.enrollment import participant as make_participant
from workflow import services as workflow

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessment(site_a, coordinator_a):
    participant = make_participant(site_a)
    f.baseline(participant, coordinator_a)
    lesions = BaselineLesion.objects.filter(baseline__participant=participant)
    return f.assessment(
        participant,
        coordinator_a,
        {lesion.pk: f.mm(15) for lesion in lesions},
        date=dt.date(2026, 4, 6),
        complete=False,
    )


def _copies(assessment):
    return sorted(
        LesionMeasurement.objects.filter(assessment=assessment).values_list(
            "study_id", "lesion_number", "assessment_date", "lesion__number"
        )
    )


def test_a_measurement_carries_its_assessment_and_lesion(assessment):
    study_id = assessment.participant.study_id
    assert _copies(assessment) == [
        (study_id, 1, dt.date(2026, 4, 6), 1),
        (study_id, 2, dt.date(2026, 4, 6), 2),
    ]


def test_a_corrected_date_is_copied_to_every_measurement_changed_or_not(assessment, coordinator_a):
    first, second = (m.lesion_id for m in LesionMeasurement.objects.filter(assessment=assessment))
    assessment.assessment_date = dt.date(2026, 4, 8)
    # One measurement changes, the other is left as it was (and not saved again).
    workflow.save_assessment(
        assessment=assessment,
        entries={first: f.mm(12), second: f.mm(15)},
        complete=False,
        user=coordinator_a,
        expected_version=assessment.version,
        today=f.TODAY,
    )
    assert {copy[2] for copy in _copies(assessment)} == {dt.date(2026, 4, 8)}


def test_the_database_refuses_a_measurement_without_its_copies(assessment):
    with pytest.raises(IntegrityError), transaction.atomic():
        LesionMeasurement.objects.filter(assessment=assessment).update(assessment_date=None)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the foreign keys are PostgreSQL's")
@pytest.mark.parametrize(
    "change", [{"assessment_date": dt.date(2026, 1, 1)}, {"lesion_number": 9}, {"study_id": "X"}]
)
def test_postgresql_refuses_a_copy_that_is_not_its_sources(assessment, change):
    with pytest.raises(IntegrityError), transaction.atomic():
        LesionMeasurement.objects.filter(assessment=assessment).update(**change)
        connection.check_constraints()


def test_the_trial_wide_export_of_measurements_reads_their_table_alone():
    sql = str(streaming.select_queryset(BY_NAME["lesion_measurements"], streaming.Scope()).query)
    assert "JOIN" not in sql
