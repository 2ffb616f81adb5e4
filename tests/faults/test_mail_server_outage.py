"""The mail server is down, then answers "try again later", then recovers: every e-mail the
app enqueued is retried with backoff and arrives once. A real SMTP server (aiosmtpd) on a free
port, and Django's own SMTP backend. Run with `pytest -s` to see the figures."""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter

import pytest
from aiosmtpd.controller import Controller

from access.roles import Role
from assessments import recist
from followup.services import send_due_reminders
from notifications.models import OutboxMessage
from notifications.services import outbox_deliver_due
from tests.factories import arms as f
from tests.factories.access import user_with_role
from tests.factories.followup import participant_with_visits
from tests.faults.conftest import free_port

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db]

NOTHING = {"sent": 0, "retried": 0, "failed": 0}


class MailServer:
    """An SMTP server that keeps what it accepts and, while `busy`, defers every message."""

    def __init__(self) -> None:
        self.busy = False
        self.received: list[tuple[str, list[str]]] = []  # (Message-ID, recipients)
        self.deferred = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook
        if self.busy:
            self.deferred += 1
            return "451 4.3.0 Mailbox busy, try again later"
        headers = envelope.content.decode("utf8", errors="replace").split("\r\n\r\n", 1)[0]
        message_id = next(
            line.split(":", 1)[1].strip()
            for line in headers.split("\r\n")
            if line.lower().startswith("message-id:")
        )
        self.received.append((message_id, list(envelope.rcpt_tos)))
        return "250 OK"


@pytest.fixture
def smtp_port(settings):
    quiet = logging.getLogger("mail.log")  # aiosmtpd logs every SMTP command at INFO
    level = quiet.level
    quiet.setLevel(logging.WARNING)
    port = free_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 5
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    yield port
    quiet.setLevel(level)


def test_mail_server_down_then_deferring_then_back_delivers_each_message_once(
    smtp_port, site_a, coordinator_a, investigator_a
):
    for i in (2, 3):
        user_with_role(Role.INVESTIGATOR, site_a, username=f"investigator_a{i}")
    # What the app enqueues: an arm proposal for the site's three investigators, and a visit
    # reminder for its coordinator.
    f.completed_assessment(
        f.participant_with_baseline(site_a, coordinator_a),
        coordinator_a,
        primary=recist.SD,
        metastatic=recist.PR,
    )
    m03 = participant_with_visits(site_a).planned_visits.get(code="M03")
    send_due_reminders(today=m03.window_start)
    queued = OutboxMessage.objects.count()
    assert queued == 4
    t0 = dt.datetime.now(dt.UTC)
    minute = dt.timedelta(minutes=1)
    server = MailServer()
    controller = Controller(server, hostname="127.0.0.1", port=smtp_port)

    # 1. Nothing listens: one attempt, then the run stops rather than fail every message.
    assert outbox_deliver_due(now=t0) == NOTHING | {"retried": 1}
    refused = OutboxMessage.objects.get(attempts=1)
    assert "Connection refused" in refused.last_error
    assert refused.next_attempt_at == t0 + minute

    controller.start()
    try:
        # 2. The server answers but defers: each message is tried and backs off.
        server.busy = True
        assert outbox_deliver_due(now=t0 + minute) == NOTHING | {"retried": 4}
        assert "451" in OutboxMessage.objects.get(pk=refused.pk).last_error
        # Polled again before any backoff has passed: nothing is tried.
        assert outbox_deliver_due(now=t0 + 1.5 * minute) == NOTHING
        # 3. Recovered: after its backoff (2 minutes for the twice-failed one), all go out.
        server.busy = False
        assert outbox_deliver_due(now=t0 + 3 * minute) == NOTHING | {"sent": 4}
        assert outbox_deliver_due(now=t0 + 60 * minute) == NOTHING
    finally:
        controller.stop()

    attempts = dict(Counter(OutboxMessage.objects.values_list("attempts", flat=True)))
    ids = Counter(message_id for message_id, _ in server.received)
    duplicates = len(server.received) - len(ids)
    print(
        f"\n[fault: mail server outage] refused 1 connection, deferred {server.deferred} "
        f"messages (451), then recovered; queued {queued}, delivered {len(server.received)}, "
        f"duplicates {duplicates}; attempts per message {attempts}; "
        f"backoff 1 min, then 2 min"
    )
    assert duplicates == 0 and len(server.received) == queued
    assert sorted(r[0] for _, r in server.received) == sorted(
        OutboxMessage.objects.values_list("recipient", flat=True)
    )
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"sent"}
