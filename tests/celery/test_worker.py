"""A real Celery worker, connected to Redis, runs a task sent through the broker."""

import os

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings

from trialsite.celery import app, ping

pytestmark = pytest.mark.celery_worker


@pytest.fixture
def redis_app():
    if not settings.REDIS_URL:
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail("CI must set REDIS_URL: the worker test does not skip there")
        pytest.skip("REDIS_URL is not set (laptop without Redis)")
    saved = {k: app.conf[k] for k in ("broker_url", "result_backend", "task_always_eager")}
    app.conf.update(
        broker_url=settings.REDIS_URL,
        result_backend=settings.REDIS_URL,
        task_always_eager=False,
    )
    yield app
    app.conf.update(saved)


def test_a_worker_on_redis_completes_a_task(redis_app):
    with start_worker(redis_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        result = ping.delay()
        assert result.get(timeout=20) == "pong"
