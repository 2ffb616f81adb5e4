"""A Celery worker SIGKILLed while it sends the outbox: every message still goes out, once.

The worker is a real `celery worker` process on the test's own redis-server, sending through
an e-mail backend that records to a file and hangs in the middle of the third message. Two
kills: the pool process that runs the task (the worker's parent sees it die and, with
acks_late and reject_on_worker_lost, hands the task to a new pool process), and the whole
worker (its broker message stays unacknowledged; the beat's next tick, taken by a new worker,
delivers the rest). Run with `pytest -s` to see the figures.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from django.db import transaction

from notifications.models import OutboxMessage
from notifications.services import NewOutboxMessage, outbox_enqueue
from notifications.tasks import deliver_outbox_task
from tests.faults.conftest import celery_broker, database_url_for_subprocess, require_postgresql

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
SUBJECTS = [f"Arm proposal awaiting your review: FAULT-{i}" for i in range(5)]
HANG_ON = SUBJECTS[2]


class Worker:
    def __init__(self, *, pool: str, broker_url: str, tmp: Path, name: str) -> None:
        env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_ALLOW_ASYNC_UNSAFE",)} | {
            "DATABASE_URL": database_url_for_subprocess(),
            "REDIS_URL": broker_url,
            "DJANGO_SETTINGS_MODULE": "tests.faults.worker_settings",
            "FAULT_MAIL_RECORD": str(tmp / "delivered.txt"),
            "FAULT_MAIL_HANG": str(tmp / "hang"),
        }
        self.log = tmp / f"{name}.log"
        with self.log.open("w") as log:
            self.process = subprocess.Popen(  # noqa: S603 - our own worker
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "trialsite",
                    "worker",
                    f"--pool={pool}",
                    "--concurrency=1",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                    "--loglevel=INFO",
                    f"--hostname={name}@%h",
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: stopped below by its id
            )

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)


def _wait_for(condition, what: str, workers: list[Worker], timeout: float = 90) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if condition():
            return time.monotonic() - started
        time.sleep(0.1)
    logs = "\n".join(w.log.read_text()[-3000:] for w in workers)
    raise AssertionError(f"timed out waiting for {what}; worker logs:\n{logs}")


def _all_sent() -> bool:
    return not OutboxMessage.objects.exclude(status="sent").exists()


@pytest.mark.parametrize("killed", ["pool process", "whole worker"])
def test_a_worker_killed_mid_send_redelivers_without_a_duplicate(redis_server, tmp_path, killed):
    require_postgresql()
    (tmp_path / "hang").write_text(HANG_ON)
    pid_file = tmp_path / "hang.pid"
    record = tmp_path / "delivered.txt"
    pool = "prefork" if killed == "pool process" else "solo"
    workers = [Worker(pool=pool, broker_url=redis_server.url, tmp=tmp_path, name="first")]
    try:
        with celery_broker(redis_server.url):
            with transaction.atomic():  # as a producer does; the commit kicks the worker
                outbox_enqueue(
                    messages=[
                        NewOutboxMessage(
                            kind="test",
                            key=f"fault:{i}",
                            recipient=f"investigator{i}@example.org",
                            subject=subject,
                            body="Review and sign it.",
                        )
                        for i, subject in enumerate(SUBJECTS)
                    ]
                )
            _wait_for(pid_file.exists, "the worker to reach the third message", workers)
            before_kill = record.read_text().splitlines()
            assert [line.split(" ", 2)[2] for line in before_kill] == SUBJECTS[:2]
            os.kill(int(pid_file.read_text()), signal.SIGKILL)
            if killed == "whole worker":
                workers[0].process.wait(10)
                workers.append(
                    Worker(pool=pool, broker_url=redis_server.url, tmp=tmp_path, name="second")
                )
                deliver_outbox_task.delay()  # the beat's next tick
            recovery = _wait_for(_all_sent, "the rest of the outbox", workers)
            time.sleep(0.5)  # a late duplicate would show here
    finally:
        for worker in workers:
            worker.stop()

    lines = record.read_text().splitlines()
    by_subject = Counter(line.split(" ", 2)[2] for line in lines)
    message_ids = Counter(line.split(" ", 1)[0] for line in lines)
    duplicates = len(lines) - len(by_subject)
    print(
        f"\n[fault: worker killed, {killed}] SIGKILL while sending message 3 of "
        f"{len(SUBJECTS)} (2 delivered before it); all delivered {recovery:.2f} s after the "
        f"kill; queued {len(SUBJECTS)}, delivered {len(lines)}, duplicates {duplicates}"
    )
    if killed == "pool process":
        # The parent saw its pool process die and the broker redelivered the same task
        # (acks_late + reject_on_worker_lost) to the next pool process.
        log = workers[0].log.read_text()
        assert "WorkerLostError" in log
        received = re.findall(r"deliver_outbox_task\[([0-9a-f-]+)\] received", log)
        assert len(received) == 2 and len(set(received)) == 1, received
    assert sorted(by_subject) == sorted(SUBJECTS)
    assert duplicates == 0 and max(message_ids.values()) == 1
    assert OutboxMessage.objects.filter(status="sent").count() == len(SUBJECTS)
