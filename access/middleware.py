"""Idle log-off without a database write on every request."""

from collections.abc import Callable
from time import time as now
from typing import Any

from django.http import HttpRequest, HttpResponse

# A session is renewed (saved, so its expiry moves SESSION_COOKIE_AGE ahead) at most this often.
RENEW_EVERY_SECONDS = 60
RENEWED_AT = "_renewed_at"


class SessionRenewalMiddleware:
    """Renew a logged-in user's session at most once a minute.

    The session expires SESSION_COOKIE_AGE (30 minutes) after it was last saved, so a user is
    logged off after 30 idle minutes, up to a minute sooner. Saving it on every request
    (SESSION_SAVE_EVERY_REQUEST) would do the same at the price of a database write and a
    commit per page view. Sits inside SessionMiddleware, which saves a modified session.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if (
            session is not None
            and user is not None
            and user.is_authenticated
            and now() - session.get(RENEWED_AT, 0) >= RENEW_EVERY_SECONDS
        ):
            mark_renewed(session)
        return response


def mark_renewed(session: Any) -> None:
    session[RENEWED_AT] = int(now())


def renewed_at_login(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    """A log-in saves the session: it counts as a renewal (connected in AccessConfig.ready)."""
    if request is not None and hasattr(request, "session"):
        mark_renewed(request.session)
