"""Two deliveries of the outbox at once, on PostgreSQL: each message is sent by one of them."""

import threading
from collections import Counter

import pytest
from django.core import mail
from django.db import connection, connections

from notifications import services
from notifications.models import OutboxMessage
from notifications.services import NewOutboxMessage, outbox_deliver_due, outbox_enqueue

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_concurrent_deliveries_send_each_message_once(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("row locks (SKIP LOCKED) need PostgreSQL; set DATABASE_URL")
    # No kick on commit: the two runs below are the delivery.
    monkeypatch.setattr(services, "_kick_delivery", lambda: None)
    outbox_enqueue(
        messages=[
            NewOutboxMessage("test", f"k{i}", f"u{i}@example.org", f"S{i}", "B") for i in range(60)
        ]
    )
    barrier = threading.Barrier(2)
    results: list[dict[str, int]] = []
    errors: list[BaseException] = []

    def deliver() -> None:
        try:
            barrier.wait()
            results.append(outbox_deliver_due())
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    assert sum(r["sent"] for r in results) == 60
    assert max(Counter(m.subject for m in mail.outbox).values()) == 1
    assert len(mail.outbox) == 60
    assert OutboxMessage.objects.filter(status="sent").count() == 60
