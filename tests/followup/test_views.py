import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from followup import forms, validators
from followup.models import PlannedVisit, Visit
from followup.services import NO_FORM_YET
from tests.factories.followup import participant_with_visits

pytestmark = pytest.mark.django_db


def _post_data(visit, **changes):
    """The CRF of a visit page; `version` is the form's as loaded (none yet: NO_FORM_YET)."""
    day = visit.participant.enrolment_date + dt.timedelta(days=1)
    data = {
        "visit_date": day.isoformat(),
        "vital_status": "alive",
        "last_known_alive": day.isoformat(),
        "distant_progression": "no",
        "locoregional_recurrence": "no",
        "version": NO_FORM_YET,
    }
    data.update({k: v for k, v in changes.items() if v is not None})
    for k in [k for k, v in changes.items() if v is None]:
        data.pop(k, None)
    return data


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def visit(site_a, coordinator_a, today):
    """A participant whose M03 window is open today."""
    p = participant_with_visits(
        site_a,
        coordinator_a,
        diagnosis_date=today - dt.timedelta(days=95),
        enrolment_date=today - dt.timedelta(days=10),
    )
    return p.planned_visits.get(code="M03")


def test_a_coordinator_lands_on_the_worklist(client, coordinator_a):
    client.force_login(coordinator_a)
    response = client.get("/")
    assert response.status_code == 302
    assert response.url == reverse("followup:worklist")


def test_the_worklist_shows_the_sites_visits_by_state(client, coordinator_a, visit, site_b):
    other = participant_with_visits(
        site_b,
        diagnosis_date=visit.participant.diagnosis_date,
        enrolment_date=visit.participant.enrolment_date,
    )
    client.force_login(coordinator_a)
    response = client.get(reverse("followup:worklist"))
    assert response.status_code == 200
    [entry] = response.context["worklists"]
    assert entry.due == [visit]
    assert other.study_id not in response.content.decode()
    assert reverse("followup:visit_record", args=[visit.pk]) in response.content.decode()


def test_the_worklist_runs_a_bounded_number_of_queries(
    client, coordinator_a, site_a, visit, django_assert_max_num_queries
):
    for _ in range(20):
        participant_with_visits(
            site_a,
            diagnosis_date=visit.participant.diagnosis_date - dt.timedelta(days=200),
            enrolment_date=visit.participant.enrolment_date,
        )
    client.force_login(coordinator_a)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("followup:worklist"))
    assert response.status_code == 200


def test_the_worklist_is_for_coordinators(client, investigator_a):
    client.force_login(investigator_a)
    assert client.get(reverse("followup:worklist")).status_code == 403


def test_a_coordinator_records_a_visit(client, coordinator_a, visit):
    client.force_login(coordinator_a)
    url = reverse("followup:visit_record", args=[visit.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        _post_data(
            visit,
            distant_progression="yes",
            distant_progression_date=(visit.window_start - dt.timedelta(days=20)).isoformat(),
            distant_progression_sites=["liver", "bone"],
            systemic_therapy="letrozole + palbociclib",
        ),
    )
    assert response.status_code == 302, response.context["form"].errors
    visit.refresh_from_db()
    assert visit.status == PlannedVisit.Status.DONE
    form = visit.visit  # recording the planned visit created its form
    assert form.distant_progression_sites == ["liver", "bone"]
    assert form.history.first().history_user == coordinator_a
    assert visit.history.first().history_user == coordinator_a


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"visit_date": "2000-01-01"}, "visit_date", validators.VISIT_BEFORE_ENROLMENT),
        ({"visit_date": "2999-01-01"}, "visit_date", validators.DATE_IN_FUTURE),
        ({"visit_date": "not a date"}, "visit_date", None),
        ({"vital_status": "dead"}, "vital_status", validators.DEATH_REPORT_FIRST),
        ({"distant_progression_sites": ["mars"]}, "distant_progression_sites", None),
    ],
)
def test_bad_input_is_a_field_error_and_nothing_is_saved(
    client, coordinator_a, visit, changes, field, message
):
    start = visit.window_start
    placeholders = {
        "DEATH": (start + dt.timedelta(days=1)).isoformat(),
        "AFTER_DEATH": (start + dt.timedelta(days=2)).isoformat(),
        "PROGRESSION": (start + dt.timedelta(days=2)).isoformat(),
    }
    changes = {k: placeholders.get(v, v) if isinstance(v, str) else v for k, v in changes.items()}
    client.force_login(coordinator_a)
    response = client.post(
        reverse("followup:visit_record", args=[visit.pk]), _post_data(visit, **changes)
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors
    if message is not None:
        assert str(message).split("%")[0] in errors[field][0]
    visit.refresh_from_db()
    assert visit.status == PlannedVisit.Status.OPEN
    assert not Visit.objects.filter(planned_visit=visit).exists()
    assert visit.history.count() == 1


def test_correcting_a_recorded_visit_needs_a_reason(client, coordinator_a, visit):
    client.force_login(coordinator_a)
    url = reverse("followup:visit_record", args=[visit.pk])
    assert client.post(url, _post_data(visit)).status_code == 302
    form = Visit.objects.get(planned_visit=visit)
    response = client.post(
        url, _post_data(visit, systemic_therapy="capecitabine", version=form.version)
    )
    assert response.context["form"].errors["reason"] == [str(forms.REASON_FOR_CHANGE)]
    response = client.post(
        url,
        _post_data(
            visit, systemic_therapy="capecitabine", reason="regimen changed", version=form.version
        ),
    )
    assert response.status_code == 302
    form.refresh_from_db()
    # Versions of the form: recorded (1), completed (2, issue 9), corrected (3).
    assert form.systemic_therapy == "capecitabine" and form.version == 3
    assert Visit.objects.filter(planned_visit=visit).count() == 1


def test_a_stale_edit_is_refused(client, coordinator_a, visit):
    client.force_login(coordinator_a)
    url = reverse("followup:visit_record", args=[visit.pk])
    client.post(url, _post_data(visit))
    form = Visit.objects.get(planned_visit=visit)
    data = _post_data(visit, reason="typo", version=form.version)
    Visit.objects.filter(pk=form.pk).update(version=form.version + 1)
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()


def test_a_visit_recorded_meanwhile_by_someone_else_is_not_overwritten(
    client, coordinator_a, visit
):
    """Two coordinators opened the unrecorded visit; the second save must not silently
    correct the form the first one created."""
    client.force_login(coordinator_a)
    url = reverse("followup:visit_record", args=[visit.pk])
    assert client.post(url, _post_data(visit)).status_code == 302
    response = client.post(url, _post_data(visit, systemic_therapy="other"))
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert Visit.objects.get(planned_visit=visit).systemic_therapy == ""


@pytest.mark.parametrize(
    ("persona", "status"),
    [("coordinator_b", 404), ("investigator_a", 403), ("data_manager_a", 403)],
    indirect=["persona"],
)
def test_others_cannot_open_or_record_a_site_a_visit(client, persona, status, visit):
    """Another site's visit is absent (404); at their own site, other roles are refused."""
    client.force_login(persona)
    url = reverse("followup:visit_record", args=[visit.pk])
    assert client.get(url).status_code == status
    assert client.post(url, _post_data(visit)).status_code == status
    missed = reverse("followup:visit_missed", args=[visit.pk])
    assert client.post(missed, {"reason": "x"}).status_code == status
    visit.refresh_from_db()
    assert visit.status == PlannedVisit.Status.OPEN
    assert not Visit.objects.exists()


def test_coordinator_b_cannot_see_site_a_participant_visits(client, coordinator_b, visit):
    client.force_login(coordinator_b)
    url = reverse("followup:participant_visits", args=[visit.participant_id])
    assert client.get(url).status_code == 404
    url = reverse("followup:unscheduled_visit", args=[visit.participant_id])
    assert client.get(url).status_code == 404


def test_an_unscheduled_visit_is_recorded(client, coordinator_a, visit):
    client.force_login(coordinator_a)
    url = reverse("followup:unscheduled_visit", args=[visit.participant_id])
    day = (visit.participant.enrolment_date + dt.timedelta(days=2)).isoformat()
    response = client.post(url, _post_data(visit, visit_date=day, last_known_alive=day))
    assert response.status_code == 302, response.context["form"].errors
    unscheduled = Visit.objects.get(participant=visit.participant, kind="unscheduled")
    assert unscheduled.planned_visit is None and unscheduled.crf_status == "complete"
    # Its page is the form's own; a correction there needs a reason.
    url = reverse("followup:visit_form", args=[unscheduled.pk])
    assert client.get(url).status_code == 200
    data = _post_data(visit, visit_date=day, last_known_alive=day, version=unscheduled.version)
    response = client.post(url, data | {"systemic_therapy": "fulvestrant", "reason": "typo"})
    assert response.status_code == 302, response.context["form"].errors
    unscheduled.refresh_from_db()
    assert unscheduled.systemic_therapy == "fulvestrant"
    assert Visit.objects.filter(participant=visit.participant).count() == 1


def test_a_planned_visit_form_page_is_its_planned_visit_page(client, coordinator_a, visit):
    client.force_login(coordinator_a)
    client.post(reverse("followup:visit_record", args=[visit.pk]), _post_data(visit))
    form = Visit.objects.get(planned_visit=visit)
    response = client.get(reverse("followup:visit_form", args=[form.pk]))
    assert response.url == reverse("followup:visit_record", args=[visit.pk])


def test_a_visit_is_recorded_as_missed_with_a_reason(client, coordinator_a, visit):
    client.force_login(coordinator_a)
    url = reverse("followup:visit_missed", args=[visit.pk])
    data = {"reason": "patient moved abroad", "version": visit.version}
    assert client.post(url, data).status_code == 302
    visit.refresh_from_db()
    assert visit.status == PlannedVisit.Status.MISSED
    assert not Visit.objects.exists()  # a missed visit has no form


def test_the_participant_page_lists_visits_with_their_state(client, investigator_a, visit):
    client.force_login(investigator_a)
    response = client.get(reverse("followup:participant_visits", args=[visit.participant_id]))
    assert response.status_code == 200
    states = {row.planned.code: row.state for row in response.context["rows"]}
    assert states["M03"] == "due"
    assert not response.context["can_enter"]


def test_the_web_app_works_when_redis_is_down(client, coordinator_a, visit, settings):
    """Nothing in the request path talks to the broker."""
    from trialsite.celery import app

    saved = app.conf.broker_url
    app.conf.update(broker_url="redis://127.0.0.1:1/0", task_always_eager=False)
    try:
        client.force_login(coordinator_a)
        assert client.get(reverse("followup:worklist")).status_code == 200
        url = reverse("followup:visit_record", args=[visit.pk])
        assert client.post(url, _post_data(visit)).status_code == 302
        assert client.get(reverse("notifications:list")).status_code == 200
    finally:
        app.conf.update(broker_url=saved, task_always_eager=True)
