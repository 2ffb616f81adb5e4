"""The outbox: enqueued once, sent once, retried with backoff, and visible to admins when stuck."""

import datetime as dt

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from notifications import services
from notifications.models import OutboxMessage
from notifications.services import NewOutboxMessage, outbox_deliver_due, outbox_enqueue
from tests.notifications.mail_backends import FlakyBackend

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def flaky(settings):
    settings.EMAIL_BACKEND = "tests.notifications.mail_backends.FlakyBackend"
    FlakyBackend.reset()
    yield FlakyBackend
    FlakyBackend.reset()


def _enqueue(n=1, *, prefix="test", to="investigator@example.org"):
    outbox_enqueue(
        messages=[
            NewOutboxMessage(
                kind="test", key=f"{prefix}:{i}", recipient=to, subject=f"S{i}", body=f"B{i}"
            )
            for i in range(n)
        ]
    )
    OutboxMessage.objects.update(next_attempt_at=T0)


def test_the_same_key_is_enqueued_once():
    _enqueue(2)
    _enqueue(3)
    assert sorted(OutboxMessage.objects.values_list("key", flat=True)) == [
        "test:0",
        "test:1",
        "test:2",
    ]


def test_delivery_sends_each_due_message_once_and_marks_it_sent():
    _enqueue(3)
    assert outbox_deliver_due(now=T0) == {"sent": 3, "retried": 0, "failed": 0}
    assert outbox_deliver_due(now=T0) == {"sent": 0, "retried": 0, "failed": 0}
    assert sorted(m.subject for m in mail.outbox) == ["S0", "S1", "S2"]
    assert mail.outbox[0].to == ["investigator@example.org"]
    sent = OutboxMessage.objects.get(key="test:0")
    assert (sent.status, sent.attempts, sent.sent_at is not None) == ("sent", 1, True)
    assert mail.outbox[0].extra_headers["Message-ID"] == f"<outbox.{sent.pk}@{_dns()}>"


def _dns():
    from django.core.mail.utils import DNS_NAME

    return str(DNS_NAME)


def test_a_message_not_yet_due_waits():
    _enqueue(1)
    assert outbox_deliver_due(now=T0 - dt.timedelta(seconds=1))["sent"] == 0
    assert mail.outbox == []


def test_a_failed_send_is_retried_after_a_growing_delay(flaky):
    _enqueue(1)
    flaky.failures = [ConnectionRefusedError(111, "Connection refused")] * 3
    now = T0
    waits = []
    for _ in range(3):
        assert outbox_deliver_due(now=now)["retried"] == 1
        message = OutboxMessage.objects.get()
        waits.append(message.next_attempt_at - now)
        # Not before its time, however often the poll runs.
        assert outbox_deliver_due(now=message.next_attempt_at - dt.timedelta(seconds=1)) == {
            "sent": 0,
            "retried": 0,
            "failed": 0,
        }
        now = message.next_attempt_at
    assert waits == [dt.timedelta(minutes=1), dt.timedelta(minutes=2), dt.timedelta(minutes=4)]
    assert "ConnectionRefusedError" in OutboxMessage.objects.get().last_error
    assert outbox_deliver_due(now=now)["sent"] == 1
    assert len(mail.outbox) == 1
    assert OutboxMessage.objects.get().attempts == 4


def test_the_delay_between_attempts_stops_growing_at_an_hour():
    assert services.retry_delay(1) == dt.timedelta(minutes=1)
    assert services.retry_delay(6) == dt.timedelta(minutes=32)
    assert services.retry_delay(7) == services.retry_delay(11) == dt.timedelta(hours=1)


def test_a_server_that_is_down_costs_one_attempt_per_run_not_one_per_message(flaky):
    _enqueue(5)
    flaky.failures = [ConnectionRefusedError(111, "Connection refused")]
    assert outbox_deliver_due(now=T0) == {"sent": 0, "retried": 1, "failed": 0}
    assert flaky.attempts == 1
    assert sorted(OutboxMessage.objects.values_list("attempts", flat=True)) == [0, 0, 0, 0, 1]
    assert outbox_deliver_due(now=T0)["sent"] == 4  # the next run: the server is back


def test_a_refused_recipient_does_not_hold_up_the_others(flaky):
    _enqueue(1, prefix="bad", to="typo@example.org")
    _enqueue(2, prefix="good")
    flaky.refuse = {"typo@example.org"}
    assert outbox_deliver_due(now=T0) == {"sent": 2, "retried": 1, "failed": 0}
    bad = OutboxMessage.objects.get(recipient="typo@example.org")
    assert bad.status == "pending" and "SMTPRecipientsRefused" in bad.last_error


def test_after_the_last_attempt_a_message_fails_and_waits_for_an_admin(flaky):
    _enqueue(1)
    flaky.refuse = {"investigator@example.org"}
    OutboxMessage.objects.update(attempts=services.MAX_ATTEMPTS - 1)
    assert outbox_deliver_due(now=T0) == {"sent": 0, "retried": 0, "failed": 1}
    assert OutboxMessage.objects.get().status == "failed"
    assert outbox_deliver_due(now=T0 + dt.timedelta(days=30))["failed"] == 0  # left alone

    flaky.refuse = set()
    assert services.outbox_retry() == 1
    assert outbox_deliver_due()["sent"] == 1
    assert OutboxMessage.objects.get().attempts == 1


def test_a_withdrawn_message_is_not_sent():
    _enqueue(2)
    assert services.outbox_withdraw(key_prefix="test:1") == 1
    assert outbox_deliver_due(now=T0)["sent"] == 1
    assert [m.subject for m in mail.outbox] == ["S0"]


def test_the_command_delivers_and_says_what_is_left(flaky, capsys):
    _enqueue(2)
    OutboxMessage.objects.filter(key="test:1").update(status="failed", attempts=12)
    call_command("deliver_outbox")
    out = capsys.readouterr().out
    assert "sent: 1" in out and "pending now: 0" in out and "failed now: 1" in out
    call_command("deliver_outbox", "--retry-failed")
    out = capsys.readouterr().out
    assert "put back: 1" in out and "sent: 1" in out and "failed now: 0" in out
    assert len(mail.outbox) == 2


def test_enqueueing_kicks_a_delivery_once_committed(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        outbox_enqueue(messages=[NewOutboxMessage("test", "k", "a@example.org", "Subject", "Body")])
        assert mail.outbox == []
    assert [m.subject for m in mail.outbox] == ["Subject"]


def test_a_broker_that_is_down_neither_fails_the_commit_nor_loses_the_message(
    django_capture_on_commit_callbacks, monkeypatch
):
    def down(*args, **kwargs):
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(services.deliver_outbox_task, "apply_async", down)
    with django_capture_on_commit_callbacks(execute=True):
        outbox_enqueue(messages=[NewOutboxMessage("test", "k", "a@example.org", "Subject", "Body")])
    assert OutboxMessage.objects.get().status == "pending"
    assert outbox_deliver_due()["sent"] == 1


def test_the_beat_polls_the_outbox_every_minute_without_piling_up_ticks():
    entry = settings.CELERY_BEAT_SCHEDULE["deliver-outbox"]
    assert entry["task"] == "notifications.tasks.deliver_outbox_task"
    assert entry["schedule"] == dt.timedelta(minutes=1)
    assert entry["options"]["expires"] < 60


def test_the_task_is_safe_to_redeliver():
    from notifications.tasks import deliver_outbox_task

    assert deliver_outbox_task.acks_late and deliver_outbox_task.reject_on_worker_lost
    _enqueue(1)
    OutboxMessage.objects.update(next_attempt_at=timezone.now())
    assert deliver_outbox_task.delay().get() == {"sent": 1, "retried": 0, "failed": 0}
    assert deliver_outbox_task.delay().get() == {"sent": 0, "retried": 0, "failed": 0}
    assert len(mail.outbox) == 1


def test_admins_see_stuck_messages_by_status_and_retry_them(client, admin_a, flaky):
    admin_a.is_staff = admin_a.is_superuser = True
    admin_a.save()
    client.force_login(admin_a)
    _enqueue(2)
    OutboxMessage.objects.filter(key="test:1").update(
        status="failed", attempts=12, last_error="SMTPRecipientsRefused: no such user"
    )
    url = reverse("admin:notifications_outboxmessage_changelist")
    page = client.get(url, {"status__exact": "failed"}).content.decode()
    assert "SMTPRecipientsRefused" in page and "1 outbox message" in page
    failed = OutboxMessage.objects.get(key="test:1")
    assert client.get(reverse("admin:notifications_outboxmessage_add")).status_code == 403
    response = client.post(url, {"action": "retry_now", "_selected_action": [failed.pk]})
    assert response.status_code == 302
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == ("pending", 0)
    response = client.post(
        reverse("admin:notifications_outboxmessage_delete", args=[failed.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
