"""A serious adverse event end to end in a real browser: a coordinator reports a grade 3
wound infection after the mastectomy (the grade's definition shown as she picks it), the
investigator is alerted and signs the causality, a follow-up report closes the event, and
the safety page counts it."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from arms import services as arm_services
from arms.models import ArmAssignment
from assessments import recist
from notifications.models import Notification, OutboxMessage
from safety.models import AdverseEvent
from tests.factories import arms as arms_factories
from tests.factories import assessments as af
from tests.factories.access import PASSWORD
from tests.factories.enrollment import enrolled_participant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_grade_3_sae_after_surgery_is_reported_assessed_closed_and_counted(
    login_as, page, site_a, coordinator_a, investigator_a
):
    investigator_a.email = "investigator@site-a.example"
    investigator_a.save()
    participant = enrolled_participant(site_a, coordinator_a)
    af.baseline(participant, coordinator_a)
    start = participant.enrolment_date
    assessment = arms_factories.completed_assessment(
        participant, coordinator_a, primary=recist.CR, metastatic=recist.CR, date=start
    )
    assignment = ArmAssignment.objects.get(assessment=assessment)
    arm_services.assignment_confirm(
        assignment=assignment, user=investigator_a, password=PASSWORD,
        expected_version=assignment.version,
    )  # fmt: skip
    arms_factories.therapy_line(participant, coordinator_a, start)
    arms_factories.surgery(participant, coordinator_a, "mastectomy", start)
    onset = start + dt.timedelta(days=2)

    # The coordinator reports the event; the grades follow the chosen term.
    login_as(coordinator_a, f"/safety/participants/{participant.pk}/")
    page.get_by_test_id("report-ae").click()
    page.get_by_label("CTCAE term").select_option(label="Wound infection (10048038)")
    grade_3 = page.get_by_label(
        "3: IV antibiotic, antifungal, or antiviral intervention", exact=False
    )
    expect(grade_3).to_be_visible()
    grade_3.check()
    page.get_by_label("Onset date").fill(onset.isoformat())
    page.get_by_label("Ongoing").check()
    page.get_by_label("requires hospitalisation or prolongs it", exact=False).check()
    page.get_by_label("Site aware of the serious event at").fill(f"{onset.isoformat()}T10:30")
    page.get_by_label("Relationship to the first operation").select_option("probable")
    page.get_by_label("Relationship to the current systemic therapy").select_option("unlikely")
    page.get_by_label("Action taken").select_option("none")
    page.get_by_label("Outcome").select_option("not_recovered")
    page.get_by_label("Complication of the operation").select_option(index=1)
    page.get_by_label("Clavien-Dindo grade").select_option("II")
    page.get_by_test_id("ae-save").click()
    expect(page.get_by_test_id("ae-serious")).to_be_visible()
    expect(page.get_by_test_id("not-assessed")).to_be_visible()
    event = AdverseEvent.objects.get()
    assert (event.grade, event.serious, event.clavien_dindo) == (3, True, "II")

    # The investigator was alerted at once, in-app and by e-mail, and finds it on her home page.
    assert Notification.objects.filter(recipient=investigator_a, kind="sae_alert").count() == 1
    alerts = OutboxMessage.objects.filter(kind="sae_alert")
    assert list(alerts.values_list("recipient", flat=True)) == ["investigator@site-a.example"]
    login_as(investigator_a, "/")
    panel = page.get_by_test_id("sae-panel")
    expect(panel).to_contain_text(participant.study_id)
    panel.get_by_role("link", name=participant.study_id).click()
    form = page.get_by_test_id("causality-form")
    form.get_by_label("Relationship to the first operation").select_option("definite")
    form.get_by_label("Relationship to the current systemic therapy").select_option("not_related")
    form.get_by_label("Expected", exact=False).select_option("yes")
    form.get_by_label("Your password").fill(PASSWORD)
    form.get_by_role("button", name="Sign the assessment").click()
    expect(page.get_by_text("Causality assessment signed.")).to_be_visible()
    expect(page.get_by_test_id("assessments")).to_contain_text("first operation: Definite")

    # A follow-up report closes it.
    login_as(coordinator_a, f"/safety/adverse-events/{event.pk}/")
    page.get_by_test_id("add-follow-up").click()
    resolved = onset + dt.timedelta(days=1)
    page.get_by_label("Report date").fill(resolved.isoformat())
    page.get_by_label("Outcome").select_option("recovered")
    page.get_by_label("Resolution date").fill(resolved.isoformat())
    page.get_by_label("Narrative").fill("Oral antibiotics; wound healed.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Follow-up report saved: the event is closed.")).to_be_visible()
    expect(page.get_by_test_id("ae-outcome")).to_have_text("Recovered / resolved")

    # The safety page counts it in arm 1.
    login_as(investigator_a, "/safety/")
    arm_1 = page.get_by_test_id("safety-arm-1")
    expect(arm_1.get_by_test_id("with-sae")).to_have_text("1")
    expect(arm_1.get_by_test_id("with-grade-3")).to_have_text("1")
    expect(page.get_by_test_id("worst-grade-per-term")).to_contain_text("Wound infection")
