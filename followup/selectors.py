"""Follow-up reads, scoped to the user's sites through `for_user`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from access.models import Site
from access.roles import Action
from enrollment.models import Participant

from . import schedule
from .models import Visit
from .services import not_reached, reached

# The worklist shows at most this many visits per section (bounded queries, whatever the trial
# size); each section says how many there are in all.
WORKLIST_LIMIT = 100
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
    overdue: list[Visit] = field(default_factory=list)
    due: list[Visit] = field(default_factory=list)
    upcoming: list[Visit] = field(default_factory=list)
    # How many visits each section holds in all; it shows at most WORKLIST_LIMIT of them.
    counts: dict[str, int] = field(default_factory=dict)


def _open_visits(user: Any) -> QuerySet[Visit]:
    return Visit.objects.for_user(user, Action.ENTER_DATA).filter(
        kind=Visit.Kind.PLANNED,
        status=Visit.Status.OPEN,
        participant__status=Participant.Status.ENROLLED,
    )


def _in_state(state: str, days: dict[int, dt.date]) -> Q:
    """Visits in `state` on their own site's day (`days`: site id -> that site's today)."""
    following = _NEXT_STATE[state]
    per_site = []
    for site_id, today in days.items():
        condition = Q(participant__site_id=site_id) & reached(state, today)
        if following:
            condition &= not_reached(following, today)
        per_site.append(condition)
    return reduce(or_, per_site)


def worklist(*, user: Any, now: dt.datetime | None = None) -> list[SiteWorklist]:
    """Per site of the user: open visits overdue, due (window open) and upcoming (opening
    within the week), each judged on its site's day. One query for the sites, one for the
    counts of every section, and one per section for its first WORKLIST_LIMIT visits."""
    sites = list(Site.objects.filter(pk__in=user.sites_where(Action.ENTER_DATA)))
    if not sites:
        return []
    lists = {
        s.pk: SiteWorklist(
            site=s, today=site_today(s, now), counts=dict.fromkeys(WORKLIST_SECTIONS, 0)
        )
        for s in sites
    }
    days = {pk: entry.today for pk, entry in lists.items()}
    visits = _open_visits(user)
    sections = {state: _in_state(state, days) for state in WORKLIST_SECTIONS}
    # Every visit of a section has reached the first reminder date by the latest site day:
    # a bound the window index can serve, inside which the filters count each section.
    candidates = visits.filter(reached(schedule.REMINDER_KINDS[0], max(days.values())))
    # Counted on participant_id, which the window index holds: an index-only scan.
    counts = candidates.values("participant__site_id").annotate(
        **{state: Count("participant_id", filter=q) for state, q in sections.items()}
    )
    for row in counts.order_by():
        lists[row["participant__site_id"]].counts = {s: row[s] for s in WORKLIST_SECTIONS}
    for state, order in WORKLIST_SECTIONS.items():
        shown = visits.filter(sections[state]).select_related("participant")
        for visit in shown.order_by(*order)[:WORKLIST_LIMIT]:
            getattr(lists[visit.participant.site_id], state).append(visit)
    return sorted(lists.values(), key=lambda w: w.site.code)


def participant_visits(*, participant: Participant) -> QuerySet[Visit]:
    return participant.visits.order_by("window_start", "visit_date", "pk")
