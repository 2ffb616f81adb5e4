"""In-app notifications: a message for one user, shown under the bell until they mark it done.

Notifications are not clinical records: they carry no trial data of their own (the message
names a visit; the visit is the record), so they are not audited and may be marked read.
The outbox holds the e-mails the app must send, until they are sent (`OutboxMessage`).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
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


class OutboxMessage(models.Model):
    """A message the app must deliver (an e-mail), written in the transaction that causes it.

    The row, not a broker message, is the promise: it is committed with the change (an arm
    proposal, a claimed reminder) or not at all, and a worker that claims it with SELECT ...
    FOR UPDATE SKIP LOCKED sends it and marks it sent in one short transaction. A broker that
    was down at commit time, a worker killed mid-send or a mail server that refused leaves
    the row pending; the next poll (every minute) delivers it, after a backoff when sending
    failed. The key makes a producer that runs twice enqueue the message once.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        # Gave up after MAX_ATTEMPTS: an admin looks at last_error, then retries it.
        FAILED = "failed", _("Failed")
        # No longer news before it left (the proposal it announced was decided meanwhile).
        WITHDRAWN = "withdrawn", _("Withdrawn")

    kind = models.CharField(_("kind"), max_length=40)
    key = models.CharField(_("key"), max_length=200)
    recipient = models.EmailField(_("recipient"))
    subject = models.CharField(_("subject"), max_length=255)
    body = models.TextField(_("body"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        constraints = [
            models.UniqueConstraint(fields=["key"], name="outbox_message_once_per_key"),
            models.CheckConstraint(
                condition=models.Q(status="sent", sent_at__isnull=False)
                | (~models.Q(status="sent") & models.Q(sent_at__isnull=True)),
                name="outbox_message_sent_has_time",
            ),
        ]
        indexes = [
            # The poll claims the due pending rows, oldest due first.
            models.Index(
                fields=["next_attempt_at", "id"],
                condition=models.Q(status="pending"),
                name="outbox_message_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient} ({self.status})"
