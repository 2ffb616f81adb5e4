"""Tests: the database and broker come from the environment (PostgreSQL and Redis in CI)."""

from .dev import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Tasks run in the test's own process; the Celery worker tests start a real worker on Redis.
CELERY_TASK_ALWAYS_EAGER = True
# A connection per request, as Django's test server expects: its keep-alive threads would
# otherwise hold their connections from one browser test into the next.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
# Each test process its own cache (emptied before every test, tests/conftest.py): parallel
# test databases reuse primary keys, so a cache shared through Redis would mix them.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
AXES_FAILURE_LIMIT = 3
AXES_VERBOSE = False
LOGGING = {
    **LOGGING,  # noqa: F405
    "loggers": {**LIBRARY_LOGGERS, "axes": {"level": "WARNING"}},  # noqa: F405
}
