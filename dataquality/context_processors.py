from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from . import selectors


def open_queries(request: HttpRequest) -> dict[str, object]:
    """The count of queries waiting for the user, for the navigation bar; counted only when a
    page shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"open_query_count": SimpleLazyObject(lambda: selectors.open_query_count(user))}
