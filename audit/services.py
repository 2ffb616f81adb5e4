"""Writing clinical records: every save names its user and reason, refuses a stale edit and
refuses any change to a locked form.

This is the one door for clinical writes (views, services, the admin all come through it), so
the rules of the form lifecycle are enforced here rather than in each caller:

- a new record, or a form still in draft, may be saved without a typed reason (the history
  says "Initial entry" / "Draft saved");
- any other change needs a reason for change;
- a locked form refuses every change until an admin unlocks it; `transition=True` is a move
  through the lifecycle (complete, verify, lock, unlock), made by `dataquality.services`
  alone, which check the state they move from on the row they have locked;
- a change to a verified form returns it to complete: the verification is void, and the
  history row says so.

After a change to a form, the handlers named in CRF_CHANGE_HANDLERS are called (by name, as
the casebook calls its sections), e.g. to void the casebook sign-off of its participant.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from .models import ClinicalRecord, CrfRecord, CrfStatus

STALE_RECORD = _(
    "This record was changed by someone else while you were editing it. "
    "Reload it to see their changes, then make yours again."
)
REASON_REQUIRED = _("Give a reason for this change.")
RECORD_LOCKED = _("This form is locked: an administrator must unlock it before it can change.")

# History reasons of saves that need no typed reason (English: the audit trail's language).
INITIAL_ENTRY = "Initial entry"
DRAFT_SAVED = "Draft saved"
VERIFICATION_VOIDED = "verification voided by this change"

# Called as handler(record=..., user=...) after a change to a CRF, inside its transaction.
CRF_CHANGE_HANDLERS: tuple[str, ...] = ("dataquality.services.crf_changed",)


class StaleRecordError(Exception):
    pass


class ReasonRequiredError(Exception):
    pass


class LockedRecordError(PermissionDenied):
    """A change to a locked form: refused like any other forbidden act (403 from a view)."""


def save_record(
    record: ClinicalRecord,
    *,
    user: Any,
    reason: str = "",
    expected_version: int | None = None,
    transition: bool = False,
) -> ClinicalRecord:
    """Save `record` as `user` with `reason`, recording the change in its history.

    For an existing record, `expected_version` is the version the editor loaded; when the row
    has moved on since, nothing is saved and StaleRecordError is raised. The row lock makes
    the check and the write one step, so two concurrent editors cannot both pass the check
    (nor an edit slip in between a lock and its check).
    """
    reason = (reason or "").strip()
    is_crf = isinstance(record, CrfRecord)
    with transaction.atomic():
        if record.pk is None:
            if not reason and not is_crf:
                raise ReasonRequiredError(REASON_REQUIRED)
            reason = reason or INITIAL_ENTRY
            if is_crf and not transition:
                _keep_lifecycle(record, dict.fromkeys(CrfRecord.LIFECYCLE_FIELDS))
                record.crf_status = CrfStatus.DRAFT  # type: ignore[attr-defined]
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
            if expected_version is not None and stored["version"] != expected_version:
                raise StaleRecordError(STALE_RECORD)
            if is_crf and not transition:
                reason = _crf_edit_reason(record, stored, reason)  # type: ignore[arg-type]
            elif is_crf and stored["crf_status"] == record.crf_status == CrfStatus.LOCKED:  # type: ignore[attr-defined]
                raise LockedRecordError(RECORD_LOCKED)
            elif not reason:
                raise ReasonRequiredError(REASON_REQUIRED)
            record.version = stored["version"] + 1
        record._change_reason = reason  # type: ignore[attr-defined]
        record._history_user = user  # type: ignore[attr-defined]
        record.save()
        if is_crf and not transition:
            for handler in CRF_CHANGE_HANDLERS:
                import_string(handler)(record=record, user=user)
    return record


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
        record.verified_by_id = None  # type: ignore[attr-defined]
        record.verified_at = None
        return f"{reason} ({VERIFICATION_VOIDED})"
    return reason or DRAFT_SAVED
