"""Notification writes: in-app notifications for producers and their recipients; the outbox.

The outbox is how every e-mail leaves the app (arm proposals to investigators, visit reminders
to coordinators, and the adverse-event alerts to come). A producer calls `outbox_enqueue` inside
the transaction of the change that causes the message, so the message exists if and only if the
change does; `outbox_deliver_due` (the Celery task every minute, `manage.py deliver_outbox`
from cron) sends it. Nothing depends on the broker being up when the change commits.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import smtplib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.mail import EmailMessage, get_connection
from django.core.mail.utils import DNS_NAME
from django.db import connection, transaction
from django.utils import timezone

from .models import Notification, OutboxMessage
from .tasks import deliver_outbox_task

logger = logging.getLogger(__name__)


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
    reminder scan) stays set-based. On PostgreSQL the rows go as one array per column
    (`INSERT ... SELECT FROM unnest(...)`): a reminder catch-up writes tens of thousands, and
    building an INSERT of model instances cost more than the database's work.
    """
    items = list(notifications)
    if not items:
        return 0
    if connection.vendor != "postgresql":
        Notification.objects.bulk_create(
            [
                Notification(
                    recipient_id=n.recipient_id,
                    kind=n.kind,
                    message=n.message,
                    url=n.url,
                    key=n.key,
                )
                for n in items
            ],
            ignore_conflicts=True,
        )
        return len(items)
    table = connection.ops.quote_name(Notification._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (recipient_id, kind, message, url, key, created_at) "  # noqa: S608
            "SELECT r, k, m, u, y, %s FROM unnest(%s::bigint[], %s::text[], %s::text[], "
            "%s::text[], %s::text[]) AS t(r, k, m, u, y) ON CONFLICT DO NOTHING",
            [
                timezone.now(),
                [n.recipient_id for n in items],
                [n.kind for n in items],
                [n.message for n in items],
                [n.url for n in items],
                [n.key for n in items],
            ],
        )
    return len(items)


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


def notifications_mark_done_for_everyone(*, key: str) -> int:
    """Mark every recipient's notification about `key` done: what it asked for has been done
    (an arm proposal was signed by one of the site's investigators)."""
    return Notification.objects.filter(key=key, read_at__isnull=True).update(read_at=timezone.now())


# --- Outbox -----------------------------------------------------------------------------------

# A failed send is retried after 1, 2, 4 ... minutes, at most an hour apart; after MAX_ATTEMPTS
# (about seven hours of trying) the message is `failed` and waits for an admin.
FIRST_RETRY = dt.timedelta(minutes=1)
LONGEST_RETRY = dt.timedelta(hours=1)
MAX_ATTEMPTS = 12
DELIVERY_LIMIT = 1000  # messages per run; the next run (a minute later) takes the rest
# Failures where the mail server answered: they concern one message, not the server.
SERVER_ANSWERED = (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused)


@dataclass(frozen=True)
class NewOutboxMessage:
    kind: str
    key: str  # unique: what makes a producer that runs twice enqueue the message once
    recipient: str
    subject: str
    body: str


def outbox_enqueue(*, messages: Iterable[NewOutboxMessage]) -> int:
    """Write messages to the outbox in the caller's transaction; one whose key exists is kept.

    Once the transaction commits, a delivery is kicked at once (robust, and without publish
    retries: a broker that is down must neither undo the change nor keep the page waiting);
    the per-minute poll delivers whatever the kick did not.
    """
    rows = [
        OutboxMessage(kind=m.kind, key=m.key, recipient=m.recipient, subject=m.subject, body=m.body)
        for m in messages
    ]
    if not rows:
        return 0
    OutboxMessage.objects.bulk_create(rows, ignore_conflicts=True)
    transaction.on_commit(_kick_delivery, robust=True)
    return len(rows)


def _kick_delivery() -> None:
    # One connection attempt and no publish retries (the pooled producer would retry for the
    # broker's whole connection timeout): the poll will deliver what this kick cannot.
    app = deliver_outbox_task.app
    with app.connection_for_write(transport_options={"max_retries": 0}) as broker:
        # celery-types lists apply_async's common options only; `connection` is a documented one.
        deliver_outbox_task.apply_async(retry=False, connection=broker)  # type: ignore[call-arg]


def outbox_withdraw(*, key_prefix: str) -> int:
    """Withdraw the pending messages whose key starts with `key_prefix`: no longer news."""
    return OutboxMessage.objects.filter(
        key__startswith=key_prefix, status=OutboxMessage.Status.PENDING
    ).update(status=OutboxMessage.Status.WITHDRAWN)


def outbox_retry(*, message_ids: Iterable[int] | None = None) -> int:
    """Put failed messages back in line now, with a fresh count of attempts (an admin's act,
    once the cause in `last_error` is fixed). All failed messages when no ids are given."""
    failed = OutboxMessage.objects.filter(status=OutboxMessage.Status.FAILED)
    if message_ids is not None:
        failed = failed.filter(pk__in=list(message_ids))
    return failed.update(
        status=OutboxMessage.Status.PENDING, attempts=0, next_attempt_at=timezone.now()
    )


def retry_delay(attempts: int) -> dt.timedelta:
    """How long to wait after the `attempts`-th failed send before the next one."""
    delay: dt.timedelta = min(FIRST_RETRY * 2 ** (attempts - 1), LONGEST_RETRY)
    return delay


def outbox_deliver_due(
    *, now: dt.datetime | None = None, limit: int = DELIVERY_LIMIT
) -> dict[str, int]:
    """Send the pending messages due by `now`, each exactly once; return counts by outcome.

    Safe to run any number of times at once: each message is claimed, sent and marked sent in
    its own short transaction, and SKIP LOCKED lets concurrent runs take other messages. A
    run killed mid-send leaves at most the one message it was sending pending; its rollback
    releases the row and the next run sends it. (Only a kill between the mail server's
    acceptance and the commit could repeat it; its Message-ID stays the same, so a reader's
    mail program shows one message.)
    """
    now = now or timezone.now()
    counts = {"sent": 0, "retried": 0, "failed": 0}
    connection = get_connection()  # each send opens and closes its own SMTP session
    try:
        for _ in range(limit):
            result = _deliver_one(connection=connection, now=now)
            if result is None:
                break
            outcome, server_down = result
            counts[outcome] += 1
            if server_down:
                # The server did not answer: the other messages would only fail the same
                # way and use up their attempts; the next run tries again.
                break
    finally:
        _close_quietly(connection)
    return counts


def _close_quietly(connection: Any) -> None:
    # Saying goodbye to a server that is gone fails too; the next send opens afresh.
    with contextlib.suppress(OSError):
        connection.close()


def _deliver_one(*, connection: Any, now: dt.datetime) -> tuple[str, bool] | None:
    """Claim, send and mark one due message: (outcome, whether the server seemed down)."""
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(status=OutboxMessage.Status.PENDING, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "pk")
            .first()
        )
        if message is None:
            return None
        message.attempts += 1
        try:
            EmailMessage(
                subject=message.subject,
                body=message.body,
                to=[message.recipient],
                connection=connection,
                # The same on every attempt, so a repeat after a crash is recognisable.
                headers={"Message-ID": f"<outbox.{message.pk}@{DNS_NAME}>"},
            ).send()
        except Exception as exc:  # any backend's failure; the message waits for a retry
            # An answer from the server (a refused recipient, "451 try later") concerns this
            # message; anything else (refused connection, timeout, hang-up) the server.
            server_down = not isinstance(exc, SERVER_ANSWERED)
            if server_down:
                _close_quietly(connection)
            message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if message.attempts >= MAX_ATTEMPTS:
                message.status = OutboxMessage.Status.FAILED
                logger.error("Outbox message %s failed for good: %s", message.pk, exc)
            else:
                message.next_attempt_at = now + retry_delay(message.attempts)
                logger.warning("Outbox message %s not sent, will retry: %s", message.pk, exc)
            message.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
            failed = message.status == OutboxMessage.Status.FAILED
            return ("failed" if failed else "retried"), server_down
        message.status = OutboxMessage.Status.SENT
        message.sent_at = timezone.now()
        message.save(update_fields=["attempts", "status", "sent_at"])
        return "sent", False
