"""Celery entry point of the notifications app: deliver the outbox.

Kicked after every commit that enqueues a message, and polled by the beat every minute, so a
message enqueued while the broker was down goes out once it is back (or from cron with
`manage.py deliver_outbox` meanwhile). Idempotent: every message is claimed row by row, so a
rerun, a redelivered task after a worker was killed (acks_late, reject_on_worker_lost) or two
workers at once send each message once. No countdowns or ETAs: the row's next_attempt_at is
the backoff, and the poll honours it. No result is stored: nobody waits for one, and with
Redis down, subscribing for a result would keep the committing page waiting.
"""

from celery import shared_task


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def deliver_outbox_task() -> dict[str, int]:
    from .services import outbox_deliver_due  # the services queue this task

    return outbox_deliver_due()
