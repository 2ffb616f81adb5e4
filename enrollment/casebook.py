"""The casebook: a participant's page, and the trial path it shows.

Each app adds its part of the casebook with a section provider, a function
`(participant, user) -> CasebookSection | None`; `workflow.casebook.SECTIONS` lists them in
the order the page shows them, so the arrows point from the workflow layer to each app.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from access.roles import Action

from .models import Participant

SCREENED = "screened"
ENROLLED = "enrolled"
ASSESSED = "assessed"
ARM_ASSIGNED = "arm_assigned"
IN_FOLLOW_UP = "in_follow_up"
OFF_STUDY = "off_study"

TRIAL_PATH = (
    (SCREENED, _("Screened")),
    (ENROLLED, _("Enrolled")),
    (ASSESSED, _("Assessed")),
    (ARM_ASSIGNED, _("Arm assigned")),
    (IN_FOLLOW_UP, _("In follow-up")),
    (OFF_STUDY, _("Off study")),
)


@dataclass(frozen=True)
class CasebookSection:
    title: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    # Trial-path steps this section shows the participant has reached (e.g. {"assessed"}).
    reached: frozenset[str] = frozenset()


@dataclass(frozen=True)
class TimelineEntry:
    """One event of the participant's timeline: when, what kind, what it says, where its form
    is. `end` makes it a span (a visit's window); `state` is a code the template badges."""

    date: dt.date
    kind: str
    label: str
    url: str = ""
    detail: str = ""
    state: str = ""
    state_label: str = ""
    end: dt.date | None = None
    # Events of one day keep the order of the trial (screening before enrolment, an
    # assessment before the arm it proposed).
    order: int = 0


# Each app offers its events with a timeline provider, `(participant, user, today) ->
# list[TimelineEntry]`, listed in `workflow.casebook.TIMELINE`.


def form_link(record: Any, user: Any, site_id: int, *, entry_page: bool = True) -> str:
    """Where a timeline entry leads: the form's own page for whoever enters data, the form's
    data-quality page (values, queries, audit trail) for the other roles."""
    if entry_page and user.can(Action.ENTER_DATA, site_id):
        return str(record.get_absolute_url())
    form_id = ContentType.objects.get_for_model(record).pk
    return reverse("dataquality:form", kwargs={"form_id": form_id, "pk": record.pk})


def timeline_entries(participant: Participant, user: Any, today: dt.date) -> list[TimelineEntry]:
    """Screening, enrolment and the end of participation; no query beyond the participant's
    screening and off-study form (select_related by the casebook's lookup)."""
    entries = []
    screening = participant.screening
    if screening is not None:
        entries.append(
            TimelineEntry(
                date=screening.screening_date,
                kind="screening",
                label=str(_("Screening %(number)s") % {"number": screening.screening_number}),
                url=reverse("enrollment:screening_detail", kwargs={"pk": screening.pk}),
                state=screening.status,
                state_label=str(screening.get_status_display()),
            )
        )
    if participant.enrolment_date:
        entries.append(
            TimelineEntry(
                date=participant.enrolment_date,
                kind="enrolment",
                label=str(_("Enrolment as %(study_id)s") % {"study_id": participant.study_id}),
                url=reverse("enrollment:casebook", kwargs={"study_id": participant.study_id}),
                order=1,
            )
        )
    off = participant.off_study if participant.is_off_study else None
    if off is not None:
        entries.append(
            TimelineEntry(
                date=off.date,
                kind="off_study",
                label=str(_("Off study")),
                detail=str(off.get_reason_display()),
                url=form_link(off, user, participant.site_id, entry_page=False),
                order=9,
            )
        )
    return entries


@dataclass(frozen=True)
class PathStep:
    code: str
    label: str
    reached: bool
    current: bool


def trial_path(participant: Participant, sections: list[CasebookSection]) -> list[PathStep]:
    """Where the participant is on the trial path; the last step reached is the current one."""
    reached = {SCREENED, ENROLLED}
    for section in sections:
        reached |= section.reached
    if participant.is_off_study:
        reached.add(OFF_STUDY)
    last = max(i for i, (code, _label) in enumerate(TRIAL_PATH) if code in reached)
    return [
        PathStep(code, str(label), code in reached, i == last)
        for i, (code, label) in enumerate(TRIAL_PATH)
    ]
