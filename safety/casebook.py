"""The safety part of the casebook and of its timeline (listed in `workflow.casebook`)."""

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _

from access.roles import Action
from enrollment.casebook import CasebookSection, TimelineEntry, form_link
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


def timeline_entries(participant: Participant, user: Any, today: dt.date) -> list[TimelineEntry]:
    """Each adverse event at its onset, each radiotherapy course, and the death."""
    safety = participant_safety(participant)
    site_id = participant.site_id
    entries = [
        TimelineEntry(
            date=event.onset_date,
            kind="adverse_event",
            label=str(
                (
                    _("Serious adverse event: %(term)s")
                    if event.serious
                    else _("Adverse event: %(term)s")
                )
                % {"term": event.term}
            ),
            detail=str(_("grade %(grade)s") % {"grade": event.grade}) if event.grade else "",
            url=form_link(event, user, site_id),
            state=event.crf_status,
            state_label=str(event.get_crf_status_display()),
            order=7,
        )
        for event in safety.events
        if event.onset_date
    ]
    entries += [
        TimelineEntry(
            date=course.start_date,
            kind="radiotherapy",
            label=str(_("Radiotherapy: %(site)s") % {"site": course.get_treated_site_display()}),
            detail=str(
                _("%(dose)s Gy in %(fractions)s fractions")
                % {"dose": f"{course.dose_gy.normalize():f}", "fractions": course.fractions}
            ),
            url=form_link(course, user, site_id),
            end=course.end_date,
            state=course.crf_status,
            state_label=str(course.get_crf_status_display()),
            order=7,
        )
        for course in safety.radiotherapy
    ]
    if (report := safety.death_report) is not None:
        entries.append(
            TimelineEntry(
                date=report.death_date,
                kind="death",
                label=str(_("Death")),
                detail=str(report.get_primary_cause_display()),
                url=form_link(report, user, site_id),
                state=report.crf_status,
                state_label=str(report.get_crf_status_display()),
                order=8,
            )
        )
    return entries
