"""Safety use cases: reporting an event (and the SAE alert, exactly once), the investigator's
signed causality assessment, follow-up to resolution, coding, the death report."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audit.models import CrfStatus, ElectronicSignature
from followup.models import PlannedVisit
from notifications.models import Notification, OutboxMessage
from safety import services, validators
from safety.models import AdverseEvent, DeathReport, SaeFollowUp
from tests.factories import arms as arms_factories
from tests.factories.access import PASSWORD
from tests.factories.enrollment import enrolled_participant
from tests.factories.safety import OTHER_GI, term
from workflow.services import record_death

pytestmark = pytest.mark.django_db


@pytest.fixture
def participant(site_a, coordinator_a):
    return enrolled_participant(site_a, coordinator_a)


@pytest.fixture
def operated(participant, coordinator_a):
    arms_factories.surgery(participant, coordinator_a, "mastectomy", participant.enrolment_date)
    return participant


def _event(participant, **fields) -> AdverseEvent:
    values = {
        "participant": participant,
        "term": term("Wound infection"),
        "grade": 3,
        "onset_date": participant.enrolment_date + dt.timedelta(days=2),
        "ongoing": True,
        "outcome": "not_recovered",
        "relationship_surgery_1": "probable",
    } | fields
    if isinstance(values["term"], str):
        values["term"] = term(values["term"])
    return AdverseEvent(**values)


def _serious(participant, **fields) -> AdverseEvent:
    aware = timezone.now() - dt.timedelta(hours=1)
    return _event(participant, hospitalisation=True, aware_at=aware, **fields)


def test_a_serious_event_alerts_the_site_investigators_and_the_safety_contacts_once(
    operated, coordinator_a, investigator_a, investigator_b, settings
):
    settings.SAFETY_CONTACT_EMAILS = ["pv@sponsor.example"]
    investigator_a.email = "inv@site-a.example"
    investigator_a.save()
    event = services.adverse_event_save(event=_serious(operated), user=coordinator_a)
    assert event.serious and event.crf_status == CrfStatus.COMPLETE
    assert list(Notification.objects.values_list("recipient__username", flat=True)) == [
        "investigator_a"
    ]
    recipients = set(OutboxMessage.objects.values_list("recipient", flat=True))
    assert recipients == {"inv@site-a.example", "pv@sponsor.example"}
    assert "24 hours" in OutboxMessage.objects.first().body
    # A correction of the same event alerts nobody again.
    event.grade = 4
    services.adverse_event_save(
        event=event, user=coordinator_a, reason="worse", expected_version=event.version
    )
    assert Notification.objects.count() == 1 and OutboxMessage.objects.count() == 2


def test_a_non_serious_event_alerts_nobody_and_has_no_clock(operated, coordinator_a):
    event = services.adverse_event_save(event=_event(operated), user=coordinator_a)
    assert not event.serious and event.deadline is None
    assert not Notification.objects.exists() and not OutboxMessage.objects.exists()


def test_the_clock_runs_24_hours_from_the_sites_awareness(operated, coordinator_a):
    event = services.adverse_event_save(event=_serious(operated), user=coordinator_a)
    assert event.deadline == event.aware_at + dt.timedelta(hours=24)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"term": "Alopecia"}, "grade", validators.GRADE_NOT_DEFINED),  # only 1 and 2
        ({"hospitalisation": True}, "aware_at", validators.SERIOUS_NEEDS_AWARENESS),
        ({"relationship_surgery_1": ""}, "relationship_surgery_1",
         validators.RELATIONSHIP_REQUIRED),
        ({"relationship_systemic": "possible"}, "relationship_systemic",
         validators.RELATIONSHIP_NOT_RECEIVED),
        ({"grade": 5, "outcome": "fatal"}, "results_in_death", validators.GRADE_5_NEEDS_DEATH),
        ({"ongoing": False}, "resolution_date", None),
        ({"ongoing": False, "outcome": "recovered"}, "resolution_date",
         validators.RESOLVED_NEEDS_DATE),
    ],
)  # fmt: skip
def test_the_service_refuses_what_the_form_refuses(operated, coordinator_a, fields, field, message):
    event = _event(operated, **fields)
    if field is None or message is None:
        services.adverse_event_save(event=event, user=coordinator_a)
        return
    with pytest.raises(ValidationError) as exc:
        services.adverse_event_save(event=event, user=coordinator_a)
    assert field in exc.value.message_dict
    assert not AdverseEvent.objects.exists()


def test_other_specify_needs_its_text_and_a_data_manager_codes_it(
    operated, coordinator_a, data_manager_a
):
    with pytest.raises(ValidationError):
        services.adverse_event_save(event=_event(operated, term=term(OTHER_GI)), user=coordinator_a)
    event = services.adverse_event_save(
        event=_event(operated, term=term(OTHER_GI), other_specify="colic"), user=coordinator_a
    )
    with pytest.raises(PermissionDenied):
        services.code_other_term(
            event=event, user=coordinator_a, coded_term=term("Abdominal pain"),
            expected_version=event.version,
        )  # fmt: skip
    services.code_other_term(
        event=event, user=data_manager_a, coded_term=term("Abdominal pain"),
        expected_version=event.version,
    )  # fmt: skip
    event.refresh_from_db()
    assert event.coded_term.meddra_code == "10000081"
    assert "coded as Abdominal pain" in event.history.first().history_change_reason


def test_the_investigator_signs_the_causality_with_the_arms_signature(
    operated, coordinator_a, investigator_a, investigator_b
):
    event = services.adverse_event_save(event=_serious(operated), user=coordinator_a)
    entry = services.CausalityEntry("definite", "", "", expected=True)
    with pytest.raises(services.SignatureRefused):
        services.assess_causality(
            event=event, user=investigator_a, password="wrong", entry=entry,
            expected_version=event.version,
        )  # fmt: skip
    with pytest.raises(PermissionDenied):
        services.assess_causality(
            event=event, user=investigator_b, password=PASSWORD, entry=entry,
            expected_version=event.version,
        )  # fmt: skip
    assessment = services.assess_causality(
        event=event, user=investigator_a, password=PASSWORD, entry=entry,
        expected_version=event.version,
    )  # fmt: skip
    signature = ElectronicSignature.objects.get()
    assert assessment.signature == signature and signature.signer == investigator_a
    assert signature.record_type == "safety.adverseevent" and signature.record_id == event.pk
    assert "first operation: Definite" in signature.meaning and "expected" in signature.meaning
    assert assessment.related
    # The alert asked for this: the bells stop pointing at it.
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_a_follow_up_with_a_resolved_outcome_closes_the_event(operated, coordinator_a):
    event = services.adverse_event_save(event=_serious(operated), user=coordinator_a)
    day = event.onset_date + dt.timedelta(days=1)
    services.follow_up_save(
        follow_up=SaeFollowUp(
            adverse_event=event, report_date=day, outcome="recovering", narrative="better"
        ),
        user=coordinator_a,
    )
    event.refresh_from_db()
    assert event.ongoing
    services.follow_up_save(
        follow_up=SaeFollowUp(
            adverse_event=event, report_date=day, outcome="recovered", resolution_date=day,
            narrative="discharged",
        ),
        user=coordinator_a,
    )  # fmt: skip
    event.refresh_from_db()
    assert (event.ongoing, event.outcome, event.resolution_date) == (False, "recovered", day)


def test_a_grade_5_event_waits_for_the_death_report_which_closes_the_visits(
    operated, coordinator_a
):
    death = operated.enrolment_date + dt.timedelta(days=3)
    event = services.adverse_event_save(
        event=_serious(
            operated, grade=5, results_in_death=True, outcome="fatal", ongoing=False,
            resolution_date=death,
        ),
        user=coordinator_a,
    )  # fmt: skip
    assert event.crf_status == CrfStatus.DRAFT
    report = record_death(
        report=DeathReport(
            participant=operated, death_date=death, primary_cause="treatment_related",
            autopsy="no", information_source="hospital_record",
        ),
        user=coordinator_a,
    )  # fmt: skip
    event.refresh_from_db()
    assert event.crf_status == CrfStatus.COMPLETE
    assert report.crf_status == CrfStatus.COMPLETE
    assert not operated.planned_visits.filter(status=PlannedVisit.Status.OPEN).exists()


def test_a_death_before_a_visit_that_saw_her_alive_is_refused(participant, coordinator_a):
    with pytest.raises(ValidationError) as exc:
        record_death(
            report=DeathReport(
                participant=participant,
                death_date=participant.diagnosis_date - dt.timedelta(days=1),
                primary_cause="unknown", autopsy="unknown", information_source="family",
            ),
            user=coordinator_a,
        )  # fmt: skip
    assert "death_date" in exc.value.message_dict
    assert not DeathReport.objects.exists()


def test_only_the_sites_coordinator_reports(operated, coordinator_b, investigator_a):
    for user in (coordinator_b, investigator_a):
        with pytest.raises(PermissionDenied):
            services.adverse_event_save(event=_event(operated), user=user)
