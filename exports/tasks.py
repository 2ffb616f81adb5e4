"""Celery entry points of the exports app: the long exports and the cleanup of their files."""

from celery import shared_task
from django.db import transaction

from . import jobs
from .models import OutputJob


@shared_task(acks_late=True)
def run_output_job_task(job_id: int) -> str:
    job = OutputJob.objects.select_related("user").get(pk=job_id)
    return jobs.run_job(job).state  # a second delivery (acks_late) finds it claimed


@shared_task
def remove_expired_outputs_task() -> int:
    return jobs.remove_expired()


def enqueue(job: OutputJob) -> None:
    """Hand the job to the worker once its row is committed; with no broker configured
    (CELERY_TASK_ALWAYS_EAGER) it runs here, in the request's process, as the CSVs do."""
    transaction.on_commit(lambda: run_output_job_task.delay(job.pk))
