"""Where the trial stands, for investigators and data managers: the counts behind the reports
page, read for a set of sites, each a fixed number of queries whatever the size.

The counts are in no language and add up site by site (`Counts.__add__`): the figures of
sites A and B are the sum of A's and B's, so the beat task reads each site once, whatever
the number of sets of sites and languages it computes figures for (`figures.refresh_all`).
What the page shows is made from them in `reports.figures`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext_lazy as _

from access.models import Site
from arms.models import ArmAssignment
from enrollment.models import OffStudy, Participant, Screening
from exports.models import ParticipantOutcome
from followup.models import PlannedVisit
from followup.selectors import overdue, site_today

OUTCOMES = {
    "os": _("Overall survival"),
    "dpfs": _("Distant progression-free survival"),
    "lrpfs": _("Locoregional progression-free survival"),
}

Arm = int | None  # an arm, or none signed yet


@dataclass
class Counts:
    """The figures of a set of sites before they are put into words."""

    sites: frozenset[int] = frozenset()
    screened: int = 0
    in_screening: int = 0
    screen_failed: int = 0
    failed_criteria: Counter[str] = field(default_factory=Counter)  # code -> screen failures
    enrolled: int = 0
    first_arms: Counter[Arm] = field(default_factory=Counter)  # arm at first signature
    current_arms: Counter[Arm] = field(default_factory=Counter)  # latest signed arm
    in_follow_up: int = 0
    off_study: Counter[str] = field(default_factory=Counter)  # reason -> participants
    died: int = 0
    enrolment: Counter[dt.date] = field(default_factory=Counter)  # month -> participants
    # (from arm, to arm) -> moves between consecutive signed assignments of a participant
    moves: Counter[tuple[Arm, Arm]] = field(default_factory=Counter)
    overdue: Counter[int] = field(default_factory=Counter)  # site -> open visits overdue
    # outcome code -> (first arm, days from diagnosis, event) -> participants
    survival: dict[str, Counter[tuple[int, int, bool]]] = field(
        default_factory=lambda: {code: Counter() for code in OUTCOMES}
    )

    def __add__(self, other: Counts) -> Counts:
        """The counts of both sets of sites (which must not share a site: a participant
        belongs to one site, so disjoint sets count disjoint people)."""
        if self.sites & other.sites:
            raise ValueError("the counts of one site would be added twice")
        summed: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            mine, theirs = getattr(self, f.name), getattr(other, f.name)
            if isinstance(mine, dict) and not isinstance(mine, Counter):
                summed[f.name] = {key: mine[key] + theirs[key] for key in mine}
            else:
                summed[f.name] = mine | theirs if isinstance(mine, frozenset) else mine + theirs
        return Counts(**summed)


def counts(site_ids: Collection[int], now: dt.datetime | None = None) -> Counts:
    """The counts of these sites (a user's where VIEW_REPORTS is allowed), now."""
    result = Counts(sites=frozenset(site_ids))
    if not site_ids:
        return result
    _screening(result)
    _participants(result)
    _moves(result)
    _overdue(result, now)
    _survival(result)
    return result


def _screening(result: Counts) -> None:
    screenings = Screening.objects.for_sites(result.sites)
    totals = screenings.aggregate(
        screened=Count("pk"),
        in_screening=Count("pk", filter=Q(status=Screening.Status.IN_SCREENING)),
        screen_failed=Count("pk", filter=Q(status=Screening.Status.SCREEN_FAILED)),
    )
    result.screened = totals["screened"]
    result.in_screening = totals["in_screening"]
    result.screen_failed = totals["screen_failed"]
    failed = screenings.filter(status=Screening.Status.SCREEN_FAILED).values_list(
        "failed_criteria", flat=True
    )
    for criteria in failed.iterator(chunk_size=2000):
        result.failed_criteria.update(criteria or [])


def _participants(result: Counts) -> None:
    # The signed arms and the death are read from the analysis values the rules stored
    # (`exports.derived`): grouped scans, not a subquery per participant.
    people = Participant.objects.for_sites(result.sites)
    result.enrolled = people.count()
    for arms, lookup in (
        (result.first_arms, "outcome__first_arm"),
        (result.current_arms, "outcome__current_arm"),
    ):
        arms.update(dict(people.values_list(lookup).annotate(n=Count("pk")).order_by(lookup)))
    result.in_follow_up = people.filter(status=Participant.Status.ENROLLED).count()
    off = OffStudy.objects.for_sites(result.sites).values_list("reason").annotate(n=Count("pk"))
    result.off_study.update(dict(off.order_by("reason")))
    result.died = people.filter(
        Q(outcome__death_date__isnull=False) | Q(off_study__reason=OffStudy.Reason.DIED)
    ).count()
    months = (
        people.annotate(month=TruncMonth("enrolment_date"))
        .values_list("month")
        .annotate(n=Count("pk"))
        .order_by("month")
    )
    result.enrolment.update(dict(months))


def _moves(result: Counts) -> None:
    """How many participants moved from one arm to another between consecutive signed
    assignments."""
    signed = (
        ArmAssignment.objects.for_sites(result.sites)
        .signed()
        .order_by("participant_id", "assessment_date", "pk")
        .values_list("participant_id", "confirmed_arm")
    )
    last: tuple[int, int | None] | None = None
    for participant_id, arm in signed.iterator(chunk_size=2000):
        if last is not None and last[0] == participant_id and last[1] != arm:
            result.moves[(last[1], arm)] += 1
        last = (participant_id, arm)


def _overdue(result: Counts, now: dt.datetime | None) -> None:
    """Open planned visits past their window, each site judged on its own calendar day."""
    # Overdue as the follow-up worklist has it (one definition), on each site's day.
    days = {s.pk: site_today(s, now) for s in Site.objects.filter(pk__in=result.sites)}
    grouped = (
        overdue(PlannedVisit.objects.for_sites(result.sites), days)
        .values_list("site")
        .annotate(n=Count("site"))
        .order_by()
    )
    result.overdue.update(dict(grouped))


def _survival(result: Counts) -> None:
    """Per outcome, the participants of each (arm at the first signed assignment, days,
    event), from the outcomes the rules stored (`exports.derived`, `followup.endpoints`): one
    aggregate query per outcome. The analysis rows carry their participant's site."""
    outcomes = ParticipantOutcome.objects.for_sites(result.sites).filter(first_arm__isnull=False)
    for outcome, observed in result.survival.items():
        days, event = f"{outcome}_days", f"{outcome}_event"
        rows = (
            outcomes.filter(**{f"{days}__isnull": False})
            .values_list("first_arm", days, event)
            .annotate(n=Count("pk"))
            .order_by()
        )
        for arm, day, happened, n in rows:
            observed[(arm, day, bool(happened))] += n
