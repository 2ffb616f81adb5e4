"""Fixtures shared by every test: sites A and B, and one persona per role and site."""

import os

import pytest
from django.db import connection

from access.roles import Role
from tests.factories import accounts as second_factor
from tests.factories.access import SiteFactory, user_with_role

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture(scope="session", autouse=True)
def _ci_uses_real_services(django_db_setup, django_db_blocker):
    """In CI the suite runs on PostgreSQL and Redis; never silently on a fallback."""
    if not IN_CI:
        return
    with django_db_blocker.unblock():
        assert connection.vendor == "postgresql", "CI must run on PostgreSQL (set DATABASE_URL)"
    import redis
    from django.conf import settings

    assert settings.REDIS_URL, "CI must set REDIS_URL"
    redis.Redis.from_url(settings.REDIS_URL).ping()


def pytest_configure(config):
    """The compiled catalogues, for a run that did not go through `make install` (which
    compiles them with msgfmt): a stale or missing .mo is written from its .po with polib."""
    from pathlib import Path

    import polib

    root = Path(__file__).resolve().parent.parent
    for po in root.glob("locale/*/LC_MESSAGES/*.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        partial = mo.with_name(f".{mo.name}.{os.getpid()}")
        polib.pofile(str(po)).save_as_mofile(str(partial))
        partial.replace(mo)  # atomic: the other test workers read a whole file or the old one


@pytest.fixture(autouse=True)
def _trial_language():
    """Each test starts in the trial's default language: a request of an earlier test leaves
    its language active in the thread (LocaleMiddleware activates, nothing deactivates)."""
    from django.conf import settings
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture(autouse=True)
def _force_login_passes_the_second_factor(monkeypatch):
    """`client.force_login(user)` signs in past both factors, as the tests of every page mean
    it (investigators, data managers and admins must pass a second factor). The tests of the
    second factor itself log in with `tests.factories.accounts.login_password_only`."""
    from django.test import Client

    monkeypatch.setattr(Client, "force_login", second_factor.force_login_verified)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache, as it starts with an empty database."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def site_a(db):
    return SiteFactory(code="AA", name="Site A Hospital")


@pytest.fixture
def site_b(db):
    return SiteFactory(code="BB", name="Site B Hospital")


@pytest.fixture
def coordinator_a(site_a):
    return user_with_role(Role.COORDINATOR, site_a, username="coordinator_a")


@pytest.fixture
def coordinator_b(site_b):
    return user_with_role(Role.COORDINATOR, site_b, username="coordinator_b")


@pytest.fixture
def investigator_a(site_a):
    return user_with_role(Role.INVESTIGATOR, site_a, username="investigator_a")


@pytest.fixture
def investigator_b(site_b):
    return user_with_role(Role.INVESTIGATOR, site_b, username="investigator_b")


@pytest.fixture
def data_manager_a(site_a):
    return user_with_role(Role.DATA_MANAGER, site_a, username="data_manager_a")


@pytest.fixture
def admin_a(site_a):
    return user_with_role(Role.ADMIN, site_a, username="admin_a")


@pytest.fixture
def monitor_a(site_a):
    return user_with_role(Role.MONITOR, site_a, username="monitor_a")


@pytest.fixture
def monitor_b(site_b):
    return user_with_role(Role.MONITOR, site_b, username="monitor_b")


@pytest.fixture
def statistician_a(site_a):
    return user_with_role(Role.STATISTICIAN, site_a, username="statistician_a")


@pytest.fixture
def persona(request):
    """A persona by fixture name, for `parametrize("persona", [...], indirect=True)`."""
    return request.getfixturevalue(request.param)
