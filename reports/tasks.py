"""Celery entry point of the reports app: keep the reports page's figures fresh."""

from celery import shared_task
from django.db import DatabaseError

from . import figures


@shared_task(autoretry_for=(DatabaseError,), retry_backoff=True, max_retries=3)
def refresh_figures_task() -> int:
    return figures.refresh_all()
