"""Celery entry point of the data-quality app: the nightly automatic checks.

acks_late: a worker that dies mid-run leaves the message for the next, which reruns the checks
safely because each opens its query once per form (a unique row).
"""

from celery import shared_task
from django.db import DatabaseError

from .services import run_automatic_checks


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=True,
    max_retries=5,
)
def run_automatic_checks_task() -> dict[str, int]:
    return run_automatic_checks()
