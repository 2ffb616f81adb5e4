"""The arm part of the casebook.

Listed in `workflow.casebook.SECTIONS`.
"""

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from enrollment.casebook import ARM_ASSIGNED, CasebookSection, TimelineEntry
from enrollment.models import Participant

from .models import ArmAssignment
from .selectors import arm_history


def section(participant: Participant, user: Any) -> CasebookSection:
    history = arm_history(participant)
    return CasebookSection(
        title=str(_("Arm assignment")),
        template="arms/includes/casebook_section.html",
        context={"arm_history": history},
        reached=frozenset({ARM_ASSIGNED}) if history.current else frozenset(),
    )


def timeline_entries(participant: Participant, user: Any, today: dt.date) -> list[TimelineEntry]:
    """Each arm decision: proposed on the assessment's day, with its state (awaiting the
    investigator, confirmed, overridden, not evaluable); one query for them all."""
    entries = []
    for assignment in (
        ArmAssignment.objects.filter(participant=participant)
        .select_related("signature")
        .order_by("assessment_date", "pk")
    ):
        if assignment.proposed_arm is not None:
            detail = str(_("Proposed: %(arm)s") % {"arm": assignment.get_proposed_arm_display()})
        else:
            detail = assignment.no_proposal_reason
        if assignment.confirmed_arm is not None:
            detail += " · " + str(
                _("signed: %(arm)s") % {"arm": assignment.get_confirmed_arm_display()}
            )
        entries.append(
            TimelineEntry(
                date=assignment.assessment_date,
                kind="arm",
                label=str(_("Arm decision")),
                detail=detail,
                url=reverse("arms:review", kwargs={"pk": assignment.pk}),
                state=assignment.status,
                state_label=str(assignment.get_status_display()),
                order=4,
            )
        )
    return entries
