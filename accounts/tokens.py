"""The set-password link of an invitation: Django's reset token under another salt and a longer
life (settings.INVITATION_TIMEOUT), so a reset link never accepts an invitation and back. Like
the reset token it stops working once the password is set (the token hashes the password)."""

from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.utils.crypto import constant_time_compare
from django.utils.http import base36_to_int


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "accounts.tokens.InvitationTokenGenerator"

    def check_token(self, user: Any, token: str | None) -> bool:
        # Django's check compares the age with PASSWORD_RESET_TIMEOUT (an hour); the
        # signature check is Django's, with the age compared here with the invitation's life.
        if not (user and token) or token.count("-") != 1:
            return False
        try:
            timestamp = base36_to_int(token.split("-")[0])
        except ValueError:
            return False
        if self._num_seconds(self._now()) - timestamp > settings.INVITATION_TIMEOUT:
            return False
        return any(
            constant_time_compare(self._make_token_with_timestamp(user, timestamp, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        )


invitation_tokens = InvitationTokenGenerator()
