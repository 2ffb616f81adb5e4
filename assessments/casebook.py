"""The assessments part of the casebook (listed in `workflow.casebook.SECTIONS`)."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from access.roles import Action
from enrollment.casebook import ASSESSED, CasebookSection
from enrollment.models import Participant

from .selectors import casebook_assessments


def section(participant: Participant, user: Any) -> CasebookSection:
    """Baseline, therapy, response assessments and surgery; six queries whatever their number."""
    data = casebook_assessments(participant)
    return CasebookSection(
        title=str(_("Tumour assessments and treatment")),
        template="assessments/includes/casebook_section.html",
        context={
            "assessments_casebook": data,
            "can_enter_data": user.can(Action.ENTER_DATA, participant.site_id),
        },
        reached=frozenset({ASSESSED})
        if any(a.is_complete for a in data.assessments)
        else frozenset(),
    )
