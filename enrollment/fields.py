"""The participant's study ID, carried on each row of her clinical record.

A study ID is allocated once, at enrolment (`enrollment.services.enrol_participant`), and never
changes, so a form can hold a copy of it: the export's `study_id` column is then the row's own,
and a dataset is streamed without joining the participants (a hash join over every
participant for a table of a few thousand rows). The database keeps the copy right: a
CHECK refuses an empty one, and on PostgreSQL a foreign key (row's parent key, study_id) ->
(parent's key, parent's study_id) refuses a copy that is not the parent's
(`trialsite.migration_operations.carried_study_id_foreign_key`). A row's parent is its
participant, or the record that carries the ID above it (a lesion's baseline).

The copy is bookkeeping, not an entry: never on a form (not editable), and not shown as a
change in an audit trail, a casebook or the ODM (`audit.carried.is_carried`).
"""

from __future__ import annotations

from typing import Any

from django.core import checks
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext_lazy as _

from audit.carried import mark_carried

STUDY_ID_MAX_LENGTH = 16  # Participant.study_id's


class CarriedStudyIdField(models.CharField):
    """The study ID of the row's `source` (a relation whose model has a `study_id`), copied
    when the row is written without one: on save() and bulk_create, as `auto_now` is set."""

    def __init__(self, *args: Any, source: str = "participant", **kwargs: Any) -> None:
        self.source = source
        kwargs.setdefault("verbose_name", _("study ID"))
        kwargs.setdefault("max_length", STUDY_ID_MAX_LENGTH)
        # Written by pre_save, never by a form (not editable); blank so that a ModelForm's
        # validation of the row does not refuse the empty value pre_save is about to fill.
        kwargs["editable"] = False
        kwargs["blank"] = True
        super().__init__(*args, **kwargs)
        mark_carried(self)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        for implied in ("editable", "blank"):
            kwargs.pop(implied, None)
        return name, path, args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = getattr(model_instance, self.attname)
        # The parent's key as it stands (`participant_id`): no read when it is unset (the
        # database then refuses the row for its missing parent or empty study ID).
        if not value and getattr(model_instance, f"{self.source}_id") is not None:
            value = getattr(model_instance, self.source).study_id
            setattr(model_instance, self.attname, value)
        return value

    def check(self, **kwargs: Any) -> list[checks.CheckMessage]:
        errors = super().check(**kwargs)
        model = getattr(self, "model", None)
        if model is None or model._meta.abstract:
            return errors
        try:
            upstream = model._meta.get_field(self.source).related_model
            upstream._meta.get_field("study_id")
        except (FieldDoesNotExist, AttributeError):  # no such relation, or no study_id there
            errors.append(
                checks.Error(
                    f"source={self.source!r} must name a relation of {model._meta.label} "
                    "to a model with a study_id.",
                    obj=self,
                    id="enrollment.E001",
                )
            )
        return errors


def study_id_carried(name: str) -> models.CheckConstraint:
    """The CHECK of a model with a carried study ID: every row has one (each such model's
    participant, or parent, is required)."""
    return models.CheckConstraint(condition=~models.Q(study_id=""), name=name)
