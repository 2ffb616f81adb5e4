"""Electronic signatures, beside the audit trail: the one way anything is signed.

A signature has two components at signing (21 CFR 11.200(a)): the signer's user name, which
the session established, and the password, entered again for each signature. `sign` writes
the insert-only `ElectronicSignature` naming exactly what was signed (model, key, version);
the arm decision (`arms.services`) and the casebook sign-off (`dataquality.services`) call it.
"""

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .models import ElectronicSignature

WRONG_PASSWORD = _("The password is not correct. Nothing was signed.")


class PasswordRefused(Exception):
    """The password re-entered at signing is not the signer's: nothing is signed."""


def check_password(user: Any, password: str) -> None:
    """Refuse a signature whose password is not the signer's (asked at every signature)."""
    if not password or not user.check_password(password):
        raise PasswordRefused(WRONG_PASSWORD)


def printed_name(user: Any) -> str:
    """The signer's name as the signature prints it (11.50: the printed name of the signer)."""
    return str(user.get_full_name()).strip() or str(user.get_username())


def sign(
    *,
    signer: Any,
    record: models.Model,
    record_version: int,
    meaning: str,
    signed_at: dt.datetime | None = None,
    language: str | None = None,
) -> ElectronicSignature:
    """Sign `record` at `record_version` with `meaning`; the caller has checked the password
    and holds the record's row lock.

    `meaning` is the text the signer read, in the language of the page they signed on (the
    active language unless `language` names it); both are stored, and shown as stored."""
    return ElectronicSignature.objects.create(
        signer=signer,
        printed_name=printed_name(signer),
        signed_at=signed_at or timezone.now(),
        meaning=str(meaning),
        meaning_language=language or get_language() or settings.LANGUAGE_CODE,
        record_type=record._meta.label_lower,
        record_id=record.pk,
        record_version=record_version,
    )
