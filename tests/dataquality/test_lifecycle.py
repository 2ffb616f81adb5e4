"""The form lifecycle: draft, complete, verified, locked; reasons for change; the lock on
every edit path (service, view, admin, crafted POST)."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from access.roles import Action, require
from assessments import services as assessment_services
from assessments.models import TherapyLine
from audit import lifecycle
from audit import services as audit_services
from audit.lifecycle import LifecycleError, Move
from audit.models import CrfStatus
from audit.services import (
    RECORD_LOCKED,
    VERIFICATION_VOIDED,
    VERSION_MISSING,
    LockedRecordError,
    ReasonRequiredError,
    StaleRecordError,
    save_record,
)
from dataquality.selectors import crf_models
from tests.factories import arms as arms_factories

pytestmark = pytest.mark.django_db

THERAPY_POST = {
    "line_number": "1",
    "category": "chemotherapy",
    "agents": "Paclitaxel",
    "start_date": "2026-02-01",
}


def _fresh(record):
    return type(record).objects.get(pk=record.pk)


def _verified(therapy, coordinator_a, data_manager_a):
    audit_services.complete_form(record=therapy, user=coordinator_a)
    return audit_services.verify_form(record=therapy, user=data_manager_a)


def test_the_crfs_are_the_forms_the_issue_names():
    labels = {m._meta.label for m in crf_models()}
    assert {
        "enrollment.Screening",
        "enrollment.OffStudy",
        "assessments.Baseline",
        "assessments.BaselineLesion",
        "assessments.TherapyLine",
        "assessments.ResponseAssessment",
        "assessments.LesionMeasurement",
        "assessments.Surgery",
        "followup.Visit",
    } <= labels
    assert "enrollment.Participant" not in labels
    assert "arms.ArmAssignment" not in labels


def test_a_new_form_is_a_draft_edited_without_a_reason(therapy, coordinator_a):
    assert therapy.crf_status == CrfStatus.DRAFT
    therapy.agents = "Paclitaxel"
    assessment_services.therapy_line_save(
        line=therapy, user=coordinator_a, expected_version=therapy.version
    )
    assert therapy.history.first().history_change_reason == "Draft saved"


def test_an_edit_of_a_completed_form_without_a_reason_is_refused(therapy, coordinator_a):
    audit_services.complete_form(record=therapy, user=coordinator_a)
    therapy.agents = "Paclitaxel"
    with pytest.raises(ReasonRequiredError):
        assessment_services.therapy_line_save(
            line=therapy, user=coordinator_a, expected_version=therapy.version
        )
    assert _fresh(therapy).agents == "Docetaxel"


def test_an_edit_of_a_completed_form_without_a_reason_is_refused_by_the_view(
    client, therapy, coordinator_a
):
    audit_services.complete_form(record=therapy, user=coordinator_a)
    client.force_login(coordinator_a)
    url = reverse("assessments:therapy_edit", args=[therapy.pk])
    data = THERAPY_POST | {"loaded_version": str(therapy.version)}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    assert _fresh(therapy).agents == "Docetaxel"
    assert client.post(url, data | {"reason": "Typo in the CRF"}).status_code == 302
    row = _fresh(therapy).history.first()
    assert (row.agents, row.history_user, row.history_change_reason) == (
        "Paclitaxel",
        coordinator_a,
        "Typo in the CRF",
    )


def test_the_lifecycle_in_order_records_who_and_when(therapy, coordinator_a, data_manager_a):
    _verified(therapy, coordinator_a, data_manager_a)
    assert therapy.crf_status == CrfStatus.VERIFIED
    assert therapy.verified_by == data_manager_a and therapy.verified_at is not None
    audit_services.lock_form(record=therapy, user=data_manager_a)
    assert therapy.crf_status == CrfStatus.LOCKED and therapy.locked_by == data_manager_a
    reasons = list(therapy.history.values_list("history_change_reason", flat=True))
    assert reasons[:3] == ["Form locked", "Source data verified", "Form completed"]


def test_a_draft_cannot_be_verified_nor_locked(therapy, data_manager_a):
    with pytest.raises(LifecycleError):
        audit_services.verify_form(record=therapy, user=data_manager_a)
    with pytest.raises(LifecycleError):
        audit_services.lock_form(record=therapy, user=data_manager_a)


@pytest.mark.parametrize(
    ("persona", "step"),
    [
        ("coordinator_a", "verify_form"),
        ("investigator_a", "verify_form"),
        ("admin_a", "verify_form"),
        ("coordinator_a", "lock_form"),
        ("investigator_a", "lock_form"),
        ("coordinator_b", "lock_form"),
    ],
    indirect=["persona"],
)
def test_only_data_managers_verify_and_only_they_and_admins_lock(
    therapy, coordinator_a, persona, step
):
    audit_services.complete_form(record=therapy, user=coordinator_a)
    with pytest.raises(PermissionDenied):
        getattr(audit_services, step)(record=therapy, user=persona)


def test_editing_a_verified_form_voids_the_verification_visibly(
    therapy, coordinator_a, data_manager_a
):
    _verified(therapy, coordinator_a, data_manager_a)
    therapy.agents = "Paclitaxel"
    assessment_services.therapy_line_save(
        line=therapy, user=coordinator_a, reason="Query Q-1", expected_version=therapy.version
    )
    fresh = _fresh(therapy)
    assert fresh.crf_status == CrfStatus.COMPLETE
    assert fresh.verified_by is None and fresh.verified_at is None
    assert fresh.history.first().history_change_reason == f"Query Q-1 ({VERIFICATION_VOIDED})"


def test_an_ordinary_save_cannot_move_the_lifecycle(therapy, coordinator_a):
    therapy.crf_status = CrfStatus.VERIFIED
    save_record(therapy, user=coordinator_a, reason="crafted", expected_version=therapy.version)
    assert _fresh(therapy).crf_status == CrfStatus.DRAFT


@pytest.fixture
def locked(therapy, coordinator_a, data_manager_a):
    _verified(therapy, coordinator_a, data_manager_a)
    return audit_services.lock_form(record=therapy, user=data_manager_a)


def test_a_locked_form_refuses_the_service(locked, coordinator_a, admin_a):
    locked.agents = "Paclitaxel"
    with pytest.raises(LockedRecordError):
        assessment_services.therapy_line_save(
            line=locked, user=coordinator_a, reason="Correction", expected_version=locked.version
        )
    with pytest.raises(PermissionDenied):  # an admin enters no data at all
        assessment_services.therapy_line_save(
            line=locked, user=admin_a, reason="Correction", expected_version=locked.version
        )
    with pytest.raises(LockedRecordError):
        save_record(
            locked,
            user=admin_a,
            reason="Direct",
            move=Move.COMPLETE,
            expected_version=locked.version,
        )
    assert _fresh(locked).agents == "Docetaxel"


def test_a_crafted_post_without_the_version_keeps_the_newer_value(client, therapy, coordinator_a):
    """An edit page POSTed without its loaded version, after someone else's correction,
    is refused at the form and the other correction stays."""
    client.force_login(coordinator_a)
    url = reverse("assessments:therapy_edit", args=[therapy.pk])
    therapy.agents = "Paclitaxel"
    assessment_services.therapy_line_save(
        line=therapy, user=coordinator_a, expected_version=therapy.version
    )
    response = client.post(url, THERAPY_POST | {"agents": "Capecitabine"})
    assert response.status_code == 200
    assert str(VERSION_MISSING) in response.content.decode()
    assert _fresh(therapy).agents == "Paclitaxel"


def test_a_locked_form_refuses_the_view_and_a_crafted_post(client, locked, coordinator_a):
    client.force_login(coordinator_a)
    url = reverse("assessments:therapy_edit", args=[locked.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert all(f.disabled for f in page.context["form"].fields.values())
    data = THERAPY_POST | {"loaded_version": str(locked.version), "reason": "Correction"}
    response = client.post(url, data)
    assert str(RECORD_LOCKED) in str(response.context["form"].non_field_errors())
    assert _fresh(locked).agents == "Docetaxel"
    assert _fresh(locked).version == locked.version


def test_a_locked_form_refuses_the_admin(client, locked, admin_a):
    admin_a.is_staff = admin_a.is_superuser = True
    admin_a.save()
    client.force_login(admin_a)
    url = reverse("admin:assessments_therapyline_change", args=[locked.pk])
    response = client.post(
        url,
        THERAPY_POST | {"participant": str(locked.participant_id), "change_reason": "Admin fix"},
    )
    assert response.status_code == 403
    assert _fresh(locked).agents == "Docetaxel"


def test_only_an_admin_unlocks_and_only_with_a_reason(locked, data_manager_a, admin_a):
    with pytest.raises(PermissionDenied):
        audit_services.unlock_form(record=locked, user=data_manager_a, reason="Correction needed")
    with pytest.raises(LifecycleError):
        audit_services.unlock_form(record=locked, user=admin_a, reason=" ")
    audit_services.unlock_form(record=locked, user=admin_a, reason="Query Q-7 needs a correction")
    fresh = _fresh(locked)
    assert fresh.crf_status == CrfStatus.VERIFIED and fresh.locked_at is None
    row = fresh.history.first()
    assert row.history_user == admin_a
    assert row.history_change_reason == "Form unlocked: Query Q-7 needs a correction"


def test_the_transition_views_check_rights_and_redirect(client, therapy, coordinator_a):
    form_id = ContentType.objects.get_for_model(TherapyLine).pk
    client.force_login(coordinator_a)
    url = reverse("dataquality:form_complete", args=[form_id, therapy.pk])
    assert client.post(url).status_code == 302
    assert _fresh(therapy).crf_status == CrfStatus.COMPLETE
    verify = reverse("dataquality:form_verify", args=[form_id, therapy.pk])
    assert client.post(verify).status_code == 403


def test_the_form_pages_show_the_state(client, locked, coordinator_a):
    client.force_login(coordinator_a)
    page = client.get(reverse("assessments:therapy_edit", args=[locked.pk])).content.decode()
    assert 'data-status="locked"' in page
    casebook = client.get(
        reverse("enrollment:casebook", args=[locked.participant.study_id])
    ).content.decode()
    assert 'data-status="locked"' in casebook


def test_completing_an_assessment_completes_its_form_and_its_parts(site_a, coordinator_a):
    from assessments import recist

    participant = arms_factories.participant_with_baseline(site_a, coordinator_a)
    assessment = arms_factories.completed_assessment(
        participant,
        coordinator_a,
        primary=recist.PR,
        metastatic=recist.PR,
        date=participant.enrolment_date,
    )
    assessment.refresh_from_db()
    assert assessment.crf_status == CrfStatus.COMPLETE
    assert {m.crf_status for m in assessment.measurements.all()} == {CrfStatus.COMPLETE}


def test_a_recorded_visit_is_complete_and_a_locked_one_refuses_the_view(
    client, site_a, coordinator_a, data_manager_a
):
    from followup.models import Visit
    from followup.services import record_visit
    from tests.factories.followup import participant_with_visits

    participant = participant_with_visits(site_a, coordinator_a)
    slot = participant.planned_visits.order_by("target").first()
    data = {
        "visit_date": slot.target,
        "vital_status": "alive",
        "last_known_alive": slot.target,
        "distant_progression": False,
        "locoregional_recurrence": False,
    }
    visit = record_visit(visit=slot, user=coordinator_a, data=data)
    visit.refresh_from_db()
    assert visit.crf_status == CrfStatus.COMPLETE
    with pytest.raises(ReasonRequiredError):
        record_visit(visit=slot, user=coordinator_a, data=data, expected_version=visit.version)
    audit_services.lock_form(record=visit, user=data_manager_a)
    client.force_login(coordinator_a)
    url = reverse("followup:visit_record", args=[slot.pk])
    page = client.get(url)
    assert 'data-status="locked"' in page.content.decode()
    response = client.post(
        url,
        {
            "visit_date": slot.target.isoformat(),
            "vital_status": "dead",
            "reason": "crafted",
            "version": str(visit.version),
        },
    )
    assert response.status_code in (200, 400, 403)
    assert Visit.objects.get(pk=visit.pk).vital_status == "alive"


def test_a_crafted_transition_on_a_record_that_is_no_form_is_absent(
    client, participant, admin_a, coordinator_a
):
    from enrollment.models import Participant

    form_id = ContentType.objects.get_for_model(Participant).pk
    client.force_login(admin_a)
    url = reverse("dataquality:form_lock", args=[form_id, participant.pk])
    assert client.post(url).status_code == 404
    client.force_login(coordinator_a)
    assert client.post(reverse("dataquality:form_complete", args=[9999, 1])).status_code == 404


def test_a_crafted_post_cannot_set_the_form_status(client, therapy, coordinator_a):
    client.force_login(coordinator_a)
    url = reverse("assessments:therapy_edit", args=[therapy.pk])
    data = THERAPY_POST | {"loaded_version": str(therapy.version), "crf_status": "locked"}
    assert client.post(url, data).status_code == 302
    assert _fresh(therapy).crf_status == CrfStatus.DRAFT


# --- What a review of the lifecycle found --------------------------------------------------


def test_a_move_saved_with_data_still_names_its_version(therapy, coordinator_a):
    therapy.agents = "Paclitaxel"
    with pytest.raises(StaleRecordError, match="did not say which version"):
        save_record(therapy, user=coordinator_a, reason="x", move=Move.COMPLETE)
    assert _fresh(therapy).crf_status == CrfStatus.DRAFT


def test_a_new_form_cannot_be_created_locked(participant, coordinator_a):
    line = TherapyLine(
        participant=participant,
        line_number=9,
        category="chemotherapy",
        agents="Docetaxel",
        start_date=participant.enrolment_date,
    )
    with pytest.raises(LifecycleError):
        save_record(line, user=coordinator_a, move=Move.LOCK)
    assert not TherapyLine.objects.filter(line_number=9).exists()


def test_a_part_moves_only_with_its_form(site_a, coordinator_a, data_manager_a):
    participant = arms_factories.participant_with_baseline(site_a, coordinator_a)
    lesion = participant.baseline.lesions.first()
    with pytest.raises(LifecycleError):
        audit_services.lock_form(record=lesion, user=data_manager_a)
    assert lifecycle.available_moves(lesion, data_manager_a) == []
    lesion.refresh_from_db()
    assert lesion.crf_status == CrfStatus.DRAFT


def test_parts_keep_their_forms_state_through_an_edit_a_lock_and_an_unlock(
    site_a, coordinator_a, data_manager_a, admin_a
):
    participant = arms_factories.participant_with_baseline(site_a, coordinator_a)
    baseline = participant.baseline
    audit_services.complete_form(record=baseline, user=coordinator_a)
    audit_services.verify_form(record=baseline, user=data_manager_a)
    baseline.refresh_from_db()
    baseline.ki67_percent = 35
    save_record(baseline, user=coordinator_a, reason="Q-3", expected_version=baseline.version)
    audit_services.lock_form(record=baseline, user=data_manager_a)
    audit_services.unlock_form(record=baseline, user=admin_a, reason="Q-4")
    baseline.refresh_from_db()
    assert baseline.crf_status == CrfStatus.COMPLETE
    assert {lesion.crf_status for lesion in baseline.lesions.all()} == {CrfStatus.COMPLETE}


def test_a_write_without_a_site_is_refused(coordinator_a):
    with pytest.raises(PermissionDenied):
        require(coordinator_a, Action.ENTER_DATA, None)
