"""The second factor, enforced on every page: a signed-in user who must pass one and has not
(this session) is sent to enrol or to give a code, and can reach nothing else but log-out."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from access.roles import second_factor_required

from . import second_factor

# A coordinator without a device needs no second factor: remembered for the session, so their
# pages are not charged a query each for the device.
OPTIONAL_FOR = "_second_factor_optional_for"


class SecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or second_factor.is_verified(user):
            return self.get_response(request)
        enrol = reverse("accounts:two_factor_enrol")
        verify = reverse("accounts:two_factor_verify")
        allowed = (enrol, verify, reverse("logout"), reverse("set_language"), settings.STATIC_URL)
        if request.path.startswith(tuple(str(path) for path in allowed)):
            return self.get_response(request)
        to_verify = f"{verify}?{urlencode({'next': request.get_full_path()})}"
        if second_factor_required(user):
            return redirect(to_verify if second_factor.has_device(user) else enrol)
        # A coordinator: asked for the code only if they enrolled an authenticator. A role
        # that requires one is checked above on every request, so a promotion counts at once.
        session = request.session
        if session.get(OPTIONAL_FOR) == user.pk:
            return self.get_response(request)
        if second_factor.has_device(user):
            return redirect(to_verify)
        session[OPTIONAL_FOR] = user.pk
        return self.get_response(request)
