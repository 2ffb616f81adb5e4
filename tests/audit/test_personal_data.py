"""Personal data is declared once, on the fields, and the de-identified export, the trial-wide
audit CSV and the admin all follow the declaration."""

import csv
import io
import re

import pytest
from django.apps import apps
from django.contrib import admin
from django.core import checks
from django.core.management import call_command
from django.db import models
from django.urls import reverse

from access.models import User
from audit.models import ClinicalRecord
from audit.personal_data import (
    CALENDAR_DATE,
    FREE_TEXT,
    IDENTIFIER,
    WITHHELD,
    personal,
    personal_fields,
)
from audit.services import save_record
from dataquality import audit_trail
from enrollment.models import Participant, Screening
from exports.datasets import DATASETS
from followup.models import PlannedVisit, Visit
from tests.exports.helpers import run_export

pytestmark = pytest.mark.django_db

DATE_LIKE = re.compile(r"\d{4}-\d{2}-\d{2}")
SENTINEL_REASON = "Told by Mrs Sentinel-Daughter on 2026-03-04"
SENTINEL_NOTE = "Lives at 12 Sentinel Road"


def test_every_dropped_export_column_is_a_declared_identifier_or_free_text():
    """The 10 columns the de-identified export left out before the declaration, and the
    signature's meaning (which quotes an override's reason), are left out by it now."""
    dropped = {
        (d.name, c.name)
        for d in DATASETS
        for c in d.columns
        if c not in d.columns_for(deidentified=True)
    }
    assert dropped == {
        ("screening", "initials"),
        ("screening", "hospital_number"),
        ("screening", "birth_date"),
        ("assignments", "override_reason"),
        ("assignments", "signed_by"),
        ("assignments", "signature_meaning"),
        ("visits", "status_reason"),
        ("planned_visits", "status_reason"),
        ("visits", "outside_window_reason"),
        ("deaths", "cause_detail"),
        ("adverse_events", "other_specify"),
        ("off_study", "note"),
        ("queries", "query_text"),
    }


def test_the_declaration_travels_with_the_field_into_the_history():
    assert personal_fields(Screening)["hospital_number"] == IDENTIFIER
    assert personal_fields(Screening.history.model)["hospital_number"] == IDENTIFIER
    assert personal_fields(Visit.history.model)["outside_window_reason"] == FREE_TEXT
    assert personal_fields(Participant)["diagnosis_date"] == CALENDAR_DATE
    assert "study_id" not in personal_fields(Participant)  # the pseudonym the files keep


def test_a_calendar_date_mark_needs_a_date():
    with pytest.raises(ValueError):
        personal(models.CharField(max_length=3), CALENDAR_DATE)


def test_every_date_of_every_clinical_record_is_declared():
    assert not [m for m in checks.run_checks() if m.id.startswith(("audit.", "exports."))]
    for model in apps.get_models():
        if issubclass(model, ClinicalRecord):
            for field in model._meta.concrete_fields:
                if isinstance(field, models.DateField):
                    assert field.name in personal_fields(model), (model, field.name)


def _declared_values(*kinds):
    """Every stored value of a field declared as one of `kinds`, in every model and in its
    history."""
    values = set()
    for model in apps.get_models():
        names = [n for n, k in personal_fields(model).items() if k in kinds]
        if names and model._meta.concrete_model is model:
            for row in model._default_manager.values_list(*names):
                values.update(str(v) for v in row if v not in (None, ""))
    return values


@pytest.fixture
def seeded(settings):
    call_command("seed_demo", participants=12, stdout=io.StringIO())
    visit = PlannedVisit.objects.filter(status=PlannedVisit.Status.DONE).first()
    visit.status_reason = SENTINEL_NOTE
    save_record(
        visit,
        user=User.objects.get(username="coordinator_ch"),
        reason=SENTINEL_REASON,
        expected_version=visit.version,
    )
    return visit


def _cells(rows):
    return {value for row in rows for value in row.values()}


def test_the_deidentified_export_and_the_audit_csv_agree_on_the_seeded_trial(
    client, seeded, tmp_path
):
    exported = run_export(tmp_path, "--deidentified")
    export_cells = set().union(*(_cells(rows) for rows in exported.values()))
    client.force_login(User.objects.get(username="data_manager"))
    response = client.get(reverse("dataquality:audit_csv"))
    audit_rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    audit_cells = _cells(audit_rows)
    assert len(audit_rows) > 100 and any(r["field"] == "status_reason" for r in audit_rows)

    identifiers = _declared_values(IDENTIFIER)
    free_text = _declared_values(FREE_TEXT)
    assert SENTINEL_NOTE in free_text and len(identifiers) > 20
    for name, cells in (("export", export_cells), ("audit csv", audit_cells)):
        assert not cells & identifiers, name
        assert not cells & free_text, name
        assert not [c for c in cells if DATE_LIKE.search(c)], name
    assert not [r for r in audit_rows if SENTINEL_REASON in r["reason"]]
    # Masked, not dropped: the trail still says what changed, and dates are days.
    changed = next(
        r for r in audit_rows if r["field"] == "status_reason" and r["record_id"] == str(seeded.pk)
    )
    assert changed["new_value"] == audit_trail.FREE_TEXT_MASK
    assert changed["reason"] == audit_trail.FREE_TEXT_MASK
    assert changed["user"] == "coordinator_ch"
    assert int(changed["changed_day"]) >= 0
    visit_dates = [r for r in audit_rows if r["field"] == "visit_date" and r["new_value"]]
    assert visit_dates and all(int(r["new_value"]) >= 0 for r in visit_dates)


def test_the_admin_shows_no_identifier_or_free_text_of_a_clinical_record(client, seeded):
    client.force_login(User.objects.get(username="admin"))
    withheld = {v for v in _declared_values(*WITHHELD) if len(v) >= 6}
    assert SENTINEL_NOTE in withheld
    pages = []
    for model, _model_admin in admin.site._registry.items():
        if not issubclass(model, ClinicalRecord):
            continue
        info = model._meta.app_label, model._meta.model_name
        pages.append(reverse("admin:{}_{}_changelist".format(*info)))
        for pk in model._default_manager.values_list("pk", flat=True)[:3]:
            pages.append(reverse("admin:{}_{}_change".format(*info), args=[pk]))
            pages.append(reverse("admin:{}_{}_history".format(*info), args=[pk]))
    pages.append(reverse("admin:followup_visit_change", args=[seeded.pk]))
    pages.append(reverse("admin:followup_visit_history", args=[seeded.pk]))
    for url in pages:
        page = client.get(url).content.decode()
        assert not [v for v in withheld if v in page], url
    search = reverse("admin:enrollment_screening_changelist")
    number = Screening.objects.first().hospital_number
    assert client.get(search, {"q": number}).context["cl"].result_count != 1
