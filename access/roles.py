"""What each role may do: the one place that says it.

Views ask `user_can(user, Action.X, site)`; nothing else compares role names.
"""

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COORDINATOR = "coordinator", _("Research coordinator")
    INVESTIGATOR = "investigator", _("Investigator")
    DATA_MANAGER = "data_manager", _("Data manager")
    ADMIN = "admin", _("Administrator")


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


PERMISSIONS: dict[Role, frozenset[Action]] = {
    Role.COORDINATOR: frozenset(
        {
            Action.VIEW_PARTICIPANTS,
            Action.SCREEN,
            Action.ENROL,
            Action.ENTER_DATA,
            Action.ANSWER_QUERY,
            Action.VIEW_AUDIT_TRAIL,
        }
    ),
    Role.INVESTIGATOR: frozenset(
        {
            Action.VIEW_PARTICIPANTS,
            Action.SIGN_ARM,
            Action.SIGN_CASEBOOK,
            Action.VIEW_REPORTS,
            Action.VIEW_AUDIT_TRAIL,
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
        }
    ),
}


def role_allows(role: str, action: Action) -> bool:
    return action in PERMISSIONS.get(Role(role), frozenset())
