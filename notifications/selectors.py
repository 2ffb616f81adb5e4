"""Notification reads: a user only ever sees their own."""

from typing import Any

from django.db.models import QuerySet

from .models import Notification

LIST_LIMIT = 200


def notifications_for(*, user: Any) -> QuerySet[Notification]:
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user)


def unread_count(*, user: Any) -> int:
    return notifications_for(user=user).filter(read_at__isnull=True).count()
