import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied

from audit.models import HardDeleteForbidden
from audit.violations import VIOLATION_MESSAGES
from enrollment import eligibility, services, validators
from enrollment.models import OffStudy, Participant, Screening, StudyIdCounter
from ruleviolation import OUT_OF_RANGE
from tests.factories.enrollment import DIAGNOSIS, TODAY, ScreeningFactory, enrolled_participant
from workflow import services as workflow

pytestmark = pytest.mark.django_db


def test_it_enrols_an_eligible_patient_with_the_first_study_id(site_a, coordinator_a):
    screening = ScreeningFactory(site=site_a)
    with mock.patch("followup.services.plan_visits") as plan_visits:
        participant = workflow.enrol(
            screening=screening, user=coordinator_a, consent_date=TODAY, today=TODAY
        )
    assert participant.study_id == "AA-0001"
    assert participant.sequence == 1
    assert participant.diagnosis_date == DIAGNOSIS
    assert participant.enrolment_date == TODAY  # the enrolment date is the consent date
    assert participant.screening == screening
    screening.refresh_from_db()
    assert screening.status == Screening.Status.ENROLLED
    assert screening.consent_date == TODAY
    plan_visits.assert_called_once_with(participant=participant, user=coordinator_a)


def test_it_refuses_to_enrol_an_eligible_patient_without_a_diagnosis_date(site_a, coordinator_a):
    # Eligible (no systemic therapy yet, so the one-year rule has nothing to date), yet the
    # participant needs the date: found by the type checker, formerly an IntegrityError.
    screening = ScreeningFactory(site=site_a, diagnosis_date=None, systemic_therapy_start=None)
    assert eligibility.evaluate(screening.facts(today=TODAY)).eligible is True
    with pytest.raises(services.ScreeningOutcomeError) as refused:
        workflow.enrol(screening=screening, user=coordinator_a, consent_date=TODAY, today=TODAY)
    assert str(refused.value) == services.DIAGNOSIS_DATE_REQUIRED
    assert not Participant.objects.exists()
    assert not StudyIdCounter.objects.filter(site=site_a, last_sequence__gt=0).exists()


def test_study_ids_are_gap_free_per_site(site_a, site_b, coordinator_a, coordinator_b):
    ids = [enrolled_participant(site_a, coordinator_a).study_id for _ in range(3)]
    ids.append(enrolled_participant(site_b, coordinator_b).study_id)
    assert ids == ["AA-0001", "AA-0002", "AA-0003", "BB-0001"]


def test_a_refused_enrolment_does_not_use_a_sequence(site_a, coordinator_a):
    enrolled_participant(site_a, coordinator_a)
    with pytest.raises(services.ScreeningOutcomeError):
        workflow.enrol(
            screening=ScreeningFactory(site=site_a, ecog=3),
            user=coordinator_a,
            consent_date=TODAY,
            today=TODAY,
        )
    assert StudyIdCounter.objects.get(site=site_a).last_sequence == 1
    assert enrolled_participant(site_a, coordinator_a).study_id == "AA-0002"


def test_a_failed_plan_rolls_the_sequence_back(site_a, coordinator_a):
    with (
        mock.patch("followup.services.plan_visits", side_effect=RuntimeError("boom")),
        pytest.raises(RuntimeError),
    ):
        enrolled_participant(site_a, coordinator_a)
    assert not Participant.objects.exists()
    assert enrolled_participant(site_a, coordinator_a).study_id == "AA-0001"


@pytest.mark.parametrize(
    ("overrides", "message_part"),
    [
        ({"ecog": 3}, "ECOG"),
        (
            {
                "metastases": {"liver": "imaging", "lung": "imaging", "brain": "imaging"},
                "liver_metastasis_count": 1,
            },
            "visceral",
        ),
        ({"birth_date": dt.date(1940, 1, 1)}, "Aged"),
        ({"prior_locoregional_surgery": True}, "surgery"),
        ({"anc": Decimal("0.9")}, "bone marrow"),
        ({"ast": Decimal("130"), "ast_uln": Decimal("40")}, "bone marrow"),  # 3.25 x ULN
    ],
)
def test_it_refuses_an_ineligible_patient(site_a, coordinator_a, overrides, message_part):
    screening = ScreeningFactory(site=site_a, **overrides)
    with pytest.raises(services.ScreeningOutcomeError, match=message_part):
        workflow.enrol(screening=screening, user=coordinator_a, consent_date=TODAY, today=TODAY)
    assert not Participant.objects.exists()
    screening.refresh_from_db()
    assert screening.status == Screening.Status.IN_SCREENING


@pytest.mark.parametrize("missing", ["ecog", "birth_date", "operable", "creatinine", "sex"])
def test_it_refuses_an_incomplete_screening(site_a, coordinator_a, missing):
    screening = ScreeningFactory(site=site_a, **{missing: "" if missing == "sex" else None})
    with pytest.raises(services.ScreeningOutcomeError, match="not decided"):
        workflow.enrol(screening=screening, user=coordinator_a, consent_date=TODAY, today=TODAY)
    assert not Participant.objects.exists()


def test_eligibility_is_read_from_the_database_not_the_callers_object(site_a, coordinator_a):
    screening = ScreeningFactory(site=site_a, ecog=4)
    screening.ecog = 0  # a caller's unsaved change cannot make the patient eligible
    with pytest.raises(services.ScreeningOutcomeError):
        workflow.enrol(screening=screening, user=coordinator_a, consent_date=TODAY, today=TODAY)


@pytest.mark.parametrize(
    ("consent", "message"),
    [
        (None, services.CONSENT_REQUIRED),
        (TODAY + dt.timedelta(days=1), services.DATE_IN_FUTURE),
        (TODAY - dt.timedelta(days=1), services.CONSENT_BEFORE_SCREENING),
    ],
)
def test_consent_date_rules(site_a, coordinator_a, consent, message):
    screening = ScreeningFactory(site=site_a)
    with pytest.raises(services.ScreeningOutcomeError) as exc:
        workflow.enrol(screening=screening, user=coordinator_a, consent_date=consent, today=TODAY)
    assert str(exc.value) == str(message)


def test_a_screening_is_enrolled_once(site_a, coordinator_a):
    participant = enrolled_participant(site_a, coordinator_a)
    with pytest.raises(services.ScreeningOutcomeError, match="already has an outcome"):
        workflow.enrol(
            screening=participant.screening, user=coordinator_a, consent_date=TODAY, today=TODAY
        )


def test_only_a_coordinator_of_the_site_enrols(site_a, coordinator_b, investigator_a):
    screening = ScreeningFactory(site=site_a)
    for user in (coordinator_b, investigator_a):
        with pytest.raises(PermissionDenied):
            workflow.enrol(screening=screening, user=user, consent_date=TODAY, today=TODAY)


def test_screen_failure_stores_the_failed_criteria_and_note(site_a, coordinator_a):
    screening = ScreeningFactory(site=site_a, ecog=3, prior_locoregional_surgery=True)
    services.screen_fail(screening=screening, user=coordinator_a, note="ECOG 3", today=TODAY)
    screening.refresh_from_db()
    assert screening.status == Screening.Status.SCREEN_FAILED
    assert screening.failed_criteria == [
        eligibility.ECOG_0_2,
        eligibility.NO_PRIOR_LOCOREGIONAL_SURGERY,
    ]
    assert screening.outcome_note == "ECOG 3"
    with pytest.raises(services.ScreeningOutcomeError):
        workflow.enrol(screening=screening, user=coordinator_a, consent_date=TODAY, today=TODAY)


def test_screen_failure_without_failed_criterion_needs_a_note(site_a, coordinator_a):
    screening = ScreeningFactory(site=site_a)
    with pytest.raises(services.ScreeningOutcomeError) as exc:
        services.screen_fail(screening=screening, user=coordinator_a, note=" ", today=TODAY)
    assert str(exc.value) == str(services.NOTE_REQUIRED_NO_FAILED_CRITERION)
    services.screen_fail(screening=screening, user=coordinator_a, note="Declined", today=TODAY)
    screening.refresh_from_db()
    assert screening.failed_criteria == []


def test_an_edit_is_audited_with_user_and_reason(site_a, coordinator_a):
    screening = ScreeningFactory(site=site_a, ecog=None)
    screening.ecog = 1
    workflow.save_screening(
        screening=screening,
        user=coordinator_a,
        reason="ECOG assessed",
        today=TODAY,
        expected_version=screening.version,
    )
    latest = screening.history.first()
    assert latest.history_user == coordinator_a
    assert latest.history_change_reason == "ECOG assessed"
    assert latest.ecog == 1
    assert screening.version == 2


def test_a_correction_after_enrolment_needs_a_reason_and_keeps_history(site_a, coordinator_a):
    participant = enrolled_participant(site_a, coordinator_a)
    screening = participant.screening
    screening.hospital_number = "H999999"
    with pytest.raises(services.ScreeningOutcomeError):
        workflow.save_screening(
            screening=screening, user=coordinator_a, today=TODAY, expected_version=screening.version
        )
    workflow.save_screening(
        screening=screening,
        user=coordinator_a,
        reason="Typo in hospital number",
        today=TODAY,
        expected_version=screening.version,
    )
    reasons = list(screening.history.values_list("history_change_reason", flat=True))
    assert reasons[0] == "Typo in hospital number"
    assert len(reasons) == 3  # created, enrolled, corrected


def test_a_diagnosis_date_correction_replans_the_visits(site_a, coordinator_a):
    participant = enrolled_participant(site_a, coordinator_a)
    screening = participant.screening
    screening.diagnosis_date = DIAGNOSIS - dt.timedelta(days=10)
    with mock.patch("followup.services.replan_visits") as replan:
        workflow.save_screening(
            screening=screening,
            user=coordinator_a,
            reason="Biopsy date",
            today=TODAY,
            expected_version=screening.version,
        )
    participant.refresh_from_db()
    assert participant.diagnosis_date == DIAGNOSIS - dt.timedelta(days=10)
    replan.assert_called_once_with(
        participant=participant, user=coordinator_a, reason="Biopsy date"
    )
    assert participant.history.first().history_change_reason == "Biopsy date"


def test_other_edits_after_enrolment_do_not_replan(site_a, coordinator_a):
    screening = enrolled_participant(site_a, coordinator_a).screening
    screening.initials = "ZZ"
    with mock.patch("followup.services.replan_visits") as replan:
        workflow.save_screening(
            screening=screening,
            user=coordinator_a,
            reason="x",
            today=TODAY,
            expected_version=screening.version,
        )
    replan.assert_not_called()


def test_impossible_facts_are_refused_by_the_service_too(site_a, coordinator_a):
    screening = ScreeningFactory.build(
        site=site_a, systemic_therapy_start=DIAGNOSIS - dt.timedelta(days=1)
    )
    with pytest.raises(services.ScreeningOutcomeError) as caught:
        workflow.save_screening(screening=screening, user=coordinator_a, today=TODAY)
    # The form's own rule, at its field: the service calls the same function as the form.
    assert caught.value.field == "systemic_therapy_start"
    assert str(caught.value) == str(validators.SYSTEMIC_BEFORE_DIAGNOSIS)
    assert not Screening.objects.exists()


def test_what_the_core_refuses_is_shown_at_the_field_it_names(site_a, coordinator_a):
    screening = ScreeningFactory.build(site=site_a, ecog=7)
    with pytest.raises(services.ScreeningOutcomeError) as caught:
        workflow.save_screening(screening=screening, user=coordinator_a, today=TODAY)
    assert caught.value.field == "ecog"
    # The violation in the reader's words, not the core's "field: message" text for developers.
    assert str(VIOLATION_MESSAGES[OUT_OF_RANGE]) in str(caught.value)
    assert "ecog" not in str(caught.value) and "got 7" not in str(caught.value)
    assert not Screening.objects.exists()


def test_a_crafted_off_study_date_is_refused_at_its_field(site_a, coordinator_a):
    participant = enrolled_participant(site_a, coordinator_a)
    with pytest.raises(services.ScreeningOutcomeError) as caught:
        services.take_off_study(
            participant=participant,
            user=coordinator_a,
            date=participant.enrolment_date - dt.timedelta(days=1),
            reason="other",
            today=TODAY,
        )
    assert caught.value.field == "date"


def test_taking_off_study_keeps_the_record_and_closes_visits(site_a, coordinator_a):
    participant = enrolled_participant(site_a, coordinator_a)
    with mock.patch("followup.services.close_visits") as close_visits:
        off = workflow.take_off_study(
            participant=participant,
            user=coordinator_a,
            date=TODAY,
            reason=OffStudy.Reason.WITHDRAWN,
            note="Moved away",
            today=TODAY,
        )
    participant.refresh_from_db()
    assert participant.status == Participant.Status.OFF_STUDY
    assert off.history.first().history_user == coordinator_a
    assert participant.history.first().history_change_reason == "Off study: withdrawn"
    close_visits.assert_called_once_with(participant=participant, user=coordinator_a, as_of=TODAY)
    with pytest.raises(HardDeleteForbidden):
        off.delete()
    with pytest.raises(services.ScreeningOutcomeError, match="already off study"):
        workflow.take_off_study(
            participant=participant, user=coordinator_a, date=TODAY, reason="died", today=TODAY
        )


@pytest.mark.parametrize(
    ("date", "message"),
    [
        (TODAY + dt.timedelta(days=1), services.DATE_IN_FUTURE),
        (TODAY - dt.timedelta(days=1), validators.OFF_STUDY_BEFORE_ENROLMENT),
    ],
)
def test_off_study_date_rules(site_a, coordinator_a, date, message):
    participant = enrolled_participant(site_a, coordinator_a)
    with pytest.raises(services.ScreeningOutcomeError) as exc:
        workflow.take_off_study(
            participant=participant, user=coordinator_a, date=date, reason="other", today=TODAY
        )
    assert str(exc.value) == str(message)
