"""Views with personas: investigators of the site sign, coordinators read, other sites 404."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from arms import services
from arms.models import ArmAssignment
from arms.selectors import QUEUE_PAGE_SIZE
from assessments import recist
from audit.models import ElectronicSignature
from tests.factories import arms as f
from tests.factories.access import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposal(site_a, coordinator_a, investigator_a):
    participant = f.participant_with_baseline(site_a, coordinator_a)
    f.completed_assessment(participant, coordinator_a, primary=recist.SD, metastatic=recist.PR)
    return ArmAssignment.objects.get(participant=participant)


def _login(client, user):
    client.force_login(user)
    return client


def _confirm(client, proposal, password=PASSWORD, version=None):
    return client.post(
        reverse("arms:confirm", args=[proposal.pk]),
        {"confirm-password": password, "confirm-version": version or proposal.version},
    )


def _override(client, proposal, arm="2", reason="Tumour board decision", password=PASSWORD):
    return client.post(
        reverse("arms:override", args=[proposal.pk]),
        {
            "override-arm": arm,
            "override-reason": reason,
            "override-password": password,
            "override-version": proposal.version,
        },
    )


# --- Home and queue ---------------------------------------------------------------------------


def test_investigators_land_on_their_review_queue(client, investigator_a):
    response = _login(client, investigator_a).get(reverse("home"))
    assert response.status_code == 302
    assert response.url == reverse("arms:queue")


def test_the_queue_lists_pending_proposals_of_the_investigators_sites(
    client, proposal, investigator_a
):
    response = _login(client, investigator_a).get(reverse("arms:queue"))

    assert response.status_code == 200
    assert list(response.context["page_obj"]) == [proposal]
    assert reverse("arms:review", args=[proposal.pk]) in response.content.decode()


def test_the_queue_is_empty_for_other_sites(client, proposal, investigator_b):
    response = _login(client, investigator_b).get(reverse("arms:queue"))
    assert response.status_code == 200
    assert list(response.context["page_obj"]) == []


def test_the_queue_is_refused_to_those_who_cannot_sign(client, proposal, coordinator_a):
    assert _login(client, coordinator_a).get(reverse("arms:queue")).status_code == 403


def test_the_queue_is_oldest_first_and_drops_signed_proposals(
    client, site_a, coordinator_a, investigator_a
):
    made = []
    for _ in range(3):
        participant = f.participant_with_baseline(site_a, coordinator_a)
        f.completed_assessment(participant, coordinator_a, primary=recist.SD, metastatic=recist.PR)
        made.append(ArmAssignment.objects.get(participant=participant))
    services.assignment_confirm(
        assignment=made[1], user=investigator_a, password=PASSWORD, expected_version=1
    )

    response = _login(client, investigator_a).get(reverse("arms:queue"))

    assert list(response.context["page_obj"]) == [made[0], made[2]]


def _pending_proposals(site, user, n):
    for _ in range(n):
        participant = f.participant_with_baseline(site, user)
        f.completed_assessment(participant, user, primary=recist.PR, metastatic=recist.CR)


def _queue_queries(client, user):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("arms:queue"))
    assert response.status_code == 200
    # Savepoints (ATOMIC_REQUESTS, the session save) are not reads.
    reads = [
        q for q in queries.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))
    ]
    return len(reads), len(response.context["page_obj"])


def test_the_queue_makes_the_same_number_of_queries_for_2_and_20_proposals(
    client, site_a, coordinator_a, investigator_a
):
    _login(client, investigator_a)
    _pending_proposals(site_a, coordinator_a, 2)
    few, shown_few = _queue_queries(client, investigator_a)
    _pending_proposals(site_a, coordinator_a, 18)
    many, shown_many = _queue_queries(client, investigator_a)

    assert (shown_few, shown_many) == (2, 20)
    assert few == many
    # Session, user, the second factor's device (django-otp), memberships, count, bell, the
    # page (the session is renewed once a minute), and the SAE panel's rows and count.
    assert many == 9


def test_the_queue_pages(client, site_a, coordinator_a, investigator_a):
    _pending_proposals(site_a, coordinator_a, QUEUE_PAGE_SIZE + 1)
    _login(client, investigator_a)

    assert len(client.get(reverse("arms:queue")).context["page_obj"]) == QUEUE_PAGE_SIZE
    assert len(client.get(reverse("arms:queue") + "?page=2").context["page_obj"]) == 1


# --- Review page ------------------------------------------------------------------------------


def test_the_review_page_shows_the_evidence_and_the_signing_forms(client, proposal, investigator_a):
    response = _login(client, investigator_a).get(reverse("arms:review", args=[proposal.pk]))

    assert response.status_code == 200
    body = response.content.decode()
    assert "T1 Breast" in body and "28.5 mm" in body  # baseline 30 mm, now 28.5 mm
    assert "T2 Liver" in body and "10.0 mm" in body
    assert 'data-testid="confirm-form"' in body and 'data-testid="override-form"' in body
    assert "I confirm the assignment to arm 4." in body
    assert response.context["evidence"].previous is None


def test_the_review_page_shows_the_previous_signed_arm(
    client, proposal, coordinator_a, investigator_a
):
    services.assignment_confirm(
        assignment=proposal, user=investigator_a, password=PASSWORD, expected_version=1
    )
    f.completed_assessment(
        proposal.participant,
        coordinator_a,
        primary=recist.PR,
        metastatic=recist.CR,
        date=dt.date(2026, 8, 3),
    )
    later = ArmAssignment.objects.get(participant=proposal.participant, proposed_arm=2)

    response = _login(client, investigator_a).get(reverse("arms:review", args=[later.pk]))

    assert response.context["evidence"].previous.confirmed_arm == 4


@pytest.mark.parametrize("persona", ["coordinator_a", "data_manager_a"], indirect=True)
def test_others_at_the_site_see_the_proposal_but_no_signing_form(client, proposal, persona):
    response = _login(client, persona).get(reverse("arms:review", args=[proposal.pk]))

    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="cannot-sign"' in body
    assert 'data-testid="confirm-form"' not in body


@pytest.mark.parametrize("name", ["arms:review", "arms:participant"])
def test_another_sites_investigator_gets_404(client, proposal, investigator_b, name):
    pk = proposal.pk if name == "arms:review" else proposal.participant_id
    assert _login(client, investigator_b).get(reverse(name, args=[pk])).status_code == 404


# --- Signing ----------------------------------------------------------------------------------


def test_investigator_a_confirms_with_the_password(client, proposal, investigator_a):
    response = _confirm(_login(client, investigator_a), proposal)

    assert response.status_code == 302
    assert response.url == reverse("arms:participant", args=[proposal.participant_id])
    proposal.refresh_from_db()
    assert proposal.status == ArmAssignment.Status.CONFIRMED
    assert proposal.signature.signer == investigator_a
    page = client.get(response.url).content.decode()
    assert 'data-testid="current-arm">Arm 4<' in page
    assert investigator_a.get_full_name() in page
    assert "I confirm the assignment to arm 4." in page


def test_a_coordinator_cannot_sign_by_a_crafted_post(client, proposal, coordinator_a):
    assert _confirm(_login(client, coordinator_a), proposal).status_code == 403
    assert _override(client, proposal).status_code == 403
    assert not ElectronicSignature.objects.exists()


def test_another_sites_investigator_cannot_sign(client, proposal, investigator_b):
    assert _confirm(_login(client, investigator_b), proposal).status_code == 404
    assert not ElectronicSignature.objects.exists()


def test_a_wrong_password_signs_nothing_and_shows_a_field_error(client, proposal, investigator_a):
    response = _confirm(_login(client, investigator_a), proposal, password="not-my-password")

    assert response.status_code == 200
    assert response.context["confirm_form"].errors["password"] == [str(services.WRONG_PASSWORD)]
    assert not ElectronicSignature.objects.exists()
    proposal.refresh_from_db()
    assert proposal.is_pending


def test_wrong_signing_passwords_lock_the_account(client, proposal, investigator_a, settings):
    _login(client, investigator_a)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _confirm(client, proposal, password="not-my-password")

    response = _confirm(client, proposal)

    assert response.status_code in (403, 429)
    assert not ElectronicSignature.objects.exists()


def test_a_replayed_post_signs_nothing(client, proposal, investigator_a):
    _login(client, investigator_a)
    assert _confirm(client, proposal).status_code == 302

    response = _confirm(client, proposal, version=1)

    assert response.status_code == 200
    assert str(services.NOT_PENDING) in response.content.decode()
    assert ElectronicSignature.objects.count() == 1


def test_a_stale_version_signs_nothing(client, proposal, investigator_a):
    response = _confirm(_login(client, investigator_a), proposal, version=7)

    assert response.status_code == 200
    assert response.context["confirm_form"].non_field_errors()
    assert not ElectronicSignature.objects.exists()


def test_an_override_needs_a_reason(client, proposal, investigator_a):
    response = _override(_login(client, investigator_a), proposal, reason="")

    assert response.status_code == 200
    assert response.context["override_form"].errors["reason"] == [
        str(services.OVERRIDE_NEEDS_REASON)
    ]
    assert not ElectronicSignature.objects.exists()


def test_an_override_to_the_proposed_arm_is_refused(client, proposal, investigator_a):
    response = _override(_login(client, investigator_a), proposal, arm="4")

    assert response.status_code == 200
    assert "arm" in response.context["override_form"].errors
    assert not ElectronicSignature.objects.exists()


def test_an_override_is_signed_and_shown_as_a_deviation(client, proposal, investigator_a):
    response = _override(_login(client, investigator_a), proposal, arm="3")

    assert response.status_code == 302
    proposal.refresh_from_db()
    assert (proposal.status, proposal.confirmed_arm) == (ArmAssignment.Status.OVERRIDDEN, 3)
    page = client.get(response.url).content.decode()
    assert 'data-testid="override-flag"' in page
    assert "Tumour board decision" in page


def test_the_participant_page_says_why_an_ne_assessment_has_no_arm(
    client, site_a, coordinator_a, investigator_a
):
    participant = f.participant_with_baseline(site_a, coordinator_a)
    f.completed_assessment(participant, coordinator_a, primary=recist.NE, metastatic=recist.CR)

    page = _login(client, coordinator_a).get(reverse("arms:participant", args=[participant.pk]))

    assert page.status_code == 200
    assert (
        "The assessment of 2026-05-04 is not evaluable (primary): no arm proposed."
        in page.content.decode()
    )


def _reads(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(
        [q for q in queries.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
    )


def test_review_and_participant_pages_make_a_fixed_number_of_queries(
    client, site_a, coordinator_a, investigator_a
):
    participant = f.participant_with_baseline(site_a, coordinator_a)
    _login(client, investigator_a)
    counts = []
    for month in (3, 5, 7, 9):
        f.completed_assessment(
            participant,
            coordinator_a,
            primary=recist.SD,
            metastatic=recist.PR,
            date=dt.date(2026, month, 2),
        )
        latest = ArmAssignment.objects.filter(participant=participant).last()
        counts.append(
            (
                _reads(client, reverse("arms:review", args=[latest.pk])),
                _reads(client, reverse("arms:participant", args=[participant.pk])),
            )
        )
        services.assignment_confirm(
            assignment=latest, user=investigator_a, password=PASSWORD, expected_version=1
        )
    assert len(set(counts)) == 1, counts


def test_the_admin_shows_assignments_and_signatures_read_only(
    admin_client, proposal, investigator_a
):
    services.assignment_confirm(
        assignment=proposal, user=investigator_a, password=PASSWORD, expected_version=1
    )
    signature = ElectronicSignature.objects.get()
    for url in (
        reverse("admin:arms_armassignment_changelist"),
        reverse("admin:arms_armassignment_change", args=[proposal.pk]),
        reverse("admin:audit_electronicsignature_changelist"),
        reverse("admin:audit_electronicsignature_change", args=[signature.pk]),
    ):
        assert admin_client.get(url).status_code == 200
    assert admin_client.get(reverse("admin:audit_electronicsignature_add")).status_code == 403
    response = admin_client.post(
        reverse("admin:audit_electronicsignature_delete", args=[signature.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert ElectronicSignature.objects.filter(pk=signature.pk).exists()
