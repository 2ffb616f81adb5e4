from typing import Any

from django import template

from access.roles import Action

from ..selectors import sae_worklist

register = template.Library()

PANEL_ROWS = 5


@register.inclusion_tag("safety/includes/sae_panel.html", takes_context=True)
def sae_panel(context: dict[str, Any]) -> dict[str, Any]:
    """The SAE worklist's first rows, on the investigators' and data managers' home pages."""
    user = context["request"].user
    if not user.can(Action.VIEW_SAE_WORKLIST):
        return {"worklist": None}
    return {"worklist": sae_worklist(user=user, limit=PANEL_ROWS, with_resolution=False)}
