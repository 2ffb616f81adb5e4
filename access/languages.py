"""The interface language: the user's stored choice, else the browser's (LocaleMiddleware).

The choice is stored on the account (`Preference.language`) and copied into the session when
they log in or choose, so a page costs no query to know it (`UserLanguageMiddleware`). Messages
written for someone else (e-mails, in-app notifications) are rendered in the recipient's
language: `language_of(user)`, with the preference loaded by the caller's query.
"""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

SESSION_KEY = "_language"


def is_language(code: str) -> bool:
    return code in dict(settings.LANGUAGES)


def html_lang(code: str | None) -> str:
    """The BCP 47 tag for <html lang>: "zh-Hans", "en"."""
    language, _, script = (code or settings.LANGUAGE_CODE).partition("-")
    return f"{language}-{script.title()}" if len(script) == 4 else (code or "")


def language_of(user: Any) -> str:
    """The language to write to `user` in: their choice, else the trial's default. Reads
    `user.preference` (select_related("preference") it when writing to many)."""
    # No preference row yet: RelatedObjectDoesNotExist, an AttributeError.
    chosen = getattr(getattr(user, "preference", None), "language", "")
    return chosen if is_language(chosen) else settings.LANGUAGE_CODE


def remember_in_session(request: HttpRequest, language: str) -> None:
    if is_language(language):
        request.session[SESSION_KEY] = language


def language_at_login(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    """At log-in the account's choice becomes the session's (connected in AccessConfig.ready).
    A user who never chose keeps the browser's language."""
    if request is None or not hasattr(request, "session"):
        return
    chosen = getattr(getattr(user, "preference", None), "language", "")
    if chosen:
        remember_in_session(request, chosen)


class UserLanguageMiddleware:
    """Activates the logged-in user's chosen language over the browser's. Sits after
    AuthenticationMiddleware, and after LocaleMiddleware, which chose from the cookie or the
    browser's Accept-Language."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        chosen = session.get(SESSION_KEY) if session is not None else None
        if chosen and is_language(chosen):
            translation.activate(chosen)
            request.LANGUAGE_CODE = chosen  # as LocaleMiddleware sets it
        return self.get_response(request)


def chosen_or_default(code: str | None) -> str:
    """A stored choice if it is one of the trial's languages, else the trial's default."""
    return code if code and is_language(code) else settings.LANGUAGE_CODE
