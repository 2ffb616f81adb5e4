"""The investigator's casebook sign-off: only once every form is verified; voided, visibly, by
any later change to one of the participant's forms."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from assessments import services as assessment_services
from audit import services as audit_services
from audit.models import ElectronicSignature
from dataquality import selectors, services
from dataquality.models import CasebookSignOff
from tests.factories.access import PASSWORD

pytestmark = pytest.mark.django_db


def _verify_everything(participant, coordinator, data_manager):
    for row in selectors.participant_forms(participant):
        audit_services.complete_form(record=row.record, user=coordinator)
        audit_services.verify_form(record=row.record, user=data_manager)


def test_the_casebook_cannot_be_signed_before_every_form_is_verified(
    participant, therapy, investigator_a
):
    with pytest.raises(services.DataQualityError, match="verified"):
        services.sign_casebook(participant=participant, user=investigator_a, password=PASSWORD)


@pytest.mark.parametrize(
    "persona", ["coordinator_a", "data_manager_a", "investigator_b"], indirect=True
)
def test_only_the_sites_investigator_signs(participant, persona):
    with pytest.raises(PermissionDenied):
        services.sign_casebook(participant=participant, user=persona, password=PASSWORD)


def test_a_wrong_password_signs_nothing(participant, investigator_a, coordinator_a, data_manager_a):
    _verify_everything(participant, coordinator_a, data_manager_a)
    with pytest.raises(services.DataQualityError):
        services.sign_casebook(participant=participant, user=investigator_a, password="wrong")
    assert not ElectronicSignature.objects.exists()


def test_signing_then_a_change_voids_the_signature_visibly(
    client, participant, therapy, investigator_a, coordinator_a, data_manager_a
):
    _verify_everything(participant, coordinator_a, data_manager_a)
    client.force_login(investigator_a)
    url = reverse("dataquality:casebook_sign", args=[participant.study_id])
    page = client.get(url).content.decode()
    assert "I, the investigator, have reviewed the casebook" in page
    assert client.post(url, {"password": PASSWORD}).status_code == 302
    sign_off = CasebookSignOff.objects.get()
    assert sign_off.is_valid
    assert sign_off.signature.signer == investigator_a
    assert sign_off.signature.record_id == participant.pk

    therapy.refresh_from_db()
    therapy.agents = "Paclitaxel"
    assessment_services.therapy_line_save(
        line=therapy, user=coordinator_a, reason="Late finding", expected_version=therapy.version
    )

    sign_off.refresh_from_db()
    assert not sign_off.is_valid
    assert "Late finding" in sign_off.void_reason
    assert ElectronicSignature.objects.count() == 1  # kept, not deleted
    casebook = client.get(reverse("enrollment:casebook", args=[participant.study_id]))
    assert 'data-testid="voided-sign-off"' in casebook.content.decode()


def test_locking_after_the_sign_off_keeps_it(
    participant, investigator_a, coordinator_a, data_manager_a
):
    _verify_everything(participant, coordinator_a, data_manager_a)
    sign_off = services.sign_casebook(
        participant=participant, user=investigator_a, password=PASSWORD
    )
    for row in selectors.participant_forms(participant):
        audit_services.lock_form(record=row.record, user=data_manager_a)
    sign_off.refresh_from_db()
    assert sign_off.is_valid
    with pytest.raises(services.DataQualityError):
        services.sign_casebook(participant=participant, user=investigator_a, password=PASSWORD)


def test_a_casebook_is_signed_while_its_later_visits_are_still_planned(
    participant, therapy, investigator_a, coordinator_a, data_manager_a
):
    """A planned visit is not a form: only the forms entered wait for verification, so the
    investigator signs long before the five years of follow-up are over."""
    from followup.models import Visit
    from followup.services import record_visit

    slots = list(participant.planned_visits.order_by("window_start"))
    assert len(slots) > 2
    recorded = record_visit(
        visit=slots[0],
        user=coordinator_a,
        data={
            "visit_date": slots[0].target,
            "vital_status": "alive",
            "last_known_alive": slots[0].target,
            "distant_progression": False,
            "locoregional_recurrence": False,
        },
        today=slots[0].target,  # the visit's own day: a visit cannot be recorded ahead of it
    )
    forms = {(type(row.record), row.record.pk) for row in selectors.participant_forms(participant)}
    assert (Visit, recorded.pk) in forms
    assert sum(1 for model, _pk in forms if model is Visit) == 1  # no form for the open slots
    for row in selectors.participant_forms(participant):
        if row.status == "draft":
            audit_services.complete_form(record=row.record, user=coordinator_a)
        audit_services.verify_form(record=row.record, user=data_manager_a)
    assert participant.planned_visits.filter(status="open").count() == len(slots) - 1

    sign_off = services.sign_casebook(
        participant=participant, user=investigator_a, password=PASSWORD
    )
    assert sign_off.is_valid
