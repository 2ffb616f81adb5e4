"""The trial's use cases, each one visible function: what each step writes, and only once."""

import datetime as dt

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from arms.models import ArmAssignment
from audit import services as audit_services
from audit.lifecycle import NOT_ENTERED, LifecycleError
from audit.models import CrfRecord, CrfStatus
from dataquality.services import void_sign_off
from enrollment.models import Screening
from followup.models import PlannedVisit
from tests.factories import assessments as f
from tests.factories.enrollment import TODAY, ScreeningFactory, enrolled_participant
from workflow import services as workflow

pytestmark = pytest.mark.django_db

D1, D2 = dt.date(2026, 3, 1), dt.date(2026, 5, 1)


@pytest.fixture
def participant(site_a, coordinator_a):
    participant = f.participant(site_a)
    f.baseline(participant, coordinator_a)
    return participant


def _entries(participant, mm="0"):
    return {lesion.pk: f.mm(mm) for lesion in participant.baseline.lesions.all()}


def test_completing_an_assessment_writes_each_record_once(participant, coordinator_a):
    assessment = f.assessment(participant, coordinator_a, _entries(participant), date=D1)
    assert assessment.crf_status == CrfStatus.COMPLETE and assessment.completed_at is not None
    assert assessment.history.count() == 1
    for measurement in assessment.measurements.all():
        assert (measurement.crf_status, measurement.history.count()) == (CrfStatus.COMPLETE, 1)


def test_completing_a_saved_draft_writes_it_once_more(participant, coordinator_a):
    draft = f.assessment(participant, coordinator_a, _entries(participant), date=D1, complete=False)
    workflow.complete_assessment(assessment=draft, user=coordinator_a)
    assert draft.history.count() == 2
    assert [m.history.count() for m in draft.measurements.all()] == [2, 2]


def test_a_draft_proposes_no_arm_and_its_completion_does(participant, coordinator_a):
    draft = f.assessment(participant, coordinator_a, _entries(participant), date=D1, complete=False)
    assert not ArmAssignment.objects.exists()
    workflow.complete_assessment(assessment=draft, user=coordinator_a)
    assert ArmAssignment.objects.filter(assessment=draft).count() == 1


def test_the_arm_comes_from_the_completed_assessment(participant, coordinator_a):
    done = f.assessment(participant, coordinator_a, _entries(participant), date=D1)
    proposal = ArmAssignment.objects.get(assessment=done)
    assert (proposal.primary_response, proposal.metastatic_response) == ("CR", "CR")
    assert proposal.proposed_arm == 1


def test_enrolment_plans_the_visits_and_off_study_closes_them(site_a, coordinator_a):
    participant = enrolled_participant(site_a, coordinator_a)
    assert participant.planned_visits.filter(status=PlannedVisit.Status.OPEN).exists()
    workflow.take_off_study(
        participant=participant,
        user=coordinator_a,
        date=TODAY,
        reason="withdrew_consent",
        today=TODAY,
    )
    assert not participant.planned_visits.filter(status=PlannedVisit.Status.OPEN).exists()


def test_a_corrected_diagnosis_date_replans_the_visits(site_a, coordinator_a):
    participant = enrolled_participant(site_a, coordinator_a)
    screening = Screening.objects.get(pk=participant.screening_id)
    targets = list(participant.planned_visits.values_list("target", flat=True))
    screening.diagnosis_date = screening.diagnosis_date.replace(day=1)
    workflow.save_screening(
        screening=screening,
        user=coordinator_a,
        reason="Pathology report date",
        expected_version=screening.version,
        today=TODAY,
    )
    participant.refresh_from_db()
    assert participant.diagnosis_date == screening.diagnosis_date
    assert list(participant.planned_visits.values_list("target", flat=True)) != targets


def test_every_crf_model_says_when_it_is_entered():
    for model in apps.get_models():
        if issubclass(model, CrfRecord):
            declared = any(
                "is_entered" in vars(klass)
                for klass in model.__mro__[:-1]
                if klass is not CrfRecord and issubclass(klass, CrfRecord)
            )
            assert declared, f"{model.__name__} must say when it is entered"


def test_the_sign_off_void_is_registered_with_every_crf_change():
    assert void_sign_off in audit_services.crf_change_handlers()


def test_an_open_screening_cannot_be_marked_complete(site_a, coordinator_a, client):
    screening = ScreeningFactory(site=site_a)
    with pytest.raises(LifecycleError, match=str(NOT_ENTERED)):
        audit_services.complete_form(record=screening, user=coordinator_a)
    client.force_login(coordinator_a)
    form_id = ContentType.objects.get_for_model(Screening).pk
    page = client.get(reverse("dataquality:form", args=[form_id, screening.pk]))
    assert reverse("dataquality:form_complete", args=[form_id, screening.pk]) not in (
        page.content.decode()
    )
    client.post(reverse("dataquality:form_complete", args=[form_id, screening.pk]))
    screening.refresh_from_db()
    assert screening.crf_status == CrfStatus.DRAFT
