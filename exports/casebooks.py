"""Casebooks as PDF (WeasyPrint): a participant's, the blank CRF book, and a site's archive.

A participant's casebook is the durable, human-readable copy of her record (ICH E6(R3)
essential records; 21 CFR 11.10(b)): her registration, every entered form with its values as
labels (not codes), its status, the parts of each form (lesions, measurements), the arm
decisions, the data queries with their threads, the audit trail, and every signature with the
printed name, date-time, time zone and meaning. What is a form is not listed here: every
subclass of `audit.models.CrfRecord` is (`dataquality.selectors.form_models`), so a new CRF
appears in the casebook and the blank CRF book without a change here.

The blank CRF book lists every form with its fields, their kind and allowed values, for source
worksheets. A site's archive is a zip of its participants' casebooks, one PDF each, written
one at a time into the file (memory holds one casebook).

Each PDF is rendered under the requested language (`translation.override`); Chinese needs a CJK
font through fontconfig ("Noto Sans CJK SC", Debian's fonts-noto-cjk).
"""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from arms.models import ArmAssignment
from audit.carried import is_carried
from audit.models import CrfRecord, ElectronicSignature
from dataquality.audit_trail import participant_audit_trail
from dataquality.models import CasebookSignOff, DataQuery
from dataquality.selectors import form_models
from enrollment.models import Participant

from . import datasets as d
from .dictionary import choices

# Bookkeeping of every record: shown as the form's status line, not as its values.
HIDDEN = frozenset(
    {
        "id",
        "version",
        "created_at",
        "updated_at",
        "crf_status",
        "verified_by",
        "verified_at",
        "locked_by",
        "locked_at",
        "participant",
        "site",
        "signature",
    }
)
ProgressCallback = Callable[[int, int], None]


@dataclass(frozen=True)
class Value:
    label: str
    text: str


@dataclass
class FormBlock:
    title: str
    status: str
    values: list[Value]
    parts: list[tuple[str, list[str], list[list[str]]]] = field(default_factory=list)
    verified: str = ""
    locked: str = ""


@dataclass(frozen=True)
class SignatureLine:
    what: str
    printed_name: str
    signed_at: str
    zone: str
    meaning: str
    void: str = ""


def _code_labels() -> dict[str, dict[str, str]]:
    """The labels of the codes that a JSON list holds, by model field name, from the export
    contract (the dictionary's code lists): a list of metastatic sites prints as their names."""
    out: dict[str, dict[str, str]] = {}
    for dataset in d.DATASETS:
        for column in dataset.columns:
            if column.kind == d.CODES and column.lookup:
                found = choices(column, None)
                if found:
                    out[column.lookup.split("__")[-1]] = dict(found)
    return out


def _local(when: dt.datetime) -> str:
    return timezone.localtime(when, ZoneInfo(settings.TIME_ZONE)).strftime("%Y-%m-%d %H:%M:%S")


def display(field_: models.Field[Any, Any], value: Any, codes: dict[str, dict[str, str]]) -> str:
    """A stored value as the casebook prints it: the label of a code, yes/no, ISO dates."""
    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if field_.choices:
        return str(dict(field_.flatchoices).get(value, value))
    if isinstance(value, list):
        labels = codes.get(field_.name, {})
        return "; ".join(str(labels.get(v, v)) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, dt.datetime):
        return _local(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return str(value)
    return str(value)


def _shown_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [
        f
        for f in model._meta.concrete_fields
        # A carried study ID is the participant's, printed once with her registration.
        if f.name not in HIDDEN and not f.name.endswith("_ptr") and not is_carried(f)
    ]


def _related(model: type[models.Model]) -> list[str]:
    """The foreign keys a record prints (by their str): joined, not fetched one by one."""
    return [f.name for f in model._meta.concrete_fields if f.many_to_one or f.one_to_one]


def _values(record: models.Model, codes: dict[str, dict[str, str]]) -> list[Value]:
    out = []
    for f in _shown_fields(type(record)):
        value = getattr(record, f.name)
        out.append(Value(str(f.verbose_name).capitalize(), display(f, value, codes)))
    return out


def _user(user: Any) -> str:
    return "" if user is None else (user.get_full_name().strip() or user.get_username())


def _form_block(record: CrfRecord, codes: dict[str, dict[str, str]]) -> FormBlock:
    block = FormBlock(
        title=f"{str(record._meta.verbose_name).capitalize()}: {record}",
        status=record.get_crf_status_display(),
        values=_values(record, codes),
    )
    if record.verified_at:
        block.verified = f"{_user(record.verified_by)} {_local(record.verified_at)}"
    if record.locked_at:
        block.locked = f"{_user(record.locked_by)} {_local(record.locked_at)}"
    for relation in record.crf_parts:
        manager = getattr(record, relation)
        part_model = manager.model
        fields = [f for f in _shown_fields(part_model) if not f.is_relation]
        rows = [
            [display(f, getattr(part, f.name), codes) for f in fields] for part in manager.all()
        ]
        heading = str(part_model._meta.verbose_name_plural).capitalize()
        block.parts.append((heading, [str(f.verbose_name).capitalize() for f in fields], rows))
    return block


def _signature_line(signature: ElectronicSignature, what: str, void: str = "") -> SignatureLine:
    return SignatureLine(
        what=what,
        printed_name=signature.printed_name,
        signed_at=_local(signature.signed_at),
        zone=settings.TIME_ZONE,
        meaning=signature.meaning,
        void=void,
    )


def casebook_context(participant: Participant) -> dict[str, Any]:
    """Everything the participant's casebook prints, read in a bounded number of queries per
    form model."""
    codes = _code_labels()
    forms: list[FormBlock] = []
    for model in form_models():
        records = model.objects.filter(**{model.participant_path: participant})
        related = [*_related(model), *getattr(model, "crf_related", ())]
        prefetch = list(getattr(model, "crf_parts", ()))
        for record in records.select_related(*related).prefetch_related(*prefetch).order_by("pk"):
            if record.is_entered:
                forms.append(_form_block(record, codes))
    signatures: list[SignatureLine] = []
    arms = []
    for assignment in (
        ArmAssignment.objects.filter(participant=participant)
        .select_related(*_related(ArmAssignment))
        .order_by("assessment_date", "pk")
    ):
        arms.append(
            FormBlock(
                title=f"{str(ArmAssignment._meta.verbose_name).capitalize()}: {assignment}",
                status=assignment.get_status_display(),
                values=_values(assignment, codes),
            )
        )
        if assignment.signature is not None:
            signatures.append(_signature_line(assignment.signature, str(assignment)))
    for sign_off in CasebookSignOff.objects.filter(participant=participant).select_related(
        "signature"
    ):
        void = ""
        if sign_off.voided_at is not None:
            void = f"{_local(sign_off.voided_at)}: {sign_off.void_reason}"
        signatures.append(_signature_line(sign_off.signature, _("Casebook sign-off"), void))
    signatures.sort(key=lambda s: s.signed_at)
    queries = list(
        DataQuery.objects.filter(participant=participant)
        .select_related("form", "opened_by")
        .prefetch_related("messages__author")
        .order_by("opened_at", "pk")
    )
    return {
        "participant": participant,
        "registration": _values(participant, codes),
        "forms": forms,
        "arms": arms,
        "signatures": signatures,
        "queries": queries,
        "audit_trail": participant_audit_trail(participant),
        "time_zone": settings.TIME_ZONE,
        "printed_at": _local(timezone.now()),
    }


def _pdf(html: str) -> bytes:
    from weasyprint import HTML  # imported when used: it loads pango at import

    document: bytes = HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
    return document


def casebook_pdf(participant: Participant, *, language: str) -> bytes:
    with translation.override(language):
        context = casebook_context(participant)
        context["language"] = language
        return _pdf(render_to_string("exports/pdf/casebook.html", context))


# --- The blank CRF book -----------------------------------------------------------------------


@dataclass(frozen=True)
class BlankField:
    label: str
    kind: str
    allowed: str
    help_text: str


def _kind(field_: models.Field[Any, Any]) -> str:
    if isinstance(field_, models.BooleanField):
        return _("yes / no")
    if isinstance(field_, models.DateTimeField):
        return _("date and time")
    if isinstance(field_, models.DateField):
        return _("date (YYYY-MM-DD)")
    if isinstance(field_, models.IntegerField):
        return _("whole number")
    if isinstance(field_, models.DecimalField | models.FloatField):
        return _("number")
    if isinstance(field_, models.JSONField):
        return _("one or more of the codes")
    if field_.is_relation:
        return str(field_.related_model._meta.verbose_name) if field_.related_model else ""
    return _("text")


def _blank_fields(model: type[models.Model], codes: dict[str, dict[str, str]]) -> list[BlankField]:
    out = []
    for f in _shown_fields(model):
        if not f.editable:
            continue
        if f.choices:
            allowed = "; ".join(f"{label}" for _code, label in f.flatchoices if _code != "")
        elif f.name in codes:
            allowed = "; ".join(codes[f.name].values())
        else:
            allowed = ""
        out.append(
            BlankField(str(f.verbose_name).capitalize(), _kind(f), allowed, str(f.help_text))
        )
    return out


def blank_crf_context() -> dict[str, Any]:
    codes = _code_labels()
    forms = []
    every: list[type[models.Model]] = [Participant, *form_models()]
    for model in every:
        parts = []
        for relation in getattr(model, "crf_parts", ()):
            part_model: Any = model._meta.get_field(relation).related_model
            parts.append(
                (
                    str(part_model._meta.verbose_name_plural).capitalize(),
                    _blank_fields(part_model, codes),
                )
            )
        forms.append(
            (str(model._meta.verbose_name).capitalize(), _blank_fields(model, codes), parts)
        )
    return {"forms": forms, "printed_at": _local(timezone.now())}


def blank_crf_pdf(*, language: str) -> bytes:
    with translation.override(language):
        context = blank_crf_context()
        context["language"] = language
        return _pdf(render_to_string("exports/pdf/blank_crf.html", context))


# --- A site's archive -------------------------------------------------------------------------


def site_participants(site_ids: Iterable[int]) -> Iterator[Participant]:
    return (
        Participant.objects.filter(site_id__in=list(site_ids))
        .select_related("site", "screening")
        .order_by("study_id")
        .iterator(chunk_size=200)
    )


def write_site_archive(
    handle: IO[bytes],
    site_ids: Iterable[int],
    *,
    language: str,
    progress: ProgressCallback | None = None,
) -> int:
    """A zip of the sites' casebooks, one PDF per participant; returns how many."""
    site_ids = list(site_ids)
    total = Participant.objects.filter(site_id__in=site_ids).count()
    done = 0
    with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for participant in site_participants(site_ids):
            name = f"{participant.site.code}/casebook_{participant.study_id}.pdf"
            archive.writestr(name, casebook_pdf(participant, language=language))
            done += 1
            if progress is not None:
                progress(done, total)
    return done


def write_casebook_file(path: Path, participant: Participant, *, language: str) -> None:
    path.write_bytes(casebook_pdf(participant, language=language))
