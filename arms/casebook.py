"""The arm part of the casebook.

Listed in `workflow.casebook.SECTIONS`.
"""

from typing import Any

from django.utils.translation import gettext_lazy as _

from enrollment.casebook import ARM_ASSIGNED, CasebookSection
from enrollment.models import Participant

from .selectors import arm_history


def section(participant: Participant, user: Any) -> CasebookSection:
    history = arm_history(participant)
    return CasebookSection(
        title=str(_("Arm assignment")),
        template="arms/includes/casebook_section.html",
        context={"arm_history": history},
        reached=frozenset({ARM_ASSIGNED}) if history.current else frozenset(),
    )
