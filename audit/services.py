"""Writing clinical records: every save names its user and reason, refuses a stale edit and
refuses any change to a locked form.

This is the one door for clinical writes (views, services, the admin all come through it), so
the rules of the form lifecycle are enforced here rather than in each caller:

- a new record, or a form still in draft, may be saved without a typed reason (the history
  says "Initial entry" / "Draft saved");
- any other change needs a reason for change;
- a locked form refuses every change until an admin unlocks it; a `move` through the
  lifecycle (complete, verify, lock, unlock) is made by this module
  (`make_move`), which checks the state it moves from on the row it has locked;
- a change to a verified form returns it to complete: the verification is void, and the
  history row says so.

`make_move` takes a form through its lifecycle (`audit.lifecycle.TRANSITIONS`); a service may
also save a form's data and complete it in one write (`save_record(..., move=Move.COMPLETE)`).

After a change to a form's data, the handlers registered with `on_crf_change` are called in
its transaction: `dataquality` registers the void of the participant's casebook sign-off when
it starts (`DataqualityConfig.ready`), and `tests/audit` asserts that it is registered.
"""

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import lifecycle
from .lifecycle import Move
from .models import ClinicalRecord, CrfRecord, CrfStatus

R = TypeVar("R", bound=ClinicalRecord)
F = TypeVar("F", bound=CrfRecord)

STALE_RECORD = _(
    "This record was changed by someone else while you were editing it. "
    "Reload it to see their changes, then make yours again."
)
VERSION_MISSING = _(
    "This page did not say which version of the record it was showing, so your change was "
    "not saved. Reload the page and make your change again."
)
REASON_REQUIRED = _("Give a reason for this change.")
RECORD_LOCKED = _("This form is locked: an administrator must unlock it before it can change.")

# History reasons of saves that need no typed reason (English: the audit trail's language).
INITIAL_ENTRY = "Initial entry"
DRAFT_SAVED = "Draft saved"
VERIFICATION_VOIDED = "verification voided by this change"

# Called as handler(record=..., user=...) after a change to a CRF's data, in its transaction.
CrfChangeHandler = Callable[..., None]
_crf_change_handlers: list[CrfChangeHandler] = []


def on_crf_change(handler: CrfChangeHandler) -> None:
    """Call `handler(record=..., user=...)` after every change to a form's data."""
    if handler not in _crf_change_handlers:
        _crf_change_handlers.append(handler)


def crf_change_handlers() -> tuple[CrfChangeHandler, ...]:
    return tuple(_crf_change_handlers)


class StaleRecordError(Exception):
    pass


class ReasonRequiredError(Exception):
    pass


class LockedRecordError(PermissionDenied):
    """A change to a locked form: refused like any other forbidden act (403 from a view)."""


def save_record(
    record: R,
    *,
    user: Any,
    reason: str = "",
    expected_version: int | None = None,
    move: Move | None = None,
    now: dt.datetime | None = None,
    changes: dict[str, Any] | None = None,
) -> R:
    """Save `record` as `user` with `reason`, recording the change in its history.

    For an existing record, `expected_version` is the version the editor loaded (required but
    for a lifecycle move); when it is missing, or the row has moved on since, nothing is saved
    and StaleRecordError is raised. The row lock makes
    the check and the write one step, so two concurrent editors cannot both pass the check
    (nor an edit slip in between a lock and its check).

    With `move`, the save also takes the form through that lifecycle move: its lifecycle
    fields are set from the transition table (at `now`), from the state the locked row is in;
    `changes` (from `make_move`) gives a part its form's fields, so the two never drift apart.
    """
    reason = (reason or "").strip()
    crf = record if isinstance(record, CrfRecord) else None
    is_crf = crf is not None
    transition = lifecycle.TRANSITIONS[move] if move is not None else None
    with transaction.atomic():
        if record.pk is None:
            if not reason and not is_crf:
                raise ReasonRequiredError(REASON_REQUIRED)
            if crf is not None:
                _keep_lifecycle(crf, dict.fromkeys(CrfRecord.LIFECYCLE_FIELDS))
                crf.crf_status = CrfStatus.DRAFT
                if transition is not None:
                    # A new form starts as a draft: only "complete" can be its first move.
                    lifecycle.refuse_wrong_state(CrfStatus.DRAFT, transition)
                    _apply(crf, transition, user, now, changes)
            reason = reason or (transition.history_reason if transition else INITIAL_ENTRY)
        else:
            columns = ("version", *CrfRecord.LIFECYCLE_FIELDS) if is_crf else ("version",)
            stored = dict(
                zip(
                    columns,
                    type(record)
                    ._base_manager.select_for_update()
                    .values_list(*columns)
                    .get(pk=record.pk),
                    strict=True,
                )
            )
            # Every change to a saved record, lifecycle moves included, names the version its
            # editor loaded: a client that leaves it out cannot skip the check and overwrite a
            # newer edit.
            if expected_version is None:
                raise StaleRecordError(VERSION_MISSING)
            if expected_version is not None and stored["version"] != expected_version:
                raise StaleRecordError(STALE_RECORD)
            if crf is not None and transition is not None:
                if stored["crf_status"] == CrfStatus.LOCKED and transition.move != Move.UNLOCK:
                    raise LockedRecordError(RECORD_LOCKED)
                _keep_lifecycle(crf, stored)
                if not crf.is_crf_part:
                    # A part (a baseline's lesion) follows its form, whatever its own state.
                    lifecycle.refuse_wrong_state(stored["crf_status"], transition)
                _apply(crf, transition, user, now, changes)
                reason = lifecycle.history_reason(transition, reason)
            elif crf is not None:
                reason = _crf_edit_reason(crf, stored, reason)
            elif not reason:
                raise ReasonRequiredError(REASON_REQUIRED)
            record.version = stored["version"] + 1
        # simple-history's documented hooks for the reason and the user (its private
        # attributes, which the stubs cannot know).
        record._change_reason = reason  # type: ignore[attr-defined]
        record._history_user = user  # type: ignore[attr-defined]
        record.save()
        # Once per form, not per part: a part (a lesion, a measurement) is only ever written
        # together with its form, whose own save calls the handlers.
        changed_data = transition is None or transition.move == Move.COMPLETE
        if crf is not None and not crf.is_crf_part and changed_data:
            for handler in _crf_change_handlers:
                handler(record=record, user=user)
    return record


def _apply(
    record: CrfRecord,
    transition: lifecycle.Transition,
    user: Any,
    now: dt.datetime | None,
    changes: dict[str, Any] | None,
) -> None:
    if changes is None:
        changes = transition.changes(record, user=user, now=now or timezone.now())
    for name, value in changes.items():
        setattr(record, name, value)


def make_move(
    *,
    record: F,
    move: Move,
    user: Any,
    reason: str = "",
    now: dt.datetime | None = None,
) -> F:
    """Move a form and its parts through the lifecycle: one write and one history row each."""
    transition = lifecycle.TRANSITIONS[move]
    now = now or timezone.now()
    with transaction.atomic():
        row = type(record)._base_manager.select_for_update().get(pk=record.pk)
        # Checked on the locked row, not the caller's copy: a draft emptied meanwhile is not
        # completed, and a part moves only with its form.
        lifecycle.check_move(row, transition, user=user, reason=reason)
        lifecycle.refuse_wrong_state(row.crf_status, transition)
        changes = transition.changes(row, user=user, now=now)
        targets = [row]
        for relation in row.crf_parts:
            targets.extend(getattr(row, relation).select_for_update())
        for target in targets:
            save_record(
                target,
                user=user,
                reason=reason,
                expected_version=target.version,
                move=move,
                now=now,
                changes=changes,
            )
    record.refresh_from_db()
    return record


def complete_form(*, record: F, user: Any) -> F:
    """The site declares the form complete: from now on a change needs a reason."""
    return make_move(record=record, move=Move.COMPLETE, user=user)


def verify_form(*, record: F, user: Any, now: dt.datetime | None = None) -> F:
    """Source data verified by a data manager."""
    return make_move(record=record, move=Move.VERIFY, user=user, now=now)


def lock_form(*, record: F, user: Any, now: dt.datetime | None = None) -> F:
    """Lock a complete or verified form: nobody changes it until an admin unlocks it."""
    return make_move(record=record, move=Move.LOCK, user=user, now=now)


def unlock_form(*, record: F, user: Any, reason: str) -> F:
    """An admin unlocks a form, with a reason; it returns to where it was before the lock."""
    return make_move(record=record, move=Move.UNLOCK, user=user, reason=reason)


def _keep_lifecycle(record: ClinicalRecord, stored: dict[str, Any]) -> None:
    # An ordinary save cannot move a form through its lifecycle, whatever the caller set.
    for name in CrfRecord.LIFECYCLE_FIELDS:
        setattr(record, name, stored[name])


def _crf_edit_reason(record: CrfRecord, stored: dict[str, Any], reason: str) -> str:
    status = stored["crf_status"]
    if status == CrfStatus.LOCKED:
        raise LockedRecordError(RECORD_LOCKED)
    if status != CrfStatus.DRAFT and not reason:
        raise ReasonRequiredError(REASON_REQUIRED)
    _keep_lifecycle(record, stored)
    if status == CrfStatus.VERIFIED:
        record.crf_status = CrfStatus.COMPLETE
        record.verified_by_id = None
        record.verified_at = None
        return f"{reason} ({VERIFICATION_VOIDED})"
    return reason or DRAFT_SAVED
