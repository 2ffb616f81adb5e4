import datetime as dt

import pytest

from enrollment import forms, validators
from enrollment.models import Screening
from tests.factories.enrollment import DIAGNOSIS, TODAY, ScreeningFactory, screening_post

pytestmark = pytest.mark.django_db


def _form(coordinator, site, **overrides):
    return forms.ScreeningForm(
        screening_post(site, **overrides), user=coordinator, instance=Screening(), today=TODAY
    )


def test_a_complete_screening_is_valid(coordinator_a, site_a):
    form = _form(coordinator_a, site_a)
    assert form.is_valid(), form.errors
    assert form.instance.metastases == {"bone": "imaging", "lung": "pathology"}
    assert form.instance.metastasis_confirmed_by == "pathology"


def test_an_incomplete_screening_is_valid(coordinator_a, site_a):
    data = {
        "site": str(site_a.pk),
        "initials": "GH",
        "hospital_number": "H1",
        "screening_date": TODAY.isoformat(),
    }
    form = forms.ScreeningForm(data, user=coordinator_a, instance=Screening(), today=TODAY)
    assert form.is_valid(), form.errors


# After the real clock too, so that the view (which asks the clock) refuses it as well.
FUTURE = (dt.date.today() + dt.timedelta(days=5)).isoformat()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"screening_date": FUTURE}, "screening_date", validators.FUTURE_DATE),
        ({"birth_date": FUTURE}, "birth_date", validators.FUTURE_DATE),
        ({"diagnosis_date": FUTURE}, "diagnosis_date", validators.FUTURE_DATE),
        ({"systemic_therapy_start": FUTURE}, "systemic_therapy_start", validators.FUTURE_DATE),
        ({"birth_date": "1890-01-01"}, "birth_date", None),
        ({"birth_date": TODAY.isoformat()}, "birth_date", validators.BIRTH_NOT_BEFORE_SCREENING),
        ({"diagnosis_date": "1960-01-01"}, "diagnosis_date", validators.DIAGNOSIS_BEFORE_BIRTH),
        (
            {"systemic_therapy_start": (DIAGNOSIS - dt.timedelta(days=1)).isoformat()},
            "systemic_therapy_start",
            validators.SYSTEMIC_BEFORE_DIAGNOSIS,
        ),
        ({"anc": "-1"}, "anc", forms.NEGATIVE_VALUE),
        ({"hemoglobin": "-0.1"}, "hemoglobin", forms.NEGATIVE_VALUE),
        ({"creatinine": "-5"}, "creatinine", forms.NEGATIVE_VALUE),
        ({"bilirubin_uln": "0"}, "bilirubin_uln", validators.ULN_NOT_POSITIVE),
        ({"ast_uln": "0"}, "ast_uln", validators.ULN_NOT_POSITIVE),
        ({"alt_uln": "-3"}, "alt_uln", validators.ULN_NOT_POSITIVE),
        ({"creatinine_uln": "0"}, "creatinine_uln", validators.ULN_NOT_POSITIVE),
        ({"anc_unit": "mg"}, "anc_unit", forms.UNKNOWN_UNIT),
        ({"ast_unit": "IU/ml"}, "ast_unit", forms.UNKNOWN_UNIT),
        ({"hemoglobin_unit": ""}, "hemoglobin_unit", validators.UNIT_REQUIRED),
        ({"ecog": "6"}, "ecog", forms.ECOG_OUT_OF_RANGE),
        ({"ecog": "-1"}, "ecog", forms.ECOG_OUT_OF_RANGE),
        ({"liver_metastasis_count": "-1"}, "liver_metastasis_count", None),
        (
            {"liver_metastasis_count": "2"},
            "liver_metastasis_count",
            validators.LIVER_COUNT_WITHOUT_LIVER,
        ),
        (
            {"met_liver": "imaging", "liver_metastasis_count": "0"},
            "liver_metastasis_count",
            validators.LIVER_SITE_WITHOUT_LESION,
        ),
        ({"met_bone": "x-ray"}, "met_bone", None),
        ({"sex": "other"}, "sex", None),
        ({"anc": "abc"}, "anc", None),
        ({"birth_date": "2026-02-30"}, "birth_date", None),
    ],
)
def test_bad_input_is_a_field_error_and_nothing_is_saved(
    client, coordinator_a, site_a, overrides, field, message
):
    form = _form(coordinator_a, site_a, **overrides)
    assert not form.is_valid()
    assert field in form.errors
    if message is not None:
        assert str(message) in [str(e) for e in form.errors[field]]
    # Through the view as well: a field error, no 500, nothing saved.
    client.force_login(coordinator_a)
    response = client.post("/enrollment/screenings/new/", screening_post(site_a, **overrides))
    assert response.status_code == 400
    assert not Screening.objects.exists()


def test_an_impossible_age_message_names_the_limit(coordinator_a, site_a):
    form = _form(coordinator_a, site_a, birth_date="1890-01-01")
    assert not form.is_valid()
    assert "120" in form.errors["birth_date"][0]


def test_a_user_can_only_screen_at_their_sites(coordinator_a, site_a, site_b):
    form = _form(coordinator_a, site_b)
    assert not form.is_valid()
    assert "site" in form.errors


def test_a_correction_after_an_outcome_needs_a_reason(coordinator_a, site_a):
    screening = ScreeningFactory(site=site_a, status=Screening.Status.SCREEN_FAILED)
    data = screening_post(loaded_version=str(screening.version))
    form = forms.ScreeningForm(data, instance=screening, today=TODAY)
    assert not form.is_valid()
    assert str(forms.CORRECTION_REASON_REQUIRED) in form.errors["change_reason"]


@pytest.mark.parametrize(
    ("consent", "valid"),
    [
        (TODAY, True),
        (TODAY - dt.timedelta(days=1), False),
        (TODAY + dt.timedelta(days=1), False),
        ("", False),
    ],
)
def test_consent_date(site_a, consent, valid):
    screening = ScreeningFactory(site=site_a)
    value = consent.isoformat() if consent else ""
    form = forms.EnrolForm({"consent_date": value}, screening=screening, today=TODAY)
    assert form.is_valid() is valid


def test_a_correction_cannot_move_dates_past_the_consent(coordinator_a, site_a):
    from tests.factories.enrollment import enrolled_participant

    screening = enrolled_participant(site_a, coordinator_a).screening
    later = (TODAY + dt.timedelta(days=2)).isoformat()
    data = screening_post(
        loaded_version=str(screening.version),
        change_reason="x",
        screening_date=later,
        diagnosis_date=later,
    )
    form = forms.ScreeningForm(data, instance=screening, today=TODAY + dt.timedelta(days=5))
    assert not form.is_valid()
    assert str(validators.AFTER_CONSENT) in form.errors["screening_date"]
    assert "diagnosis_date" in form.errors
