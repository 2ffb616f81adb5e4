"""Reminders under real concurrency: two scans at once on PostgreSQL, and a real Celery worker.

These tests commit (transaction=True): the threads and the worker use their own connections.
"""

import datetime as dt
import os
import threading
import time

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection, connections

from followup.models import Reminder
from followup.services import send_due_reminders
from notifications.models import Notification
from tests.conftest import IN_CI
from tests.factories.followup import participant_with_visits

pytestmark = pytest.mark.django_db(transaction=True)


def _require_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("row locks (SKIP LOCKED) need PostgreSQL; set DATABASE_URL")


def test_two_concurrent_scans_send_each_reminder_once(site_a, coordinator_a):
    _require_postgresql()
    visits = [participant_with_visits(site_a).planned_visits.get(code="M03") for _ in range(40)]
    day = visits[0].window_start
    barrier = threading.Barrier(2)
    results: list[dict[str, int]] = []
    errors: list[BaseException] = []

    def scan() -> None:
        try:
            barrier.wait()
            results.append(send_due_reminders(today=day, batch_size=3))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=scan) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    assert sum(r["due"] for r in results) == 40
    assert Reminder.objects.filter(kind="due", status="sent").count() == 40
    assert Notification.objects.count() == 40
    assert sum(m.body.count("is due") for m in mail.outbox) == 40


def _redis_url_or_skip() -> str:
    url = os.environ.get("REDIS_URL") or settings.REDIS_URL
    if not url:
        if IN_CI:
            pytest.fail("CI must set REDIS_URL: the Celery worker test cannot be skipped there")
        pytest.skip("REDIS_URL not set")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        # REDIS_URL is set, so Redis is meant to be there: a failure, never a skip.
        pytest.fail(f"Redis at {url} is unreachable: {exc}")
    return url


@pytest.mark.celery_worker
def test_a_real_worker_runs_the_beat_task_and_reminders_appear(site_a, coordinator_a):
    from celery.contrib.testing.worker import start_worker
    from celery.result import EagerResult

    from followup.tasks import send_due_reminders_task
    from trialsite.celery import app

    url = _redis_url_or_skip()
    today = dt.datetime.now(dt.UTC).date()
    # Diagnosed about three months ago: the M03 window is open today (in any time zone).
    p = participant_with_visits(
        site_a,
        diagnosis_date=today - dt.timedelta(days=95),
        enrolment_date=today - dt.timedelta(days=10),
    )
    assert p.planned_visits.filter(code="M03").exists()
    saved = {k: app.conf[k] for k in ("broker_url", "result_backend", "task_always_eager")}
    app.conf.update(broker_url=url, result_backend=url, task_always_eager=False)
    app._pool = None  # the producer pool was made for the in-memory broker
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
            result = send_due_reminders_task.delay()
            assert not isinstance(result, EagerResult)  # it went through Redis to the worker
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                if Notification.objects.filter(recipient=coordinator_a).exists():
                    break
                time.sleep(0.2)
    finally:
        app.conf.update(saved)
        app._pool = None
    sent = Reminder.objects.filter(planned_visit__participant=p, status="sent")
    assert sent.count() == 1
    assert Notification.objects.filter(recipient=coordinator_a, kind=f"visit_{sent.get().kind}")


def test_two_send_reminders_processes_at_once_send_each_reminder_once(site_a, coordinator_a):
    """The cron user's case: two `manage.py send_reminders` started together."""
    import subprocess
    import sys
    from pathlib import Path

    _require_postgresql()
    visits = [participant_with_visits(site_a).planned_visits.get(code="M06") for _ in range(60)]
    day = visits[0].window_start
    db = connection.settings_dict
    url = f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_ALLOW_ASYNC_UNSAFE", "CI")} | {
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "trialsite.settings.test",
    }
    env.pop("REDIS_URL", None)
    root = Path(__file__).resolve().parents[2]
    command = [sys.executable, "manage.py", "send_reminders", "--date", day.isoformat()]
    processes = [
        subprocess.Popen(  # noqa: S603 - our own manage.py
            command, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=120) for p in processes]
    assert all(p.returncode == 0 for p in processes), outputs
    sent = {"due": 0, "overdue": 0}  # M06 is due that day, M03 overdue
    for stdout, _stderr in outputs:
        counts = dict(line.split(": ") for line in stdout.strip().splitlines())
        for kind in sent:
            sent[kind] += int(counts[kind])
    assert sent == {"due": 60, "overdue": 60}
    assert Reminder.objects.filter(kind="due", status="sent").count() == 60
    assert Notification.objects.filter(recipient=coordinator_a).count() == 120
    assert Notification.objects.values("key").distinct().count() == 120
