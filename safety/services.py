"""Safety writes: the adverse event and its alert, the SAE follow-up reports, the
investigator's signed causality assessment, the coding of "other, specify" terms, the death
report and the radiotherapy log.

Each checks the user's right (`access.roles.require`), runs its form's rules
(`safety.validators`) and writes through `audit.services.save_record`. Marking an event
serious alerts the site's investigators and the trial's safety contacts in the same
transaction (in-app and through the outbox, each once: unique keys). The death report's use
case, which also closes the follow-up visits, is `workflow.services.record_death`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, override
from django.utils.translation import gettext_lazy as _

from access.models import User
from access.roles import Action, require, roles_allowed
from assessments.models import Surgery, TherapyLine
from audit import signatures
from audit.lifecycle import Move
from audit.models import CrfStatus
from audit.services import STALE_RECORD, StaleRecordError, complete_form, save_record
from enrollment.models import Participant
from followup.models import Visit
from notifications.services import (
    NewNotification,
    NewOutboxMessage,
    notifications_create,
    notifications_mark_done_for_everyone,
    outbox_enqueue,
)

from . import grading
from .models import (
    RELATIONSHIP_FIELDS,
    AdverseEvent,
    CausalityAssessment,
    CtcaeTerm,
    DeathReport,
    Precision,
    Radiotherapy,
    Relationship,
    SaeFollowUp,
)
from .validators import (
    AdverseEventContext,
    DeathContext,
    adverse_event_errors,
    death_report_errors,
    follow_up_errors,
    radiotherapy_errors,
)

ADVERSE_EVENT_FIELDS = (
    "term",
    "other_specify",
    "grade",
    "onset_date",
    "onset_precision",
    "ongoing",
    "resolution_date",
    "resolution_precision",
    *grading.SERIOUSNESS_CRITERIA,
    "aware_at",
    *RELATIONSHIP_FIELDS,
    "action_taken",
    "outcome",
    "surgery",
    "clavien_dindo",
    "reoperation",
)
DEATH_REPORT_FIELDS = (
    "death_date",
    "primary_cause",
    "cause_detail",
    "autopsy",
    "information_source",
)
RADIOTHERAPY_FIELDS = ("treated_site", "dose_gy", "fractions", "start_date", "end_date")
FOLLOW_UP_FIELDS = ("report_date", "outcome", "resolution_date", "narrative")

REPORTED_REASON = "Adverse event reported"
RESOLVED_REASON = "Resolved, as the follow-up report of {date} says"
CODED_REASON = "Other term coded as {term} ({code})"
NOT_SERIOUS = _("Only a serious adverse event has a causality assessment to sign.")
NOT_OTHER = _('Only an "other, specify" term is coded by a data manager.')
CODE_TO_SPECIFIC = _('Code the event to a specific term, not to another "other, specify".')
WRONG_PASSWORD = signatures.WRONG_PASSWORD
NOT_ALLOWED_TO_ASSESS = _("Only an investigator of the participant's site can sign this.")

ALERT_KIND = "sae_alert"
ASSESSMENT_MEANING = (
    "I have assessed serious adverse event {event}: relationship to the first operation: "
    "{surgery_1}; to the second operation: {surgery_2}; to the current systemic therapy: "
    "{systemic}; {expected}."
)


class SignatureRefused(Exception):
    """Nothing was signed; `field` names the form field the message belongs to."""

    def __init__(self, message: Any, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def _values(record: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(record, name) for name in fields}


def site_today(participant: Participant) -> dt.date:
    return timezone.now().astimezone(ZoneInfo(participant.site.time_zone)).date()


# --- Adverse events ---------------------------------------------------------------------------


def received_interventions(participant: Participant) -> tuple[list[Surgery], bool]:
    """The participant's operations in date order, and whether she received systemic therapy:
    the interventions an event's relationship is asked for."""
    surgeries = list(Surgery.objects.filter(participant=participant).order_by("surgery_date", "pk"))
    systemic = TherapyLine.objects.filter(participant=participant).exists()
    return surgeries, systemic


def adverse_event_context(
    event: AdverseEvent, *, now: dt.datetime | None = None
) -> AdverseEventContext:
    participant = event.participant
    now = now or timezone.now()
    surgeries, systemic = received_interventions(participant)
    term = event.term if event.term_id else None
    surgery = next((s for s in surgeries if s.pk == event.surgery_id), None)
    return AdverseEventContext(
        diagnosis_date=participant.diagnosis_date,
        today=now.astimezone(ZoneInfo(participant.site.time_zone)).date(),
        now=now,
        grade_definitions=term.grade_definitions() if term else {},
        is_other_specify=term.is_other_specify if term else False,
        operations=len(surgeries),
        systemic_therapy=systemic,
        surgery_date=surgery.surgery_date if surgery else None,
    )


def adverse_event_save(
    *,
    event: AdverseEvent,
    user: Any,
    reason: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> AdverseEvent:
    """Save an adverse event; an entered one is completed in the same write (a grade 5 event
    waits for its death report). Marking it serious alerts the site's investigators and the
    safety contacts at once, in this transaction, once per event."""
    require(user, Action.ENTER_DATA, event.participant.site_id)
    now = now or timezone.now()
    errors = adverse_event_errors(
        _values(event, ADVERSE_EVENT_FIELDS), adverse_event_context(event, now=now)
    )
    if errors:
        raise ValidationError(errors)
    event.serious = grading.is_serious(event.criteria)
    if not event.serious:
        event.aware_at = None
    if event.ongoing:
        event.resolution_date, event.resolution_precision = None, Precision.DAY
    with transaction.atomic():
        if event.surgery_id is not None:
            # The operation's date that the event carries is read under the operation's lock,
            # which `surgery_save` takes too: a date corrected meanwhile is the one copied.
            event.surgery = Surgery.objects.select_for_update().get(pk=event.surgery_id)
        completes = event.crf_status == CrfStatus.DRAFT and _may_complete(event)
        save_record(
            event,
            user=user,
            reason=reason or ("" if event.needs_reason_for_change else REPORTED_REASON),
            expected_version=expected_version if event.pk else None,
            move=Move.COMPLETE if completes else None,
            now=now,
        )
        if event.serious:
            alert_serious_event(event=event)
    return event


def _may_complete(event: AdverseEvent) -> bool:
    if not event.is_entered:
        return False
    # A grade 5 event is completed once the death report exists.
    return not grading.requires_death_report(event.grade) or has_death_report(event.participant_id)


def has_death_report(participant_id: int) -> bool:
    return DeathReport.objects.filter(participant_id=participant_id).exists()


def safety_contacts() -> list[str]:
    """The trial's safety contacts (the sponsor's pharmacovigilance desk): e-mail only."""
    return [address for address in getattr(settings, "SAFETY_CONTACT_EMAILS", []) if address]


def sae_alert_recipients(site_id: int) -> list[User]:
    """The active users whose role at the site is alerted of its serious adverse events."""
    return list(
        User.objects.filter(
            is_active=True,
            memberships__site_id=site_id,
            memberships__role__in=roles_allowed(Action.RECEIVE_SAE_ALERTS),
        )
        .distinct()
        .order_by("pk")
    )


def alert_key(event_id: int) -> str:
    return f"sae:{event_id}"


def alert_serious_event(*, event: AdverseEvent) -> int:
    """Alert the site's investigators (in-app and e-mail) and the safety contacts (e-mail) of a
    serious adverse event, in the caller's transaction. The keys make it once per event: a
    later save of the same event alerts nobody again. Returns the number of recipients."""
    participant = event.participant
    recipients = sae_alert_recipients(participant.site_id)
    url = reverse("safety:ae_detail", args=[event.pk])
    # A serious event has its awareness time (the validator and a constraint say so).
    clock = grading.sae_clock(cast(dt.datetime, event.aware_at))
    zone = ZoneInfo(participant.site.time_zone)
    with override(settings.LANGUAGE_CODE):
        subject = gettext("Serious adverse event: %(participant)s, %(term)s grade %(grade)s") % {
            "participant": participant.study_id,
            "term": event.term.term,
            "grade": event.grade,
        }
        message = gettext(
            "%(participant)s: serious adverse event %(term)s, grade %(grade)s, site aware at "
            "%(aware)s. Report due by %(deadline)s (24 hours). Assess and sign its causality."
        ) % {
            "participant": participant.study_id,
            "term": event.term.term,
            "grade": event.grade,
            "aware": f"{clock.aware_at.astimezone(zone):%Y-%m-%d %H:%M}",
            "deadline": f"{clock.deadline.astimezone(zone):%Y-%m-%d %H:%M}",
        }
    key = alert_key(event.pk)
    notifications_create(
        notifications=[
            NewNotification(
                recipient_id=user.pk, kind=ALERT_KIND, message=message, url=url, key=key
            )
            for user in recipients
        ]
    )
    body = f"{message}\n\n{url}"
    outbox_enqueue(
        messages=[
            NewOutboxMessage(
                kind=ALERT_KIND,
                key=f"{key}:email:{user.pk}",
                recipient=user.email,
                subject=subject,
                body=body,
            )
            for user in recipients
            if user.email
        ]
        + [
            NewOutboxMessage(
                kind=ALERT_KIND,
                key=f"{key}:contact:{address}",
                recipient=address,
                subject=subject,
                body=body,
            )
            for address in safety_contacts()
        ]
    )
    return len(recipients) + len(safety_contacts())


@dataclass(frozen=True)
class CausalityEntry:
    relationship_surgery_1: str
    relationship_surgery_2: str
    relationship_systemic: str
    expected: bool
    comment: str = ""


def assess_causality(
    *,
    event: AdverseEvent,
    user: Any,
    password: str,
    entry: CausalityEntry,
    expected_version: int,
    now: dt.datetime | None = None,
) -> CausalityAssessment:
    """The investigator's causality and expectedness assessment, signed with the password
    (the same signature as the arm decision). The event's row lock makes "at the version the
    investigator read" and the signature one step."""
    if not user.can(Action.ASSESS_SAE, event.participant.site_id):
        raise PermissionDenied(NOT_ALLOWED_TO_ASSESS)
    try:
        signatures.check_password(user, password)
    except signatures.PasswordRefused as exc:
        raise SignatureRefused(WRONG_PASSWORD, field="password") from exc
    with transaction.atomic():
        locked = (
            AdverseEvent.objects.select_for_update()
            .select_related("term", "participant")
            .get(pk=event.pk)
        )
        if locked.version != expected_version:
            raise StaleRecordError(STALE_RECORD)
        if not locked.serious:
            raise SignatureRefused(NOT_SERIOUS)
        surgeries, systemic = received_interventions(locked.participant)
        received = {
            "relationship_surgery_1": len(surgeries) >= 1,
            "relationship_surgery_2": len(surgeries) >= 2,
            "relationship_systemic": systemic,
        }
        values = {}
        for name in RELATIONSHIP_FIELDS:
            value = getattr(entry, name) if received[name] else ""
            if received[name] and value not in Relationship.values:
                raise SignatureRefused(_("Give the relationship."), field=name)
            values[name] = value

        def label(name: str) -> str:
            return str(Relationship(values[name]).label) if values[name] else "not received"

        with override("en"):
            meaning = ASSESSMENT_MEANING.format(
                event=f"{locked.participant.study_id} {locked.term.term} grade {locked.grade}",
                surgery_1=label("relationship_surgery_1"),
                surgery_2=label("relationship_surgery_2"),
                systemic=label("relationship_systemic"),
                expected="expected" if entry.expected else "unexpected",
            )
        signature = signatures.sign(
            signer=user,
            record=locked,
            record_version=locked.version,
            meaning=meaning,
            signed_at=now,
        )
        assessment = CausalityAssessment(
            adverse_event=locked,
            adverse_event_version=locked.version,
            expected=entry.expected,
            comment=entry.comment.strip(),
            signature=signature,
            **values,
        )
        save_record(assessment, user=user, reason=f"Signed: {meaning}")
        notifications_mark_done_for_everyone(key=alert_key(locked.pk))
    return assessment


def code_other_term(
    *, event: AdverseEvent, user: Any, coded_term: CtcaeTerm, expected_version: int
) -> AdverseEvent:
    """A data manager codes an "other, specify" event to a specific CTCAE term."""
    require(user, Action.CODE_TERMS, event.participant.site_id)
    if not event.term.is_other_specify:
        raise ValidationError({"coded_term": [NOT_OTHER]})
    if coded_term.is_other_specify:
        raise ValidationError({"coded_term": [CODE_TO_SPECIFIC]})
    event.coded_term = coded_term
    return save_record(
        event,
        user=user,
        reason=CODED_REASON.format(term=coded_term.term, code=coded_term.meddra_code),
        expected_version=expected_version,
    )


# --- SAE follow-up ----------------------------------------------------------------------------


def follow_up_save(
    *,
    follow_up: SaeFollowUp,
    user: Any,
    reason: str = "",
    expected_version: int | None = None,
    today: dt.date | None = None,
) -> SaeFollowUp:
    """Save a follow-up report (completed in the same write); one whose outcome ends the event
    closes it: the event takes the outcome and the resolution date."""
    event = follow_up.adverse_event
    require(user, Action.ENTER_DATA, event.participant.site_id)
    errors = follow_up_errors(
        _values(follow_up, FOLLOW_UP_FIELDS),
        onset_date=event.onset_date,
        today=today or site_today(event.participant),
    )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        new = follow_up.pk is None
        save_record(
            follow_up,
            user=user,
            reason=reason,
            expected_version=expected_version if not new else None,
            move=Move.COMPLETE if new else None,
        )
        if follow_up.closes_event:
            locked = AdverseEvent.objects.select_for_update().get(pk=event.pk)
            locked.outcome = follow_up.outcome
            locked.ongoing = False
            locked.resolution_date = follow_up.resolution_date
            locked.resolution_precision = Precision.DAY
            save_record(
                locked,
                user=user,
                reason=RESOLVED_REASON.format(date=f"{follow_up.report_date:%Y-%m-%d}"),
                expected_version=locked.version,
            )
    return follow_up


# --- Death report and radiotherapy -----------------------------------------------------------


def death_context(participant: Participant, today: dt.date) -> DeathContext:
    latest = Visit.objects.filter(participant=participant).aggregate(
        alive=Max("last_known_alive"),
        distant=Max("distant_progression_date"),
        locoregional=Max("locoregional_recurrence_date"),
    )
    return DeathContext(
        diagnosis_date=participant.diagnosis_date,
        today=today,
        last_known_alive=latest["alive"],
        distant_progression_date=latest["distant"],
        locoregional_recurrence_date=latest["locoregional"],
    )


def death_report_save(
    *,
    report: DeathReport,
    user: Any,
    reason: str = "",
    expected_version: int | None = None,
    today: dt.date | None = None,
) -> DeathReport:
    """Save the death report (completed in the same write). Called by
    `workflow.services.record_death` alone, which also closes the visits."""
    participant = report.participant
    require(user, Action.ENTER_DATA, participant.site_id)
    errors = death_report_errors(
        _values(report, DEATH_REPORT_FIELDS),
        death_context(participant, today or site_today(participant)),
    )
    if errors:
        raise ValidationError(errors)
    new = report.pk is None
    save_record(
        report,
        user=user,
        reason=reason,
        expected_version=expected_version if not new else None,
        move=Move.COMPLETE if new else None,
    )
    # A grade 5 event that waited for this report is complete now.
    for event in AdverseEvent.objects.filter(
        participant=participant, grade=grading.DEATH_GRADE, crf_status=CrfStatus.DRAFT
    ):
        if event.is_entered:
            complete_form(record=event, user=user)
    return report


def radiotherapy_save(
    *,
    course: Radiotherapy,
    user: Any,
    reason: str = "",
    expected_version: int | None = None,
    today: dt.date | None = None,
) -> Radiotherapy:
    participant = course.participant
    require(user, Action.ENTER_DATA, participant.site_id)
    errors = radiotherapy_errors(
        _values(course, RADIOTHERAPY_FIELDS),
        diagnosis_date=participant.diagnosis_date,
        today=today or site_today(participant),
    )
    if errors:
        raise ValidationError(errors)
    new = course.pk is None
    return save_record(
        course,
        user=user,
        reason=reason,
        expected_version=expected_version if not new else None,
        move=Move.COMPLETE if new else None,
    )
