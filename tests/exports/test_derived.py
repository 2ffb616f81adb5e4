"""The stored verdicts and outcomes (`exports.derived`) are what the rules compute now: kept by
the use cases, recomputed by `recompute_derived` when their rules version is stale."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.forms.models import model_to_dict

from audit.carried import is_carried
from enrollment.models import OffStudy, Participant, Screening
from exports import derived
from exports.models import ParticipantOutcome, ScreeningVerdict
from safety.models import DeathReport
from tests.factories.enrollment import TODAY, enrolled_participant
from tests.factories.followup import participant_with_visits
from workflow import services as workflow

pytestmark = pytest.mark.django_db


def _stored(model):
    return {
        row.pk: model_to_dict(row, exclude=["computed_at"]) for row in model.objects.order_by("pk")
    }


def test_the_seeded_trial_stores_what_a_fresh_computation_gives(db):
    call_command("seed_demo", participants=24, stdout=io.StringIO())
    # The demo runs through the use cases, which store as they go: nothing is missing.
    assert not derived.stale_screenings().exists()
    assert not derived.stale_participants().exists()
    verdicts, outcomes = _stored(ScreeningVerdict), _stored(ParticipantOutcome)
    assert len(verdicts) == Screening.objects.count() > 0
    assert len(outcomes) == Participant.objects.count() > 0
    assert any(v["eligible"] is False for v in verdicts.values())
    assert any(o["os_event"] for o in outcomes.values())
    # The rules run afresh over every screening and participant give the same rows.
    derived.recompute()
    assert _stored(ScreeningVerdict) == verdicts
    assert _stored(ParticipantOutcome) == outcomes


def test_a_stale_rules_version_is_recomputed_by_the_command(db):
    call_command("seed_demo", participants=6, stdout=io.StringIO())
    participant = Participant.objects.order_by("pk").first()
    screening = Screening.objects.order_by("pk").first()
    fresh_outcome = model_to_dict(participant.outcome, exclude=["computed_at"])
    fresh_verdict = model_to_dict(screening.verdict, exclude=["computed_at"])
    ParticipantOutcome.objects.filter(pk=participant.pk).update(
        rules_version="endpoints-0.9", os_days=1, os_event=None
    )
    ScreeningVerdict.objects.filter(pk=screening.pk).update(
        rules_version="eligibility-0.9", eligible=None, failed="made_up"
    )
    untouched = ParticipantOutcome.objects.exclude(pk=participant.pk).values_list(
        "pk", "computed_at"
    )
    before = dict(untouched)
    out = io.StringIO()
    call_command("recompute_derived", "--stale", stdout=out)
    assert "Recomputed 1 eligibility verdicts" in out.getvalue()
    assert "and 1 participant outcomes" in out.getvalue()
    participant.outcome.refresh_from_db()
    screening.verdict.refresh_from_db()
    assert model_to_dict(participant.outcome, exclude=["computed_at"]) == fresh_outcome
    assert model_to_dict(screening.verdict, exclude=["computed_at"]) == fresh_verdict
    assert dict(untouched) == before  # only the stale rows were recomputed


def test_a_death_report_refreshes_the_outcomes_in_the_same_use_case(site_a, coordinator_a):
    participant = participant_with_visits(site_a, coordinator_a)
    derived.refresh_outcomes(participant_ids=[participant.pk])
    assert participant.outcome.os_event is False
    slot = participant.planned_visits.order_by("window_start").first()
    death = slot.target
    workflow.record_death(
        report=DeathReport(
            participant=participant,
            death_date=death,
            primary_cause=DeathReport.Cause.BREAST_CANCER,
            autopsy=DeathReport.Autopsy.NO,
            information_source=DeathReport.Source.HOSPITAL,
        ),
        user=coordinator_a,
        today=death + dt.timedelta(days=1),
    )
    participant.outcome.refresh_from_db()
    assert participant.outcome.os_event is True
    assert participant.outcome.death_date == death
    assert participant.outcome.os_days == (death - participant.diagnosis_date).days


def test_the_analysis_row_carries_the_participant_and_her_baseline_as_they_are(db):
    call_command("seed_demo", participants=12, stdout=io.StringIO())
    rows = ParticipantOutcome.objects.select_related("participant__baseline")
    assert rows.count() == Participant.objects.count()
    for row in rows:
        participant = row.participant
        assert (row.study_id, row.site_id, row.status) == (
            participant.study_id,
            participant.site_id,
            participant.status,
        )
        assert (row.enrolment_date, row.diagnosis_date) == (
            participant.enrolment_date,
            participant.diagnosis_date,
        )
        baseline = getattr(participant, "baseline", None)
        for name in derived.COPIED_FROM_BASELINE:
            assert getattr(row, name) == (getattr(baseline, name) if baseline else None), name


def test_taking_a_participant_off_study_refreshes_her_analysis_row(site_a, coordinator_a):
    participant = participant_with_visits(site_a, coordinator_a)
    derived.refresh_outcomes(participant_ids=[participant.pk])
    assert participant.outcome.status == Participant.Status.ENROLLED
    workflow.take_off_study(
        participant=participant,
        user=coordinator_a,
        date=participant.enrolment_date + dt.timedelta(days=30),
        reason=OffStudy.Reason.WITHDRAWN,
        today=participant.enrolment_date + dt.timedelta(days=31),
    )
    participant.outcome.refresh_from_db()
    assert participant.outcome.status == Participant.Status.OFF_STUDY


def test_the_refresh_writes_every_column_the_analysis_row_copies():
    copied = {f.attname for f in ParticipantOutcome._meta.concrete_fields if is_carried(f)}
    assert copied == {*derived.COPIED_FROM_PARTICIPANT, *derived.COPIED_FROM_BASELINE}


def test_a_row_without_its_copies_is_stale(site_a, coordinator_a):
    participant = participant_with_visits(site_a, coordinator_a)
    derived.refresh_outcomes(participant_ids=[participant.pk])
    assert not derived.stale_participants().exists()
    ParticipantOutcome.objects.filter(pk=participant.pk).update(study_id=None)
    assert list(derived.stale_participants()) == [participant]


def test_a_corrected_screening_refreshes_its_participants_analysis_row(site_a, coordinator_a):
    participant = enrolled_participant(site_a, coordinator_a)
    assert participant.outcome.metastatic_sites == "lung;bone"
    screening = Screening.objects.get(pk=participant.screening_id)
    screening.metastases = {"bone": "pathology"}
    workflow.save_screening(
        screening=screening,
        user=coordinator_a,
        reason="bone only: the lung nodule was benign",
        expected_version=screening.version,
        today=TODAY,
    )
    participant.outcome.refresh_from_db()
    assert participant.outcome.metastatic_sites == "bone"
