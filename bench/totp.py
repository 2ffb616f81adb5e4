"""The demo authenticator's codes for the load benchmark, with the standard library only (the
locust file imports nothing of the project's): RFC 6238 with the apps' defaults."""

from __future__ import annotations

import base64
import hmac
import struct
import time

# accounts.demo.DEMO_TOTP_BASE32: the published key generate_trial gives the bench users.
DEMO_TOTP_BASE32 = "CSEDCDEMOCSEDCDEMOCSEDCDEMOCSEDC"


def totp_code(base32_key: str, now: float | None = None) -> str:
    """SHA-1, 30-second steps, 6 digits."""
    counter = int((time.time() if now is None else now) // 30)
    digest = hmac.new(base64.b32decode(base32_key), struct.pack(">Q", counter), "sha1").digest()
    offset = digest[-1] & 0x0F
    number = int.from_bytes(digest[offset : offset + 4], "big") & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"
