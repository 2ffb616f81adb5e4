"""Follow-up reads, scoped to the user's sites through `for_user`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.utils import timezone

from access.models import Site
from access.roles import Action
from enrollment.models import Participant

from . import schedule
from .models import Visit
from .services import REMINDER_ANCHORS

# The worklist shows at most this many visits per section (bounded queries, whatever the trial
# size); the counts say how many there are in all.
WORKLIST_LIMIT = 100


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


def _open_visits(user: Any) -> QuerySet[Visit]:
    return (
        Visit.objects.for_user(user, Action.ENTER_DATA)
        .filter(
            kind=Visit.Kind.PLANNED,
            status=Visit.Status.OPEN,
            participant__status=Participant.Status.ENROLLED,
        )
        .select_related("participant__site")
    )


def worklist(*, user: Any, now: dt.datetime | None = None) -> list[SiteWorklist]:
    """Per site of the user: open visits overdue, due (window open) and upcoming (opening
    within the week). Two queries for visits, each bounded, plus one for the sites."""
    sites = list(Site.objects.filter(pk__in=user.sites_where(Action.ENTER_DATA)))
    if not sites:
        return []
    lists = {s.pk: SiteWorklist(site=s, today=site_today(s, now)) for s in sites}
    # The earliest and latest "today" across the user's sites bound the SQL; each visit's
    # state is then judged on its own site's day by the schedule rule.
    earliest = min(w.today for w in lists.values())
    latest = max(w.today for w in lists.values())
    overdue_from = REMINDER_ANCHORS[schedule.STATE_OVERDUE]
    upcoming_from = REMINDER_ANCHORS[schedule.STATE_UPCOMING]
    visits = _open_visits(user)
    past = visits.filter(**{f"{overdue_from.field}__lte": latest - overdue_from.offset}).order_by(
        "-window_end", "-pk"
    )[:WORKLIST_LIMIT]
    current = visits.filter(
        **{
            f"{overdue_from.field}__gt": earliest - overdue_from.offset,
            f"{upcoming_from.field}__lte": latest - upcoming_from.offset,
        }
    ).order_by("window_start", "pk")[: 2 * WORKLIST_LIMIT]
    seen: set[int] = set()
    for visit in [*current, *past]:
        if visit.pk in seen:
            continue
        seen.add(visit.pk)
        entry = lists[visit.participant.site_id]
        state = visit.state_on(entry.today)
        if state in (schedule.STATE_OVERDUE, schedule.STATE_DUE, schedule.STATE_UPCOMING):
            getattr(entry, state).append(visit)
    for entry in lists.values():
        entry.overdue.sort(key=lambda v: (v.window_end, v.pk))
    return sorted(lists.values(), key=lambda w: w.site.code)


def participant_visits(*, participant: Participant) -> QuerySet[Visit]:
    return participant.visits.order_by("window_start", "visit_date", "pk")
