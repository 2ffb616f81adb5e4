"""The request a view behind `login_required` receives.

Django types `request.user` as `User | AnonymousUser`; past `login_required` (or
`action_required`, which wraps it) it is always a signed-in `access.models.User`, so views
annotate their request with this class and call `request.user.can(...)` checked by mypy.
"""

from django.http import HttpRequest

from .models import User


class AuthenticatedHttpRequest(HttpRequest):
    user: User
