"""The audit trail read back: per form and field, who changed what from which value to which,
when and why, from django-simple-history's rows (each row is the whole record after a change,
so a change is the difference between a row and the one before it of the same record).

Queries are bounded: one per audited model, whatever the number of rows; the trial-wide
export iterates with a server-side cursor and holds one previous row per record.
"""

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.apps import apps
from django.db.models import Model, QuerySet

from enrollment.models import Participant

from .selectors import crf_models

# Bookkeeping columns of every historical row: not changes anyone made.
NOT_SHOWN = frozenset(
    {
        "id",
        "created_at",
        "updated_at",
        "version",
        "history_id",
        "history_date",
        "history_change_reason",
        "history_type",
        "history_user",
        "history_user_id",
        "history_relation",
    }
)
# Identifying fields: the trial-wide export (a de-identified export) masks their values.
PERSONAL_FIELDS = frozenset({"initials", "hospital_number", "birth_date"})
MASK = "[personal data]"
CHANGE_TYPES = {"+": "created", "~": "changed", "-": "deleted"}


@dataclass(frozen=True)
class AuditEntry:
    model: str
    form: str
    object_id: int
    history_id: int
    when: dt.datetime
    user: str
    reason: str
    change: str
    field: str
    field_label: str
    old: str
    new: str

    def local(self, time_zone: str) -> dt.datetime:
        return self.when.astimezone(ZoneInfo(time_zone))


def audited_models() -> tuple[type[Model], ...]:
    """The participant, every form, and the records that are not forms but whose changes a
    participant's trail shows (`shown_in_audit_trail`, e.g. the planned visits)."""
    others = tuple(
        m
        for m in apps.get_models()
        if getattr(m, "shown_in_audit_trail", False) and m not in crf_models()
    )
    return (Participant, *crf_models(), *others)


def _fields(history_model: type[Model]) -> list[Any]:
    return [f for f in history_model._meta.concrete_fields if f.name not in NOT_SHOWN]


def _display(field: Any, value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    choices = dict(field.flatchoices) if field.choices else {}
    return str(choices.get(value, value))


def changes(
    rows: Iterable[Any], history_model: type[Model], *, mask: bool = False
) -> Iterator[AuditEntry]:
    """The field changes in `rows` (historical rows ordered by record, then time)."""
    fields = _fields(history_model)
    model = history_model.instance_type  # type: ignore[attr-defined]
    label = model._meta.label_lower
    form = str(model._meta.verbose_name)
    previous: Any = None
    for row in rows:
        before = previous if previous is not None and previous.id == row.id else None
        user = row.history_user.get_username() if row.history_user_id else ""
        for field in fields:
            new = getattr(row, field.attname)
            old = getattr(before, field.attname) if before is not None else None
            if before is not None and old == new:
                continue
            if before is None and (new is None or new == "" or new == [] or new == {}):
                continue
            hidden = mask and field.name in PERSONAL_FIELDS
            yield AuditEntry(
                model=label,
                form=form,
                object_id=row.id,
                history_id=row.history_id,
                when=row.history_date,
                user=user,
                reason=row.history_change_reason or "",
                change=CHANGE_TYPES.get(row.history_type, row.history_type),
                field=field.name,
                field_label=str(field.verbose_name),
                old=MASK if hidden and old is not None else _display(field, old),
                new=MASK if hidden else _display(field, new),
            )
        previous = row


def _ordered(history: QuerySet) -> QuerySet:
    return history.select_related("history_user").order_by("id", "history_date", "history_id")


def participant_audit_trail(
    participant: Participant, *, model: type[Model] | None = None, object_id: int | None = None
) -> list[AuditEntry]:
    """Every change to the participant's records (or to one form), newest first."""
    entries: list[AuditEntry] = []
    for audited in audited_models():
        if model is not None and audited is not model:
            continue
        if audited is Participant:
            ids: Any = [participant.pk]
        else:
            ids = audited.objects.filter(
                **{audited.participant_path: participant}  # type: ignore[attr-defined]
            ).values("pk")
        history = audited.history.filter(id__in=ids)  # type: ignore[attr-defined]
        if object_id is not None:
            history = history.filter(id=object_id)
        entries.extend(changes(_ordered(history), audited.history.model))  # type: ignore[attr-defined]
    entries.sort(key=lambda e: (e.when, e.history_id), reverse=True)
    return entries


def trial_audit_trail(site_ids: list[int], *, chunk_size: int = 2000) -> Iterator[AuditEntry]:
    """Every change at the given sites, model by model, streamed (personal fields masked)."""
    for audited in audited_models():
        site_path = audited.site_path  # type: ignore[attr-defined]
        history = audited.history.filter(**{f"{site_path}__in": site_ids})  # type: ignore[attr-defined]
        yield from changes(
            _ordered(history).iterator(chunk_size=chunk_size),
            audited.history.model,
            mask=True,  # type: ignore[attr-defined]
        )


def form_audit_trail(record: Model) -> list[AuditEntry]:
    """Every change to one form (with its parts), newest first."""
    model = type(record)
    entries = list(changes(_ordered(model.history.filter(id=record.pk)), model.history.model))  # type: ignore[attr-defined]
    for relation in getattr(record, "crf_parts", ()):
        part_model = getattr(record, relation).model
        ids = getattr(record, relation).values("pk")
        entries.extend(
            changes(_ordered(part_model.history.filter(id__in=ids)), part_model.history.model)
        )
    entries.sort(key=lambda e: (e.when, e.history_id), reverse=True)
    return entries
