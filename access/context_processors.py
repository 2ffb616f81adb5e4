from django.http import HttpRequest

from .navigation import menu_for


def navigation(request: HttpRequest) -> dict[str, object]:
    return {"nav_items": menu_for(getattr(request, "user", None))}
