"""What a coordinator meets on the forms: a locked form says so and offers no Save, lab values
read plainly, each unit menu names its lab, a screen failure is not a draft, and completing an
assessment says which arm the rules proposed."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from assessments import recist
from audit.services import complete_form, lock_form
from enrollment import services as enrollment_services
from enrollment.models import Screening
from tests.factories import arms as arms_factories
from tests.factories import assessments as af
from tests.factories.enrollment import TODAY, ScreeningFactory, enrolled_participant

pytestmark = pytest.mark.django_db


def test_a_locked_form_has_no_save_button_and_says_who_locked_it(
    client, site_a, coordinator_a, data_manager_a
):
    participant = enrolled_participant(site_a, coordinator_a)
    line = arms_factories.therapy_line(participant, coordinator_a, participant.enrolment_date)
    complete_form(record=line, user=coordinator_a)
    lock_form(record=line, user=data_manager_a)
    client.force_login(coordinator_a)
    page = client.get(reverse("assessments:therapy_edit", args=[line.pk]))
    html = page.content.decode()
    assert 'data-testid="locked-notice"' in html
    assert "data_manager_a" in html or str(data_manager_a) in html
    assert ">Save</button>" not in html
    assert 'name="reason"' not in html


def test_lab_values_show_without_padding_zeros_and_units_name_their_lab(
    client, site_a, coordinator_a
):
    screening = ScreeningFactory(site=site_a, hemoglobin=Decimal("11.900"), platelets=250)
    client.force_login(coordinator_a)
    html = client.get(reverse("enrollment:screening_detail", args=[screening.pk])).content.decode()
    assert 'value="11.9"' in html
    assert 'value="250"' in html
    assert ".900" not in html
    assert "Hemoglobin unit" in html
    assert ">Unit<" not in html


def test_a_screen_failure_completes_the_screening_form(client, site_a, coordinator_a):
    screening = ScreeningFactory(site=site_a, ecog=3)
    enrollment_services.screen_fail(screening=screening, user=coordinator_a, today=TODAY)
    screening.refresh_from_db()
    assert screening.status == Screening.Status.SCREEN_FAILED
    assert screening.crf_status == "complete"
    client.force_login(coordinator_a)
    html = client.get(reverse("enrollment:screening_detail", args=[screening.pk])).content.decode()
    assert "Screen failure" in html
    assert ">Draft<" not in html


def test_save_and_complete_says_which_arm_the_rules_proposed(client, site_a, coordinator_a):
    participant = enrolled_participant(site_a, coordinator_a)
    baseline = af.baseline(participant, coordinator_a)
    lesions = list(baseline.lesions.order_by("number"))
    data = {
        "assessment_date": (participant.enrolment_date + dt.timedelta(days=30)).isoformat(),
        "modality": "ct",
        "action": "complete",
    }
    for lesion in lesions:
        if lesion.is_target:
            data[f"lesion_{lesion.pk}_mm"] = "0"
        else:
            data[f"lesion_{lesion.pk}_status"] = recist.ABSENT
    client.force_login(coordinator_a)
    response = client.post(
        reverse("assessments:assessment_create", args=[participant.pk]), data, follow=True
    )
    html = response.content.decode()
    assert "The rules propose Arm" in html
    assert "awaits the investigator" in html
