"""The demo and benchmark users keep signing in: their authenticators carry the published key,
`demo_totp` prints the current code, and the load test computes the same code."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from access.demo import DEMO_PASSWORD, seed_sites_and_users
from accounts.demo import DEMO_TOTP_BASE32, current_code, seed_authenticators
from bench import totp as load

pytestmark = pytest.mark.django_db


def test_the_demo_users_who_need_one_get_the_demo_authenticator():
    seed_sites_and_users()
    seed_authenticators()
    seed_authenticators()  # idempotent
    with_device = set(TOTPDevice.objects.values_list("user__username", flat=True))
    assert {"investigator_ch", "data_manager", "admin", "monitor", "statistician"} <= with_device
    assert "coordinator_ch" not in with_device
    assert TOTPDevice.objects.filter(user__username="admin").count() == 1


def test_a_demo_user_signs_in_with_the_printed_code(client):
    seed_sites_and_users()
    seed_authenticators()
    out = io.StringIO()
    call_command("demo_totp", "investigator_ch", stdout=out, stderr=io.StringIO())
    client.post(reverse("login"), {"username": "investigator_ch", "password": DEMO_PASSWORD})
    response = client.post(reverse("accounts:two_factor_verify"), {"token": out.getvalue()})
    assert response.status_code == 302
    assert client.get(reverse("arms:queue")).status_code == 200


def test_the_load_test_computes_the_apps_code():
    assert load.DEMO_TOTP_BASE32 == DEMO_TOTP_BASE32
    for now in (0.0, 1_900_000_000.0, 1_900_000_029.0):
        assert load.totp_code(DEMO_TOTP_BASE32, now) == current_code(now=now)
