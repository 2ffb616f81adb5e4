"""Personal data, declared once, on the model fields.

A field that identifies a patient or a member of staff (initials, hospital number, date of
birth, a signer's printed name), a free-text field (which may contain any of those), and a
calendar date (which, with the site, narrows down a person) is marked where it is declared:

    initials = personal(models.CharField(...), IDENTIFIER)

Every reader asks the field: the de-identified exports leave identifiers and free text out and
turn calendar dates into days from the diagnosis, the trial-wide audit CSV masks the first two
and shifts dates by the same rule, and the Django admin (which is not site-scoped) shows neither
identifiers nor free text. The mark is an attribute of the field instance, not a field option,
so it costs no migration; Django copies it with the field into every concrete model and
django-simple-history into every historical model.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any, TypeVar

from django.core.exceptions import FieldDoesNotExist
from django.db import models


class PersonalData(enum.StrEnum):
    IDENTIFIER = "identifier"
    FREE_TEXT = "free_text"
    CALENDAR_DATE = "calendar_date"


IDENTIFIER = PersonalData.IDENTIFIER
FREE_TEXT = PersonalData.FREE_TEXT
CALENDAR_DATE = PersonalData.CALENDAR_DATE

# Left out of (or masked in) anything de-identified; a calendar date is shifted instead.
WITHHELD = frozenset({IDENTIFIER, FREE_TEXT})

# Where the days of a de-identified date count from: the participant's diagnosis. A model whose
# rows carry the date themselves (Screening, Participant) says so with
# `deidentified_dates_from = "diagnosis_date"`; any other form counts from its participant's.
REFERENCE_FIELD = "diagnosis_date"

_ATTRIBUTE = "personal_data"

F = TypeVar("F", bound=models.Field[Any, Any])


def personal(field: F, kind: PersonalData) -> F:
    """Mark `field` as personal data of `kind`; returns the field for use in a declaration."""
    if kind == CALENDAR_DATE and not isinstance(field, models.DateField):
        # A DateTimeField is a DateField. A date of birth is an identifier: withheld, not shifted.
        raise ValueError(f"{kind} cannot mark a {type(field).__name__}")
    setattr(field, _ATTRIBUTE, kind)
    return field


def personal_kind(field: Any) -> PersonalData | None:
    """The kind of personal data `field` holds, or None."""
    return getattr(field, _ATTRIBUTE, None)


def is_withheld(field: Any) -> bool:
    return personal_kind(field) in WITHHELD


def field_at(model: Any, lookup: str) -> Any:
    """The field a lookup (`participant__screening__initials`) ends at, following relations;
    None where it names no field. The export contract and the admin both read marks so."""
    field = None
    for part in lookup.split("__"):
        if model is None:
            return None
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return None
        model = field.related_model
    return field


def personal_fields(model: type[models.Model]) -> dict[str, PersonalData]:
    """Every declared personal field of `model` (or of its historical model), by name."""
    return {
        f.name: kind for f in model._meta.get_fields() if (kind := personal_kind(f)) is not None
    }


def reference_date_lookup(model: type[models.Model]) -> str:
    """The lookup, from `model`, of the date that its de-identified dates count from."""
    own = getattr(model, "deidentified_dates_from", None)
    if own:
        return str(own)
    return f"{getattr(model, 'participant_path', 'participant')}__{REFERENCE_FIELD}"


def days_from(value: dt.date | dt.datetime | None, reference: dt.date | None) -> int | None:
    """A de-identified calendar date: whole days from `reference` (a time counts by its UTC
    day, as `exports.sql.DaysFrom` counts in the COPY's SQL); None when either is missing."""
    if value is None or reference is None:
        return None
    day = value.astimezone(dt.UTC).date() if isinstance(value, dt.datetime) else value
    return (day - reference).days
