"""The synthetic trial is what the workflow would have written: the rules core agrees with it."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db.models import F

from access.models import User
from arms.models import ArmAssignment
from arms.rules import assign_arm
from assessments.models import (
    Baseline,
    BaselineLesion,
    LesionMeasurement,
    ResponseAssessment,
    TherapyLine,
)
from enrollment import eligibility
from enrollment.models import Participant, Screening, StudyIdCounter
from exports import derived
from followup import schedule
from followup.models import SLOT_COLUMNS, PlannedVisit, Visit
from notifications.models import Notification
from safety.models import AdverseEvent, DeathReport, Radiotherapy
from scaledata.trial import generate_trial

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 26)


def test_it_makes_participants_through_every_stage(site_a, site_b, investigator_a):
    counts = generate_trial(
        participants=40, sites=[site_a, site_b], today=TODAY, signers={site_a.pk: investigator_a}
    )
    assert counts.participants == Participant.objects.count() == 40
    assert Participant.objects.filter(site=site_a).count() == 20
    for p in Participant.objects.select_related("screening", "baseline"):
        assert p.screening.status == Screening.Status.ENROLLED
        assert eligibility.evaluate(p.screening.facts(today=TODAY)).eligible is True
        assert p.diagnosis_date <= p.enrolment_date <= TODAY
        planned = schedule.visit_schedule(p.diagnosis_date, p.enrolment_date)
        assert list(p.planned_visits.order_by("target").values_list("code", flat=True)) == [
            v.code for v in planned
        ]
        # A form for each planned visit done, and only for those.
        done = set(p.planned_visits.filter(status="done").values_list("pk", flat=True))
        assert set(p.visits.values_list("planned_visit_id", flat=True)) == done
        assert p.baseline.lesions.count() == 2
    for a in ArmAssignment.objects.select_related("assessment"):
        assert a.proposed_arm == assign_arm(a.primary_response, a.metastatic_response).number
        assert a.primary_response == a.assessment.primary_response
        assert (a.status == ArmAssignment.Status.CONFIRMED) == (a.signature_id is not None)
        if a.signature_id:
            assert a.signature.signer == investigator_a and a.signature.record_id == a.pk
    assert not ArmAssignment.objects.filter(participant__site=site_b, signature__isnull=False)
    assert Visit.objects.filter(visit_date__isnull=True).count() == 0
    assert set(Visit.objects.values_list("crf_status", flat=True)) == {"complete"}
    assert PlannedVisit.objects.filter(status="missed").exists()
    assert Screening.objects.filter(status=Screening.Status.SCREEN_FAILED).exists()
    # As the workflow leaves them: a completed assessment (and each of its measurements) is a
    # complete form, and it made exactly one arm proposal.
    completed = ResponseAssessment.objects.completed()
    assert completed.count() == ResponseAssessment.objects.count() > 0
    assert set(LesionMeasurement.objects.values_list("crf_status", flat=True)) == {"complete"}
    assert ArmAssignment.objects.count() == completed.count()
    assert not completed.filter(arm_assignment__isnull=True).exists()


def test_a_second_run_continues_the_study_ids(site_a):
    generate_trial(participants=5, sites=[site_a], today=TODAY)
    generate_trial(participants=5, sites=[site_a], today=TODAY, seed=2)
    sequences = sorted(Participant.objects.values_list("sequence", flat=True))
    assert sequences == list(range(1, 11))
    assert StudyIdCounter.objects.get(site=site_a).last_sequence == 10
    # A row made through the ORM afterwards gets a fresh key: the sequences moved on.
    generated = set(Visit.objects.values_list("pk", flat=True))
    visit = Visit.objects.create(
        participant=Participant.objects.first(), kind=Visit.Kind.UNSCHEDULED
    )
    assert visit.pk not in generated
    slot = PlannedVisit.objects.first()
    planned = set(PlannedVisit.objects.values_list("pk", flat=True))
    new = PlannedVisit.objects.create(
        participant=slot.participant,
        code="X99",
        target=slot.target,
        window_start=slot.window_start,
        window_end=slot.window_end,
    )
    assert new.pk not in planned


def test_the_command_creates_sites_and_bench_users():
    call_command("generate_trial", participants=4, sites="XA,XB", password="a-long-password-1")
    assert Participant.objects.count() == 4
    coordinator = User.objects.get(username="bench_coordinator_xa")
    assert coordinator.check_password("a-long-password-1")
    assert Notification.objects.filter(recipient=coordinator).exists()
    assert User.objects.get(username="bench_data_manager").site_ids.__len__() == 2
    # The verdicts and outcomes the use cases would have stored are there.
    assert not derived.stale_participants().exists()
    assert not derived.stale_screenings().exists()


def test_it_makes_adverse_events_saes_radiotherapy_and_deaths_that_close_the_visits(site_a, site_b):
    generate_trial(participants=400, sites=[site_a, site_b], today=TODAY)
    assert AdverseEvent.objects.count() > 100
    assert AdverseEvent.objects.filter(serious=True, aware_at__isnull=False).exists()
    assert Radiotherapy.objects.exists()
    deaths = DeathReport.objects.select_related("participant")
    assert deaths.exists()
    for report in deaths:
        after = report.participant.planned_visits.filter(window_start__gt=report.death_date)
        assert not after.filter(status="open").exists()


def test_every_row_it_writes_carries_its_participants_study_id(site_a, site_b, investigator_a):
    generate_trial(
        participants=200, sites=[site_a, site_b], today=TODAY, signers={site_a.pk: investigator_a}
    )
    # COPY skips pre_save: the generator gives each row the copy itself. One query per table.
    carried = (
        Baseline,
        TherapyLine,
        ResponseAssessment,
        ArmAssignment,
        PlannedVisit,
        Visit,
        AdverseEvent,
        DeathReport,
        Radiotherapy,
    )
    for model in carried:
        assert model.objects.exists(), model
        assert not model.objects.exclude(study_id=F("participant__study_id")).exists(), model
    assert BaselineLesion.objects.exists()
    assert not BaselineLesion.objects.exclude(study_id=F("baseline__study_id")).exists()


def test_every_visit_form_it_writes_carries_its_slot(site_a, investigator_a):
    generate_trial(
        participants=60, sites=[site_a], today=TODAY, signers={site_a.pk: investigator_a}
    )
    forms = Visit.objects.filter(planned_visit__isnull=False)
    assert forms.exists()
    for name in SLOT_COLUMNS:
        differs = forms.exclude(**{f"slot_{name}": F(f"planned_visit__{name}")})
        assert not differs.exists(), name
