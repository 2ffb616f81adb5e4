"""In-app notifications: a message for one user, shown under the bell until they mark it done.

Notifications are not clinical records: they carry no trial data of their own (the message
names a visit; the visit is the record), so they are not audited and may be marked read.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=40)
    message = models.TextField(_("message"))
    url = models.CharField(_("link"), max_length=500, blank=True)
    # What the notification is about, e.g. "reminder:42". With the recipient it is unique, so
    # a producer that is retried cannot notify the same person twice about the same thing.
    key = models.CharField(_("key"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("done"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key"],
                condition=~models.Q(key=""),
                name="notification_once_per_recipient_and_key",
            ),
        ]
        indexes = [
            # The bell counts a user's unread notifications on every page.
            models.Index(
                fields=["recipient"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.message[:40]}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
