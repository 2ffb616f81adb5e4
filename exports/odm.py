"""CDISC ODM 1.3.2: the trial's metadata and clinical data as one XML file, streamed.

Everything comes from the export contract (`exports.datasets`), the one list of fields that the
CSVs and the data dictionary are made from: each dataset is a StudyEventDef, a FormDef and a
repeating ItemGroupDef; each of its columns an ItemDef with its data type, unit
(MeasurementUnit) and code list (the dictionary's allowed values, `exports.dictionary.choices`).
A dataset added to the contract appears here with nothing else to change.

ClinicalData has one SubjectData per participant (and one per unenrolled screening, keyed by
its screening number), one StudyEventData per dataset holding rows of hers, one ItemGroupData per
row. Rows are read per batch of participants (`Scope.participant_ids`), dataset by dataset,
and written at once through `xml.sax.saxutils.XMLGenerator`: memory holds one batch, never the
tree.

The de-identified file follows the CSVs' rules (`Dataset.columns_for`, dates as days from the
diagnosis: their ItemDefs are integers). Audit records (who, when and why each value was last
set) and signatures (the arm decisions', the casebook sign-offs') name people and calendar
times that ODM cannot shift, so they are in the identified file only.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from itertools import islice
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import XMLGenerator
from xml.sax.xmlreader import AttributesImpl

from django.contrib.auth import get_user_model
from django.db.models import Field
from django.utils import timezone, translation
from django.utils.encoding import force_str
from django.utils.functional import Promise

from access.models import Site
from audit.carried import is_carried
from dataquality.models import CasebookSignOff
from enrollment.models import Participant, Screening

from . import datasets as d
from . import values
from .dictionary import choices, label
from .streaming import Counter, Scope, model_of, snapshot

NAMESPACE = "http://www.cdisc.org/ns/odm/v1.3"
STUDY_OID = "NCT05285332"
STUDY_NAME = "CS-EDC NCT05285332"
PROTOCOL_NAME = "NCT05285332"
STUDY_DESCRIPTION = (
    "Classified treatment strategy for de novo metastatic breast cancer after systemic therapy"
)
MDV_OID = "MDV.CONTRACT"
LANGUAGES = (("en", "en"), ("zh-hans", "zh-Hans"))  # (Django language, xml:lang)
BATCH = 1_000  # participants per batch of queries
SYSTEM_USER = "USR.SYSTEM"
SIGNATURE_ARM = "SD.ARM"
SIGNATURE_CASEBOOK = "SD.CASEBOOK"
SIGNATURE_DEFS = (
    (
        SIGNATURE_ARM,
        "Investigator's decision on the participant's arm",
        "21 CFR 11: electronic signature with password re-entry",
    ),
    (
        SIGNATURE_CASEBOOK,
        "Investigator's approval of the participant's casebook",
        "21 CFR 11: electronic signature with password re-entry",
    ),
)

ODM_TYPES = {
    d.TEXT: "text",
    d.INTEGER: "integer",
    d.DECIMAL: "float",
    d.DATE: "date",
    d.DATETIME: "datetime",
    d.BOOLEAN: "boolean",
    d.CODES: "text",
    d.SCREENING_NUMBER: "text",
}

ProgressCallback = Callable[[int, int], None]


def oid(*parts: str) -> str:
    return ".".join(re.sub(r"[^A-Za-z0-9_]", "_", p).upper() for p in parts)


def event_oid(dataset: d.Dataset) -> str:
    return oid("SE", dataset.name)


def form_oid(dataset: d.Dataset) -> str:
    return oid("F", dataset.name)


def group_oid(dataset: d.Dataset) -> str:
    return oid("IG", dataset.name)


def item_oid(dataset: d.Dataset, column: d.Column) -> str:
    return oid("IT", dataset.name, column.name)


def unit_oid(unit: str) -> str:
    return "MU." + re.sub(r"[^A-Za-z0-9]+", "_", unit).strip("_").upper()


def user_oid(user_id: int | None) -> str:
    return f"USR.{user_id}" if user_id is not None else SYSTEM_USER


def location_oid(site_code: str) -> str:
    return oid("LOC", site_code)


@dataclass(frozen=True)
class Item:
    """A column as the ODM describes it."""

    dataset: d.Dataset
    column: d.Column
    field: Field[Any, Any] | None
    shifted: bool

    @property
    def oid(self) -> str:
        return item_oid(self.dataset, self.column)

    @property
    def data_type(self) -> str:
        return "integer" if self.shifted else ODM_TYPES[self.column.kind]

    @property
    def code_list(self) -> list[tuple[str, str]]:
        if self.shifted or self.column.kind in (d.BOOLEAN, d.CODES):
            return []  # a ;-separated value is not one code: its codes are in the description
        return choices(self.column, self.field)

    @property
    def code_list_oid(self) -> str:
        return oid("CL", self.dataset.name, self.column.name)

    @property
    def length(self) -> int | None:
        if self.data_type != "text":
            return None
        return getattr(self.field, "max_length", None)


def items(dataset: d.Dataset, *, deidentified: bool) -> list[Item]:
    model = model_of(dataset)
    return [
        Item(
            dataset,
            column,
            d.model_field(model, column.lookup),
            dataset.shifted(column, deidentified=deidentified),
        )
        for column in dataset.columns_for(deidentified=deidentified)
    ]


def _in_languages(text: Callable[[], str] | Promise | str) -> list[tuple[str, str]]:
    """The text in each language: a lazy translation, or a function that reads several."""
    out = []
    for language, xml_lang in LANGUAGES:
        with translation.override(language):
            out.append((xml_lang, force_str(text() if callable(text) else text)))
    return out


class _Writer:
    """XMLGenerator with the few shapes the ODM needs."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.xml = XMLGenerator(handle, encoding="utf-8", short_empty_elements=True)
        self.handle = handle

    def start(self, name: str, **attrs: Any) -> None:
        self.xml.startElement(
            name, AttributesImpl({k: str(v) for k, v in attrs.items() if v is not None})
        )

    def end(self, name: str) -> None:
        self.xml.endElement(name)

    def empty(self, name: str, **attrs: Any) -> None:
        self.start(name, **attrs)
        self.end(name)

    def text(self, name: str, value: str, **attrs: Any) -> None:
        self.start(name, **attrs)
        self.xml.characters(value)
        self.end(name)

    def translated(self, name: str, texts: Iterable[tuple[str, str]]) -> None:
        self.start(name)
        for xml_lang, text in texts:
            self.text("TranslatedText", text, **{"xml:lang": xml_lang})
        self.end(name)

    def newline(self) -> None:
        self.xml.ignorableWhitespace("\n")


# --- Metadata ---------------------------------------------------------------------------------


def _datasets() -> list[d.Dataset]:
    return [ds for ds in d.DATASETS if model_of(ds) is not None]


def write_study(w: _Writer, *, deidentified: bool) -> None:
    w.start("Study", OID=STUDY_OID)
    w.start("GlobalVariables")
    w.text("StudyName", STUDY_NAME)
    w.text("StudyDescription", STUDY_DESCRIPTION)
    w.text("ProtocolName", PROTOCOL_NAME)
    w.end("GlobalVariables")
    every = {ds.name: items(ds, deidentified=deidentified) for ds in _datasets()}
    units = sorted({i.column.unit for its in every.values() for i in its if i.column.unit})
    if units:
        w.start("BasicDefinitions")
        for unit in units:
            w.start("MeasurementUnit", OID=unit_oid(unit), Name=unit)
            w.translated("Symbol", [("en", unit)])
            w.end("MeasurementUnit")
        w.end("BasicDefinitions")
    variant = "de-identified" if deidentified else "identified"
    w.start("MetaDataVersion", OID=MDV_OID, Name=f"CS-EDC export contract ({variant})")
    w.start("Protocol")
    for n, ds in enumerate(_datasets(), start=1):
        w.empty("StudyEventRef", StudyEventOID=event_oid(ds), OrderNumber=n, Mandatory="No")
    w.end("Protocol")
    for ds in _datasets():
        w.start("StudyEventDef", OID=event_oid(ds), Name=ds.name, Repeating="No", Type="Common")
        w.translated("Description", _in_languages(ds.form))
        w.empty("FormRef", FormOID=form_oid(ds), OrderNumber=1, Mandatory="Yes")
        w.end("StudyEventDef")
    for ds in _datasets():
        w.start("FormDef", OID=form_oid(ds), Name=force_str(ds.form), Repeating="No")
        w.translated("Description", _in_languages(ds.form))
        w.empty("ItemGroupRef", ItemGroupOID=group_oid(ds), OrderNumber=1, Mandatory="Yes")
        w.end("FormDef")
    for ds in _datasets():
        w.start(
            "ItemGroupDef",
            OID=group_oid(ds),
            Name=ds.name,
            Repeating="Yes",
            Purpose="Tabulation",
        )
        note = ds.note if model_of(ds) is not None else ds.missing_note
        if note:
            w.translated("Description", _in_languages(note))
        for n, item in enumerate(every[ds.name], start=1):
            w.empty(
                "ItemRef",
                ItemOID=item.oid,
                OrderNumber=n,
                Mandatory="Yes" if item.column.name == "study_id" else "No",
                KeySequence=1 if item.column.name == "study_id" else None,
            )
        w.end("ItemGroupDef")
    for ds in _datasets():
        for item in every[ds.name]:
            _item_def(w, item)
    for ds in _datasets():
        for item in every[ds.name]:
            if item.code_list:
                _code_list(w, item)
    w.end("MetaDataVersion")
    w.end("Study")
    w.newline()


def _item_def(w: _Writer, item: Item) -> None:
    w.start(
        "ItemDef",
        OID=item.oid,
        Name=item.column.name,
        DataType=item.data_type,
        Length=item.length,
        SASFieldName=item.column.name[:8] if len(item.column.name) <= 8 else None,
    )
    descriptions = _in_languages(partial(label, item.column, item.field))
    if item.shifted:
        descriptions = [(lang, f"{text} (days from the diagnosis)") for lang, text in descriptions]
    if item.column.kind == d.CODES and (codes := choices(item.column, item.field)):
        listed = "; ".join(f"{code}={text}" for code, text in codes)
        descriptions = [
            (lang, f"{text} (;-separated codes: {listed})") for lang, text in descriptions
        ]
    w.translated("Description", descriptions)
    w.translated("Question", _in_languages(partial(label, item.column, item.field)))
    if item.column.unit:
        w.empty("MeasurementUnitRef", MeasurementUnitOID=unit_oid(item.column.unit))
    if item.code_list:
        w.empty("CodeListRef", CodeListOID=item.code_list_oid)
    w.end("ItemDef")


def _decode(item: Item, code: str) -> str:
    return dict(choices(item.column, item.field))[code]


def _code_list(w: _Writer, item: Item) -> None:
    data_type = {"integer": "integer", "float": "float"}.get(item.data_type, "text")
    w.start("CodeList", OID=item.code_list_oid, Name=item.column.name, DataType=data_type)
    for n, (code, _text) in enumerate(item.code_list, start=1):
        w.start("CodeListItem", CodedValue=code, OrderNumber=n)
        w.translated(
            "Decode",
            _in_languages(partial(_decode, item, code)),
        )
        w.end("CodeListItem")
    w.end("CodeList")


def write_admin_data(w: _Writer, *, people: bool, sites: list[Site]) -> None:
    """The sites (Location) always; the users and signature meanings with the audit records."""
    w.start("AdminData", StudyOID=STUDY_OID)
    if people:
        w.start("User", OID=SYSTEM_USER, UserType="Other")
        w.text("LoginName", "system")
        w.text("FullName", "CS-EDC (no user: data migration or system task)")
        w.end("User")
        for user in get_user_model().objects.order_by("pk").iterator():
            w.start("User", OID=user_oid(user.pk))
            w.text("LoginName", user.get_username())
            if full_name := user.get_full_name().strip():
                w.text("FullName", full_name)
            w.end("User")
    for site in sites:
        w.start("Location", OID=location_oid(site.code), Name=site.name, LocationType="Site")
        w.empty(
            "MetaDataVersionRef",
            StudyOID=STUDY_OID,
            MetaDataVersionOID=MDV_OID,
            EffectiveDate=timezone.localdate().isoformat(),
        )
        w.end("Location")
    if people:
        for signature_oid, meaning, legal in SIGNATURE_DEFS:
            w.start("SignatureDef", OID=signature_oid, Methodology="Electronic")
            w.text("Meaning", meaning)
            w.text("LegalReason", legal)
            w.end("SignatureDef")
    w.end("AdminData")
    w.newline()


# --- Clinical data ----------------------------------------------------------------------------


def odm_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


@dataclass(frozen=True)
class Stamp:
    """Who, when and why: an AuditRecord or a Signature."""

    user_id: int | None
    when: dt.datetime
    reason: str = ""


@dataclass
class Batch:
    """One batch of subjects: their rows per dataset, their stamps."""

    subjects: list[tuple[int | None, str, str]]  # (participant pk, subject key, site code)
    rows: dict[str, dict[str, list[values.Row]]] = field(default_factory=dict)
    # (dataset, record pk, column) -> the last change of that value
    audit: dict[tuple[str, Any, str], Stamp] = field(default_factory=dict)
    # (dataset, record pk) -> the record's signature
    signatures: dict[tuple[str, Any], Stamp] = field(default_factory=dict)
    # participant pk -> the valid casebook sign-off
    sign_offs: dict[int, Stamp] = field(default_factory=dict)


def _last_changes(dataset: d.Dataset, pks: set[Any]) -> dict[tuple[str, Any, str], Stamp]:
    """The last change of each directly stored column of the records, from their history."""
    model = model_of(dataset)
    history = getattr(model, "history", None)
    if history is None or not pks:
        return {}
    history_model = history.model
    tracked: dict[str, str] = {}
    for column in dataset.columns:
        if column.lookup and "__" not in column.lookup and column.lookup != "pk":
            try:
                stored = history_model._meta.get_field(column.lookup)
            except Exception:  # noqa: S112 (a derived column has no stored field)
                continue
            # A carried study ID was copied from the participant, not entered on the form.
            if not is_carried(stored):
                tracked[column.name] = stored.attname
    if not tracked:
        return {}
    attnames = sorted(set(tracked.values()))
    out: dict[tuple[str, Any, str], Stamp] = {}
    queryset = (
        history.filter(id__in=pks)
        .order_by("id", "history_date", "history_id")
        .values_list("id", "history_date", "history_user_id", "history_change_reason", *attnames)
    )
    previous_id: Any = None
    previous: dict[str, Any] = {}
    for record_id, when, user_id, reason, *cells in queryset.iterator(values.CURSOR_ROWS):
        now = dict(zip(attnames, cells, strict=True))
        first = record_id != previous_id
        for name, attname in tracked.items():
            if first or now[attname] != previous.get(attname):
                out[(dataset.name, record_id, name)] = Stamp(user_id, when, reason or "")
        previous_id, previous = record_id, now
    return out


def _signatures(dataset: d.Dataset, pks: set[Any]) -> dict[tuple[str, Any], Stamp]:
    model = model_of(dataset)
    if not pks or "signature" not in {f.name for f in model._meta.get_fields()}:
        return {}
    signed = model.objects.filter(pk__in=pks, signature__isnull=False).values_list(
        "pk", "signature__signer_id", "signature__signed_at"
    )
    return {(dataset.name, pk): Stamp(user, when) for pk, user, when in signed}


def _read_batch(batch: Batch, scope: Scope, *, audit: bool) -> None:
    ids = tuple(pk for pk, _key, _site in batch.subjects if pk is not None)
    for ds in _datasets():
        if ids:
            narrowed = Scope(
                deidentified=scope.deidentified,
                user=scope.user,
                action=scope.action,
                site_ids=scope.site_ids,
                participant_ids=ids,
            )
        else:
            narrowed = Scope(
                deidentified=scope.deidentified,
                user=scope.user,
                action=scope.action,
                site_ids=scope.site_ids,
                without_participant=True,
            )
        columns = ds.columns_for(deidentified=scope.deidentified)
        key_index = _subject_index(columns, enrolled=bool(ids))
        if key_index is None:
            continue
        per_subject: dict[str, list[values.Row]] = defaultdict(list)
        for row in values.rows(ds, narrowed):
            per_subject[str(row[1][key_index])].append(row)
        batch.rows[ds.name] = per_subject
        # The analysis values are the rules' (stored, not entered): no audit trail of their own.
        if audit and ds is not d.ANALYSIS:
            pks = {pk for rows in per_subject.values() for pk, _cells in rows}
            batch.audit.update(_last_changes(ds, pks))
            batch.signatures.update(_signatures(ds, pks))
    if audit and ids:
        for participant_id, user, when in CasebookSignOff.objects.filter(
            participant_id__in=ids, voided_at__isnull=True
        ).values_list("participant_id", "signature__signer_id", "signature__signed_at"):
            batch.sign_offs[participant_id] = Stamp(user, when)


def _subject_index(columns: tuple[d.Column, ...], *, enrolled: bool) -> int | None:
    """Which column keys a row to its subject: the study ID, or for a row without a
    participant (an unenrolled screening) its screening number."""
    for i, column in enumerate(columns):
        if enrolled and column.name == "study_id":
            return i
        if not enrolled and column.kind == d.SCREENING_NUMBER:
            return i
    return None


def _audit_record(w: _Writer, stamp: Stamp, site: str) -> None:
    w.start("AuditRecord")
    w.empty("UserRef", UserOID=user_oid(stamp.user_id))
    w.empty("LocationRef", LocationOID=location_oid(site))
    w.text("DateTimeStamp", odm_value(stamp.when))
    if stamp.reason:
        w.text("ReasonForChange", stamp.reason)
    w.end("AuditRecord")


def _signature(w: _Writer, stamp: Stamp, site: str, signature_oid: str) -> None:
    w.start("Signature")
    w.empty("UserRef", UserOID=user_oid(stamp.user_id))
    w.empty("LocationRef", LocationOID=location_oid(site))
    w.empty("SignatureRef", SignatureOID=signature_oid)
    w.text("DateTimeStamp", odm_value(stamp.when))
    w.end("Signature")


def _write_batch(
    w: _Writer, batch: Batch, every: dict[str, list[Item]], counter: Counter, *, audit: bool
) -> None:
    for participant_id, key, site in batch.subjects:
        w.start("SubjectData", SubjectKey=key)
        if audit and participant_id in batch.sign_offs:
            _signature(w, batch.sign_offs[participant_id], site, SIGNATURE_CASEBOOK)
        w.empty("SiteRef", LocationOID=location_oid(site))
        for ds in _datasets():
            rows = batch.rows.get(ds.name, {}).get(key)
            if not rows:
                continue
            w.start("StudyEventData", StudyEventOID=event_oid(ds))
            w.start("FormData", FormOID=form_oid(ds))
            for repeat, (pk, cells) in enumerate(rows, start=1):
                w.start("ItemGroupData", ItemGroupOID=group_oid(ds), ItemGroupRepeatKey=repeat)
                if audit and (signed := batch.signatures.get((ds.name, pk))):
                    _signature(w, signed, site, SIGNATURE_ARM)
                for item, value in zip(every[ds.name], cells, strict=True):
                    if value is None:
                        continue
                    w.start("ItemData", ItemOID=item.oid, Value=odm_value(value))
                    if audit and (stamp := batch.audit.get((ds.name, pk, item.column.name))):
                        _audit_record(w, stamp, site)
                    w.end("ItemData")
                w.end("ItemGroupData")
                counter.rows += 1
                counter.per_dataset[ds.name] = counter.per_dataset.get(ds.name, 0) + 1
            w.end("FormData")
            w.end("StudyEventData")
        w.end("SubjectData")
        w.newline()


def _subject_batches(scope: Scope) -> Iterator[list[tuple[int | None, str, str]]]:
    participants = scope.apply(Participant.objects.all()).order_by("pk")
    rows = participants.values_list("pk", "study_id", "site__code").iterator(values.CURSOR_ROWS)
    while batch := list(islice(rows, BATCH)):
        yield batch


def _unenrolled(scope: Scope) -> list[tuple[int | None, str, str]]:
    """The screenings that never became participants (their rows are read in one batch)."""
    screenings = scope.apply(Screening.objects.filter(participant__isnull=True)).order_by("pk")
    return [
        (None, screening.screening_number, screening.site.code)
        for screening in screenings.select_related("site").only("pk", "site__code")
    ]


def write_odm(
    handle: IO[bytes],
    scope: Scope,
    *,
    audit: bool = False,
    counter: Counter | None = None,
    progress: ProgressCallback | None = None,
) -> Counter:
    """Write the ODM file into `handle`; `audit` adds the audit records and signatures
    (identified only). `progress(done, total)` is told after each batch of participants."""
    if audit and scope.deidentified:
        raise ValueError("Audit records and signatures name people: identified ODM only.")
    counter = counter if counter is not None else Counter()
    w = _Writer(handle)
    every = {ds.name: items(ds, deidentified=scope.deidentified) for ds in _datasets()}
    with snapshot():
        total = scope.apply(Participant.objects.all()).count()
        sites = list(Site.objects.order_by("code"))
        w.xml.startDocument()
        variant = "de-identified" if scope.deidentified else "identified"
        w.start(
            "ODM",
            xmlns=NAMESPACE,
            FileType="Snapshot",
            Granularity="All",
            FileOID=f"CS-EDC.{STUDY_OID}.{timezone.now():%Y%m%dT%H%M%S}.{variant}",
            CreationDateTime=odm_value(timezone.now().replace(microsecond=0)),
            ODMVersion="1.3.2",
            Originator="CS-EDC",
            SourceSystem="CS-EDC",
            Description=f"NCT05285332, {variant} export",
        )
        w.newline()
        write_study(w, deidentified=scope.deidentified)
        write_admin_data(w, people=audit, sites=sites)
        w.start("ClinicalData", StudyOID=STUDY_OID, MetaDataVersionOID=MDV_OID)
        w.newline()
        done = 0
        for subjects in _subject_batches(scope):
            batch = Batch(subjects)
            _read_batch(batch, scope, audit=audit)
            _write_batch(w, batch, every, counter, audit=audit)
            done += len(subjects)
            if progress is not None:
                progress(done, total)
        if unenrolled := _unenrolled(scope):
            batch = Batch(unenrolled)
            _read_batch(batch, scope, audit=audit)
            _write_batch(w, batch, every, counter, audit=audit)
        w.end("ClinicalData")
        w.newline()
        w.end("ODM")
        w.xml.endDocument()
    return counter


SCHEMA = Path(__file__).resolve().parent / "schemas" / "odm-1.3.2" / "ODM1-3-2.xsd"


def validate(path: Path) -> None:
    """Validate an ODM file against the vendored official schema, reading it as a stream
    (lxml's iterparse, elements cleared as they end); raises lxml's error on the first fault."""
    from lxml import etree

    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    for _event, element in etree.iterparse(str(path), events=("end",), schema=schema):
        element.clear()
