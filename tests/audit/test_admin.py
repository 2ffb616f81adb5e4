"""The admin is not a second write path: clinical records are view and history only (a POST
changes nothing, even for a superuser), no admin page answers 5xx, and users who wrote clinical
data are deactivated, never deleted."""

import io

import pytest
from django.contrib import admin
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from access.admin import USER_HAS_CLINICAL_HISTORY
from access.models import Membership, Role, Site, User
from accounts.models import AccountChange
from accounts.services import ADMIN_REASON
from assessments.models import LesionMeasurement, TherapyLine
from audit.models import ClinicalRecord, ElectronicSignature
from dataquality import services as dq_services
from dataquality.models import CasebookSignOff
from enrollment.models import Participant, Screening
from enrollment.services import take_off_study
from exports.services import export_to_directory
from exports.streaming import Scope
from safety.models import CausalityAssessment, DeathReport
from tests.factories import safety as safety_factories

pytestmark = pytest.mark.django_db


def _url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def seeded(tmp_path):
    call_command("seed_demo", participants=6, stdout=io.StringIO())
    data_manager = User.objects.get(username="data_manager")
    therapy = TherapyLine.objects.first()
    dq_services.open_query(record=therapy, field_name="agents", text="Dose?", user=data_manager)
    participant = Participant.objects.first()
    signature = ElectronicSignature.objects.create(
        signer=User.objects.get(username="investigator_ch"),
        printed_name="Investigator",
        meaning="I sign the casebook.",
        record_type="enrollment.participant",
        record_id=participant.pk,
        record_version=participant.version,
    )
    CasebookSignOff.objects.create(participant=participant, signature=signature)
    # One record of each safety form the six participants' demo may not have drawn.
    event = safety_factories.serious_event(participant)
    safety_factories.follow_up(event)
    CausalityAssessment.objects.create(
        adverse_event=event, adverse_event_version=1, expected=True, signature=None
    )
    DeathReport.objects.create(
        participant=Participant.objects.last(),
        death_date=timezone.localdate(),
        primary_cause="unknown",
        autopsy="unknown",
        information_source="family",
    )
    take_off_study(
        participant=Participant.objects.last(),
        user=User.objects.get(username="coordinator_rj"),
        date=timezone.localdate(),
        reason="withdrawn",
        note="Moved away",
    )
    export_to_directory(out=tmp_path, scope=Scope(deidentified=True), user=data_manager)


@pytest.fixture
def superuser(client):
    user = User.objects.get(username="admin")
    assert user.is_superuser
    client.force_login(user)
    return user


def test_no_admin_page_answers_5xx_and_clinical_records_are_view_only(client, seeded, superuser):
    walked, empty = 0, []
    for model, model_admin in admin.site._registry.items():
        clinical = issubclass(model, ClinicalRecord) or model in (
            ElectronicSignature,
            CasebookSignOff,
        )
        pages = [_url(model, "changelist"), _url(model, "add")]
        obj = model._default_manager.order_by("pk").first()
        if obj is None:
            empty.append(model._meta.label)
        else:
            pages += [_url(model, v, obj.pk) for v in ("change", "history", "delete")]
            if hasattr(model, "history"):
                version = obj.history.order_by("history_id").first()
                pages.append(_url(model, "simple_history", obj.pk, version.history_id))
        for url in pages:
            response = client.get(url)
            walked += 1
            assert response.status_code < 500, url
            if clinical and url.endswith(("/add/", "/delete/")):
                assert response.status_code == 403, url
        if clinical and obj is not None:
            assert client.get(_url(model, "change", obj.pk)).status_code == 200
            assert not model_admin.has_change_permission(_request(superuser), obj)
            assert "delete_selected" not in model_admin.get_actions(_request(superuser))
    # Every clinical model was walked with a record (the account lockout's tables, the backup
    # codes and the account change log may be empty).
    lockout = {"auth.Group", "axes.AccessAttempt", "axes.AccessFailureLog"}
    lockout |= {"otp_static.StaticDevice", "otp_totp.TOTPDevice", "accounts.AccountChange"}
    assert walked > 100 and set(empty) <= lockout | {"notifications.Notification"}


def _request(user):
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def test_a_post_to_a_clinical_change_url_changes_nothing(client, seeded, superuser):
    """Issue 15's "admin save passes no expected version" cannot happen: the admin saves
    nothing, so an admin who opened a form before a correction cannot revert it."""
    therapy = TherapyLine.objects.first()
    before = (therapy.agents, therapy.version, therapy.history.count())
    response = client.post(
        _url(TherapyLine, "change", therapy.pk),
        {"agents": "Tampered", "change_reason": "Admin fix", "line_number": "9"},
    )
    assert response.status_code == 403
    therapy.refresh_from_db()
    assert (therapy.agents, therapy.version, therapy.history.count()) == before


def test_measurements_of_a_completed_assessment_cannot_be_edited_there(client, seeded, superuser):
    measurement = LesionMeasurement.objects.filter(assessment__completed_at__isnull=False).first()
    before = (measurement.current_mm, measurement.version)
    response = client.post(_url(LesionMeasurement, "change", measurement.pk), {"current_mm": "1"})
    assert response.status_code == 403
    measurement.refresh_from_db()
    assert (measurement.current_mm, measurement.version) == before


def test_add_participant_is_refused_not_a_500(client, seeded, superuser):
    count = Participant.objects.count()
    assert client.get(_url(Participant, "add")).status_code == 403
    assert client.post(_url(Participant, "add"), {"study_id": "CH-9999"}).status_code == 403
    assert Participant.objects.count() == count


def test_revert_from_history_is_refused_on_post(client, seeded, superuser):
    therapy = TherapyLine.objects.first()
    oldest = therapy.history.order_by("history_id").first()
    url = _url(TherapyLine, "simple_history", therapy.pk, oldest.history_id)
    page = client.get(url)
    assert page.status_code == 200 and b'name="agents"' not in page.content
    response = client.post(url, {"agents": "Tampered", "line_number": "1"})
    assert response.status_code == 403
    therapy.refresh_from_db()
    assert therapy.agents != "Tampered"


def test_non_clinical_admin_keeps_working(client, seeded, superuser):
    response = client.post(
        _url(Site, "add"), {"code": "XH", "name": "Xinhua", "time_zone": "Asia/Shanghai"}
    )
    assert response.status_code == 302
    site = Site.objects.get(code="XH")
    no_memberships = {
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    response = client.post(
        _url(User, "add"),
        {"username": "new_coordinator", "password1": "a-long-password-2026",
         "password2": "a-long-password-2026", "usable_password": "true", **no_memberships},
    )  # fmt: skip
    assert response.status_code == 302, response.context and response.context["adminform"].errors
    user = User.objects.get(username="new_coordinator")
    data = {
        "username": "new_coordinator",
        "first_name": "New",
        "last_name": "Coordinator",
        "email": "",
        "is_active": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "08:00:00",
        "memberships-TOTAL_FORMS": "1",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
        "memberships-0-site": str(site.pk),
        "memberships-0-role": Role.COORDINATOR,
    }
    response = client.post(_url(User, "change", user.pk), data)
    assert response.status_code == 302, response.context and response.context["adminform"].errors
    membership = Membership.objects.get(user=user, site=site, role=Role.COORDINATOR)
    [given] = AccountChange.objects.filter(user=user)
    assert (given.kind, given.site, given.by, given.old, given.new) == (
        AccountChange.Kind.ROLE_CHANGED,
        site,
        superuser,
        "",
        "Research coordinator @ XH",
    )
    # The role changed, then the account deactivated, then the membership ended: each logged.
    data |= {
        "memberships-INITIAL_FORMS": "1",
        "memberships-0-id": str(membership.pk),
        "memberships-0-user": str(user.pk),
        "memberships-0-role": Role.INVESTIGATOR,
    }
    assert client.post(_url(User, "change", user.pk), data).status_code == 302
    data.pop("is_active")
    assert client.post(_url(User, "change", user.pk), data).status_code == 302
    data["memberships-0-DELETE"] = "on"
    assert client.post(_url(User, "change", user.pk), data).status_code == 302
    logged = list(
        AccountChange.objects.filter(user=user).order_by("pk").values_list("kind", "old", "new")
    )
    assert logged[1:] == [
        (AccountChange.Kind.ROLE_CHANGED, "Research coordinator @ XH", "Investigator @ XH"),
        (AccountChange.Kind.DEACTIVATED, "active", "inactive"),
        (AccountChange.Kind.MEMBERSHIP_ENDED, "Investigator @ XH", ""),
    ]
    assert all(c.reason == str(ADMIN_REASON) for c in AccountChange.objects.filter(user=user))
    # The change log names them now: deactivated, never deleted, like a user of clinical data.
    client.post(_url(User, "delete", user.pk), {"post": "yes"})
    assert User.objects.filter(pk=user.pk).exists()
    # A user whom nothing names can be deleted.
    unused = User.objects.create_user("unused_account")
    assert client.post(_url(User, "delete", unused.pk), {"post": "yes"}).status_code == 302
    assert not User.objects.filter(pk=unused.pk).exists()


def test_a_user_with_clinical_history_is_refused_deletion_and_can_be_deactivated(
    client, seeded, superuser
):
    coordinator = User.objects.get(username="coordinator_ch")
    rows = Screening.history.filter(history_user=coordinator).count()
    assert rows
    response = client.get(_url(User, "delete", coordinator.pk))
    assert response.status_code == 302
    response = client.post(_url(User, "delete", coordinator.pk), {"post": "yes"}, follow=True)
    assert (
        str(USER_HAS_CLINICAL_HISTORY % {"user": "coordinator_ch"})
        in [str(m) for m in get_messages(response.wsgi_request)]
        or str(USER_HAS_CLINICAL_HISTORY % {"user": "coordinator_ch"}) in response.content.decode()
    )
    assert User.objects.filter(pk=coordinator.pk).exists()
    assert b'class="deletelink"' not in client.get(_url(User, "change", coordinator.pk)).content
    actions = client.get(_url(User, "changelist")).content.decode()
    assert "deactivate_accounts" in actions and "delete_selected" not in actions
    response = client.post(
        _url(User, "changelist"),
        {"action": "deactivate_accounts", "_selected_action": [coordinator.pk]},
    )
    assert response.status_code == 302
    coordinator.refresh_from_db()
    assert not coordinator.is_active
    [logged] = AccountChange.objects.filter(user=coordinator)
    assert (logged.kind, logged.by, logged.site.code) == (
        AccountChange.Kind.DEACTIVATED,
        superuser,
        "CH",
    )
    assert Screening.history.filter(history_user=coordinator).count() == rows


def test_the_admin_history_names_the_user_as_they_were_named_then(client, seeded, superuser):
    coordinator = User.objects.get(username="coordinator_ch")
    screening = Screening.history.filter(history_user=coordinator).first().instance
    coordinator.username = "someone_else"
    coordinator.save()
    page = client.get(_url(Screening, "history", screening.pk)).content.decode()
    assert "coordinator_ch" in page and "someone_else" not in page
