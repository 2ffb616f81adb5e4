"""Redis dies in the middle of a save that notifies investigators; the notification still
arrives, once. Run with `pytest -s` to see the figures."""

from __future__ import annotations

import io
import time
from collections import Counter

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from access.roles import Role
from arms import services as arms_services
from arms.models import ArmAssignment
from assessments.models import ResponseAssessment
from notifications.models import Notification, OutboxMessage
from notifications.tasks import deliver_outbox_task
from tests.factories import assessments as f
from tests.factories.access import user_with_role
from tests.faults.conftest import celery_broker, require_postgresql, reset_broker_connections

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def _complete_assessment_post(baseline) -> dict[str, str]:
    """Both targets shrink by a third: PR in both compartments, a proposal for arm 4."""
    data = {"assessment_date": "2026-03-01", "modality": "ct", "action": "complete"}
    for lesion in baseline.lesions.all():
        data[f"lesion_{lesion.pk}_mm"] = str(int(lesion.baseline_mm * 2 / 3))
    return data


def _wait_until(condition, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_proposals_saved_while_redis_is_down_are_notified_once_redis_is_back(
    client, redis_server, site_a, coordinator_a, investigator_a, monkeypatch
):
    """Redis dies in the middle of the first save; a second save follows during the outage."""
    from trialsite.celery import app

    require_postgresql()
    investigators = [investigator_a] + [
        user_with_role(Role.INVESTIGATOR, site_a, username=f"investigator_a{i}") for i in (2, 3)
    ]
    baselines = [f.baseline(f.participant(site_a), coordinator_a) for _ in range(2)]
    client.force_login(coordinator_a)
    killed_at: list[float] = []
    enqueue = arms_services.outbox_enqueue

    def enqueue_then_kill_redis(**kwargs):
        # Inside the save's transaction, after the e-mails are written and before the commit
        # that would kick their delivery through the broker.
        count = enqueue(**kwargs)
        if not killed_at:
            redis_server.kill()
            killed_at.append(time.monotonic())
        return count

    monkeypatch.setattr(arms_services, "outbox_enqueue", enqueue_then_kill_redis)
    page_seconds = []
    with celery_broker(redis_server.url):
        for baseline in baselines:
            started = time.monotonic()
            response = client.post(
                reverse("assessments:assessment_create", args=[baseline.participant_id]),
                _complete_assessment_post(baseline),
            )
            page_seconds.append(time.monotonic() - started)
            # The save answered and committed, with Redis gone.
            assert response.status_code == 302, response.content[:500]
            assert killed_at, "the save did not reach the outbox"
            assessment = ResponseAssessment.objects.get(participant=baseline.participant)
            assert assessment.is_complete
            assignment = ArmAssignment.objects.get(assessment=assessment)
            assert assignment.status == ArmAssignment.Status.PENDING
            # The pages go on answering during the outage.
            assert client.get(response["Location"]).status_code == 200
            review = client.get(reverse("arms:review", args=[assignment.pk]))
            assert review.status_code in (200, 302)
            # In-app at once; the e-mails wait in the outbox, not in a lost broker message.
            key = f"arm_assignment:{assignment.pk}"
            assert Notification.objects.filter(key=key).count() == len(investigators)
        queued = OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING).count()
        assert queued == 2 * len(investigators)
        assert mail.outbox == []

        time.sleep(0.5)  # nothing could be sent meanwhile, however long the outage
        redis_server.start()
        outage = time.monotonic() - killed_at[0]
        reset_broker_connections()  # the producers' connections died with the old server

        # The beat's next tick, through the restarted broker, to a real worker.
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
            deliver_outbox_task.delay()
            assert _wait_until(
                lambda: not OutboxMessage.objects.filter(status="pending").exists()
            ), "the outbox was not delivered after Redis came back"
            deliver_outbox_task.delay()  # and the tick after it
            time.sleep(0.5)
    out = io.StringIO()
    call_command("deliver_outbox", stdout=out)  # the cron path, once more: nothing to send
    assert "sent: 0" in out.getvalue()

    delivered = len(mail.outbox)
    sent = Counter((m.to[0], m.subject) for m in mail.outbox)
    duplicates = delivered - len(sent)
    print(
        f"\n[fault: broker outage] Redis killed mid-save; outage {outage:.2f} s; "
        f"{len(page_seconds)} saves answered HTTP 302 in "
        f"{', '.join(f'{t:.2f}' for t in page_seconds)} s; e-mails queued {queued}, "
        f"delivered {delivered}, duplicates {duplicates}; in-app notifications "
        f"{Notification.objects.count()}"
    )
    assert duplicates == 0 and delivered == queued
    assert sorted({to for to, _ in sent}) == sorted(u.email for u in investigators)
    assert OutboxMessage.objects.filter(status="sent").count() == queued
    assert Notification.objects.count() == queued
    assert max(page_seconds) < 5  # a broker that is down must not keep the coordinator waiting
