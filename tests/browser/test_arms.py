"""The arm decision end to end in a real browser: a coordinator completes an assessment, the
investigator finds the proposal in their queue and signs it with their password; the
participant's page shows the signed arm. A wrong password signs nothing."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from arms.models import ArmAssignment
from audit.models import ElectronicSignature
from notifications.models import Notification
from tests.factories import assessments as af
from tests.factories.access import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_coordinator_completes_investigator_signs_casebook_shows_the_arm(
    login_as, page, site_a, coordinator_a, investigator_a
):
    participant = af.participant(site_a)
    af.baseline(participant, coordinator_a)  # 30 mm breast target, 20 mm liver target
    today = timezone.localdate()

    # The coordinator completes an assessment: primary SD (28 mm), metastases PR (10 mm).
    login_as(coordinator_a, f"/assessments/participants/{participant.pk}/")
    page.get_by_role("link", name="Add response assessment").click()
    page.get_by_label("Assessment date").fill((today - dt.timedelta(days=3)).isoformat())
    page.get_by_label("Imaging modality").select_option("ct")
    page.get_by_label("T1 Breast: breast lesion").fill("28")
    page.get_by_label("T2 Liver: liver lesion").fill("10")
    page.get_by_role("button", name="Save and complete").click()
    expect(page.get_by_test_id("assessment-status")).to_have_text("Complete")
    assignment = ArmAssignment.objects.get(participant=participant)
    assert (assignment.proposed_arm, assignment.status) == (4, "pending")
    assert Notification.objects.filter(recipient=investigator_a).count() == 1

    # The investigator lands on the queue and opens the proposal.
    login_as(investigator_a, "/")
    expect(page).to_have_url(re.compile(r"/arms/$"))
    row = page.get_by_test_id("arm-queue-row")
    expect(row).to_contain_text(participant.study_id)
    row.get_by_role("link", name="Review").click()
    expect(page.get_by_test_id("proposed-arm")).to_have_text("Arm 4")
    expect(page.get_by_test_id("evidence-lesions")).to_contain_text("28.0 mm")
    confirm = page.get_by_test_id("confirm-form")
    expect(confirm).to_contain_text("I confirm the assignment to arm 4.")

    # A wrong password signs nothing.
    confirm.get_by_label("Your password").fill("not-my-password")
    confirm.get_by_role("button", name="Sign and confirm").click()
    expect(page.get_by_test_id("confirm-form")).to_contain_text("The password is not correct")
    assert not ElectronicSignature.objects.exists()
    assert ArmAssignment.objects.get(pk=assignment.pk).status == "pending"

    # The right one signs, and the participant's page shows the signed arm.
    confirm = page.get_by_test_id("confirm-form")
    confirm.get_by_label("Your password").fill(PASSWORD)
    confirm.get_by_role("button", name="Sign and confirm").click()
    expect(page.get_by_text("Arm 4 confirmed.")).to_be_visible()
    expect(page.get_by_test_id("current-arm")).to_have_text("Arm 4")
    expect(page.get_by_test_id("arm-casebook").get_by_test_id("signature").first).to_contain_text(
        f"Signed by {investigator_a.get_full_name()}"
    )
    expect(page.get_by_test_id("signature-meaning").first).to_have_text(
        "I confirm the assignment to arm 4."
    )
    signature = ElectronicSignature.objects.get()
    assert signature.signer == investigator_a

    # The queue is empty again.
    page.goto("/arms/")
    expect(page.get_by_test_id("arm-queue-empty")).to_be_visible()
