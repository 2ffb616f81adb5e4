"""Enforcing role rights in views: the one check every app uses.

`action_required(Action.X)` guards a page that is not about one record: the user must hold a
role allowing X at some site. For a record, views call `require_action(user, Action.X, site_id)`
after a scoped lookup (access.scoping), so another site's record is a 404 and a record of the
user's own site that their role may not touch is a 403.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http.response import HttpResponseBase

from .http import AuthenticatedHttpRequest
from .roles import Action

View = Callable[..., HttpResponseBase]


def require_action(user: Any, action: Action, site_id: int | None = None) -> None:
    if not user.can(action, site_id):
        raise PermissionDenied


def action_required(action: Action) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        def guarded(
            request: AuthenticatedHttpRequest, *args: Any, **kwargs: Any
        ) -> HttpResponseBase:
            require_action(request.user, action)
            return view(request, *args, **kwargs)

        return login_required(guarded)

    return decorator
