"""The audit trail: who, when, old and new values, why; no hard delete; no lost update."""

import datetime as dt

import pytest

from audit.models import HardDeleteForbidden
from audit.services import ReasonRequiredError, StaleRecordError, save_record
from enrollment.models import Participant

pytestmark = pytest.mark.django_db


@pytest.fixture
def participant(site_a, coordinator_a):
    record = Participant(
        site=site_a,
        study_id="AA-0001",
        sequence=1,
        diagnosis_date=dt.date(2026, 1, 5),
        enrolment_date=dt.date(2026, 2, 1),
    )
    return save_record(record, user=coordinator_a, reason="Enrolment")


def test_creation_is_recorded_with_user_and_reason(participant, coordinator_a):
    (row,) = participant.history.all()
    assert row.history_type == "+"
    assert row.history_user == coordinator_a
    assert row.history_change_reason == "Enrolment"
    assert row.history_date is not None and row.history_date.utcoffset() == dt.timedelta(0)


def test_a_change_keeps_the_old_and_new_values(participant, data_manager_a):
    participant.diagnosis_date = dt.date(2026, 1, 4)
    save_record(
        participant, user=data_manager_a, reason="Pathology report date", expected_version=1
    )
    new, old = participant.history.all()[:2]
    delta = new.diff_against(old)
    (change,) = delta.changes
    assert (change.field, change.old, change.new) == (
        "diagnosis_date",
        dt.date(2026, 1, 5),
        dt.date(2026, 1, 4),
    )
    assert new.history_user == data_manager_a
    assert new.history_change_reason == "Pathology report date"
    assert new.version == 2


def test_a_change_without_a_reason_is_refused(participant, coordinator_a):
    participant.diagnosis_date = dt.date(2026, 1, 3)
    with pytest.raises(ReasonRequiredError):
        save_record(
            participant, user=coordinator_a, reason="  ", expected_version=participant.version
        )
    participant.refresh_from_db()
    assert participant.diagnosis_date == dt.date(2026, 1, 5)


def test_a_stale_edit_is_refused_and_saves_nothing(participant, coordinator_a, data_manager_a):
    first = Participant.objects.get(pk=participant.pk)
    second = Participant.objects.get(pk=participant.pk)
    first.diagnosis_date = dt.date(2026, 1, 2)
    save_record(first, user=coordinator_a, reason="Correction", expected_version=first.version)
    second.diagnosis_date = dt.date(2026, 1, 3)
    with pytest.raises(StaleRecordError):
        save_record(second, user=data_manager_a, reason="Other correction", expected_version=1)
    participant.refresh_from_db()
    assert participant.diagnosis_date == dt.date(2026, 1, 2)
    assert participant.history.count() == 2


def test_a_change_that_names_no_version_is_refused_and_saves_nothing(participant, coordinator_a):
    """A client that leaves the version out cannot skip the check (issue 15)."""
    participant.diagnosis_date = dt.date(2026, 1, 2)
    with pytest.raises(StaleRecordError, match="did not say which version"):
        save_record(participant, user=coordinator_a, reason="Correction")
    participant.refresh_from_db()
    assert participant.diagnosis_date == dt.date(2026, 1, 5)


def test_a_clinical_record_cannot_be_deleted(participant):
    with pytest.raises(HardDeleteForbidden):
        participant.delete()
    with pytest.raises(HardDeleteForbidden):
        Participant.objects.all().delete()
    assert Participant.objects.filter(pk=participant.pk).exists()


def test_the_admin_offers_no_delete(admin_client, participant):
    response = admin_client.get(f"/admin/enrollment/participant/{participant.pk}/delete/")
    assert response.status_code == 403
