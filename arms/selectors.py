"""Arm assignment reads, always through `access.scoping`.

Functions that take a participant or an assignment expect the caller to have fetched it with
`get_for_user_or_404`; what they return hangs off it, so it inherits the scope. Each makes a
fixed number of queries, whatever the number of assessments, lesions or assignments.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

from access.roles import Action
from access.scoping import get_for_user_or_404
from assessments.models import BaselineLesion, LesionMeasurement, Surgery, TherapyLine
from enrollment.models import Participant

from . import deviations
from .models import LATEST_SIGNED, ArmAssignment
from .rules import SURGERY_1, SURGERY_2, SYSTEMIC

QUEUE_PAGE_SIZE = 25


# --- Review queue -----------------------------------------------------------------------------


def review_queue(user: Any) -> QuerySet[ArmAssignment]:
    """Pending proposals at the sites where `user` may sign, the longest waiting first."""
    return (
        ArmAssignment.objects.for_user(user, Action.SIGN_ARM)
        .filter(status=ArmAssignment.Status.PENDING)
        .select_related("participant__site")
        .order_by("created_at", "pk")
    )


def review_queue_page(user: Any, page_number: Any) -> Page:
    return Paginator(review_queue(user), QUEUE_PAGE_SIZE).get_page(page_number)


def assignment_for_user(user: Any, pk: int) -> ArmAssignment:
    """One assignment of the user's sites (anyone who may see participants may see it)."""
    return get_for_user_or_404(
        ArmAssignment.objects.select_related("participant__site", "assessment", "signature"),
        user,
        Action.VIEW_PARTICIPANTS,
        pk=pk,
    )


def participant_for_user(user: Any, pk: int) -> Participant:
    return get_for_user_or_404(Participant.objects.select_related("site"), user, pk=pk)


# --- Evidence for one proposal ----------------------------------------------------------------


@dataclass(frozen=True)
class LesionRow:
    lesion: BaselineLesion
    measurement: LesionMeasurement | None


@dataclass(frozen=True)
class ReviewEvidence:
    assignment: ArmAssignment
    lesions: list[LesionRow]
    previous: ArmAssignment | None  # the arm in force before this assessment, if any


def review_evidence(assignment: ArmAssignment) -> ReviewEvidence:
    """What the investigator needs on one page: lesions then and now, responses, previous arm."""
    measurements = {
        m.lesion_id: m
        for m in LesionMeasurement.objects.filter(assessment_id=assignment.assessment_id)
    }
    lesions = [
        LesionRow(lesion, measurements.get(lesion.pk))
        for lesion in BaselineLesion.objects.filter(
            baseline__participant_id=assignment.participant_id
        )
    ]
    previous = (
        ArmAssignment.objects.signed()
        .filter(participant_id=assignment.participant_id)
        .filter(assessment_date__lt=assignment.assessment_date)
        .select_related("signature")
        .order_by(*LATEST_SIGNED)
        .first()
    )
    return ReviewEvidence(assignment=assignment, lesions=lesions, previous=previous)


# --- Current arm and history ------------------------------------------------------------------


def current_assignment(participant: Participant) -> ArmAssignment | None:
    """The current arm: the signed assignment of the latest assessment (spec section 3)."""
    return (
        ArmAssignment.objects.signed()
        .filter(participant=participant)
        .select_related("signature")
        .order_by(*LATEST_SIGNED)
        .first()
    )


@dataclass
class ArmHistory:
    participant: Participant
    assignments: list[ArmAssignment]  # every assignment, newest assessment first
    current: ArmAssignment | None
    treatment_deviations: list[deviations.TreatmentDeviation] = field(default_factory=list)

    @property
    def pending(self) -> list[ArmAssignment]:
        return [a for a in self.assignments if a.is_pending]

    @property
    def overrides(self) -> list[ArmAssignment]:
        return [a for a in self.assignments if a.is_protocol_deviation]

    @property
    def not_evaluable(self) -> list[ArmAssignment]:
        return [a for a in self.assignments if a.status == ArmAssignment.Status.NOT_EVALUABLE]


def _surgery_intervention(surgery: Surgery) -> str:
    return SURGERY_2 if surgery.procedure == Surgery.Procedure.METASTASIS_RESECTION else SURGERY_1


def delivered_treatments(
    surgeries: list[Surgery], therapy_lines: list[TherapyLine]
) -> list[deviations.DeliveredTreatment]:
    """Surgeries and the starts of systemic regimens, as the deviation rule sees them."""
    treatments = [
        deviations.DeliveredTreatment(
            date=s.surgery_date,
            intervention=_surgery_intervention(s),
            description=str(s.get_procedure_display()),
            record_id=s.pk,
        )
        for s in surgeries
    ]
    treatments += [
        deviations.DeliveredTreatment(
            date=t.start_date,
            intervention=SYSTEMIC,
            description=f"{t.get_category_display()}: {t.agents}",
            record_id=t.pk,
        )
        for t in therapy_lines
    ]
    return treatments


def arm_history(participant: Participant) -> ArmHistory:
    """Every assignment of `participant` with its signature, the current arm, and deviations.

    Three queries: assignments (with signatures and signers), surgeries, therapy lines.
    """
    assignments = list(
        ArmAssignment.objects.filter(participant=participant)
        .select_related("signature__signer", "assessment")
        .order_by("-assessment_date", "-pk")
    )
    signed = [a for a in assignments if a.is_signed]
    current = signed[0] if signed else None
    treatments = delivered_treatments(
        list(Surgery.objects.filter(participant=participant)),
        list(TherapyLine.objects.filter(participant=participant)),
    )
    found = deviations.treatment_deviations(
        [
            # A signed assignment has its confirmed arm.
            deviations.SignedArm(cast(int, a.confirmed_arm), a.assessment_date, a.pk)
            for a in signed
        ],
        treatments,
    )
    return ArmHistory(
        participant=participant,
        assignments=assignments,
        current=current,
        treatment_deviations=found,
    )
