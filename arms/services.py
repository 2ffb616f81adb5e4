"""Arm assignment writes: propose by rule, confirm or override under an electronic signature.

`propose_assignment` is called by `workflow.services.save_assessment` for every
completed response assessment. `assignment_confirm` and `assignment_override` are the only
ways to sign: both check the signer's right at the participant's site and their password
(the two components of a non-biometric signature, 21 CFR 11.200(a)), lock the assignment and
refuse anything but a pending one at the version the signer saw.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext, override
from django.utils.translation import gettext_lazy as _

from access.languages import language_of
from access.models import User
from access.roles import Action, roles_allowed
from assessments.models import ResponseAssessment
from assessments.recist import NE
from audit import signatures
from audit.services import STALE_RECORD, StaleRecordError, save_record
from notifications.services import (
    NewNotification,
    NewOutboxMessage,
    notifications_create,
    notifications_mark_done_for_everyone,
    outbox_enqueue,
    outbox_withdraw,
)

from .labels import arm_label
from .models import ArmAssignment
from .rules import ARMS, RULES_VERSION, assign_arm

NOT_COMPLETE = _("Only a completed assessment yields an arm proposal.")
NOT_EVALUABLE = _(
    "The assessment of %(date)s is not evaluable (%(compartments)s): no arm proposed."
)
NOT_ASSESSED = _(
    "The assessment of %(date)s has no overall response for %(compartments)s: no arm proposed."
)
WRONG_PASSWORD = signatures.WRONG_PASSWORD
NOT_PENDING = _("This assignment has already been decided; nothing was signed.")
NOT_ALLOWED = _("Only an investigator of the participant's site can sign its arm assignment.")
OVERRIDE_SAME_ARM = _("An override must assign a different arm than the proposed one.")
OVERRIDE_NEEDS_REASON = _("Give the reason for assigning another arm than the proposed one.")
UNKNOWN_ARM = _("Choose one of the protocol's four arms.")

# The meaning of each signature, in the words the signer sees above the password field, in the
# language of the page they signed on (21 CFR 11.50): the signature stores the text and its
# language, and is shown as stored. The confirmation is the page's own msgid.
CONFIRM_MEANING = _("I confirm the assignment to arm %(arm)s.")
OVERRIDE_MEANING = _(
    "I assign arm %(arm)s instead of the proposed arm %(proposed)s because: %(reason)s"
)

NOTIFICATION_KIND = "arm_proposal"


class SignatureRefused(Exception):
    """Nothing was signed; `field` names the form field the message belongs to, if any."""

    def __init__(self, message: Any, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


# --- Proposal ---------------------------------------------------------------------------------


def _compartment_names(assessment: ResponseAssessment, value: str) -> str:
    names = []
    if assessment.primary_response == value:
        names.append(gettext("primary"))
    if assessment.metastatic_response == value:
        names.append(gettext("metastases"))
    return ", ".join(names)


def propose_assignment(*, assessment: ResponseAssessment, user: Any) -> ArmAssignment:
    """The arm proposal for a completed assessment; the existing one when it was made already.

    An "NE" compartment (or one with no response at all) gives no arm: the row then records
    why, so the casebook can say it. Investigators of the site are told after the commit.
    """
    if not assessment.is_complete:
        raise ValidationError(NOT_COMPLETE)
    existing = ArmAssignment.objects.filter(assessment_id=assessment.pk).first()
    if existing is not None:
        return existing
    primary, metastatic = assessment.primary_response, assessment.metastatic_response
    record = ArmAssignment(
        participant_id=assessment.participant_id,
        site_id=assessment.participant.site_id,
        assessment=assessment,
        assessment_date=assessment.assessment_date,
        primary_response=primary,
        metastatic_response=metastatic,
        rules_version=RULES_VERSION,
    )
    date = f"{assessment.assessment_date:%Y-%m-%d}"
    arm = assign_arm(primary, metastatic) if primary and metastatic else None
    if arm is not None:
        record.proposed_arm = arm.number
    else:
        record.status = ArmAssignment.Status.NOT_EVALUABLE
        # Stored in the trial's language, like every other record text.
        with override(settings.LANGUAGE_CODE):
            template, missing = (
                (NOT_EVALUABLE, NE) if primary and metastatic else (NOT_ASSESSED, "")
            )
            record.no_proposal_reason = str(template) % {
                "date": date,
                "compartments": _compartment_names(assessment, missing),
            }
    reason = f"Proposed by the arm rules v{RULES_VERSION} from the assessment of {date}"
    try:
        # A savepoint: a concurrent completion of the same assessment loses on the unique
        # assessment and reads the winner's row instead.
        with transaction.atomic():
            save_record(record, user=user, reason=reason)
            if record.is_pending:
                # In the proposal's own transaction: the investigators' notifications and
                # e-mails (through the outbox) exist exactly when the proposal does,
                # whatever the broker does.
                notify_investigators(assignment_id=record.pk)
    except IntegrityError:
        return ArmAssignment.objects.get(assessment_id=assessment.pk)
    return record


# --- Notification -----------------------------------------------------------------------------


def investigators_of_site(site_id: int) -> list[User]:
    """The active users whose role at the site lets them sign an arm (access.roles decides)."""
    signing_roles = roles_allowed(Action.SIGN_ARM)
    return list(
        User.objects.filter(
            is_active=True, memberships__site_id=site_id, memberships__role__in=signing_roles
        )
        .select_related("preference")
        .distinct()
    )


def notify_investigators(*, assignment_id: int) -> int:
    """Tell the site's investigators that a proposal awaits them: in-app, and by e-mail.

    Runs in the transaction that created the proposal: the in-app notifications are written
    there, the e-mails are enqueued in the outbox (one per investigator, keyed by assignment
    and investigator, so a second call tells nobody twice). Signing the proposal withdraws
    the e-mails that have not left yet. Returns how many investigators were told.
    """
    assignment = (
        ArmAssignment.objects.select_related("participant")
        .filter(pk=assignment_id, status=ArmAssignment.Status.PENDING)
        .first()
    )
    if assignment is None:
        return 0
    recipients = investigators_of_site(assignment.participant.site_id)
    url = reverse("arms:review", args=[assignment.pk])
    # Each investigator reads the proposal in their own language, chosen when it is written.
    texts = {
        language: _proposal_texts(assignment, language)
        for language in {language_of(user) for user in recipients}
    }
    notifications_create(
        notifications=[
            NewNotification(
                recipient_id=user.pk,
                kind=NOTIFICATION_KIND,
                message=texts[language_of(user)][1],
                url=url,
                key=_notification_key(assignment.pk),
            )
            for user in recipients
        ]
    )
    outbox_enqueue(
        messages=[
            NewOutboxMessage(
                kind=NOTIFICATION_KIND,
                key=f"{_email_key_prefix(assignment.pk)}{user.pk}",
                recipient=user.email,
                subject=texts[language_of(user)][0],
                body=f"{texts[language_of(user)][1]}\n\n{url}",
            )
            for user in recipients
            if user.email
        ]
    )
    return len(recipients)


def _proposal_texts(assignment: ArmAssignment, language: str) -> tuple[str, str]:
    """The e-mail subject and the message of a proposal, in `language`."""
    with override(language):
        subject = gettext("Arm proposal awaiting your review: %(participant)s") % {
            "participant": assignment.participant.study_id
        }
        message = gettext(
            "%(participant)s: the assessment of %(date)s proposes arm %(arm)s (%(label)s). "
            "Review and sign it."
        ) % {
            "participant": assignment.participant.study_id,
            "date": f"{assignment.assessment_date:%Y-%m-%d}",
            "arm": assignment.proposed_arm,
            # A pending assignment is a rule's proposal: it has its arm.
            "label": arm_label(assignment.proposed_arm),
        }
    return subject, message


def _notification_key(assignment_id: int) -> str:
    return f"arm_assignment:{assignment_id}"


def _email_key_prefix(assignment_id: int) -> str:
    return f"arm_assignment:{assignment_id}:email:"


# --- Signature --------------------------------------------------------------------------------


def _check_signer(*, assignment: ArmAssignment, user: Any, password: str) -> None:
    if not user.can(Action.SIGN_ARM, assignment.participant.site_id):
        raise PermissionDenied(NOT_ALLOWED)
    try:
        signatures.check_password(user, password)
    except signatures.PasswordRefused as exc:
        raise SignatureRefused(WRONG_PASSWORD, field="password") from exc


def sign_decision(
    *,
    assignment: ArmAssignment,
    user: Any,
    arm: int,
    override_reason: str = "",
    expected_version: int,
    signed_at: dt.datetime | None = None,
) -> ArmAssignment:
    """Record a decision and its signature. The caller has established the signer's identity.

    Only `assignment_confirm`, `assignment_override` (which check the password) and the demo
    seeding call this. The row lock makes "is it still pending, at this version?" and the
    write one step: a double-click, a replayed POST or a second investigator signing at the
    same moment finds the assignment decided and signs nothing.
    """
    with transaction.atomic():
        locked = (
            ArmAssignment.objects.select_for_update()
            .select_related("participant")
            .get(pk=assignment.pk)
        )
        if locked.status != ArmAssignment.Status.PENDING:
            raise SignatureRefused(NOT_PENDING)
        if expected_version != locked.version:
            raise StaleRecordError(STALE_RECORD)
        if arm not in ARMS:
            raise SignatureRefused(UNKNOWN_ARM, field="arm")
        is_override = arm != locked.proposed_arm
        reason = override_reason.strip()
        if is_override and not reason:
            raise SignatureRefused(OVERRIDE_NEEDS_REASON, field="reason")
        meaning = (
            OVERRIDE_MEANING % {"arm": arm, "proposed": locked.proposed_arm, "reason": reason}
            if is_override
            else CONFIRM_MEANING % {"arm": arm}
        )
        signature = signatures.sign(
            signer=user,
            record=locked,
            record_version=locked.version,
            meaning=meaning,
            signed_at=signed_at,
        )
        locked.confirmed_arm = arm
        locked.overridden = is_override
        locked.override_reason = reason if is_override else ""
        locked.status = (
            ArmAssignment.Status.OVERRIDDEN if is_override else ArmAssignment.Status.CONFIRMED
        )
        locked.carry_signature(signature)
        save_record(locked, user=user, reason=f"Signed: {meaning}", expected_version=locked.version)
        # The proposal no longer awaits anyone: the other investigators' bells stop pointing
        # at it, and e-mails still in the outbox (a proposal made during an outage, or the
        # demo seeding, which signs in the proposal's transaction) are not sent.
        notifications_mark_done_for_everyone(key=_notification_key(locked.pk))
        outbox_withdraw(key_prefix=_email_key_prefix(locked.pk))
    return locked


def assignment_confirm(
    *, assignment: ArmAssignment, user: Any, password: str, expected_version: int
) -> ArmAssignment:
    """Confirm the proposed arm under the investigator's signature."""
    _check_signer(assignment=assignment, user=user, password=password)
    if assignment.proposed_arm is None:
        raise SignatureRefused(NOT_PENDING)
    return sign_decision(
        assignment=assignment,
        user=user,
        arm=assignment.proposed_arm,
        expected_version=expected_version,
    )


def assignment_override(
    *,
    assignment: ArmAssignment,
    user: Any,
    password: str,
    expected_version: int,
    arm: int,
    reason: str,
) -> ArmAssignment:
    """Assign another arm than the proposed one, with a reason, under a signature.

    Protocol deviation by definition: the row is flagged `overridden`.
    """
    if arm == assignment.proposed_arm:
        raise SignatureRefused(OVERRIDE_SAME_ARM, field="arm")
    if not reason or not reason.strip():
        raise SignatureRefused(OVERRIDE_NEEDS_REASON, field="reason")
    _check_signer(assignment=assignment, user=user, password=password)
    return sign_decision(
        assignment=assignment,
        user=user,
        arm=arm,
        override_reason=reason,
        expected_version=expected_version,
    )
