"""`/health/`: 200 `ok` when the database answers, 503 when it does not; open to everyone,
one query, nothing written; and the container's probe (bin/healthcheck.py) reads it."""

import importlib
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import OperationalError, connections
from django.test import override_settings

from trialsite.health import DATABASE_DOWN, HEALTHY

ROOT = Path(__file__).resolve().parents[2]
PROBE = ROOT / "bin" / "healthcheck.py"
URL = "/health/"


@pytest.mark.django_db
def test_it_answers_ok_to_anyone_with_one_query_and_no_cookie(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get(URL)
    assert response.status_code == 200
    assert response.content.decode() == HEALTHY
    assert response["Content-Type"].startswith("text/plain")
    assert not response.cookies, "the probe must not set a session or CSRF cookie"
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_it_answers_a_logged_in_user_without_touching_the_session(client, coordinator_a):
    client.force_login(coordinator_a)
    response = client.get(URL)
    assert response.status_code == 200
    assert not response.cookies


@pytest.mark.django_db
def test_it_answers_503_when_the_database_does_not(client, monkeypatch):
    def refuse():
        raise OperationalError("connection refused")

    monkeypatch.setattr(connections["default"], "cursor", refuse)
    response = client.get(URL)
    assert response.status_code == 503
    assert response.content.decode() == DATABASE_DOWN


@pytest.mark.django_db
def test_it_answers_head_and_refuses_post(client):
    assert client.head(URL).status_code == 200
    assert client.post(URL).status_code == 405


@pytest.mark.django_db
def test_production_probes_it_over_plain_http(client, monkeypatch):
    """The HTTPS redirect spares the probe (a proxy checks each container over HTTP)."""
    monkeypatch.setenv("SECRET_KEY", "a-production-like-secret-key-for-this-test-only-0123456789")
    production = importlib.import_module("trialsite.settings.production")
    with override_settings(
        SECURE_SSL_REDIRECT=True, SECURE_REDIRECT_EXEMPT=production.SECURE_REDIRECT_EXEMPT
    ):
        assert client.get(URL).status_code == 200
        assert client.get("/accounts/login/").status_code == 301


def probe(url: str, allowed_hosts: str = "localhost") -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - a fixed command line
        [sys.executable, str(PROBE)],
        env={"HEALTHCHECK_URL": url, "ALLOWED_HOSTS": allowed_hosts},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


@pytest.mark.django_db(transaction=True)
def test_the_container_probe_passes_on_a_healthy_server_and_fails_on_any_other_answer(
    live_server,
):
    healthy = probe(live_server.url + URL, allowed_hosts=".localhost,edc.example.org")
    assert healthy.returncode == 0, healthy.stderr
    missing = probe(live_server.url + "/no-such-page/")
    assert missing.returncode == 1
    assert "answered 404" in missing.stderr


def test_the_container_probe_fails_when_nothing_listens():
    result = probe("http://127.0.0.1:9/health/")
    assert result.returncode == 1
    assert "unhealthy" in result.stderr


@pytest.mark.parametrize(
    ("allowed_hosts", "host"),
    [
        ("edc.example.org,localhost", "edc.example.org"),
        (" .example.org ", "example.org"),
        ("*", "localhost"),
        ("", "localhost"),
    ],
)
def test_the_probe_names_a_host_that_allowed_hosts_accepts(allowed_hosts, host):
    sys.path.insert(0, str(PROBE.parent))
    try:
        healthcheck = importlib.import_module("healthcheck")
    finally:
        sys.path.remove(str(PROBE.parent))
    assert healthcheck.host_header(allowed_hosts) == host
