"""Second factors for tests: a confirmed authenticator, and sessions that passed it.

`tests/conftest.py` makes `Client.force_login` pass the second factor too (every existing
test logs its personas in that way); `login_password_only` is the log-in before the code.
"""

import time

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

# Django's own, captured before the conftest wraps it.
FORCE_LOGIN = Client.force_login
TEST_DEVICE = "test authenticator"


def authenticator(user) -> TOTPDevice:  # type: ignore[no-untyped-def]
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, name=TEST_DEVICE, defaults={"confirmed": True}
    )
    return device


def mark_verified(client: Client, user) -> TOTPDevice:  # type: ignore[no-untyped-def]
    """The client's session passed the second factor with the user's test authenticator."""
    device = authenticator(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


def login_password_only(client: Client, user) -> None:  # type: ignore[no-untyped-def]
    FORCE_LOGIN(client, user)


def force_login_verified(client: Client, user, backend=None) -> None:  # type: ignore[no-untyped-def]
    FORCE_LOGIN(client, user, backend)
    mark_verified(client, user)


def code(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The code the device's app shows now (or `steps_ahead` periods of 30 s later: a code
    is accepted once, and the next period's is accepted too)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"
