"""What each role may do: the one place that says it.

Views ask `user_can(user, Action.X, site)`; nothing else compares role names.
"""

from enum import StrEnum
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COORDINATOR = "coordinator", _("Research coordinator")
    INVESTIGATOR = "investigator", _("Investigator")
    DATA_MANAGER = "data_manager", _("Data manager")
    ADMIN = "admin", _("Administrator")
    # The sponsor's clinical research associate: reads everything at their sites, verifies
    # source data and raises queries; changes no clinical value.
    MONITOR = "monitor", _("Monitor")
    # Analyses the trial: de-identified exports and reports, nothing per participant.
    STATISTICIAN = "statistician", _("Statistician")


class Action(StrEnum):
    VIEW_PARTICIPANTS = "view_participants"
    SCREEN = "screen"
    ENROL = "enrol"
    ENTER_DATA = "enter_data"
    SIGN_ARM = "sign_arm"
    SIGN_CASEBOOK = "sign_casebook"
    RAISE_QUERY = "raise_query"
    ANSWER_QUERY = "answer_query"
    VERIFY = "verify"
    LOCK = "lock"
    UNLOCK = "unlock"
    VIEW_REPORTS = "view_reports"
    EXPORT_DEIDENTIFIED = "export_deidentified"
    EXPORT_IDENTIFIED = "export_identified"
    VIEW_AUDIT_TRAIL = "view_audit_trail"
    # Told by e-mail when a follow-up visit of one of the site's participants comes due.
    RECEIVE_VISIT_REMINDERS = "receive_visit_reminders"
    # Safety reporting (the safety app): the investigator assesses and signs a serious adverse
    # event's causality and is alerted at once when one is reported; a data manager codes an
    # "other, specify" term; the SAE worklist and the safety page are read by those who act on
    # them.
    ASSESS_SAE = "assess_sae"
    RECEIVE_SAE_ALERTS = "receive_sae_alerts"
    CODE_TERMS = "code_terms"
    VIEW_SAE_WORKLIST = "view_sae_worklist"
    VIEW_SAFETY_REPORT = "view_safety_report"
    # Invite people, change or end their memberships, deactivate accounts, reset a lost second
    # factor: at the sites the admin administers (accounts).
    MANAGE_USERS = "manage_users"


PERMISSIONS: dict[Role, frozenset[Action]] = {
    Role.COORDINATOR: frozenset(
        {
            Action.VIEW_PARTICIPANTS,
            Action.SCREEN,
            Action.ENROL,
            Action.ENTER_DATA,
            Action.ANSWER_QUERY,
            Action.VIEW_AUDIT_TRAIL,
            Action.RECEIVE_VISIT_REMINDERS,
        }
    ),
    Role.INVESTIGATOR: frozenset(
        {
            Action.VIEW_PARTICIPANTS,
            Action.SIGN_ARM,
            Action.SIGN_CASEBOOK,
            Action.VIEW_REPORTS,
            Action.VIEW_AUDIT_TRAIL,
            Action.ASSESS_SAE,
            Action.RECEIVE_SAE_ALERTS,
            Action.VIEW_SAE_WORKLIST,
            Action.VIEW_SAFETY_REPORT,
        }
    ),
    Role.DATA_MANAGER: frozenset(
        {
            Action.VIEW_PARTICIPANTS,
            Action.RAISE_QUERY,
            Action.VERIFY,
            Action.LOCK,
            Action.VIEW_REPORTS,
            Action.EXPORT_DEIDENTIFIED,
            Action.VIEW_AUDIT_TRAIL,
            Action.CODE_TERMS,
            Action.VIEW_SAE_WORKLIST,
            Action.VIEW_SAFETY_REPORT,
        }
    ),
    Role.ADMIN: frozenset(
        {
            Action.VIEW_PARTICIPANTS,
            Action.LOCK,
            Action.UNLOCK,
            Action.VIEW_REPORTS,
            Action.EXPORT_DEIDENTIFIED,
            Action.EXPORT_IDENTIFIED,
            Action.VIEW_AUDIT_TRAIL,
            Action.VIEW_SAFETY_REPORT,
            Action.MANAGE_USERS,
        }
    ),
    Role.MONITOR: frozenset(
        {
            Action.VIEW_PARTICIPANTS,
            Action.RAISE_QUERY,
            Action.VERIFY,
            Action.VIEW_REPORTS,
            Action.VIEW_AUDIT_TRAIL,
            Action.VIEW_SAE_WORKLIST,
            Action.VIEW_SAFETY_REPORT,
        }
    ),
    Role.STATISTICIAN: frozenset(
        {
            Action.VIEW_REPORTS,
            Action.EXPORT_DEIDENTIFIED,
        }
    ),
}

# Roles that sign in with a second factor (accounts.second_factor): those who sign
# electronically, change what others may do, read every participant's record or take the
# trial's data out in bulk. Coordinators may enrol one and are then asked for it too.
SECOND_FACTOR_REQUIRED: frozenset[Role] = frozenset(
    {Role.INVESTIGATOR, Role.DATA_MANAGER, Role.ADMIN, Role.MONITOR, Role.STATISTICIAN}
)


# Each user's home is the page of their daily work: the first of these whose action a role of
# theirs allows (a user who both enters data and signs lands on the worklist).
HOME_PAGES: tuple[tuple[Action, str], ...] = (
    (Action.ENTER_DATA, "followup:worklist"),  # visits overdue, due and upcoming
    (Action.SIGN_ARM, "arms:queue"),  # arm proposals awaiting a signature
    (Action.VERIFY, "dataquality:sdv_worklist"),  # forms waiting for source data verification
    (Action.RAISE_QUERY, "dataquality:query_list"),  # open data queries
    (Action.EXPORT_DEIDENTIFIED, "exports:index"),  # taking the trial's data out
)


def role_allows(role: str, action: Action) -> bool:
    return action in PERMISSIONS.get(Role(role), frozenset())


NOT_ALLOWED = _("You may not do this at this site.")


def require(user: Any, action: Action, site_id: int | None) -> None:
    """Every write service's rights check: refuse (403 from a view) unless a role the user
    holds at the site allows the action, so a crafted request meets the page's check. A record
    without a site is refused: "at any site" is for pages, never for a write."""
    if user is None or site_id is None or not user.can(action, site_id):
        raise PermissionDenied(NOT_ALLOWED)


def second_factor_required(user: Any) -> bool:
    """True when a role the user holds at any site asks for a second factor at sign-in."""
    return any(Role(role) in SECOND_FACTOR_REQUIRED for role in user.roles)


def roles_allowed(action: Action) -> list[str]:
    """The roles whose holders may do `action`: for queries over memberships."""
    return [role.value for role in Role if role_allows(role, action)]


def home_page(user: Any) -> str | None:
    """The URL name of the user's home page, or None for a user without a role."""
    return next((page for action, page in HOME_PAGES if user.can(action)), None)
