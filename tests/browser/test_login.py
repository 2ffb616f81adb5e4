"""Every demo user logs in through the real login form (and their second factor, where their
role asks for one) and reaches their home page."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from access.demo import DEMO_PASSWORD, seed_sites_and_users
from accounts.demo import seed_authenticators

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_each_demo_user_logs_in_to_their_home_page(page, log_in):
    seed_sites_and_users()
    seed_authenticators()
    for username in (
        "coordinator_ch",
        "investigator_rj",
        "data_manager",
        "admin",
        "monitor",
        "statistician",
    ):
        device = TOTPDevice.objects.filter(user__username=username).first()
        log_in(username, DEMO_PASSWORD, device, steps_ahead=0)
        assert "/accounts/login/" not in page.url, username
        assert "/accounts/two-factor/" not in page.url, username
        assert page.get_by_test_id("current-user").is_visible()
        page.get_by_role("button", name="Log out").click()
        page.wait_for_url("**/accounts/login/")


def test_a_wrong_password_is_refused(page):
    seed_sites_and_users()
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("coordinator_ch")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()
    assert page.get_by_text("Please enter a correct username and password").is_visible()
