"""Reads for the assessments app, always through `access.scoping`.

`casebook_assessments` takes a participant that the caller already fetched with
`get_for_user_or_404`; everything it returns hangs off that participant, so it inherits the
scope. Its query count is fixed (six), whatever the number of assessments.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet

from access.roles import Action
from access.scoping import SiteScopedQuerySet, get_for_user_or_404
from enrollment.models import Participant

from .models import (
    Baseline,
    BaselineLesion,
    Compartment,
    LesionMeasurement,
    ResponseAssessment,
    Surgery,
    TherapyLine,
)


@dataclass(frozen=True)
class CasebookEntry:
    date: dt.date
    kind: str  # "baseline" | "therapy" | "assessment" | "surgery"
    record: Any


@dataclass
class AssessmentsCasebook:
    participant: Participant
    baseline: Baseline | None
    lesions: list[BaselineLesion]
    therapy_lines: list[TherapyLine]
    assessments: list[ResponseAssessment]
    surgeries: list[Surgery]
    entries: list[CasebookEntry] = field(default_factory=list)

    @property
    def lesions_locked(self) -> bool:
        return bool(self.assessments)


def participants_for_user(user: Any) -> QuerySet[Participant]:
    return Participant.objects.for_user(user, Action.VIEW_PARTICIPANTS).select_related(
        "site", "baseline"
    )


def participant_for_user(user: Any, pk: int) -> Participant:
    return get_for_user_or_404(Participant.objects.select_related("site"), user, pk=pk)


def record_for_user(queryset: SiteScopedQuerySet[Any], user: Any, pk: int) -> Any:
    """A therapy line, assessment or surgery of one of the user's sites, with its participant."""
    return get_for_user_or_404(queryset.select_related("participant__site"), user, pk=pk)


def measurements_prefetch() -> Prefetch:
    return Prefetch(
        "measurements",
        queryset=LesionMeasurement.objects.select_related("lesion"),
    )


def casebook_assessments(participant: Participant) -> AssessmentsCasebook:
    """Baseline, therapy, response assessments and surgery of `participant`, in date order."""
    baseline = Baseline.objects.filter(participant=participant).first()
    lesions = baseline_lesions(participant)
    therapy_lines = list(TherapyLine.objects.filter(participant=participant))
    assessments = list(
        ResponseAssessment.objects.filter(participant=participant).prefetch_related(
            measurements_prefetch()
        )
    )
    surgeries = list(Surgery.objects.filter(participant=participant))
    entries = []
    if baseline is not None:
        entries.append(CasebookEntry(baseline.baseline_date, "baseline", baseline))
    entries += [CasebookEntry(t.start_date, "therapy", t) for t in therapy_lines]
    entries += [CasebookEntry(a.assessment_date, "assessment", a) for a in assessments]
    entries += [CasebookEntry(s.surgery_date, "surgery", s) for s in surgeries]
    # Stable sort: on one day, baseline before therapy before assessment before surgery.
    entries.sort(key=lambda e: e.date)
    return AssessmentsCasebook(
        participant=participant,
        baseline=baseline,
        lesions=lesions,
        therapy_lines=therapy_lines,
        assessments=assessments,
        surgeries=surgeries,
        entries=entries,
    )


def baseline_lesions(participant: Participant) -> list[BaselineLesion]:
    """The participant's baseline lesions, primary compartment first, then by number."""
    return sorted(
        BaselineLesion.objects.filter(baseline__participant=participant),
        key=lambda lesion: (lesion.compartment != Compartment.PRIMARY, lesion.number),
    )
