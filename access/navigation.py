"""The navigation bar: one entry per page, shown to users whose role allows its action.

Apps add their pages here as they gain them, so the menu and the permissions stay in step.
"""

from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .roles import Action


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    action: Action


NAV_ITEMS: tuple[NavItem, ...] = (
    NavItem(_("Home"), "home", Action.VIEW_PARTICIPANTS),
    NavItem(_("Screening log"), "enrollment:screening_list", Action.VIEW_PARTICIPANTS),
    NavItem(_("Participants"), "enrollment:participant_list", Action.VIEW_PARTICIPANTS),
    NavItem(_("Arm review"), "arms:queue", Action.SIGN_ARM),
    NavItem(_("Tumour assessments"), "assessments:participant_list", Action.VIEW_PARTICIPANTS),
    NavItem(_("Follow-up"), "followup:worklist", Action.ENTER_DATA),
    NavItem(_("Serious adverse events"), "safety:sae_worklist", Action.VIEW_SAE_WORKLIST),
    NavItem(_("Data queries"), "dataquality:query_list", Action.VIEW_PARTICIPANTS),
    NavItem(_("Source data verification"), "dataquality:sdv_worklist", Action.VERIFY),
    NavItem(_("Notifications"), "notifications:list", Action.VIEW_PARTICIPANTS),
    NavItem(_("Reports"), "reports:index", Action.VIEW_REPORTS),
    NavItem(_("Safety"), "safety:report", Action.VIEW_SAFETY_REPORT),
    NavItem(_("Exports"), "exports:index", Action.EXPORT_DEIDENTIFIED),
    NavItem(_("Staff"), "accounts:staff", Action.MANAGE_USERS),
)


def menu_for(user: Any) -> list[dict[str, object]]:
    if user is None or not user.is_authenticated:
        return []
    items: list[dict[str, object]] = []
    for item in NAV_ITEMS:
        if not user.can(item.action):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        items.append({"label": item.label, "url": url, "url_name": item.url_name})
    return items
