"""The assessments part of the casebook (listed in `workflow.casebook.SECTIONS`)."""

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from access.roles import Action
from enrollment.casebook import ASSESSED, CasebookSection, TimelineEntry, form_link
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


def timeline_entries(participant: Participant, user: Any, today: dt.date) -> list[TimelineEntry]:
    """Baseline, therapy lines, assessments (with their responses) and operations; the same
    five queries as the section, whatever their number."""
    data = casebook_assessments(participant)
    site_id = participant.site_id
    entries = []
    if data.baseline is not None:
        entries.append(
            TimelineEntry(
                date=data.baseline.baseline_date,
                kind="baseline",
                label=str(_("Baseline")),
                detail=str(
                    ngettext("%(n)s lesion", "%(n)s lesions", len(data.lesions))
                    % {"n": len(data.lesions)}
                ),
                url=form_link(data.baseline, user, site_id),
                state=data.baseline.crf_status,
                state_label=str(data.baseline.get_crf_status_display()),
            )
        )
    for line in data.therapy_lines:
        entries.append(
            TimelineEntry(
                date=line.start_date,
                end=line.stop_date,
                kind="therapy",
                label=str(_("Systemic therapy, line %(n)s") % {"n": line.line_number}),
                detail=f"{line.get_category_display()}: {line.agents}",
                url=form_link(line, user, site_id),
                state=line.crf_status,
                state_label=str(line.get_crf_status_display()),
                order=2,
            )
        )
    for assessment in data.assessments:
        responses = (
            str(
                _("primary %(primary)s, metastases %(metastatic)s")
                % {
                    "primary": assessment.get_primary_response_display(),
                    "metastatic": assessment.get_metastatic_response_display(),
                }
            )
            if assessment.is_complete
            else ""
        )
        entries.append(
            TimelineEntry(
                date=assessment.assessment_date,
                kind="assessment",
                label=str(_("Response assessment")),
                detail=responses,
                url=assessment.get_absolute_url(),
                state=assessment.crf_status,
                state_label=str(assessment.get_crf_status_display()),
                order=3,
            )
        )
    for surgery in data.surgeries:
        entries.append(
            TimelineEntry(
                date=surgery.surgery_date,
                kind="surgery",
                label=str(_("Operation")),
                detail=str(surgery.get_procedure_display()),
                url=form_link(surgery, user, site_id),
                state=surgery.crf_status,
                state_label=str(surgery.get_crf_status_display()),
                order=5,
            )
        )
    return entries
