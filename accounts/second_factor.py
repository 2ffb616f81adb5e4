"""Two-factor sign-in (django-otp): an authenticator app (TOTP) and single-use backup codes.

The password is the first factor (Django's log-in, django-axes' lockout); the session then
holds no verified device until a code from one of the user's devices is given, and
`accounts.middleware.SecondFactorMiddleware` lets a user who needs one do nothing else
meanwhile. The idle log-off ends the session, and the second factor with it.
"""

from base64 import b32encode
from typing import Any

import segno
from django.http import HttpRequest
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from access.roles import second_factor_required

BACKUP_CODES = 10
AUTHENTICATOR = "authenticator"
BACKUP = "backup codes"


def needs_second_factor(user: Any) -> bool:
    """A user must pass a second factor: their role asks for one, or they enrolled one."""
    return second_factor_required(user) or has_device(user)


def has_device(user: Any) -> bool:
    return bool(TOTPDevice.objects.filter(user=user, confirmed=True).exists())


def is_verified(user: Any) -> bool:
    """The session passed the second factor (`is_verified` is put on the user by django-otp's
    OTPMiddleware)."""
    check = getattr(user, "is_verified", None)
    return bool(check()) if check is not None else False


def pending_authenticator(user: Any) -> TOTPDevice:
    """The authenticator being enrolled: created once, shown until confirmed by a code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False, name=AUTHENTICATOR).first()
    return device or TOTPDevice.objects.create(user=user, confirmed=False, name=AUTHENTICATOR)


def qr_svg(device: TOTPDevice) -> str:
    """The enrolment QR code as an inline SVG element (no script, no style: the CSP holds)."""
    return str(segno.make(device.config_url, error="m").svg_inline(scale=4, border=2))


def new_backup_codes(user: Any) -> list[str]:
    """A fresh set of single-use backup codes; the previous set stops working."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name=BACKUP)
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


def verify(request: HttpRequest, token: str) -> bool:
    """Check a code against each of the user's confirmed devices (each throttles its own
    failures); the device that accepts it marks the session verified."""
    token = token.strip().replace(" ", "")
    for device in devices_for_user(request.user, confirmed=True, for_verify=True):
        if device.verify_token(token):
            otp_login(request, device)
            return True
    return False


def confirm_authenticator(request: HttpRequest, device: TOTPDevice, token: str) -> bool:
    """Enrolment: the first code from the app confirms the device and verifies the session."""
    if not device.verify_token(token.strip().replace(" ", "")):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    otp_login(request, device)
    return True


def remove_devices(user: Any) -> int:
    """A lost device: every second factor of the user goes; they enrol again at next log-in."""
    removed = 0
    for model in (TOTPDevice, StaticDevice):
        count, _ = model.objects.filter(user=user).delete()
        removed += count
    return removed


def base32_key(device: TOTPDevice) -> str:
    """The key as the apps take it typed in (the QR code carries the same)."""
    return b32encode(device.bin_key).decode()


def backup_codes_left(user: Any) -> int:
    return int(StaticToken.objects.filter(device__user=user).count())
