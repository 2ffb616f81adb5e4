"""A coordinator screens two patients in Chromium: one fails screening, one is enrolled."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from enrollment.models import Participant, Screening

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TODAY = dt.date.today() - dt.timedelta(days=3)


def _status(page, criterion):
    return page.locator(f'#criteria-panel tr[data-criterion="{criterion}"]')


def _settle(page):
    """Let the live checklist finish before submitting: on SQLite the live server shares one
    connection between its threads, so a request racing the submit would collide."""
    page.locator("h1").click()  # blur: the last field's change event fires now
    page.wait_for_timeout(500)  # past the checklist's 400 ms debounce
    expect(page.locator(".htmx-request")).to_have_count(0)


def _fill_patient(page, initials, hospital_number):
    page.fill('input[name="initials"]', initials)
    page.fill('input[name="hospital_number"]', hospital_number)
    page.fill('input[name="screening_date"]', TODAY.isoformat())
    page.fill('input[name="birth_date"]', "1972-04-10")
    page.select_option('select[name="sex"]', "female")
    page.fill('input[name="diagnosis_date"]', (TODAY - dt.timedelta(days=30)).isoformat())
    for name in (
        "invasive_carcinoma_confirmed",
        "stage_iv_at_diagnosis",
        "operable",
        "followup_feasible",
    ):
        page.select_option(f'select[name="{name}"]', "true")
    for name in ("prior_locoregional_surgery", "other_primary_malignancy"):
        page.select_option(f'select[name="{name}"]', "false")
    page.select_option('select[name="met_bone"]', "imaging")
    page.fill('input[name="liver_metastasis_count"]', "0")
    labs = {
        "anc": "3.1",
        "platelets": "220",
        "hemoglobin": "12.5",
        "bilirubin": "9",
        "bilirubin_uln": "21",
        "ast": "25",
        "ast_uln": "40",
        "alt": "22",
        "alt_uln": "40",
        "creatinine": "60",
        "creatinine_uln": "97",
    }
    for name, value in labs.items():
        page.fill(f'input[name="{name}"]', value)


def test_coordinator_screens_fails_one_and_enrols_another(page, login_as, coordinator_a, site_a):
    login_as(coordinator_a, reverse("enrollment:screening_new"))
    expect(_status(page, "ecog_0_2")).to_have_attribute("data-status", "missing")

    # First patient: ECOG 3, seen failing live, then recorded as a screen failure.
    _fill_patient(page, "OP", "H-1001")
    page.select_option('select[name="ecog"]', "3")
    expect(_status(page, "ecog_0_2")).to_have_attribute("data-status", "failed")
    expect(_status(page, "female")).to_have_attribute("data-status", "met")
    expect(page.get_by_test_id("verdict")).to_have_text("Not eligible")
    _settle(page)
    page.get_by_test_id("save-screening").click()
    expect(page.get_by_text(re.compile(r"Screening S-\d+ saved"))).to_be_visible()
    page.fill('textarea[name="note"]', "Mostly confined to bed")
    page.get_by_test_id("screen-fail").click()
    # The failed criterion by its name, not its code.
    expect(page.get_by_test_id("screen-failure")).to_contain_text("ECOG performance status 0 to 2")
    failed = Screening.objects.get(hospital_number="H-1001")
    assert failed.status == Screening.Status.SCREEN_FAILED
    assert failed.failed_criteria == ["ecog_0_2"]

    # Second patient: incomplete at first, then ECOG 1 makes her eligible; enrol.
    page.goto(reverse("enrollment:screening_new"))
    _fill_patient(page, "QR", "H-1002")
    expect(_status(page, "organ_function")).to_have_attribute("data-status", "met")
    expect(page.get_by_test_id("verdict")).to_have_text("Incomplete")
    page.select_option('select[name="ecog"]', "1")
    expect(_status(page, "ecog_0_2")).to_have_attribute("data-status", "met")
    expect(page.get_by_test_id("verdict")).to_have_text("Eligible")
    _settle(page)
    page.get_by_test_id("save-screening").click()
    expect(page.get_by_text(re.compile(r"Screening S-\d+ saved"))).to_be_visible()
    page.fill('input[name="consent_date"]', TODAY.isoformat())
    page.get_by_test_id("enrol").click()
    expect(page.get_by_text("Enrolled as AA-0001.")).to_be_visible()
    expect(page.get_by_test_id("study-id")).to_have_text("AA-0001")
    assert Participant.objects.get().screening.hospital_number == "H-1002"

    # Both are in the screening log.
    page.goto(reverse("enrollment:screening_list"))
    expect(page.get_by_test_id("screening-log")).to_contain_text("H-1001")
    expect(page.get_by_test_id("screening-log")).to_contain_text("AA-0001")
