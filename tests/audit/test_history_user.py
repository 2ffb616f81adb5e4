"""Who changed a clinical record is kept for ever: the account cannot be deleted while history
names it, and the history keeps the name it had when the change was made."""

import importlib

import pytest
from django.apps import apps
from django.conf import settings
from django.db.models import PROTECT, ProtectedError

from access.models import User
from assessments import services as assessment_services
from audit.models import ClinicalRecord
from dataquality import audit_trail
from tests.factories import arms as arms_factories
from tests.factories.enrollment import enrolled_participant

pytestmark = pytest.mark.django_db


def _historical_models():
    return [m.history.model for m in apps.get_models() if issubclass(m, ClinicalRecord)]


def test_every_history_protects_its_user():
    assert _historical_models()
    for model in _historical_models():
        assert model._meta.get_field("history_user").remote_field.on_delete is PROTECT, model
    historical = set(_historical_models())
    # (A historical row's copy of verified_by is a plain id: the live form's key protects.)
    clinical_user_fks = [
        f
        for m in apps.get_models()
        if m not in historical and m._meta.app_label != "access"
        for f in m._meta.concrete_fields
        if f.is_relation and f.related_model is User
    ]
    unprotected = {
        f"{f.model._meta.label}.{f.name}"
        for f in clinical_user_fks
        if f.remote_field.on_delete is not PROTECT
    }
    # The bell's notifications, the admin's own log and the second factor's devices are not
    # clinical data.
    assert unprotected <= {
        "notifications.Notification.recipient",
        "admin.LogEntry.user",
        "otp_totp.TOTPDevice.user",
        "otp_static.StaticDevice.user",
    }


@pytest.fixture
def therapy(site_a, coordinator_a):
    participant = enrolled_participant(site_a, coordinator_a)
    return arms_factories.therapy_line(participant, coordinator_a, participant.enrolment_date)


def test_a_user_who_wrote_clinical_data_cannot_be_deleted(therapy, coordinator_a):
    rows = therapy.history.filter(history_user=coordinator_a).count()
    assert rows
    with pytest.raises(ProtectedError):
        coordinator_a.delete()
    assert therapy.history.filter(history_user=coordinator_a).count() == rows


def test_the_history_keeps_the_name_the_user_had_at_the_time(therapy, coordinator_a):
    coordinator_a.first_name, coordinator_a.last_name = "Li", "Na"
    coordinator_a.save()
    therapy.agents = "Paclitaxel"
    assessment_services.therapy_line_save(
        line=therapy, user=coordinator_a, reason="Chart", expected_version=therapy.version
    )
    coordinator_a.username, coordinator_a.first_name = "renamed", "Someone"
    coordinator_a.save()
    latest = therapy.history.first()
    assert (latest.history_user_name, latest.history_user_full_name) == ("coordinator_a", "Li Na")
    entry = next(e for e in audit_trail.form_audit_trail(therapy) if e.field == "agents")
    assert (entry.user, entry.user_full_name) == ("coordinator_a", "Li Na")


def test_bulk_written_history_is_named_too(site_a, coordinator_a):
    participant = enrolled_participant(site_a, coordinator_a)  # plans its visits in bulk
    names = set(
        participant.planned_visits.model.history.values_list("history_user_name", flat=True)
    )
    assert names == {"coordinator_a"}


def test_the_migration_names_every_existing_row_from_its_user(therapy, coordinator_a):
    coordinator_a.first_name, coordinator_a.last_name = "Li", "Na"
    coordinator_a.save()
    history = type(therapy).history
    history.update(history_user_name="", history_user_full_name="")
    rows = history.count()
    migration = importlib.import_module(
        "assessments.migrations.0005_history_user_protected_and_named"
    )
    migration.name_the_users(apps, None)
    assert history.count() == rows
    assert set(history.values_list("history_user_name", "history_user_full_name")) == {
        ("coordinator_a", "Li Na")
    }
    assert settings.AUTH_USER_MODEL == "access.User"
