from django.http import HttpRequest

from .selectors import unread_count


def bell(request: HttpRequest) -> dict[str, object]:
    """The unread count for the navbar bell: one COUNT on a partial index, signed-in users only."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": unread_count(user=user)}
