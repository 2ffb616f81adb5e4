"""E-mail backends for the outbox tests: one that fails as a mail server does, then recovers."""

from __future__ import annotations

import smtplib
from typing import ClassVar

from django.core.mail.backends.locmem import EmailBackend as LocmemBackend


class FlakyBackend(LocmemBackend):
    """Raises the queued failures one send at a time, then delivers to `mail.outbox`.

    `refuse` names addresses the server always refuses (a mistyped address).
    """

    failures: ClassVar[list[Exception]] = []
    refuse: ClassVar[set[str]] = set()
    attempts: ClassVar[int] = 0

    def send_messages(self, messages):  # type: ignore[no-untyped-def]
        for message in messages:
            FlakyBackend.attempts += 1
            if FlakyBackend.failures:
                raise FlakyBackend.failures.pop(0)
            bad = {a for a in message.to if a in FlakyBackend.refuse}
            if bad:
                raise smtplib.SMTPRecipientsRefused(dict.fromkeys(bad, (550, b"no such user")))
        return super().send_messages(messages)

    @classmethod
    def reset(cls) -> None:
        cls.failures, cls.refuse, cls.attempts = [], set(), 0
