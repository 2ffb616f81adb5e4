"""Where the trial stands, for investigators and data managers: every read scoped to the
user's sites where VIEW_REPORTS is allowed, each a fixed number of queries whatever the size."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext_lazy as _

from access.models import Site
from access.roles import Action
from arms.models import FIRST_SIGNED, LATEST_SIGNED, ArmAssignment, signed_arm
from enrollment import eligibility
from enrollment.labels import CRITERION_LABELS
from enrollment.models import OffStudy, Participant, Screening
from exports.computed import analysis_records
from exports.streaming import Scope
from followup.models import PlannedVisit, Visit
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

    died = Exists(Visit.objects.filter(participant=OuterRef("pk"), death_date__isnull=False))
    people = participants(user).annotate(first_arm=signed_arm(FIRST_SIGNED), died=died)
    result.enrolled = people.count()
    for arm, n in people.values_list("first_arm").annotate(n=Count("pk")).order_by("first_arm"):
        if arm is None:
            result.not_assigned = n
        else:
            result.assigned[arm] = n
    result.in_follow_up = people.filter(status=Participant.Status.ENROLLED).count()
    off = OffStudy.objects.for_user(user, ACTION).values_list("reason").annotate(n=Count("pk"))
    result.off_study = dict(off.order_by("reason"))
    result.completed = result.off_study.get(OffStudy.Reason.COMPLETED, 0)
    result.lost = result.off_study.get(OffStudy.Reason.LOST_TO_FOLLOW_UP, 0)
    result.died = people.filter(Q(died=True) | Q(off_study__reason=OffStudy.Reason.DIED)).count()
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
    people = participants(user).annotate(current_arm=signed_arm(LATEST_SIGNED))
    current = dict(
        people.values_list("current_arm").annotate(n=Count("pk")).order_by("current_arm")
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
        .values_list("participant__site")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return [(s, counts.get(s.pk, 0)) for s in sites]


def kaplan_meier(user: Any, *, arm_label: Any) -> dict[str, survival.KaplanMeier]:
    """Per outcome, curves by arm at the first signed assignment (the arm the participant was
    allocated to), from the analysis dataset's outcomes (`followup.endpoints`), in one pass."""
    groups: dict[str, dict[str, list[survival.Observation]]] = {o: {} for o in OUTCOMES}
    for record in analysis_records(Scope(user=user, action=ACTION), assigned_only=True):
        if record["first_arm"] is None:
            continue
        label = str(arm_label(record["first_arm"]))
        for outcome, by_arm in groups.items():
            days = record.get(f"{outcome}_days")
            if days is not None:
                by_arm.setdefault(label, []).append(
                    survival.Observation(days=days, event=record[f"{outcome}_event"])
                )
    return {
        outcome: survival.estimate(str(OUTCOMES[outcome]), dict(sorted(by_arm.items())))
        for outcome, by_arm in groups.items()
    }
