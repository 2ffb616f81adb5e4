"""The source data verification worklist: forms complete and waiting, filtered, verified from
the list with the audit of the form's own page, at the verifier's sites only."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.models import TherapyLine
from audit import services as audit_services
from audit.models import CrfStatus
from dataquality import services
from tests.factories import arms as arms_factories
from tests.factories.enrollment import enrolled_participant

pytestmark = pytest.mark.django_db

WORKLIST = reverse("dataquality:sdv_worklist")
VERIFY = reverse("dataquality:sdv_verify")


def _complete_therapy(site, coordinator, *, line_number=1):
    participant = enrolled_participant(site, coordinator)
    therapy = arms_factories.therapy_line(
        participant, coordinator, participant.enrolment_date, line_number=line_number
    )
    return audit_services.complete_form(record=therapy, user=coordinator)


def _rows(response):
    return [row.record for row in response.context["worklist"].rows]


def _post(therapy, **overrides):
    data = {
        "form_id": ContentType.objects.get_for_model(TherapyLine).pk,
        "pk": therapy.pk,
        "expected_version": therapy.version,
    }
    return {**data, **overrides}


def test_the_list_shows_complete_forms_of_the_monitors_sites_only(
    client, site_a, site_b, coordinator_a, coordinator_b, monitor_a
):
    waiting = _complete_therapy(site_a, coordinator_a)
    participant = enrolled_participant(site_a, coordinator_a)
    draft = arms_factories.therapy_line(participant, coordinator_a, participant.enrolment_date)
    elsewhere = _complete_therapy(site_b, coordinator_b)
    client.force_login(monitor_a)
    response = client.get(WORKLIST)
    assert response.status_code == 200
    rows = _rows(response)
    assert waiting in rows
    assert draft not in rows and elsewhere not in rows
    assert waiting.participant.study_id in response.content.decode()


def test_the_list_filters_by_form_and_visit(client, site_a, coordinator_a, monitor_a):
    therapy = _complete_therapy(site_a, coordinator_a)
    client.force_login(monitor_a)
    therapy_form = ContentType.objects.get_for_model(TherapyLine).pk
    assert therapy in _rows(client.get(WORKLIST, {"form": therapy_form}))
    visit_form = ContentType.objects.get(app_label="followup", model="visit").pk
    assert therapy not in _rows(client.get(WORKLIST, {"form": visit_form}))
    # A visit names a follow-up slot: forms outside the schedule are not at one.
    assert therapy not in _rows(client.get(WORKLIST, {"visit": "unscheduled"}))


def test_the_list_filters_by_site(client, site_a, site_b, coordinator_a, coordinator_b):
    from access.models import Membership
    from access.roles import Role
    from tests.factories.access import user_with_role

    monitor = user_with_role(Role.MONITOR, site_a, username="monitor_ab")
    Membership.objects.create(user=monitor, site=site_b, role=Role.MONITOR)
    at_a = _complete_therapy(site_a, coordinator_a)
    at_b = _complete_therapy(site_b, coordinator_b)
    client.force_login(monitor)
    assert {at_a, at_b} <= set(_rows(client.get(WORKLIST)))
    assert _rows(client.get(WORKLIST, {"site": site_b.pk})) == [at_b]


def test_a_bad_filter_shows_the_whole_list(client, site_a, coordinator_a, monitor_a):
    therapy = _complete_therapy(site_a, coordinator_a)
    client.force_login(monitor_a)
    response = client.get(WORKLIST, {"site": "x", "form": "99999999", "visit": "\x01"})
    assert response.status_code == 200
    assert therapy in _rows(response)


def test_verifying_from_the_list_is_the_form_pages_move(client, site_a, coordinator_a, monitor_a):
    therapy = _complete_therapy(site_a, coordinator_a)
    client.force_login(monitor_a)
    response = client.post(VERIFY, _post(therapy))
    assert response.status_code == 302 and response["Location"] == WORKLIST
    therapy.refresh_from_db()
    assert therapy.crf_status == CrfStatus.VERIFIED
    assert therapy.verified_by == monitor_a
    row = therapy.history.first()
    assert (row.history_user, row.history_change_reason) == (monitor_a, "Source data verified")
    assert therapy not in _rows(client.get(WORKLIST))


def test_a_form_changed_since_the_list_was_loaded_is_not_verified(
    client, site_a, coordinator_a, monitor_a
):
    therapy = _complete_therapy(site_a, coordinator_a)
    loaded = therapy.version
    therapy.agents = "Paclitaxel"
    audit_services.save_record(
        therapy, user=coordinator_a, reason="Typo", expected_version=therapy.version
    )
    client.force_login(monitor_a)
    response = client.post(VERIFY, _post(therapy, expected_version=loaded), follow=True)
    therapy.refresh_from_db()
    assert therapy.crf_status == CrfStatus.COMPLETE
    assert "changed by someone else" in response.content.decode()


def test_a_draft_or_crafted_post_is_refused_without_a_500(client, site_a, coordinator_a, monitor_a):
    participant = enrolled_participant(site_a, coordinator_a)
    draft = arms_factories.therapy_line(participant, coordinator_a, participant.enrolment_date)
    client.force_login(monitor_a)
    response = client.post(VERIFY, _post(draft), follow=True)
    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.crf_status == CrfStatus.DRAFT
    assert client.post(VERIFY, {"form_id": "x", "pk": "-1"}).status_code == 302
    assert client.post(VERIFY, _post(draft, pk=10**9)).status_code == 404


def test_another_sites_form_is_a_404(client, site_a, site_b, coordinator_b, monitor_a):
    therapy = _complete_therapy(site_b, coordinator_b)
    client.force_login(monitor_a)
    assert client.post(VERIFY, _post(therapy)).status_code == 404
    therapy.refresh_from_db()
    assert therapy.crf_status == CrfStatus.COMPLETE


def test_the_service_checks_the_right_itself(site_a, coordinator_a):
    from django.core.exceptions import PermissionDenied

    therapy = _complete_therapy(site_a, coordinator_a)
    with pytest.raises(PermissionDenied):
        services.verify_from_worklist(
            record=therapy, user=coordinator_a, expected_version=therapy.version
        )


def _count(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(WORKLIST).status_code == 200
    return len(ctx.captured_queries)


def test_the_list_costs_the_same_for_2_and_12_forms(client, site_a, coordinator_a, monitor_a):
    for _ in range(2):
        _complete_therapy(site_a, coordinator_a)
    client.force_login(monitor_a)
    client.get(WORKLIST)  # warm the per-process caches (content types)
    few = _count(client)
    for i in range(10):
        _complete_therapy(site_a, coordinator_a, line_number=1 + i % 3)
    assert _count(client) == few


def test_the_monitor_lands_on_the_worklist(client, monitor_a):
    client.force_login(monitor_a)
    assert client.get(reverse("home"))["Location"] == WORKLIST


def test_a_monitor_changes_no_clinical_value(monitor_a, site_a):
    from access.roles import Action

    for action in (Action.ENTER_DATA, Action.SCREEN, Action.ENROL, Action.LOCK, Action.UNLOCK):
        assert not monitor_a.can(action, site_a.pk)
    assert monitor_a.can(Action.VERIFY, site_a.pk)
    assert monitor_a.can(Action.RAISE_QUERY, site_a.pk)
    assert monitor_a.can(Action.VIEW_AUDIT_TRAIL, site_a.pk)


def test_a_statistician_has_deidentified_exports_and_reports_only(statistician_a, site_a):
    from access.roles import PERMISSIONS, Action, Role

    assert PERMISSIONS[Role.STATISTICIAN] == {Action.EXPORT_DEIDENTIFIED, Action.VIEW_REPORTS}
    assert not statistician_a.can(Action.VIEW_PARTICIPANTS, site_a.pk)
    assert not statistician_a.can(Action.EXPORT_IDENTIFIED, site_a.pk)
