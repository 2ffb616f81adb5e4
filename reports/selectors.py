"""Where the trial stands, for investigators and data managers: every read scoped to the
user's sites where VIEW_REPORTS is allowed, each a fixed number of queries whatever the size."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext_lazy as _

from access.models import Site
from access.roles import Action
from arms.models import ArmAssignment
from enrollment import eligibility
from enrollment.labels import CRITERION_LABELS
from enrollment.models import OffStudy, Participant, Screening
from exports.models import ParticipantOutcome
from followup.models import PlannedVisit
from followup.selectors import overdue, site_today

from . import survival

ACTION = Action.VIEW_REPORTS
OUTCOMES = {
    "os": _("Overall survival"),
    "dpfs": _("Distant progression-free survival"),
    "lrpfs": _("Locoregional progression-free survival"),
}


@dataclass
class Flow:
    screened: int = 0
    in_screening: int = 0
    screen_failed: int = 0
    failures_by_criterion: list[tuple[str, str, int]] = field(default_factory=list)
    enrolled: int = 0
    assigned: dict[int, int] = field(default_factory=dict)  # first signed arm -> participants
    not_assigned: int = 0
    in_follow_up: int = 0
    off_study: dict[str, int] = field(default_factory=dict)
    completed: int = 0
    died: int = 0
    lost: int = 0


def participants(user: Any) -> Any:
    return Participant.objects.for_user(user, ACTION)


def flow(user: Any) -> Flow:
    result = Flow()
    screenings = Screening.objects.for_user(user, ACTION)
    counts = screenings.aggregate(
        screened=Count("pk"),
        in_screening=Count("pk", filter=Q(status=Screening.Status.IN_SCREENING)),
        screen_failed=Count("pk", filter=Q(status=Screening.Status.SCREEN_FAILED)),
    )
    result.screened = counts["screened"]
    result.in_screening = counts["in_screening"]
    result.screen_failed = counts["screen_failed"]
    by_criterion: Counter[str] = Counter()
    failed = screenings.filter(status=Screening.Status.SCREEN_FAILED).values_list(
        "failed_criteria", flat=True
    )
    for criteria in failed.iterator(chunk_size=2000):
        by_criterion.update(criteria or [])
    result.failures_by_criterion = [
        (code, str(CRITERION_LABELS.get(code, code)), by_criterion[code])
        for code in (*eligibility.CRITERIA, *sorted(set(by_criterion) - set(eligibility.CRITERIA)))
        if by_criterion[code]
    ]

    # The first signed arm and the death are read from the analysis values the rules stored
    # (`exports.derived`): one grouped scan, not a subquery per participant.
    people = participants(user)
    result.enrolled = people.count()
    first_arms = (
        people.values_list("outcome__first_arm")
        .annotate(n=Count("pk"))
        .order_by("outcome__first_arm")
    )
    for arm, n in first_arms:
        if arm is None:
            result.not_assigned += n
        else:
            result.assigned[arm] = n
    result.in_follow_up = people.filter(status=Participant.Status.ENROLLED).count()
    off = OffStudy.objects.for_user(user, ACTION).values_list("reason").annotate(n=Count("pk"))
    result.off_study = dict(off.order_by("reason"))
    result.completed = result.off_study.get(OffStudy.Reason.COMPLETED, 0)
    result.lost = result.off_study.get(OffStudy.Reason.LOST_TO_FOLLOW_UP, 0)
    result.died = people.filter(
        Q(outcome__death_date__isnull=False) | Q(off_study__reason=OffStudy.Reason.DIED)
    ).count()
    return result


def enrolment_by_month(user: Any) -> list[tuple[dt.date, int]]:
    rows = (
        participants(user)
        .annotate(month=TruncMonth("enrolment_date"))
        .values_list("month")
        .annotate(n=Count("pk"))
        .order_by("month")
    )
    return list(rows)


def arm_distribution(user: Any) -> dict[str, Any]:
    """Current arm per participant, and how many participants moved from one arm to another
    between consecutive signed assignments."""
    current = dict(
        participants(user)
        .values_list("outcome__current_arm")
        .annotate(n=Count("pk"))
        .order_by("outcome__current_arm")
    )
    moves: Counter[tuple[int | None, int | None]] = Counter()
    signed = (
        ArmAssignment.objects.for_user(user, ACTION)
        .signed()
        .order_by("participant_id", "assessment_date", "pk")
        .values_list("participant_id", "confirmed_arm")
    )
    last: tuple[int, int | None] | None = None
    for participant_id, arm in signed.iterator(chunk_size=2000):
        if last is not None and last[0] == participant_id and last[1] != arm:
            moves[(last[1], arm)] += 1
        last = (participant_id, arm)
    return {
        "current": [(arm, n) for arm, n in current.items() if arm is not None],
        "not_assigned": current.get(None, 0),
        "moves": sorted(moves.items()),
    }


def overdue_by_site(user: Any, now: dt.datetime | None = None) -> list[tuple[Site, int]]:
    """Open planned visits past their window, each site judged on its own calendar day."""
    sites = list(Site.objects.filter(pk__in=user.sites_where(ACTION)))
    if not sites:
        return []
    # Overdue as the follow-up worklist has it (one definition), on each site's day.
    days = {s.pk: site_today(s, now) for s in sites}
    counts = dict(
        overdue(PlannedVisit.objects.for_user(user, ACTION), days)
        .values_list("site")
        .annotate(n=Count("site"))
        .order_by()
    )
    return [(s, counts.get(s.pk, 0)) for s in sites]


def kaplan_meier(user: Any, *, arm_label: Any) -> dict[str, survival.KaplanMeier]:
    """Per outcome, curves by arm at the first signed assignment (the arm the participant was
    allocated to), from the outcomes the rules stored (`exports.derived`, `followup.endpoints`):
    one aggregate query per outcome, counting the participants of each (arm, days, event)."""
    outcomes = ParticipantOutcome.objects.filter(
        participant__in=participants(user).values("pk"), first_arm__isnull=False
    )
    curves = {}
    for outcome, title in OUTCOMES.items():
        days, event = f"{outcome}_days", f"{outcome}_event"
        rows = (
            outcomes.filter(**{f"{days}__isnull": False})
            .values_list("first_arm", days, event)
            .annotate(n=Count("pk"))
            .order_by()
        )
        by_arm: dict[str, list[survival.Observation]] = {}
        for arm, day, happened, n in rows:
            observation = survival.Observation(days=day, event=bool(happened), count=n)
            by_arm.setdefault(str(arm_label(arm)), []).append(observation)
        curves[outcome] = survival.estimate(str(title), dict(sorted(by_arm.items())))
    return curves
