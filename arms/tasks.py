"""Celery entry point of the arms app, kept for messages queued before the outbox existed.

The investigators of a new proposal are now told in the proposal's own transaction (in-app
notifications, and e-mails through the notifications outbox), so nothing queues this task any
more. A message still on the broker from before the upgrade runs it once: safe, because the
notifications and the outbox e-mails are unique per investigator and assignment.
"""

from celery import shared_task
from django.db import DatabaseError

from .services import notify_investigators


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=True,
    max_retries=5,
)
def notify_investigators_task(assignment_id: int) -> int:
    return notify_investigators(assignment_id=assignment_id)
