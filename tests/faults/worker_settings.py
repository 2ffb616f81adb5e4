"""Settings of a Celery worker that a fault test starts in its own process: the test settings,
with tasks sent through the broker in REDIS_URL and e-mail recorded to a file."""

from trialsite.settings.test import *  # noqa: F403

CELERY_TASK_ALWAYS_EAGER = False
EMAIL_BACKEND = "tests.faults.mail_backends.RecordingBackend"
