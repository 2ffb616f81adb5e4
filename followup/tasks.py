"""Celery entry points of the follow-up app: load nothing, call a service, let Celery retry.

One periodic task scans the database (no per-visit tasks with ETAs months ahead: Redis would
redeliver those). acks_late: a worker that dies mid-scan leaves the message on the broker and
the next worker reruns the scan, which is safe because every reminder is a unique row.
"""

from celery import shared_task
from django.db import DatabaseError
from django.utils import timezone

from .services import send_due_reminders_in_site_time


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=True,
    max_retries=5,
)
def send_due_reminders_task() -> dict[str, int]:
    return send_due_reminders_in_site_time(now=timezone.now())
