"""The audit trail viewer and export: old and new values, who, when, why; bounded queries;
nobody edits the trail, not even through the admin."""

import csv
import io

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments import services as assessment_services
from audit import services as audit_services
from dataquality import audit_trail
from dataquality.selectors import crf_models
from tests.factories import arms as arms_factories
from tests.factories.enrollment import enrolled_participant

pytestmark = pytest.mark.django_db


def _change_agents(therapy, user, agents, reason):
    therapy.agents = agents
    return assessment_services.therapy_line_save(
        line=therapy, user=user, reason=reason, expected_version=therapy.version
    )


def test_the_viewer_shows_who_changed_what_from_which_to_which_and_why(
    client, therapy, coordinator_a
):
    audit_services.complete_form(record=therapy, user=coordinator_a)
    _change_agents(therapy, coordinator_a, "Paclitaxel", "Chart says paclitaxel")
    client.force_login(coordinator_a)
    response = client.get(
        reverse("dataquality:participant_audit", args=[therapy.participant.study_id])
    )
    entries = list(response.context["page_obj"])
    change = next(e for e in entries if e.field == "agents" and e.change == "changed")
    assert (change.old, change.new, change.user, change.reason) == (
        "Docetaxel",
        "Paclitaxel",
        "coordinator_a",
        "Chart says paclitaxel",
    )
    page = response.content.decode()
    assert "Docetaxel" in page and "Paclitaxel" in page and "Chart says paclitaxel" in page
    # The site's local time (Asia/Shanghai), its zone named unambiguously.
    assert "Beijing time / UTC+8" in page and "CST" not in page


def test_every_write_to_clinical_data_leaves_a_row_naming_the_user_and_reason(
    site_a, coordinator_a
):
    from enrollment import services as enrollment_services
    from tests.factories.enrollment import TODAY, ScreeningFactory

    screening = ScreeningFactory.build(site=site_a)
    enrollment_services.screening_save(screening=screening, user=coordinator_a, today=TODAY)
    participant = enrollment_services.enrol_participant(
        screening=screening, user=coordinator_a, consent_date=TODAY, today=TODAY
    )
    arms_factories.therapy_line(participant, coordinator_a, participant.enrolment_date)
    for model in (*crf_models(), type(participant)):
        for row in model.history.all():
            assert row.history_user_id is not None, model
            assert row.history_change_reason, model


def _bigger_casebook(participant, user, n):
    for i in range(n):
        line = arms_factories.therapy_line(participant, user, participant.enrolment_date, i + 2)
        _change_agents(line, user, f"Agent {i}", "Draft edit")


def test_the_viewer_makes_a_bounded_number_of_queries(client, participant, coordinator_a):
    client.force_login(coordinator_a)
    url = reverse("dataquality:participant_audit", args=[participant.study_id])
    _bigger_casebook(participant, coordinator_a, 1)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    _bigger_casebook(participant, coordinator_a, 10)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many.captured_queries) == len(few.captured_queries)
    # Savepoints, session (read and write), user, memberships, participant, the menu's two
    # counts, then one per audited model (measured: 20 with nine audited models).
    assert len(many.captured_queries) <= 11 + len(audit_trail.audited_models())


def test_the_form_page_shows_its_own_trail(client, therapy, coordinator_a):
    from django.contrib.contenttypes.models import ContentType

    _change_agents(therapy, coordinator_a, "Paclitaxel", "Draft edit")
    client.force_login(coordinator_a)
    form_id = ContentType.objects.get_for_model(therapy).pk
    response = client.get(reverse("dataquality:form", args=[form_id, therapy.pk]))
    assert any(
        e.new == "Paclitaxel" and e.old == "Docetaxel" for e in response.context["audit_entries"]
    )


def test_the_trial_csv_is_streamed_masked_and_scoped(
    client, therapy, coordinator_a, data_manager_a, site_b, coordinator_b
):
    enrolled_participant(site_b, coordinator_b)
    _change_agents(therapy, coordinator_a, "Paclitaxel", "Draft edit")
    client.force_login(data_manager_a)
    response = client.get(reverse("dataquality:audit_csv"))
    assert response.status_code == 200 and response.streaming
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert any(r["field"] == "agents" and r["old_value"] == "Docetaxel" for r in rows)
    assert {r["new_value"] for r in rows if r["field"] == "initials"} == {audit_trail.MASK}
    assert {r["field"] for r in rows} >= {"agents", "study_id"}
    study_ids = {r["new_value"] for r in rows if r["field"] == "study_id"}
    assert study_ids == {therapy.participant.study_id}  # site B is not this user's


def test_nobody_edits_the_audit_trail_through_the_admin(client, therapy, admin_a):
    historical = [m for m in apps.get_models() if m.__name__.startswith("Historical")]
    assert historical
    assert not any(m in admin.site._registry for m in historical)
    admin_a.is_staff = admin_a.is_superuser = True
    admin_a.save()
    client.force_login(admin_a)
    row = therapy.history.first()
    assert (
        client.get(f"/admin/assessments/historicaltherapyline/{row.history_id}/change/").status_code
        == 404
    )
    revert = reverse(
        "admin:assessments_therapyline_simple_history", args=[therapy.pk, row.history_id]
    )
    # Reverting to an old version is disabled (SIMPLE_HISTORY_REVERT_DISABLED): nothing saved.
    assert client.post(revert, {"agents": "Tampered"}).status_code != 302
    therapy.refresh_from_db()
    assert therapy.agents == "Docetaxel"


def test_a_planned_visits_changes_are_in_the_participants_trail(participant, coordinator_a):
    """A planned visit is not a form, but what became of it is part of the record."""
    from followup.services import mark_visit_missed

    slot = participant.planned_visits.order_by("window_start").first()
    mark_visit_missed(
        visit=slot, user=coordinator_a, reason="Patient moved abroad", expected_version=slot.version
    )
    entries = audit_trail.participant_audit_trail(participant)
    slot_entries = [e for e in entries if e.model == "followup.plannedvisit"]
    assert {e.object_id for e in slot_entries} == set(
        participant.planned_visits.values_list("pk", flat=True)
    )  # planned at enrolment: each slot's first row
    [missed] = [e for e in slot_entries if e.field == "status" and e.change == "changed"]
    assert (missed.object_id, missed.old, missed.new, missed.reason) == (
        slot.pk,
        "Open",
        "Missed",
        "Patient moved abroad",
    )


def test_the_viewer_names_records_and_says_yes_or_no_never_a_bare_key(
    client, participant, coordinator_a
):
    client.force_login(coordinator_a)
    url = reverse("dataquality:participant_audit", args=[participant.study_id])
    rows = client.get(url).context["page_obj"].object_list
    by_field = {(e.record, e.field): e.new for e in rows}
    assert any(r == f"participant {participant.study_id}" for r, _ in by_field)
    # Keys that point at the participant or her site name them.
    pointing = {e.new for e in rows if e.field in ("participant", "site")}
    assert pointing <= {participant.study_id, participant.site.code}
    assert str(participant.pk) not in pointing
    assert not {e.new for e in rows} & {"True", "False"}
