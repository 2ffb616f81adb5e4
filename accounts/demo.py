"""Second factors for the demo and benchmark users: one authenticator each, with a key fixed and
published (README), so `make run` signs in with a code from any authenticator app or from
`python manage.py demo_totp <username>`. Never for real accounts: the key is public."""

import time
from base64 import b32decode
from typing import Any

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from access.models import User

from .second_factor import needs_second_factor

# Published in the README (base32, as the apps take it): demo and benchmark databases only.
DEMO_TOTP_BASE32 = "CSEDCDEMOCSEDCDEMOCSEDCDEMOCSEDC"
DEMO_DEVICE = "demo authenticator"


def demo_key_hex() -> str:
    return b32decode(DEMO_TOTP_BASE32).hex()


def seed_authenticators(users: Any = None) -> int:
    """A confirmed authenticator with the demo key for each user whose role asks for one
    (all users when none are given); idempotent."""
    seeded = 0
    for user in users if users is not None else User.objects.all():
        if not needs_second_factor(user):
            continue
        _, created = TOTPDevice.objects.update_or_create(
            user=user,
            name=DEMO_DEVICE,
            defaults={"key": demo_key_hex(), "confirmed": True},
        )
        seeded += created
    return seeded


def current_code(*, now: float | None = None) -> str:
    """The code an app holding the demo key shows now."""
    device = TOTPDevice(key=demo_key_hex())
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = now if now is not None else time.time()
    return f"{totp.token():0{device.digits}d}"
