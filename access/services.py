"""Writes of the access app that are a user's own business (their preferences)."""

from typing import Any

from .languages import is_language
from .models import Preference


def set_language_preference(*, user: Any, language: str) -> None:
    """Store `user`'s interface language. Anyone may choose their own language: no role is
    needed, and the user is the request's, never one named by the request."""
    if not is_language(language):
        raise ValueError(f"not a language of the trial: {language!r}")
    Preference.objects.update_or_create(user=user, defaults={"language": language})
