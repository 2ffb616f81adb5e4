"""In the browser: enrol an authenticator from the enrolment page's QR code and sign in with it;
reset a forgotten password through the e-mail the test server sends."""

import re
from urllib.parse import parse_qs, urlparse

import pytest
from django.core import mail
from django_otp.oath import TOTP
from playwright.sync_api import expect

from access.roles import Role
from tests.factories.access import PASSWORD, SiteFactory, user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "radiotherapy-lamp-2026"  # noqa: S105 (a test's password)


def _code(secret: str, steps_ahead: int = 0) -> str:
    """What an authenticator app holding `secret` shows (now, or a period later)."""
    import base64
    import time

    totp = TOTP(base64.b32decode(secret))
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def test_enrol_an_authenticator_and_sign_in_with_it(page, log_in):
    investigator = user_with_role(Role.INVESTIGATOR, SiteFactory(code="AA"), username="inv_a")
    log_in(investigator.username, PASSWORD)
    page.wait_for_url("**/accounts/two-factor/enrol/")
    qr = page.get_by_test_id("totp-qr")
    expect(qr.locator("svg")).to_be_visible()
    secret = parse_qs(urlparse(qr.get_attribute("data-otpauth")).query)["secret"][0]
    expect(page.get_by_test_id("totp-secret")).to_have_text(secret)
    page.get_by_label("Code").fill(_code(secret))
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_test_id("backup-codes").locator("li")).to_have_count(10)
    page.get_by_role("link", name="Continue").click()
    page.wait_for_url("**/arms/")

    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/accounts/login/")
    page.get_by_label("Username").fill(investigator.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/accounts/two-factor/verify/**")
    # The code of the enrolment is spent; the app's next one is accepted.
    page.get_by_label("Code").fill(_code(secret, steps_ahead=1))
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url("**/arms/")
    expect(page.get_by_test_id("current-user")).to_be_visible()


def test_reset_a_forgotten_password_through_the_email(page):
    coordinator = user_with_role(Role.COORDINATOR, SiteFactory(code="AA"), username="coord_a")
    mail.outbox.clear()
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Forgotten your password?").click()
    page.get_by_label("Email").fill(coordinator.email)
    page.get_by_role("button", name="Send me the link").click()
    expect(page.get_by_test_id("reset-sent")).to_be_visible()
    [message] = mail.outbox
    link = re.search(r"https?://\S+/accounts/password/reset/\S+/", message.body).group(0)

    page.goto(link)
    page.locator("#id_new_password1").fill(NEW_PASSWORD)
    page.locator("#id_new_password2").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set my password").click()
    page.get_by_role("link", name="Log in").click()
    page.get_by_label("Username").fill(coordinator.username)
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/followup/")

    # The link worked once.
    page.goto(link)
    expect(page.get_by_test_id("invalid-link")).to_be_visible()
