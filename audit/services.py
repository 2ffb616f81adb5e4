"""Writing clinical records: every save names its user and reason, and refuses a stale edit."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from .models import ClinicalRecord

STALE_RECORD = _(
    "This record was changed by someone else while you were editing it. "
    "Reload it to see their changes, then make yours again."
)
REASON_REQUIRED = _("Give a reason for this change.")


class StaleRecordError(Exception):
    pass


class ReasonRequiredError(Exception):
    pass


def save_record(
    record: ClinicalRecord,
    *,
    user: Any,
    reason: str,
    expected_version: int | None = None,
) -> ClinicalRecord:
    """Save `record` as `user` with `reason`, recording the change in its history.

    For an existing record, `expected_version` is the version the editor loaded; when the row
    has moved on since, nothing is saved and StaleRecordError is raised. The row lock makes
    the check and the write one step, so two concurrent editors cannot both pass the check.
    """
    if not reason or not reason.strip():
        raise ReasonRequiredError(REASON_REQUIRED)
    with transaction.atomic():
        if record.pk is not None:
            current = (
                type(record)
                ._base_manager.select_for_update()
                .values_list("version", flat=True)
                .get(pk=record.pk)
            )
            if expected_version is not None and current != expected_version:
                raise StaleRecordError(STALE_RECORD)
            record.version = current + 1
        record._change_reason = reason.strip()  # type: ignore[attr-defined]
        record._history_user = user  # type: ignore[attr-defined]
        record.save()
    return record
