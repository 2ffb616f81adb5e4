"""Redis away: every page still answers, and the reports page computes its figures.

The project's own cache settings (trialsite.settings.base.redis_cache) against a Redis URL
where nothing listens, and against a redis-server this test starts on a free port and kills
between two page views, then starts again.
"""

import logging
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import redis
from django.test import Client
from django.urls import reverse

from reports import figures
from tests.test_access_matrix import MATRIX, NO_ARGS, world  # noqa: F401 - `world` is a fixture
from trialsite.cache import REDIS_BACK, REDIS_DOWN
from trialsite.settings.base import redis_cache

pytestmark = pytest.mark.django_db

INDEX = reverse("reports:index")
SITE_A_PERSONAS = ("coordinator_a", "investigator_a", "data_manager_a", "admin_a")
REDIS_SERVER = shutil.which("redis-server")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def redis_nowhere(settings) -> str:
    """The cache pointed at a port of this machine where nothing listens."""
    url = f"redis://127.0.0.1:{free_port()}/0"
    settings.CACHES = {"default": redis_cache(url)}
    return url


@pytest.fixture
def computations(monkeypatch) -> list[object]:
    """Each computation of the figures, counted."""
    calls: list[object] = []
    compute = figures.compute

    def counted(user):
        calls.append(user)
        return compute(user)

    monkeypatch.setattr(figures, "compute", counted)
    return calls


def _reports_client(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def test_the_reports_page_computes_its_figures_when_redis_is_down(
    redis_nowhere, trial, investigator_a, computations, caplog
):
    client = _reports_client(investigator_a)
    with caplog.at_level(logging.WARNING, logger="trialsite.cache"):
        response = client.get(INDEX)
        assert response.status_code == 200
        assert b"<svg" in response.content and b'data-testid="consort"' in response.content
        # Kept in this process's memory meanwhile: the next view does not compute again.
        assert client.get(INDEX).status_code == 200
        assert len(computations) == 1
        assert client.get(reverse("reports:km_svg", args=["os"])).status_code == 200
        assert client.post(INDEX).status_code == 302
        assert len(computations) == 2
    # Logged once for the outage, not once per cache call.
    assert [r.msg for r in caplog.records] == [REDIS_DOWN]


def test_every_page_answers_when_redis_is_down(redis_nowhere, world, request):  # noqa: F811
    users = {p: request.getfixturevalue(p) for p in SITE_A_PERSONAS}
    failures = []
    for name, row in sorted(MATRIX.items()):
        if row.method != "get":
            continue
        url = reverse(name, kwargs=row.args(world)) if row.args is not NO_ARGS else reverse(name)
        for persona in SITE_A_PERSONAS:
            if persona in row.allowed:
                status = _reports_client(users[persona]).get(url).status_code
                if status >= 500:
                    failures.append(f"{url} as {persona}: {status}")
    assert not failures


def test_every_cache_operation_of_redis_falls_back():
    from django.core.cache.backends.redis import RedisCache

    from trialsite.cache import FallbackRedisCache

    operations = {
        name
        for name, value in vars(RedisCache).items()
        if callable(value) and not name.startswith("_") and name != "get_backend_timeout"
    }
    assert operations
    assert {name for name in operations if vars(FallbackRedisCache).get(name)} == operations


# --- A real redis-server, killed and started again --------------------------------------------


@dataclass
class RedisServer:
    port: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        assert REDIS_SERVER
        self.process = subprocess.Popen(  # noqa: S603 - a fixed command line
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1"]
            + ["--save", "", "--appendonly", "no", "--daemonize", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None

    def keys(self, pattern: str) -> list[bytes]:
        return list(redis.Redis(port=self.port).scan_iter(pattern))


@pytest.fixture
def redis_server(settings) -> Iterator[RedisServer]:
    if REDIS_SERVER is None:
        pytest.skip("redis-server is not installed")
    server = RedisServer(free_port())
    server.start()
    settings.CACHES = {"default": redis_cache(server.url)}
    try:
        yield server
    finally:
        server.kill()


def test_the_reports_page_outlives_a_redis_server_killed_and_restarted(
    redis_server, trial, investigator_a, computations, caplog
):
    client = _reports_client(investigator_a)
    with caplog.at_level(logging.WARNING, logger="trialsite.cache"):
        assert client.get(INDEX).status_code == 200
        assert redis_server.keys("*reports:figures*"), "the figures are kept in Redis"
        assert len(computations) == 1

        redis_server.kill()
        outage_started = time.monotonic()
        during = [client.get(INDEX).status_code for _ in range(3)]
        during.append(client.get(reverse("reports:km_svg", args=["dpfs"])).status_code)
        during.append(client.post(INDEX).status_code)
        assert during == [200, 200, 200, 200, 302]
        # One computation when Redis went (the memory was empty), one asked for by "Recompute".
        assert len(computations) == 3

        redis_server.start()
        outage_seconds = time.monotonic() - outage_started
        assert client.get(INDEX).status_code == 200
        # Back on Redis, which lost everything (no persistence): computed and stored there.
        assert redis_server.keys("*reports:figures*")
        assert len(computations) == 4
    assert [r.msg for r in caplog.records] == [REDIS_DOWN, REDIS_BACK]
    assert outage_seconds < 30
    # The figures of the run (shown with -s).
    print(
        f"redis-server killed for {outage_seconds:.2f} s: {len(during)} requests served "
        f"({during}), figures computed {len(computations)} times in all"
    )
