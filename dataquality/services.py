"""Data-quality writes: data queries, automatic checks, casebook sign-off and its void.

The form lifecycle (complete, verify, lock, unlock) is `audit.lifecycle`'s table, moved by
`audit.services.make_move`.

Every service checks the user's right at the record's site itself (`access.roles` says who),
so a crafted POST meets the same checks as the page; every clinical write goes through
`audit.services.save_record`.
"""

import datetime as dt
from typing import Any, cast

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from access.roles import Action, require
from access.scoping import site_id_of
from audit import services as audit_services
from audit import signatures
from audit.models import CrfRecord
from enrollment.models import Participant
from followup.models import Visit, outside_window

from . import selectors
from .models import CasebookSignOff, DataQuery, QueryMessage

NO_PARTICIPANT = _("Queries are raised on the forms of an enrolled participant.")
UNKNOWN_FIELD = _("This form has no such field.")
QUERY_TEXT_REQUIRED = _("Write the query.")
ANSWER_REQUIRED = _("Write the answer.")
REOPEN_NEEDS_TEXT = _("Say why the query is re-opened.")
QUERY_NOT_OPEN = _("This query is %(status)s: only an open query can be answered.")
QUERY_CLOSED = _("This query is already closed.")
QUERY_ALREADY_OPEN = _("This query is already open.")
WRONG_PASSWORD = signatures.WRONG_PASSWORD
FORMS_NOT_VERIFIED = _("Every form must be verified before the casebook is signed: %(forms)s.")
ALREADY_SIGNED = _("This casebook is already signed.")

# The meaning the signer reads above the password field, in the page's language; the signature
# stores that text and its language (21 CFR 11.50) and is shown as stored.
CASEBOOK_MEANING = _(
    "I, the investigator, have reviewed the casebook of participant %(study_id)s and confirm "
    "that its data are complete, accurate and attributable."
)
SIGN_OFF_VOIDED = "{form} #{pk} changed by {user} after the sign-off: {reason}"

# Automatic checks: code -> the query text they open.
CHECK_VISIT_OUTSIDE_WINDOW = "visit_outside_window"
VISIT_OUTSIDE_WINDOW_TEXT = (
    "The visit date is outside the visit window and no reason is given: give the reason "
    "or correct the date."
)


class DataQualityError(Exception):
    """The step asked for cannot be taken; the message says why, for the user."""


def verify_from_worklist(*, record: CrfRecord, user: Any, expected_version: int) -> CrfRecord:
    """Source data verified from the worklist: the move the form's own page makes (same right,
    same audit row), refused when the form changed since the list was loaded, so a monitor
    never verifies values they did not see."""
    require(user, Action.VERIFY, site_id_of(record))
    with transaction.atomic():
        row = type(record)._base_manager.select_for_update().get(pk=record.pk)
        if row.version != expected_version:
            raise audit_services.StaleRecordError(audit_services.STALE_RECORD)
        return audit_services.verify_form(record=row, user=user)


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


# --- Form changes ---------------------------------------------------------------------------


def void_sign_off(*, record: CrfRecord, user: Any) -> None:
    """After any change to a form's data (registered with `audit.services.on_crf_change` by
    `DataQualityConfig.ready`): the participant's casebook sign-off no longer covers what the
    casebook says, so it is void."""
    participant_id = record.participant_id_for_crf()
    if participant_id is None:
        return
    # The participant's row serialises this with `sign_casebook`: a signature being written
    # meanwhile is either seen here and voided, or waits and then sees this form unverified.
    Participant.objects.select_for_update().filter(pk=participant_id).first()
    CasebookSignOff.objects.filter(participant_id=participant_id, voided_at__isnull=True).update(
        voided_at=timezone.now(),
        void_reason=SIGN_OFF_VOIDED.format(
            form=record._meta.verbose_name,
            pk=record.pk,
            user=user.get_username() if user is not None else "system",
            reason=getattr(record, "_change_reason", ""),
        ),
    )


# --- Data queries -----------------------------------------------------------------------------


def _add_message(
    query: DataQuery, *, kind: str, user: Any, text: str, now: dt.datetime
) -> QueryMessage:
    return QueryMessage.objects.create(
        query=query, kind=kind, author=user, text=text, created_at=now
    )


def _check_field(model: type[Model], field_name: str) -> None:
    if not field_name:
        return
    try:
        field = model._meta.get_field(field_name)
    except FieldDoesNotExist as exc:
        raise DataQualityError(UNKNOWN_FIELD) from exc
    if not field.concrete:
        raise DataQualityError(UNKNOWN_FIELD)


def open_query(
    *,
    record: CrfRecord,
    field_name: str,
    text: str,
    user: Any,
    now: dt.datetime | None = None,
) -> DataQuery:
    """A data manager asks the site about one field of a form (or the form as a whole)."""
    # Known: every clinical record reaches a Site through NOT NULL keys.
    site_id = cast(int, site_id_of(record))
    require(user, Action.RAISE_QUERY, site_id)
    participant_id = record.participant_id_for_crf()
    if participant_id is None:
        raise DataQualityError(NO_PARTICIPANT)
    _check_field(type(record), field_name)
    if not text or not text.strip():
        raise DataQualityError(QUERY_TEXT_REQUIRED)
    now = _now(now)
    with transaction.atomic():
        query = DataQuery.objects.create(
            participant_id=participant_id,
            site_id=site_id,
            form=ContentType.objects.get_for_model(record),
            object_id=record.pk,
            field_name=field_name,
            text=text.strip(),
            opened_by=user,
            opened_at=now,
            updated_at=now,
        )
        _add_message(query, kind=QueryMessage.Kind.OPENED, user=user, text=text.strip(), now=now)
    return query


def _locked_query(query: DataQuery) -> DataQuery:
    return DataQuery.objects.select_for_update().get(pk=query.pk)


def _step(
    query: DataQuery,
    *,
    user: Any,
    action: Action,
    allowed_from: tuple[str, ...],
    refusal: Any,
    status: str,
    kind: str,
    text: str,
    now: dt.datetime | None,
) -> DataQuery:
    require(user, action, query.site_id)
    now = _now(now)
    with transaction.atomic():
        row = _locked_query(query)
        if row.status not in allowed_from:
            raise DataQualityError(refusal % {"status": row.get_status_display()})
        row.status = status
        row.updated_at = now
        row.save(update_fields=["status", "updated_at"])
        _add_message(row, kind=kind, user=user, text=text.strip(), now=now)
    query.refresh_from_db()
    return query


def answer_query(
    *, query: DataQuery, text: str, user: Any, now: dt.datetime | None = None
) -> DataQuery:
    """The site answers; a corrected value goes through the form, with its reason for change."""
    if not text or not text.strip():
        raise DataQualityError(ANSWER_REQUIRED)
    return _step(
        query,
        user=user,
        action=Action.ANSWER_QUERY,
        allowed_from=(DataQuery.Status.OPEN,),
        refusal=QUERY_NOT_OPEN,
        status=DataQuery.Status.ANSWERED,
        kind=QueryMessage.Kind.ANSWERED,
        text=text,
        now=now,
    )


def close_query(
    *, query: DataQuery, user: Any, text: str = "", now: dt.datetime | None = None
) -> DataQuery:
    return _step(
        query,
        user=user,
        action=Action.RAISE_QUERY,
        allowed_from=(DataQuery.Status.OPEN, DataQuery.Status.ANSWERED),
        refusal=QUERY_CLOSED,
        status=DataQuery.Status.CLOSED,
        kind=QueryMessage.Kind.CLOSED,
        text=text,
        now=now,
    )


def reopen_query(
    *, query: DataQuery, user: Any, text: str, now: dt.datetime | None = None
) -> DataQuery:
    """The answer does not settle it: the query goes back to the site."""
    if not text or not text.strip():
        raise DataQualityError(REOPEN_NEEDS_TEXT)
    return _step(
        query,
        user=user,
        action=Action.RAISE_QUERY,
        allowed_from=(DataQuery.Status.ANSWERED, DataQuery.Status.CLOSED),
        refusal=QUERY_ALREADY_OPEN,
        status=DataQuery.Status.OPEN,
        kind=QueryMessage.Kind.REOPENED,
        text=text,
        now=now,
    )


# --- Automatic checks -------------------------------------------------------------------------


def open_automatic_query(
    *, record: CrfRecord, check_code: str, field_name: str, text: str, now: dt.datetime
) -> DataQuery | None:
    """Open the check's query on the form unless it already has one (the unique constraint
    makes "once" hold even when two runs overlap)."""
    participant_id = record.participant_id_for_crf()
    if participant_id is None:
        return None
    try:
        with transaction.atomic():
            query = DataQuery.objects.create(
                participant_id=participant_id,
                site_id=cast(int, site_id_of(record)),  # NOT NULL keys to the site
                form=ContentType.objects.get_for_model(record),
                object_id=record.pk,
                field_name=field_name,
                text=text,
                check_code=check_code,
                opened_at=now,
                updated_at=now,
            )
            _add_message(query, kind=QueryMessage.Kind.OPENED, user=None, text=text, now=now)
    except IntegrityError:
        return None
    return query


def _visits_outside_window_without_reason() -> Any:
    # Visit forms only: a planned visit not yet recorded has no date to be outside its window.
    return (
        Visit.objects.filter(
            planned_visit__isnull=False, visit_date__isnull=False, outside_window_reason=""
        )
        .filter(outside_window("visit_date", slot="planned_visit__"))
        .select_related("participant", "planned_visit")
    )


def run_automatic_checks(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Run every automatic check; each opens its query once per form. Safe to run again."""
    now = _now(now)
    opened = 0
    visits = _visits_outside_window_without_reason()
    form = ContentType.objects.get_for_model(visits.model)
    already = set(
        DataQuery.objects.filter(check_code=CHECK_VISIT_OUTSIDE_WINDOW, form=form).values_list(
            "object_id", flat=True
        )
    )
    for visit in visits.exclude(pk__in=already).iterator():
        if open_automatic_query(
            record=visit,
            check_code=CHECK_VISIT_OUTSIDE_WINDOW,
            field_name="visit_date",
            text=VISIT_OUTSIDE_WINDOW_TEXT,
            now=now,
        ):
            opened += 1
    return {CHECK_VISIT_OUTSIDE_WINDOW: opened}


# --- Casebook sign-off ------------------------------------------------------------------------


def sign_casebook(
    *, participant: Participant, user: Any, password: str, now: dt.datetime | None = None
) -> CasebookSignOff:
    """The investigator signs the casebook (user name + password: two components, 21 CFR
    11.200), once every form of the participant is verified or locked."""
    require(user, Action.SIGN_CASEBOOK, participant.site_id)
    try:
        signatures.check_password(user, password)
    except signatures.PasswordRefused as exc:
        raise DataQualityError(WRONG_PASSWORD) from exc
    with transaction.atomic():
        # The participant row serialises sign-offs and form changes' voids of one casebook.
        locked = Participant.objects.select_for_update().get(pk=participant.pk)
        pending = selectors.unverified_forms(locked)
        if pending:
            names = ", ".join(str(row.label) for row in pending)
            raise DataQualityError(FORMS_NOT_VERIFIED % {"forms": names})
        if CasebookSignOff.objects.filter(participant=locked, voided_at__isnull=True).exists():
            raise DataQualityError(ALREADY_SIGNED)
        signature = signatures.sign(
            signer=user,
            record=locked,
            record_version=locked.version,
            meaning=CASEBOOK_MEANING % {"study_id": locked.study_id},
            signed_at=_now(now),
        )
        return CasebookSignOff.objects.create(participant=locked, signature=signature)
