"""The follow-up part of the casebook: the visit schedule at a glance (with the way to it),
and every planned and done visit on the participant's timeline.

Listed in `workflow.casebook.SECTIONS` and `workflow.casebook.TIMELINE`.
"""

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from access.roles import Action
from enrollment.casebook import IN_FOLLOW_UP, CasebookSection, TimelineEntry, form_link
from enrollment.models import Participant

from . import schedule
from .selectors import VisitRow, participant_visits, site_today

STATE_LABELS = {
    schedule.STATE_SCHEDULED: _("Scheduled"),
    schedule.STATE_UPCOMING: _("Upcoming"),
    schedule.STATE_DUE: _("Due"),
    schedule.STATE_OVERDUE: _("Overdue"),
    schedule.STATE_DONE: _("Done"),
    "missed": _("Missed"),
    "not_required": _("Not required"),
}
AWAITED = (schedule.STATE_UPCOMING, schedule.STATE_DUE, schedule.STATE_OVERDUE)


def section(participant: Participant, user: Any) -> CasebookSection:
    """The next visits and the link to the whole schedule: two queries, whatever its length."""
    rows = participant_visits(participant=participant, today=site_today(participant.site))
    awaited = [row for row in rows if row.state in AWAITED]
    upcoming = [row for row in rows if row.state == schedule.STATE_SCHEDULED][:1]
    done = [row for row in rows if row.state == schedule.STATE_DONE]
    return CasebookSection(
        title=str(_("Follow-up visits")),
        template="followup/includes/casebook_section.html",
        context={
            "next_visits": awaited + upcoming,
            "visits_done": len(done),
            "visits_planned": sum(1 for row in rows if row.planned is not None),
            "can_enter": user.can(Action.ENTER_DATA, participant.site_id)
            and not participant.is_off_study,
        },
        reached=frozenset({IN_FOLLOW_UP}) if done else frozenset(),
    )


def _visit_url(row: VisitRow, participant: Participant, user: Any) -> str:
    if user.can(Action.ENTER_DATA, participant.site_id):
        if row.planned is not None and row.state != "not_required":
            return reverse("followup:visit_record", kwargs={"pk": row.planned.pk})
        if row.visit is not None:
            return reverse("followup:visit_form", kwargs={"pk": row.visit.pk})
    if row.visit is not None:
        return form_link(row.visit, user, participant.site_id, entry_page=False)
    return reverse("followup:participant_visits", kwargs={"participant_pk": participant.pk})


def timeline_entries(participant: Participant, user: Any, today: dt.date) -> list[TimelineEntry]:
    """Every planned visit with its window and state, and every unscheduled visit."""
    entries = []
    for row in participant_visits(participant=participant, today=today):
        planned, visit = row.planned, row.visit
        label = (
            str(_("Visit %(code)s") % {"code": planned.code})
            if planned is not None
            else str(_("Unscheduled visit"))
        )
        entries.append(
            TimelineEntry(
                date=visit.visit_date if visit is not None and visit.visit_date else row.day,
                kind="visit",
                label=label,
                detail=str(
                    _("window %(start)s to %(end)s")
                    % {
                        "start": f"{planned.window_start:%Y-%m-%d}",
                        "end": f"{planned.window_end:%Y-%m-%d}",
                    }
                )
                if planned is not None
                else "",
                url=_visit_url(row, participant, user),
                state=row.state,
                state_label=str(STATE_LABELS.get(row.state, row.state)),
                order=6,
            )
        )
    return entries
