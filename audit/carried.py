"""Columns a row carries from another record, so that reading it needs no join.

A copy is bookkeeping, not an entry: nobody types it, the code that writes the row sets it
from its source in the same transaction, and an audit trail, a casebook, the ODM or a query
form does not show it as a value of the form (`is_carried`). The participant's study ID on
every form is one (`enrollment.fields.CarriedStudyIdField`); `copy_of` declares others (a
visit's schedule, the analysis row's participant and baseline columns).
"""

from __future__ import annotations

from typing import Any

from django.db import models

from .personal_data import personal, personal_kind

_CARRIED = "_carried_copy"


def mark_carried(field: Any) -> Any:
    setattr(field, _CARRIED, True)
    return field


def is_carried(field: Any) -> bool:
    """Whether `field` is a carried copy (bookkeeping: not a value anyone entered)."""
    return getattr(field, _CARRIED, False)


def copy_of(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    """A field to hold a copy of `model`'s field `name`: the same type, verbose name, choices
    and personal-data declaration (the data dictionary and the de-identified file read them),
    empty while there is nothing to copy (a participant without a baseline yet, a visit
    outside the schedule)."""
    source = model._meta.get_field(name)
    if not isinstance(source, models.Field):
        raise TypeError(f"{model.__name__}.{name} is a reverse relation, not a column")
    _name, _path, args, kwargs = source.deconstruct()
    for key in ("default", "unique", "db_index", "primary_key"):
        kwargs.pop(key, None)
    kwargs.update(null=True, blank=True, editable=False)
    field: models.Field[Any, Any] = type(source)(*args, **kwargs)
    if (kind := personal_kind(source)) is not None:
        personal(field, kind)
    mark_carried(field)
    return field


class _Carried:
    """A copy of the field `attribute` of the record that the row's relation `source` names,
    written on save and bulk_create from that record as it stands (empty while the relation
    is), like `auto_now`: on every write, or with `once` only while the copy is empty (a
    source column that never changes while the row exists, so that re-saving the row does
    not read its source)."""

    def __init__(
        self, *args: Any, source: str, attribute: str, once: bool = False, **kwargs: Any
    ) -> None:
        self.source, self.attribute, self.once = source, attribute, once
        kwargs.update(editable=False, null=True, blank=True)
        super().__init__(*args, **kwargs)
        mark_carried(self)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()  # type: ignore[misc]
        for implied in ("editable", "null", "blank"):
            kwargs.pop(implied, None)
        kwargs.update(source=self.source, attribute=self.attribute)
        if self.once:
            kwargs["once"] = True
        return name, path, args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        attname = self.attname  # type: ignore[attr-defined]
        value = getattr(model_instance, attname)
        if self.once and value is not None:
            return value
        related = None
        if getattr(model_instance, f"{self.source}_id") is not None:
            related = getattr(model_instance, self.source)
        value = getattr(related, self.attribute) if related is not None else None
        setattr(model_instance, attname, value)
        return value


class CarriedCharField(_Carried, models.CharField):
    """A carried copy of a text column. For a source that never changes once written (a CTCAE
    term, reference data) the copy is then always its source's."""


class CarriedSmallIntegerField(_Carried, models.PositiveSmallIntegerField):
    """A carried copy of a small number (a lesion's number)."""


class CarriedDateField(_Carried, models.DateField):
    """A carried copy of a date (an assessment's date)."""
