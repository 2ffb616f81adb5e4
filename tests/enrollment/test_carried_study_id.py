"""A form carries its participant's study ID: filled on every write, kept right by the database,
and never shown as anyone's entry."""

import pytest
from django.db import IntegrityError, connection, models, transaction
from django.test.utils import isolate_apps
from simple_history.utils import bulk_create_with_history

from assessments.models import Baseline, BaselineLesion
from audit.carried import is_carried
from audit.personal_data import personal_kind
from dataquality import audit_trail
from dataquality.forms import field_choices
from enrollment.fields import CarriedStudyIdField
from enrollment.models import Participant, Screening
from exports.casebooks import _shown_fields
from exports.datasets import DATASETS, model_or_none
from followup.models import PlannedVisit
from safety.models import DeathReport, Radiotherapy
from tests.factories import assessments as af
from tests.factories import safety as sf
from tests.factories.enrollment import ScreeningFactory, enrolled_participant, participant

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the composite foreign keys are PostgreSQL's"
)


def _deferred_checks() -> None:
    """Run the deferred foreign-key checks now, as the commit would."""
    connection.check_constraints()


def test_a_saved_form_copies_its_participants_study_id(site_a):
    p = participant(site_a)
    record = sf.radiotherapy(p)
    assert record.study_id == p.study_id
    assert Radiotherapy.objects.get(pk=record.pk).study_id == p.study_id
    # Its history row has the copy too (taken from the saved record).
    assert record.history.get().study_id == p.study_id


def test_a_lesion_copies_its_baselines_study_id(site_a, coordinator_a):
    p = participant(site_a)
    baseline = af.baseline(p, coordinator_a)
    assert baseline.study_id == p.study_id
    assert set(BaselineLesion.objects.values_list("study_id", flat=True)) == {p.study_id}


def test_bulk_create_copies_it_into_the_rows_and_their_history(site_a):
    p = participant(site_a)
    day = p.enrolment_date
    slots = [
        PlannedVisit(
            participant=p,
            site_id=p.site_id,
            code=code,
            target=day,
            window_start=day,
            window_end=day,
        )
        for code in ("M03", "M06")
    ]
    bulk_create_with_history(slots, PlannedVisit, default_change_reason="test")
    assert set(PlannedVisit.objects.values_list("study_id", flat=True)) == {p.study_id}
    history = PlannedVisit.history.model.objects.values_list("study_id", flat=True)
    assert set(history) == {p.study_id}


def test_a_copy_given_is_kept_without_reading_the_participant(site_a, django_assert_num_queries):
    p = participant(site_a)
    # As the trial generator builds its rows: by the participant's key, with her study ID.
    slot = PlannedVisit(participant_id=p.pk, study_id=p.study_id)
    with django_assert_num_queries(0):
        assert PlannedVisit._meta.get_field("study_id").pre_save(slot, add=True) == p.study_id


def test_the_database_refuses_an_empty_copy(site_a):
    record = sf.radiotherapy(participant(site_a))
    with pytest.raises(IntegrityError), transaction.atomic():
        Radiotherapy.objects.filter(pk=record.pk).update(study_id="")


@postgres_only
def test_postgresql_refuses_a_copy_that_is_not_the_participants(site_a):
    p, other = participant(site_a), participant(site_a)
    record = sf.radiotherapy(p)
    with pytest.raises(IntegrityError), transaction.atomic():
        Radiotherapy.objects.filter(pk=record.pk).update(study_id=other.study_id)
        _deferred_checks()


@postgres_only
def test_postgresql_refuses_a_lesion_whose_copy_is_not_its_baselines(site_a, coordinator_a):
    af.baseline(participant(site_a), coordinator_a)
    other = participant(site_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        BaselineLesion.objects.update(study_id=other.study_id)
        _deferred_checks()


@postgres_only
def test_a_carried_study_id_cannot_be_changed_under_its_copies(site_a):
    p = participant(site_a)
    sf.radiotherapy(p)
    with pytest.raises(IntegrityError), transaction.atomic():
        Participant.objects.filter(pk=p.pk).update(study_id="AA-T9999")
        _deferred_checks()


# A screening has no participant until enrolment; a participant's study ID is her own; the
# analysis row's copy is written by its refresh (exports.derived), not on save.
NOT_CARRYING = ("enrollment.Screening", "enrollment.Participant", "exports.ParticipantOutcome")


def test_every_clinical_dataset_model_carries_it():
    for dataset in DATASETS:
        model = model_or_none(dataset.model)
        if model is None or model._meta.label in NOT_CARRYING:
            continue
        field = model._meta.get_field("study_id")
        assert isinstance(field, CarriedStudyIdField), dataset.name
        own = Participant._meta.get_field("study_id")
        assert field.verbose_name == own.verbose_name
        # What a de-identified file does with it: as with the participant's own.
        assert personal_kind(field) == personal_kind(own)
        assert not field.editable


def test_the_copy_is_no_ones_entry_in_the_audit_trail_casebook_or_query_form(site_a):
    p = participant(site_a)
    record = DeathReport.objects.create(
        participant=p,
        death_date=p.enrolment_date,
        primary_cause=DeathReport.Cause.BREAST_CANCER,
        autopsy=DeathReport.Autopsy.NO,
        information_source=DeathReport.Source.HOSPITAL,
    )
    entries = audit_trail.form_audit_trail(record)
    assert entries and "study_id" not in {e.field for e in entries}
    assert "death_date" in {e.field for e in entries}
    assert not any(is_carried(f) for f in _shown_fields(DeathReport))
    assert not any(is_carried(f) for f in _shown_fields(Baseline))
    assert "study_id" not in dict(field_choices(DeathReport))
    # The participant's own study ID is hers, and still shown.
    assert "study_id" in {f.name for f in _shown_fields(Participant)}


@isolate_apps("enrollment")
def test_a_source_that_names_no_relation_is_a_configuration_error():
    class Misdeclared(models.Model):
        study_id = CarriedStudyIdField(source="nothing")

        class Meta:
            app_label = "enrollment"

        def __str__(self) -> str:
            return self.study_id

    errors = Misdeclared._meta.get_field("study_id").check()
    assert [e.id for e in errors] == ["enrollment.E001"]


def test_enrolment_gives_the_screening_its_participants_study_id(site_a, coordinator_a):
    p = enrolled_participant(site_a, coordinator_a)
    assert Screening.objects.get(pk=p.screening_id).study_id == p.study_id
    # Bookkeeping, not an entry: not among the screening's shown fields.
    assert "study_id" not in {f.name for f in _shown_fields(Screening)}


def test_a_screening_not_enrolled_carries_no_study_id(site_a):
    screening = ScreeningFactory(site=site_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        Screening.objects.filter(pk=screening.pk).update(study_id="AA-0042")


@postgres_only
def test_postgresql_refuses_a_screening_copy_that_is_not_its_participants(site_a, coordinator_a):
    p, other = enrolled_participant(site_a, coordinator_a), participant(site_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        Screening.objects.filter(pk=p.screening_id).update(study_id=other.study_id)
        _deferred_checks()
