"""Password change for every user; reset by e-mail through the outbox, with a link that works
once and for an hour; the password rules of the app; axes' lockout still in force."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from accounts.models import AccountChange
from notifications.models import OutboxMessage
from notifications.services import outbox_deliver_due
from tests.factories.access import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = reverse("login")
RESET = reverse("accounts:password_reset")
NEW_PASSWORD = "oncology-ward-lamp-42"  # noqa: S105 (a test's password)
LINK = re.compile(r"https?://[^/\s]+(/accounts/password/reset/[^/\s]+/[^/\s]+/)")


@pytest.mark.parametrize(
    "persona",
    ["coordinator_a", "investigator_a", "data_manager_a", "admin_a", "monitor_a", "statistician_a"],
    indirect=True,
)
def test_every_user_changes_their_own_password(client, persona):
    client.force_login(persona)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_change_done")
    persona.refresh_from_db()
    assert persona.check_password(NEW_PASSWORD)
    assert AccountChange.objects.filter(
        user=persona, kind=AccountChange.Kind.PASSWORD_CHANGED
    ).exists()


@pytest.mark.parametrize(
    ("password", "error"),
    [
        ("short-pw-1", "at least 12 characters"),
        ("password1234", "too common"),
        ("coordinator_a1", "too similar"),
    ],
)
def test_a_weak_new_password_is_a_field_error(client, coordinator_a, password, error):
    client.force_login(coordinator_a)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": password, "new_password2": password},
    )
    assert response.status_code == 200
    assert error in response.content.decode()
    coordinator_a.refresh_from_db()
    assert coordinator_a.check_password(PASSWORD)


def _ask_reset(client, email, callbacks):
    with callbacks(execute=True):
        response = client.post(RESET, {"email": email})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")


def _reset_link() -> str:
    [message] = mail.outbox
    match = LINK.search(message.body)
    assert match, message.body
    return match.group(1)


def _set(client, link, password=NEW_PASSWORD):
    response = client.get(link, follow=True)  # Django moves the token out of the URL
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else link
    return client.post(form_url, {"new_password1": password, "new_password2": password})


def test_the_reset_email_goes_through_the_outbox_once(
    client, coordinator_a, django_capture_on_commit_callbacks
):
    _ask_reset(client, coordinator_a.email, django_capture_on_commit_callbacks)
    message = OutboxMessage.objects.get(kind="password_reset")
    assert message.status == OutboxMessage.Status.SENT
    assert message.recipient == coordinator_a.email
    assert len(mail.outbox) == 1
    outbox_deliver_due()  # a second delivery pass sends nothing again
    assert len(mail.outbox) == 1


def test_an_unknown_address_sends_nothing_and_says_the_same(
    client, db, django_capture_on_commit_callbacks
):
    _ask_reset(client, "nobody@example.org", django_capture_on_commit_callbacks)
    assert mail.outbox == []


def test_the_link_sets_a_password_once(client, coordinator_a, django_capture_on_commit_callbacks):
    _ask_reset(client, coordinator_a.email, django_capture_on_commit_callbacks)
    link = _reset_link()
    response = _set(client, link)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_complete")
    coordinator_a.refresh_from_db()
    assert coordinator_a.check_password(NEW_PASSWORD)
    # The token hashes the password: once it changed, the link is dead.
    response = client.get(link, follow=True)
    assert "does not work any more" in response.content.decode()
    assert _set(client, link, "another-long-passphrase").status_code == 404
    coordinator_a.refresh_from_db()
    assert coordinator_a.check_password(NEW_PASSWORD)


def test_the_link_expires_after_an_hour(
    client, coordinator_a, django_capture_on_commit_callbacks, monkeypatch
):
    from django.contrib.auth.tokens import default_token_generator

    assert settings.PASSWORD_RESET_TIMEOUT == 3600
    _ask_reset(client, coordinator_a.email, django_capture_on_commit_callbacks)
    link = _reset_link()
    issued = default_token_generator._now()
    import datetime as dt

    monkeypatch.setattr(
        default_token_generator, "_now", lambda: issued + dt.timedelta(seconds=3601)
    )
    response = client.get(link, follow=True)
    assert "does not work any more" in response.content.decode()
    _set(client, link)
    coordinator_a.refresh_from_db()
    assert coordinator_a.check_password(PASSWORD)


def test_a_reset_password_follows_the_rules(
    client, coordinator_a, django_capture_on_commit_callbacks
):
    _ask_reset(client, coordinator_a.email, django_capture_on_commit_callbacks)
    response = _set(client, _reset_link(), "short-pw-1")
    assert response.status_code == 200
    assert "at least 12 characters" in response.content.decode()


def test_a_reset_does_not_lift_the_lockout(
    client, coordinator_a, django_capture_on_commit_callbacks
):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(LOGIN, {"username": coordinator_a.username, "password": "wrong-password!"})
    _ask_reset(client, coordinator_a.email, django_capture_on_commit_callbacks)
    _set(client, _reset_link())
    response = client.post(LOGIN, {"username": coordinator_a.username, "password": NEW_PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_login_page_links_to_the_reset(client, db):
    assert RESET in client.get(LOGIN).content.decode()
