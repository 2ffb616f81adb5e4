import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from access import middleware
from tests.factories.access import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def test_the_login_page_is_served_at_accounts_login(client):
    response = client.get(LOGIN)
    assert response.status_code == 200
    assert b'name="username"' in response.content


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


@pytest.mark.parametrize(
    "persona", ["coordinator_a", "investigator_a", "data_manager_a", "admin_a"], indirect=True
)
def test_each_role_logs_in_to_a_home_page(client, persona):
    response = client.post(LOGIN, {"username": persona.username, "password": PASSWORD}, follow=True)
    assert response.status_code == 200
    assert response.wsgi_request.user == persona
    assert persona.get_full_name() in response.content.decode()


def test_logout_is_a_post(client, coordinator_a):
    client.force_login(coordinator_a)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_an_account_locks_after_repeated_failures(client, coordinator_a):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(LOGIN, {"username": coordinator_a.username, "password": "wrong-password!"})
    response = client.post(LOGIN, {"username": coordinator_a.username, "password": PASSWORD})
    assert response.status_code == 429
    assert b"Account locked" in response.content
    assert "_auth_user_id" not in client.session


def test_a_success_before_the_limit_resets_the_count(client, coordinator_a):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post(LOGIN, {"username": coordinator_a.username, "password": "wrong-password!"})
    client.post(LOGIN, {"username": coordinator_a.username, "password": PASSWORD})
    client.post(reverse("logout"))
    client.post(LOGIN, {"username": coordinator_a.username, "password": "wrong-password!"})
    response = client.post(LOGIN, {"username": coordinator_a.username, "password": PASSWORD})
    assert response.status_code == 302


def test_the_session_ends_after_30_idle_minutes():
    assert settings.SESSION_COOKIE_AGE == 30 * 60


def _session_writes(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in queries if q["sql"].startswith('UPDATE "django_session"')]


def test_a_request_renews_the_session_at_most_once_a_minute(client, coordinator_a, monkeypatch):
    clock = {"now": 1_900_000_000.0}
    monkeypatch.setattr(middleware, "now", lambda: clock["now"])
    client.force_login(coordinator_a)  # a log-in counts as a renewal
    url = reverse("enrollment:participant_list")
    expiry = _stored_expiry(client)
    clock["now"] += 59
    assert _session_writes(client, url) == []  # a page view writes nothing
    assert _stored_expiry(client) == expiry
    clock["now"] += 1
    assert len(_session_writes(client, url)) == 1  # a minute on: renewed
    assert _stored_expiry(client) > expiry


def _stored_expiry(client):
    return Session.objects.get(session_key=client.session.session_key).expire_date


@pytest.mark.parametrize("password", ["short-pw-1", "123456789012345", "password12345"])
def test_weak_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password)


def test_a_twelve_character_passphrase_is_accepted():
    validate_password("tumour-board-7")


@pytest.mark.parametrize(
    ("persona", "page"),
    [
        ("coordinator_a", "followup:worklist"),
        ("investigator_a", "arms:queue"),
        ("data_manager_a", "dataquality:sdv_worklist"),
        ("admin_a", "exports:index"),
        ("monitor_a", "dataquality:sdv_worklist"),
        ("statistician_a", "exports:index"),
    ],
    indirect=["persona"],
)
def test_each_role_lands_on_its_work(client, persona, page):
    client.force_login(persona)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse(page)


def test_a_user_without_a_role_is_told_so(client, db):
    from tests.factories.access import UserFactory

    client.force_login(UserFactory())
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert b"no role at any site" in response.content
