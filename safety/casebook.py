"""The safety part of the casebook (listed in `workflow.casebook.SECTIONS`)."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from access.roles import Action
from enrollment.casebook import CasebookSection
from enrollment.models import Participant

from .selectors import participant_safety


def section(participant: Participant, user: Any) -> CasebookSection:
    """Adverse events, the death report and radiotherapy; a fixed number of queries."""
    return CasebookSection(
        title=str(_("Safety: adverse events, death report, radiotherapy")),
        template="safety/includes/casebook_section.html",
        context={
            "safety": participant_safety(participant),
            "can_enter_data": user.can(Action.ENTER_DATA, participant.site_id),
        },
    )
