"""The form lifecycle, declared once: which move takes a form from which states to which, and
who may make it.

    draft --complete--> complete --verify--> verified
    complete, verified --lock--> locked --unlock (admin, with a reason)--> verified or complete

`TRANSITIONS` is the table; `audit.services.make_move` (and so every service that completes,
verifies, locks or unlocks a form), the data-quality page's buttons and the admin all read it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from access.roles import Action, require
from access.scoping import site_id_of

from .models import CrfRecord, CrfStatus

WRONG_STATE = _("This form is %(status)s: it cannot be %(action)s.")
NOT_ENTERED = _("This form is not finished yet: finish it before marking it complete.")
PART_OF_A_FORM = _("This is part of a form: it moves with its form, never on its own.")
REASON_NEEDED = _("Give the reason for unlocking this form.")


class Move(StrEnum):
    COMPLETE = "complete"
    VERIFY = "verify"
    LOCK = "lock"
    UNLOCK = "unlock"


class LifecycleError(Exception):
    """The move asked for cannot be made; the message says why, for the user."""


@dataclass(frozen=True)
class Transition:
    move: Move
    right: Action
    sources: frozenset[str]
    # The button's label and the past participle in WRONG_STATE ("cannot be verified").
    label: Promise
    verb: Promise
    # The history reason (English: the audit trail's language); a typed reason is appended.
    history_reason: str
    needs_reason: bool = False

    def changes(self, record: CrfRecord, *, user: Any, now: dt.datetime) -> dict[str, Any]:
        """The lifecycle fields this move sets on `record` (or one of its parts)."""
        return _CHANGES[self.move](record, user, now)

    def allowed_from(self, status: str) -> bool:
        return status in self.sources


_CHANGES: dict[Move, Callable[[CrfRecord, Any, dt.datetime], dict[str, Any]]] = {
    Move.COMPLETE: lambda record, user, now: {"crf_status": CrfStatus.COMPLETE},
    Move.VERIFY: lambda record, user, now: {
        "crf_status": CrfStatus.VERIFIED,
        "verified_by_id": user.pk,
        "verified_at": now,
    },
    Move.LOCK: lambda record, user, now: {
        "crf_status": CrfStatus.LOCKED,
        "locked_by_id": user.pk,
        "locked_at": now,
    },
    # An unlocked form returns to where it was before the lock.
    Move.UNLOCK: lambda record, user, now: {
        "crf_status": CrfStatus.VERIFIED if record.verified_at else CrfStatus.COMPLETE,
        "locked_by_id": None,
        "locked_at": None,
    },
}

TRANSITIONS: dict[Move, Transition] = {
    Move.COMPLETE: Transition(
        Move.COMPLETE,
        Action.ENTER_DATA,
        frozenset({CrfStatus.DRAFT}),
        _("Mark complete"),
        _("marked complete"),
        "Form completed",
    ),
    Move.VERIFY: Transition(
        Move.VERIFY,
        Action.VERIFY,
        frozenset({CrfStatus.COMPLETE}),
        _("Verify"),
        _("verified"),
        "Source data verified",
    ),
    Move.LOCK: Transition(
        Move.LOCK,
        Action.LOCK,
        frozenset({CrfStatus.COMPLETE, CrfStatus.VERIFIED}),
        _("Lock"),
        _("locked"),
        "Form locked",
    ),
    Move.UNLOCK: Transition(
        Move.UNLOCK,
        Action.UNLOCK,
        frozenset({CrfStatus.LOCKED}),
        _("Unlock"),
        _("unlocked"),
        "Form unlocked",
        needs_reason=True,
    ),
}


def available_moves(record: CrfRecord, user: Any) -> list[Transition]:
    """The moves `user` may make on `record` now, in the table's order: the page's buttons."""
    if record.is_crf_part:
        return []
    site_id = site_id_of(record)
    return [
        transition
        for transition in TRANSITIONS.values()
        if transition.allowed_from(record.crf_status)
        and user.can(transition.right, site_id)
        and (transition.move != Move.COMPLETE or record.is_entered)
    ]


def check_move(record: CrfRecord, transition: Transition, *, user: Any, reason: str) -> None:
    """Refuse a move the user may not make, a form not finished yet, or a missing reason."""
    require(user, transition.right, site_id_of(record))
    if record.is_crf_part:
        raise LifecycleError(PART_OF_A_FORM)
    if transition.move == Move.COMPLETE and not record.is_entered:
        raise LifecycleError(NOT_ENTERED)
    if transition.needs_reason and not reason.strip():
        raise LifecycleError(REASON_NEEDED)


def refuse_wrong_state(status: str, transition: Transition) -> None:
    if not transition.allowed_from(status):
        raise LifecycleError(
            WRONG_STATE % {"status": CrfStatus(status).label, "action": transition.verb}
        )


def history_reason(transition: Transition, reason: str) -> str:
    reason = reason.strip()
    return f"{transition.history_reason}: {reason}" if reason else transition.history_reason
