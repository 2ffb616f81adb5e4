"""Messages in their recipient's language, signatures in their signer's."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from access.models import Preference
from access.roles import Role
from arms import services
from arms.models import ArmAssignment
from assessments import recist
from notifications.models import Notification, OutboxMessage
from tests.factories import arms as f
from tests.factories.access import PASSWORD, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposal(site_a, coordinator_a, investigator_a):
    participant = f.participant_with_baseline(site_a, coordinator_a)
    f.completed_assessment(participant, coordinator_a, primary=recist.SD, metastatic=recist.PR)
    return ArmAssignment.objects.get(participant=participant)


def test_each_investigator_is_told_of_a_proposal_in_their_own_language(
    site_a, coordinator_a, investigator_a, django_capture_on_commit_callbacks
):
    Preference.objects.create(user=investigator_a, language="zh-hans")
    english = user_with_role(Role.INVESTIGATOR, site_a, username="investigator_en")
    participant = f.participant_with_baseline(site_a, coordinator_a)
    # Whoever completes the assessment, in whatever language, does not decide the recipients'.
    with translation.override("zh-hans"), django_capture_on_commit_callbacks(execute=True):
        f.completed_assessment(participant, coordinator_a, primary=recist.SD, metastatic=recist.PR)
    chinese_note = Notification.objects.get(recipient=investigator_a).message
    english_note = Notification.objects.get(recipient=english).message
    assert "建议分配至第 4 组" in chinese_note and "原发灶非完全缓解" in chinese_note
    assert "proposes arm 4 (Primary non-CR, metastases non-CR)" in english_note
    subjects = dict(OutboxMessage.objects.values_list("recipient", "subject"))
    assert subjects[investigator_a.email].startswith("待您审核的分组建议")
    assert subjects[english.email].startswith("Arm proposal awaiting your review")
    assert {m.to[0]: m.subject for m in mail.outbox} == subjects


def test_a_signature_keeps_the_meaning_in_the_language_it_was_read(
    proposal, investigator_a, client
):
    with translation.override("zh-hans"):
        signed = services.assignment_confirm(
            assignment=proposal, user=investigator_a, password=PASSWORD, expected_version=1
        )
    signature = signed.signature
    assert signature.meaning == "我确认分配至第 4 组。"
    assert signature.meaning_language == "zh-hans"
    # Shown as stored, in English pages too, marked with its language.
    client.force_login(investigator_a)
    page = client.get(reverse("arms:review", args=[proposal.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert '<q lang="zh-Hans" data-testid="signature-meaning">我确认分配至第 4 组。</q>' in (
        page.content.decode()
    )


def test_the_page_shows_the_meaning_that_the_signature_stores(proposal, investigator_a, client):
    client.force_login(investigator_a)
    page = client.get(reverse("arms:review", args=[proposal.pk]), HTTP_ACCEPT_LANGUAGE="zh-Hans")
    assert "我确认分配至第 4 组。" in page.content.decode()
    with translation.override("zh-hans"):
        signed = services.assignment_confirm(
            assignment=proposal, user=investigator_a, password=PASSWORD, expected_version=1
        )
    assert signed.signature.meaning in page.content.decode()


def test_an_english_signature_stays_english_on_a_chinese_page(proposal, investigator_a, client):
    with translation.override("en"):
        services.assignment_confirm(
            assignment=proposal, user=investigator_a, password=PASSWORD, expected_version=1
        )
    client.force_login(investigator_a)
    page = client.get(reverse("arms:review", args=[proposal.pk]), HTTP_ACCEPT_LANGUAGE="zh-Hans")
    assert (
        '<q lang="en" data-testid="signature-meaning">I confirm the assignment to arm 4.</q>'
        in (page.content.decode())
    )
