"""Celery entry point of the arms app: load by id, call a service, let Celery retry.

Queued by `services.propose_assignment` on commit, so the coordinator who completed the
assessment does not wait for the mail server. Retrying is safe: a notification is a unique
row per investigator and assignment.
"""

from celery import shared_task
from django.db import DatabaseError


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=True,
    max_retries=5,
)
def notify_investigators_task(assignment_id: int) -> int:
    from .services import notify_investigators  # the services queue this task

    return notify_investigators(assignment_id=assignment_id)
