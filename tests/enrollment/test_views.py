import datetime as dt

import pytest
from django.urls import reverse

from enrollment.models import OffStudy, Participant, Screening
from tests.factories.enrollment import TODAY, ScreeningFactory, enrolled_participant, screening_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def screening_a(site_a):
    return ScreeningFactory(site=site_a, hospital_number="H-SITE-A")


def _enrol(client, screening, consent=TODAY):
    url = reverse("enrollment:screening_enrol", args=[screening.pk])
    return client.post(url, {"consent_date": consent.isoformat()})


# Who may open a screening of site A (the page), and who may enrol it.
@pytest.mark.parametrize(
    ("persona", "view_status", "enrol_status"),
    [
        ("coordinator_a", 200, 302),
        ("coordinator_b", 404, 404),
        ("investigator_a", 200, 403),
        ("investigator_b", 404, 404),
        ("data_manager_a", 200, 403),
        ("admin_a", 200, 403),
    ],
    indirect=["persona"],
)
def test_access_to_a_screening(client, persona, screening_a, view_status, enrol_status):
    client.force_login(persona)
    page = client.get(reverse("enrollment:screening_detail", args=[screening_a.pk]))
    assert page.status_code == view_status
    assert _enrol(client, screening_a).status_code == enrol_status
    assert Participant.objects.exists() is (enrol_status == 302)


def test_the_hospital_number_is_shown_only_to_the_site(client, coordinator_b, screening_a):
    client.force_login(coordinator_b)
    response = client.get(reverse("enrollment:screening_list"))
    assert "H-SITE-A" not in response.content.decode()


def test_anonymous_users_are_sent_to_log_in(client, screening_a):
    response = client.get(reverse("enrollment:screening_detail", args=[screening_a.pk]))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_an_investigator_cannot_edit_a_screening(client, investigator_a, screening_a):
    client.force_login(investigator_a)
    url = reverse("enrollment:screening_detail", args=[screening_a.pk])
    page = client.get(url)
    assert "disabled" in page.content.decode()
    assert client.post(url, screening_post(ecog="3")).status_code == 403
    screening_a.refresh_from_db()
    assert screening_a.ecog == 1


def test_a_coordinator_screens_saves_incomplete_and_resumes(client, coordinator_a, site_a):
    client.force_login(coordinator_a)
    data = {
        "site": site_a.pk,
        "initials": "IJ",
        "hospital_number": "H42",
        "screening_date": TODAY.isoformat(),
        "sex": "female",
    }
    response = client.post(reverse("enrollment:screening_new"), data)
    assert response.status_code == 302
    screening = Screening.objects.get()
    assert screening.history.first().history_user == coordinator_a
    page = client.get(response["Location"])
    content = page.content.decode()
    assert 'data-criterion="female" data-status="met"' in content
    assert 'data-criterion="ecog_0_2" data-status="missing"' in content
    # Resume: complete the form on the same screening.
    data = screening_post(loaded_version=str(screening.version), initials="IJ")
    response = client.post(response["Location"], data)
    assert response.status_code == 302, response.content.decode()[:2000]
    screening.refresh_from_db()
    assert screening.ecog == 1
    assert screening.version == 2


def test_a_stale_edit_is_refused(client, coordinator_a, screening_a):
    client.force_login(coordinator_a)
    url = reverse("enrollment:screening_detail", args=[screening_a.pk])
    response = client.post(url, screening_post(loaded_version="0", ecog="2"))
    assert response.status_code == 400
    assert "changed by someone else" in response.content.decode()


def test_the_checklist_is_rendered_on_load(client, coordinator_a, site_a):
    screening = ScreeningFactory(site=site_a, ecog=3)
    client.force_login(coordinator_a)
    content = client.get(
        reverse("enrollment:screening_detail", args=[screening.pk])
    ).content.decode()
    assert 'data-criterion="ecog_0_2" data-status="failed"' in content
    assert 'data-eligible="no"' in content


@pytest.mark.parametrize(
    ("overrides", "criterion", "status"),
    [
        ({}, "organ_function", "met"),
        ({"ecog": "3"}, "ecog_0_2", "failed"),
        ({"ecog": ""}, "ecog_0_2", "missing"),
        ({"anc": "0.9", "creatinine": ""}, "organ_function", "failed"),
        ({"anc": "900", "anc_unit": "per_ul"}, "organ_function", "failed"),
        (
            {"met_liver": "imaging", "met_brain": "imaging", "liver_metastasis_count": "1"},
            "visceral_organs_over_2",
            "failed",
        ),
        ({"ecog": "7"}, "ecog_0_2", "missing"),  # invalid input is not judged
    ],
)
def test_the_evaluate_endpoint_judges_the_unsaved_form(
    client, coordinator_a, site_a, overrides, criterion, status
):
    client.force_login(coordinator_a)
    response = client.post(
        reverse("enrollment:screening_evaluate"),
        screening_post(site_a, **overrides),
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert content.lstrip().startswith('<div id="criteria-panel"')
    assert f'data-criterion="{criterion}" data-status="{status}"' in content
    assert not Screening.objects.exists()


def test_evaluate_with_inconsistent_dates_says_so(client, coordinator_a, site_a):
    client.force_login(coordinator_a)
    response = client.post(
        reverse("enrollment:screening_evaluate"),
        screening_post(site_a, birth_date=(dt.date.today() + dt.timedelta(days=3)).isoformat()),
    )
    assert response.status_code == 200


def test_evaluate_is_for_coordinators(client, investigator_a, site_a):
    client.force_login(investigator_a)
    response = client.post(reverse("enrollment:screening_evaluate"), screening_post(site_a))
    assert response.status_code == 403


def test_enrol_shows_the_study_id(client, coordinator_a, screening_a):
    client.force_login(coordinator_a)
    response = _enrol(client, screening_a)
    assert response["Location"] == reverse("enrollment:casebook", args=["AA-0001"])
    page = client.get(response["Location"])
    assert "Enrolled as AA-0001" in page.content.decode()


def test_a_crafted_enrol_post_on_an_ineligible_screening_is_refused(client, coordinator_a, site_a):
    screening = ScreeningFactory(site=site_a, ecog=3)
    client.force_login(coordinator_a)
    response = _enrol(client, screening)
    assert response.status_code == 400
    assert "not eligible" in response.content.decode()
    assert not Participant.objects.exists()


def test_a_crafted_enrol_post_on_an_incomplete_screening_is_refused(client, coordinator_a, site_a):
    screening = ScreeningFactory(site=site_a, creatinine=None)
    client.force_login(coordinator_a)
    assert _enrol(client, screening).status_code == 400
    assert not Participant.objects.exists()


def test_enrol_with_a_future_consent_date_is_a_field_error(client, coordinator_a, screening_a):
    client.force_login(coordinator_a)
    response = _enrol(client, screening_a, consent=dt.date.today() + dt.timedelta(days=2))
    assert response.status_code == 400
    assert not Participant.objects.exists()


def test_screen_failure_through_the_page(client, coordinator_a, site_a):
    screening = ScreeningFactory(site=site_a, ecog=3)
    client.force_login(coordinator_a)
    url = reverse("enrollment:screening_fail", args=[screening.pk])
    response = client.post(url, {"note": "Bedridden"})
    assert response.status_code == 302
    screening.refresh_from_db()
    assert screening.failed_criteria == ["ecog_0_2"]
    page = client.get(reverse("enrollment:screening_detail", args=[screening.pk]))
    assert "ecog_0_2" in page.content.decode()


def test_an_investigator_cannot_record_a_screen_failure(client, investigator_a, screening_a):
    client.force_login(investigator_a)
    url = reverse("enrollment:screening_fail", args=[screening_a.pk])
    assert client.post(url, {"note": "x"}).status_code == 403


def test_off_study_through_the_casebook(client, coordinator_a, site_a):
    participant = enrolled_participant(site_a, coordinator_a)
    client.force_login(coordinator_a)
    url = reverse("enrollment:off_study", args=[participant.study_id])
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"date": TODAY.isoformat(), "reason": "withdrawn", "note": "Consent withdrawn"}
    )
    assert response.status_code == 302
    participant.refresh_from_db()
    assert participant.is_off_study
    assert OffStudy.objects.get().history.first().history_user == coordinator_a
    page = client.get(reverse("enrollment:casebook", args=[participant.study_id]))
    assert 'data-step="off_study" data-reached="yes"' in page.content.decode()


@pytest.mark.parametrize(
    ("persona", "status"),
    [("investigator_a", 403), ("coordinator_b", 404), ("data_manager_a", 403)],
    indirect=["persona"],
)
def test_who_cannot_take_a_participant_off_study(client, coordinator_a, site_a, persona, status):
    participant = enrolled_participant(site_a, coordinator_a)
    client.force_login(persona)
    url = reverse("enrollment:off_study", args=[participant.study_id])
    assert client.post(url, {"date": TODAY.isoformat(), "reason": "died"}).status_code == status
    participant.refresh_from_db()
    assert not participant.is_off_study


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("coordinator_a", 200),
        ("investigator_a", 200),
        ("data_manager_a", 200),
        ("admin_a", 200),
        ("coordinator_b", 404),
    ],
    indirect=["persona"],
)
def test_who_sees_the_casebook(client, coordinator_a, site_a, persona, status):
    participant = enrolled_participant(site_a, coordinator_a)
    client.force_login(persona)
    response = client.get(reverse("enrollment:casebook", args=[participant.study_id]))
    assert response.status_code == status
    if status == 200:
        content = response.content.decode()
        assert 'data-step="enrolled" data-reached="yes"' in content
        assert 'data-step="assessed" data-reached="no"' in content


def test_the_menu_lists_the_pages(client, coordinator_a):
    client.force_login(coordinator_a)
    content = client.get(reverse("enrollment:participant_list")).content.decode()
    assert reverse("enrollment:screening_list") in content
    assert reverse("enrollment:participant_list") in content
