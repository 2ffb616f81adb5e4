"""Notification writes: create them in bulk for producers, mark them done for their recipient."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from .models import Notification


@dataclass(frozen=True)
class NewNotification:
    recipient_id: int
    kind: str
    message: str
    url: str = ""
    key: str = ""


def notifications_create(*, notifications: Iterable[NewNotification]) -> int:
    """Create notifications in one INSERT; one already given (same recipient and key) is kept.

    A fixed number of queries whatever the count, so a producer working in batches (the
    reminder scan) stays set-based.
    """
    rows = [
        Notification(
            recipient_id=n.recipient_id, kind=n.kind, message=n.message, url=n.url, key=n.key
        )
        for n in notifications
    ]
    if not rows:
        return 0
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def notification_mark_done(*, user: Any, notification_id: int) -> bool:
    """Mark one of `user`'s notifications done. False when it is not theirs or already done."""
    return (
        Notification.objects.filter(
            pk=notification_id, recipient=user, read_at__isnull=True
        ).update(read_at=timezone.now())
        == 1
    )


def notifications_mark_all_done(*, user: Any) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
