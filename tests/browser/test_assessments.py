"""A coordinator enters a baseline with lesions and a response assessment in a real browser,
and sees the responses computed by the rules core."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from assessments.models import ResponseAssessment
from tests.factories import assessments as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_coordinator_enters_baseline_and_assessment_and_sees_responses(
    login_as, coordinator_a, site_a
):
    participant = f.participant(site_a)
    today = timezone.localdate()  # the server's "today": dates are relative to it
    baseline_date = today - dt.timedelta(days=90)
    page = login_as(coordinator_a, f"/assessments/participants/{participant.pk}/")

    page.get_by_role("link", name="Enter baseline").click()
    page.get_by_label("Date of baseline imaging").fill(baseline_date.isoformat())
    page.get_by_label("Histology").select_option("ductal_nst")
    page.get_by_label("ER, % of stained nuclei").fill("90")
    page.get_by_label("PR, % of stained nuclei").fill("20")
    page.get_by_label("HER2 IHC").select_option("1+")
    page.get_by_label("cT (AJCC 8th)").select_option("cT2")
    page.get_by_label("cN (AJCC 8th)").select_option("cN1")
    page.get_by_label("Menopausal status").select_option("post")
    rows = [
        ("breast", "right breast", "target", "40"),
        ("liver", "segment 7", "target", "8"),  # below 10 mm: refused
        ("bone", "L3 vertebra", "non_target", ""),
    ]
    for i, (organ, where, kind, mm) in enumerate(rows):
        page.locator(f"#id_lesions-{i}-organ_site").select_option(organ)
        page.locator(f"#id_lesions-{i}-description").fill(where)
        page.locator(f"#id_lesions-{i}-kind").select_option(kind)
        page.locator(f"#id_lesions-{i}-baseline_mm").fill(mm)
    page.get_by_role("button", name="Save baseline").click()
    expect(page.get_by_test_id("lesion-row-1")).to_contain_text("at least 10 mm")

    page.locator("#id_lesions-1-baseline_mm").fill("25")
    page.get_by_role("button", name="Save baseline").click()
    expect(page.get_by_text("Baseline saved.")).to_be_visible()
    expect(page.get_by_test_id("casebook-baseline")).to_contain_text("HER2-low")

    page.get_by_role("link", name="Add response assessment").click()
    page.get_by_label("Assessment date").fill((today - dt.timedelta(days=7)).isoformat())
    page.get_by_label("Imaging modality").select_option("ct")
    page.get_by_label("T1 Breast: right breast").fill("0")
    page.get_by_label("T2 Liver: segment 7").fill("15")
    page.get_by_label("NT3 Bone: L3 vertebra").select_option("present")
    # The live preview (htmx) shows the responses before anything is saved.
    expect(page.get_by_test_id("preview-primary-response")).to_have_text("CR")
    expect(page.get_by_test_id("preview-metastatic-response")).to_have_text("PR")
    assert not ResponseAssessment.objects.exists()

    page.get_by_role("button", name="Save and complete").click()
    expect(page.get_by_test_id("assessment-status")).to_have_text("Complete")
    expect(page.get_by_test_id("primary-target")).to_have_text("CR")
    expect(page.get_by_test_id("primary-response")).to_have_text("CR")
    expect(page.get_by_test_id("metastatic-target")).to_have_text("PR")
    expect(page.get_by_test_id("metastatic-non-target")).to_have_text("Non-CR/non-PD")
    expect(page.get_by_test_id("metastatic-response")).to_have_text("PR")
    stored = ResponseAssessment.objects.get()
    assert (stored.primary_response, stored.metastatic_response) == ("CR", "PR")
