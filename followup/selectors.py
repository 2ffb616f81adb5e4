"""Follow-up reads, scoped to the user's sites through `for_user`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from typing import Any, cast
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from access.models import Site
from access.roles import Action
from enrollment.models import Participant

from . import schedule
from .models import PlannedVisit, Visit
from .services import not_reached, reached

# The worklist shows at most this many visits per section (bounded queries, whatever the trial
# size); each section says how many there are in all and links to all of them, page by page.
WORKLIST_LIMIT = 25
# The worklist's sections, and the order of each: the most urgent first.
WORKLIST_SECTIONS = {
    schedule.STATE_OVERDUE: ("window_end", "pk"),  # overdue the longest
    schedule.STATE_DUE: ("window_end", "pk"),  # window closing soonest
    schedule.STATE_UPCOMING: ("window_start", "pk"),  # window opening soonest
}
# Each state lasts from its reminder date until the next one's (REMINDER_KINDS is in order).
_NEXT_STATE = dict(zip(schedule.REMINDER_KINDS, [*schedule.REMINDER_KINDS[1:], None], strict=True))


def site_today(site: Site, now: dt.datetime | None = None) -> dt.date:
    """The calendar day at `site`: reminders and worklists follow the site's clock."""
    return (now or timezone.now()).astimezone(ZoneInfo(site.time_zone)).date()


@dataclass
class SiteWorklist:
    site: Site
    today: dt.date
    overdue: list[PlannedVisit] = field(default_factory=list)
    due: list[PlannedVisit] = field(default_factory=list)
    upcoming: list[PlannedVisit] = field(default_factory=list)
    # How many visits each section holds in all; it shows at most WORKLIST_LIMIT of them.
    counts: dict[str, int] = field(default_factory=dict)


def awaited(visits: QuerySet[PlannedVisit]) -> QuerySet[PlannedVisit]:
    """The planned visits still expected: the open ones. Going off study closes every open
    visit of the participant in the same transaction (`workflow.services.take_off_study`), and
    a replan never reopens one of an off-study participant, so an open visit is always one of
    a participant in follow-up: the slot alone says it, with no join to the participants."""
    return visits.filter(status=PlannedVisit.Status.OPEN)


def overdue(visits: QuerySet[PlannedVisit], days: dict[int, dt.date]) -> QuerySet[PlannedVisit]:
    """The awaited visits among `visits` that are overdue on their own site's day (`days`: site
    id -> that site's today): the one SQL definition of `schedule.visit_state` == "overdue",
    read by the worklist and the reports."""
    return awaited(visits).filter(in_state(schedule.STATE_OVERDUE, days))


def _open_visits(user: Any) -> QuerySet[PlannedVisit]:
    return awaited(PlannedVisit.objects.for_user(user, Action.ENTER_DATA))


def in_state(state: str, days: dict[int, dt.date]) -> Q:
    """Visits in `state` on their own site's day (`days`: site id -> that site's today): the
    SQL form of `schedule.visit_state` for an open visit."""
    following = _NEXT_STATE[state]
    per_site = []
    for site_id, today in days.items():
        condition = Q(site_id=site_id) & reached(state, today)
        if following:
            condition &= not_reached(following, today)
        per_site.append(condition)
    return reduce(or_, per_site)


def _site_days(user: Any, now: dt.datetime | None) -> dict[Site, dt.date]:
    """The user's data-entry sites, each with its own calendar day."""
    sites = Site.objects.filter(pk__in=user.sites_where(Action.ENTER_DATA)).order_by("code")
    return {site: site_today(site, now) for site in sites}


def _section(user: Any, state: str, days: dict[int, dt.date]) -> QuerySet[PlannedVisit]:
    return (
        _open_visits(user)
        .filter(in_state(state, days))
        .select_related("participant")
        .order_by(*WORKLIST_SECTIONS[state])
    )


def section(*, user: Any, state: str, now: dt.datetime | None = None) -> QuerySet[PlannedVisit]:
    """Every visit of one worklist section at the user's sites, most urgent first."""
    days = {site.pk: today for site, today in _site_days(user, now).items()}
    return _section(user, state, days) if days else PlannedVisit.objects.none()


def worklist(*, user: Any, now: dt.datetime | None = None) -> list[SiteWorklist]:
    """Per site of the user: open visits overdue, due (window open) and upcoming (opening
    within the week), each judged on its site's day. One query for the sites, one for the
    counts of every section, and one per section for its first WORKLIST_LIMIT visits."""
    site_days = _site_days(user, now)
    if not site_days:
        return []
    lists = {
        site.pk: SiteWorklist(site=site, today=today, counts=dict.fromkeys(WORKLIST_SECTIONS, 0))
        for site, today in site_days.items()
    }
    days = {pk: entry.today for pk, entry in lists.items()}
    visits = _open_visits(user)
    # Every visit of a section has reached the first reminder date by the latest site day:
    # a bound the window index can serve, inside which the filters count each section.
    candidates = visits.filter(reached(schedule.REMINDER_KINDS[0], max(days.values())))
    # Site and window are all the index (planned_visit_open_site_window) holds and all the
    # count reads: an index-only scan of the visits near today, not of the site's
    # participants. Rows carry the sections' counts too, which the plugin's row type (built
    # from the literal names only) does not see.
    counts = cast(
        "QuerySet[PlannedVisit, dict[str, Any]]",
        candidates.values("site_id").annotate(
            **{state: Count("site_id", filter=in_state(state, days)) for state in WORKLIST_SECTIONS}
        ),
    )
    for row in counts.order_by():
        lists[row["site_id"]].counts = {s: row[s] for s in WORKLIST_SECTIONS}
    for state in WORKLIST_SECTIONS:
        for visit in _section(user, state, days)[:WORKLIST_LIMIT]:
            getattr(lists[visit.site_id], state).append(visit)
    return list(lists.values())


@dataclass(frozen=True)
class VisitRow:
    """One line of a participant's follow-up: a planned visit (with its form once recorded)
    or an unscheduled visit's form."""

    planned: PlannedVisit | None
    visit: Visit | None
    state: str

    @property
    def day(self) -> dt.date:
        """Where the line sits in time: the window's opening, or the unscheduled visit's day."""
        if self.planned is not None:
            return self.planned.window_start
        # A row without a planned visit is an unscheduled visit's form.
        return cast(Visit, self.visit).visit_date or dt.date.max


def participant_visits(*, participant: Participant, today: dt.date) -> list[VisitRow]:
    """The participant's planned visits and unscheduled visits, in the order of time: two
    queries, whatever their number."""
    rows = [
        VisitRow(planned, planned.recorded_visit, planned.state_on(today))
        for planned in participant.planned_visits.select_related("visit").order_by(
            "window_start", "pk"
        )
    ]
    rows += [
        VisitRow(None, visit, schedule.STATE_DONE)
        for visit in participant.visits.filter(kind=Visit.Kind.UNSCHEDULED).order_by(
            "visit_date", "pk"
        )
    ]
    return sorted(rows, key=lambda row: row.day)
