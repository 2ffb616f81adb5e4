"""The audit trail read back: per form and field, who changed what from which value to which,
when and why, from django-simple-history's rows (each row is the whole record after a change,
so a change is the difference between a row and the one before it of the same record).

Queries are bounded: one per audited model, whatever the number of rows; the trial-wide
export iterates with a server-side cursor and holds one previous row per record.

The trial-wide file goes to the users of the de-identified export and follows its rules, read
from the same declaration (`audit.personal_data`): identifiers and free text (the reason for
change included) are masked, calendar dates, the time of the change included, are days from the
participant's diagnosis. Who changed a record is the user name stored on the row when it was
written, so renaming an account later does not rewrite the trail.
"""

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.apps import apps
from django.db.models import F, Model, QuerySet
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from access.models import Site
from audit.carried import is_carried
from audit.personal_data import (
    CALENDAR_DATE,
    FREE_TEXT,
    IDENTIFIER,
    days_from,
    personal_kind,
    reference_date_lookup,
)
from audit.reasons import shown_reason
from enrollment.labels import CRITERION_LABELS
from enrollment.models import Confirmation, MetastaticSite, Participant, Screening

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
        "history_user_name",
        "history_user_full_name",
        "history_relation",
    }
)
MASK = "[personal data]"  # an identifier, de-identified
FREE_TEXT_MASK = "[free text]"  # free text (and a reason for change), de-identified
MASKS = {IDENTIFIER: MASK, FREE_TEXT: FREE_TEXT_MASK}
# The annotation that carries each row's reference date (the participant's diagnosis).
REFERENCE = "deidentified_reference"
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
    # De-identified (the trial-wide file): `when` as days from the diagnosis; else None.
    day: int | None
    change: str
    field: str
    field_label: str
    old: str
    new: str
    user_full_name: str = ""
    # The record as a page names it: "participant AA-0001", "baseline #33" (never a bare key).
    record: str = ""

    def local(self, time_zone: str) -> dt.datetime:
        return self.when.astimezone(ZoneInfo(time_zone))


def audited_models() -> tuple[type[Any], ...]:
    """The participant, every form, and the records that are not forms but whose changes a
    participant's trail shows (`shown_in_audit_trail`, e.g. the planned visits).

    Typed as any class: what is read of them (`history`, added by simple-history, which has no
    types; `site_path`, `participant_path`) is declared by each model, not by Model."""
    others = tuple(
        m
        for m in apps.get_models()
        if getattr(m, "shown_in_audit_trail", False) and m not in crf_models()
    )
    return (Participant, *crf_models(), *others)


def _fields(history_model: type[Model]) -> list[Any]:
    # A carried study ID is the participant's, copied when the row is made: not an entry.
    return [
        f
        for f in history_model._meta.concrete_fields
        if f.name not in NOT_SHOWN and not is_carried(f)
    ]


def _display(field: Any, value: Any, participant: Participant | None = None) -> str:
    """A value as a page shows it: a choice by its label, a yes/no in words, a record that a
    key points at by its name (the participant's study ID, a screening's number, a site's code,
    else the record's kind and number), never a bare key or code."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if getattr(field, "is_relation", False) and field.related_model is not None:
        return _related(field.related_model, value, participant)
    if isinstance(value, dict):
        return "; ".join(f"{_code(k)}: {_code(v)}" for k, v in sorted(value.items()))
    if isinstance(value, list):
        return "; ".join(_code(v) for v in value)
    choices = dict(field.flatchoices) if field.choices else {}
    return str(choices.get(value, value))


# The codes that JSON fields hold (metastatic sites and how each was confirmed, criteria),
# which the fields do not declare as choices: shown by their labels, never raw.
_CODE_LABELS: dict[Any, Any] = {
    **dict(MetastaticSite.choices),
    **dict(Confirmation.choices),
    **CRITERION_LABELS,
}


def _related(model: type[Model], pk: Any, participant: Participant | None) -> str:
    if participant is not None and model is Participant and pk == participant.pk:
        return participant.study_id
    if participant is not None and model is Site and pk == participant.site_id:
        return participant.site.code
    if model is Screening:
        return f"S-{int(pk):05d}"
    return f"{capfirst(model._meta.verbose_name)} #{pk}"


def _code(value: Any) -> str:
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return str(_CODE_LABELS.get(value, value))


def _deidentified(field: Any, value: Any, reference: dt.date | None) -> str:
    kind = personal_kind(field)
    if kind in MASKS:
        return MASKS[kind] if value not in (None, "") else ""
    if kind == CALENDAR_DATE:
        days = days_from(value, reference)
        return "" if days is None else str(days)
    if isinstance(value, dict | list):  # the file keeps the codes, as the export does
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return _display(field, value)


def changes(
    rows: Iterable[Any],
    history_model: type[Any],
    *,
    deidentify: bool = False,
    participant: Participant | None = None,
) -> Iterator[AuditEntry]:
    """The field changes in `rows` (historical rows ordered by record, then time); with
    `deidentify`, by the de-identified export's rules (rows annotated with REFERENCE). On a
    participant's pages, `participant` names her and her site in the values that point at them."""
    fields = _fields(history_model)
    # A simple-history model (untyped): `instance_type` is the audited model.
    model = history_model.instance_type
    label = model._meta.label_lower
    form = str(model._meta.verbose_name)
    previous: Any = None
    for row in rows:
        before = previous if previous is not None and previous.id == row.id else None
        reference = getattr(row, REFERENCE, None)
        reason = row.history_change_reason or ""
        reason = FREE_TEXT_MASK if deidentify and reason else shown_reason(reason)
        for field in fields:
            new = getattr(row, field.attname)
            old = getattr(before, field.attname) if before is not None else None
            if before is not None and old == new:
                continue
            if before is None and (new is None or new == "" or new == [] or new == {}):
                continue
            if deidentify:
                old_text = _deidentified(field, old, reference)
                new_text = _deidentified(field, new, reference)
            else:
                old_text = _display(field, old, participant)
                new_text = _display(field, new, participant)
            yield AuditEntry(
                model=label,
                form=form,
                object_id=row.id,
                history_id=row.history_id,
                when=row.history_date,
                day=days_from(row.history_date, reference) if deidentify else None,
                user=row.history_user_name,
                user_full_name="" if deidentify else row.history_user_full_name,
                reason=reason,
                change=CHANGE_TYPES.get(row.history_type, row.history_type),
                field=field.name,
                field_label=str(field.verbose_name),
                old=old_text,
                new=new_text,
                record=_record_name(form, row, model),
            )
        previous = row


def _record_name(form: str, row: Any, model: type[Model]) -> str:
    if model is Participant and row.study_id:
        return f"{form} {row.study_id}"
    return f"{form} #{row.id}"


def _ordered(history: QuerySet) -> QuerySet:
    return history.order_by("id", "history_date", "history_id")


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
            ids = audited.objects.filter(**{audited.participant_path: participant}).values("pk")
        history = audited.history.filter(id__in=ids)
        if object_id is not None:
            history = history.filter(id=object_id)
        entries.extend(changes(_ordered(history), audited.history.model, participant=participant))
    entries.sort(key=lambda e: (e.when, e.history_id), reverse=True)
    return entries


def trial_audit_trail(site_ids: list[int], *, chunk_size: int = 2000) -> Iterator[AuditEntry]:
    """Every change at the given sites, model by model, streamed, de-identified."""
    for audited in audited_models():
        site_path = audited.site_path
        history = audited.history.filter(**{f"{site_path}__in": site_ids})
        # The reference date through the row's own relations, as the export's SQL joins it.
        history = history.annotate(**{REFERENCE: F(reference_date_lookup(audited))})
        yield from changes(
            _ordered(history).iterator(chunk_size=chunk_size),
            audited.history.model,
            deidentify=True,
        )


def form_audit_trail(record: Model) -> list[AuditEntry]:
    """Every change to one form (with its parts), newest first."""
    model: type[Any] = type(record)  # its `history` is simple-history's (untyped)
    participant = getattr(record, "participant", None)
    history = _ordered(model.history.filter(id=record.pk))
    entries = list(changes(history, model.history.model, participant=participant))
    for relation in getattr(record, "crf_parts", ()):
        part_model = getattr(record, relation).model
        ids = getattr(record, relation).values("pk")
        part_history = _ordered(part_model.history.filter(id__in=ids))
        entries.extend(changes(part_history, part_model.history.model, participant=participant))
    entries.sort(key=lambda e: (e.when, e.history_id), reverse=True)
    return entries
