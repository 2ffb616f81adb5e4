"""The Celery app: broker from REDIS_URL; with none, tasks run eagerly in the calling process."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trialsite.settings.dev")

app = Celery("trialsite")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="trialsite.ping")
def ping() -> str:
    """A health probe: a worker that answers it is connected to the broker."""
    return "pong"
