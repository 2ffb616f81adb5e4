"""A PostgreSQL connection dropped between two requests is survived by the second.

Web processes keep their connection for CONN_MAX_AGE seconds; PostgreSQL may end it meanwhile
(a restart, a failover, an administrator's pg_terminate_backend). CONN_HEALTH_CHECKS makes
Django test a kept connection before the first query of a request, and open a new one if it is
dead, instead of failing that request.

The requests go through Django's WSGI handler, the entry point gunicorn calls, in the test's
own thread (so they use its connection): the test client would not do, since it disconnects
the request signals that close obsolete connections and reset the health check.
"""

from collections.abc import Iterator
from http.cookies import SimpleCookie
from io import BytesIO

import psycopg2
import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.test import Client
from django.test.client import RequestFactory

from tests.conftest import IN_CI

pytestmark = pytest.mark.django_db(transaction=True)

PAGE = "/enrollment/participants/"


@pytest.fixture(autouse=True)
def _postgresql():
    if connection.vendor != "postgresql":
        if IN_CI:
            pytest.fail("CI runs on PostgreSQL")
        pytest.skip("pg_terminate_backend needs PostgreSQL")


@pytest.fixture
def kept_connection(request) -> Iterator[None]:
    """The connection kept between requests as in production (the test settings close it
    after each); health checks on unless the test is marked otherwise."""
    saved = {key: connection.settings_dict[key] for key in ("CONN_MAX_AGE", "CONN_HEALTH_CHECKS")}
    connection.settings_dict["CONN_MAX_AGE"] = 60
    connection.settings_dict["CONN_HEALTH_CHECKS"] = getattr(request, "param", True)
    connection.close()  # the next one opens with these settings
    yield
    connection.close()
    connection.settings_dict.update(saved)


def serve(path: str, session_id: str) -> int:
    """One request through the WSGI handler, closed as a server closes it."""
    environ = RequestFactory()._base_environ(
        PATH_INFO=path,
        REQUEST_METHOD="GET",
        HTTP_COOKIE=f"{settings.SESSION_COOKIE_NAME}={session_id}",
        **{"wsgi.input": BytesIO()},
    )
    statuses: list[str] = []

    def start_response(status: str, headers: list, exc_info: object = None) -> None:
        statuses.append(status)

    response = WSGIHandler()(environ, start_response)
    b"".join(response)
    response.close()  # request_finished: Django decides whether to keep the connection
    return int(statuses[0].split()[0])


def backend_pid() -> int:
    connection.ensure_connection()
    return int(connection.connection.get_backend_pid())


def terminate(pid: int) -> None:
    """pg_terminate_backend from a connection of its own, as an administrator would."""
    params = connection.get_connection_params()
    with psycopg2.connect(**params) as admin, admin.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        assert cursor.fetchone() == (True,)
    admin.close()


@pytest.fixture
def session_id(coordinator_a) -> str:
    client = Client()
    client.force_login(coordinator_a)
    cookie: SimpleCookie = client.cookies
    return cookie[settings.SESSION_COOKIE_NAME].value


def test_the_next_request_survives_a_dropped_connection(kept_connection, session_id):
    assert serve(PAGE, session_id) == 200
    dropped = backend_pid()
    assert serve(PAGE, session_id) == 200 and backend_pid() == dropped, "the connection is kept"

    terminate(dropped)

    assert serve(PAGE, session_id) == 200
    assert backend_pid() != dropped


@pytest.mark.parametrize("kept_connection", [False], indirect=True)
def test_without_health_checks_the_drop_costs_a_request(kept_connection, session_id):
    """The control: the fault is real, and CONN_HEALTH_CHECKS is what absorbs it."""
    assert serve(PAGE, session_id) == 200
    terminate(backend_pid())
    assert serve(PAGE, session_id) == 500
    # Django drops the broken connection at the end of that request.
    assert serve(PAGE, session_id) == 200
