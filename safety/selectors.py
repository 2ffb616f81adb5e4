"""Reads for the safety app, always through `access.scoping`: a participant's safety record,
the SAE worklist and the safety report by arm. Each runs a fixed number of queries whatever
the number of events (tests/safety/test_queries.py)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, cast

from django.db.models import Count, Exists, F, Max, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from access.roles import Action
from access.scoping import get_for_user_or_404
from arms.labels import arm_label
from arms.models import LATEST_SIGNED, signed_arm
from arms.rules import ARMS
from enrollment.models import Participant

from . import grading
from .models import AdverseEvent, CausalityAssessment, DeathReport, Radiotherapy, SaeFollowUp

WORKLIST_LIMIT = 50


def participant_for_user(user: Any, pk: int) -> Participant:
    return get_for_user_or_404(Participant.objects.select_related("site"), user, pk=pk)


def event_for_user(user: Any, pk: int) -> AdverseEvent:
    return get_for_user_or_404(
        AdverseEvent.objects.select_related("participant__site", "term", "coded_term", "surgery"),
        user,
        pk=pk,
    )


def _events() -> QuerySet[AdverseEvent]:
    return AdverseEvent.objects.select_related("term", "coded_term", "surgery").order_by(
        "onset_date", "pk"
    )


@dataclass
class ParticipantSafety:
    participant: Participant
    events: list[AdverseEvent]
    death_report: DeathReport | None
    radiotherapy: list[Radiotherapy]

    @property
    def complications(self) -> list[AdverseEvent]:
        return [e for e in self.events if e.surgery_id is not None]

    @property
    def grade_5_without_report(self) -> bool:
        return self.death_report is None and any(
            grading.requires_death_report(e.grade) for e in self.events
        )


def participant_safety(participant: Participant) -> ParticipantSafety:
    """A participant's adverse events (with their follow-ups and assessments), death report
    and radiotherapy: five queries."""
    events: list[AdverseEvent] = list(
        _events()
        .filter(participant=participant)
        .prefetch_related(  # type: ignore[type-var]  # two Prefetch objects: the stubs' overloads stop at one
            Prefetch("follow_ups", SaeFollowUp.objects.order_by("report_date", "pk")),
            Prefetch(
                "assessments",
                CausalityAssessment.objects.select_related("signature").order_by("created_at"),
            ),
        )
    )
    return ParticipantSafety(
        participant=participant,
        events=events,
        death_report=DeathReport.objects.filter(participant=participant).first(),
        radiotherapy=list(Radiotherapy.objects.filter(participant=participant)),
    )


@dataclass(frozen=True)
class WorklistRow:
    event: AdverseEvent
    deadline: dt.datetime
    time_left: dt.timedelta
    assessed: bool

    @property
    def overdue(self) -> bool:
        return not self.assessed and self.time_left < dt.timedelta(0)

    @property
    def hours_left(self) -> int:
        return int(self.time_left.total_seconds() // 3600)

    @property
    def minutes_left(self) -> int:
        return int(abs(self.time_left.total_seconds()) // 60 % 60)

    @property
    def hours_overdue(self) -> int:
        return int(-self.time_left.total_seconds() // 3600)


@dataclass
class SaeWorklist:
    awaiting_assessment: list[WorklistRow] = field(default_factory=list)
    awaiting_resolution: list[WorklistRow] = field(default_factory=list)
    awaiting_assessment_count: int = 0
    awaiting_resolution_count: int = 0

    @property
    def overdue_count(self) -> int:
        return sum(1 for r in self.awaiting_assessment if r.overdue)


def sae_worklist(
    *,
    user: Any,
    now: dt.datetime | None = None,
    limit: int = WORKLIST_LIMIT,
    with_resolution: bool = True,
) -> SaeWorklist:
    """The serious adverse events at the user's sites that wait for someone: the investigator's
    signed assessment (24 hours from the site's awareness; the closest deadline first, the
    overdue at the top), or follow-up reports until resolution (`with_resolution`). Two
    queries per list."""
    now = now or timezone.now()
    serious = (
        AdverseEvent.objects.for_user(user, Action.VIEW_SAE_WORKLIST)
        .filter(serious=True)
        .annotate(assessed=Exists(CausalityAssessment.objects.filter(adverse_event=OuterRef("pk"))))
        .select_related("participant__site", "term")
    )
    unassessed = serious.filter(assessed=False).order_by("aware_at", "pk")
    unresolved = (
        serious.filter(assessed=True, ongoing=True)
        .exclude(outcome__in=["recovered", "sequelae", "fatal"])
        .order_by("aware_at", "pk")
    )

    def rows(queryset: QuerySet[AdverseEvent]) -> list[WorklistRow]:
        result = []
        for event in queryset[:limit]:
            clock = grading.sae_clock(event.aware_at)  # type: ignore[arg-type]  # serious: set
            result.append(WorklistRow(event, clock.deadline, clock.time_left(now), event.assessed))  # type: ignore[attr-defined]  # annotated
        return result

    worklist = SaeWorklist(
        awaiting_assessment=rows(unassessed), awaiting_assessment_count=unassessed.count()
    )
    if with_resolution:
        worklist.awaiting_resolution = rows(unresolved)
        worklist.awaiting_resolution_count = unresolved.count()
    return worklist


# --- The safety report by arm ----------------------------------------------------------------

NOT_ASSIGNED = 0  # participants without a signed arm yet


@dataclass
class ArmSafety:
    arm: int
    label: str
    participants: int = 0
    with_event: int = 0
    with_grade_3: int = 0
    with_sae: int = 0
    deaths: int = 0

    def share(self, n: int) -> int | None:
        return round(100 * n / self.participants) if self.participants else None


@dataclass
class TermRow:
    term: str
    soc: str
    # By arm: (participants with the term, their worst grade).
    by_arm: dict[int, tuple[int, int]]
    # The same in the report's order of arms (None: nobody in that arm had it).
    cells: list[tuple[int, int] | None] = field(default_factory=list)


@dataclass
class SafetyReport:
    arms: list[ArmSafety]
    terms: list[TermRow]


def safety_report(user: Any) -> SafetyReport:
    """Per arm (the participant's current signed arm): participants with any adverse event,
    with grade 3 or worse, with a serious one, and deaths; and per term the participants and
    the worst grade in each arm. Three queries whatever the trial's size."""
    participants = Participant.objects.for_user(user, Action.VIEW_SAFETY_REPORT).annotate(
        arm=signed_arm(LATEST_SIGNED)
    )
    events = AdverseEvent.objects.filter(participant=OuterRef("pk"))
    counts = (
        participants.annotate(
            any_event=Exists(events),
            grade_3=Exists(events.filter(grade__gte=grading.SEVERE_GRADE)),
            sae=Exists(events.filter(serious=True)),
            died=Exists(DeathReport.objects.filter(participant=OuterRef("pk"))),
        )
        .values("arm")
        .annotate(
            n=Count("pk"),
            with_event=Count("pk", filter=Q(any_event=True)),
            with_grade_3=Count("pk", filter=Q(grade_3=True)),
            with_sae=Count("pk", filter=Q(sae=True)),
            deaths=Count("pk", filter=Q(died=True)),
        )
        .order_by("arm")
    )
    arms = {number: ArmSafety(number, arm_label(number)) for number in sorted(ARMS)} | {
        NOT_ASSIGNED: ArmSafety(NOT_ASSIGNED, "")
    }
    for row in counts:
        summary = arms[row["arm"] or NOT_ASSIGNED]
        summary.participants = row["n"]
        summary.with_event = row["with_event"]
        summary.with_grade_3 = row["with_grade_3"]
        summary.with_sae = row["with_sae"]
        summary.deaths = row["deaths"]
    # Per term and arm: the participants and the worst grade (the coded term for "other").
    per_term = (
        AdverseEvent.objects.for_user(user, Action.VIEW_SAFETY_REPORT)
        .filter(grade__isnull=False)
        .annotate(arm=signed_arm(LATEST_SIGNED, "participant"))
        .annotate(
            shown=Coalesce(F("coded_term__term"), F("term__term")),
            shown_soc=Coalesce(F("coded_term__soc"), F("term__soc")),
        )
        .values("shown", "shown_soc", "arm")
        .annotate(people=Count("participant", distinct=True), worst=Max("grade"))
        .order_by("shown_soc", "shown", "arm")
    )
    terms: dict[tuple[str, str], TermRow] = {}
    for term_row in per_term:
        item = cast("dict[str, Any]", term_row)
        key = (item["shown_soc"], item["shown"])
        term = terms.setdefault(key, TermRow(item["shown"], item["shown_soc"], defaultdict()))
        arm = item["arm"] or NOT_ASSIGNED
        people, worst = term.by_arm.get(arm, (0, 0))
        term.by_arm[arm] = (people + item["people"], max(worst, item["worst"]))
    order = (*sorted(ARMS), NOT_ASSIGNED)
    for term in terms.values():
        term.cells = [term.by_arm.get(n) for n in order]
    return SafetyReport(
        arms=[arms[n] for n in order],
        terms=sorted(
            terms.values(), key=lambda t: (-max(w for _p, w in t.by_arm.values()), t.term)
        ),
    )
