"""Proposal, signature, current arm and notifications, through the services."""

import datetime as dt
import itertools

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from arms import services
from arms.models import FIRST_SIGNED, LATEST_SIGNED, ArmAssignment, signed_arm
from arms.rules import ARMS, RULES_VERSION, assign_arm
from arms.selectors import arm_history, current_assignment
from assessments import recist
from audit.models import ElectronicSignature, SignatureImmutableError
from audit.services import StaleRecordError
from enrollment.models import Participant
from exports.derived import _signed_arms
from notifications.models import Notification, OutboxMessage
from tests.factories import arms as f
from tests.factories.access import PASSWORD

pytestmark = pytest.mark.django_db

EVALUABLE = (recist.CR, recist.PR, recist.SD, recist.PD)


@pytest.fixture
def participant(site_a, coordinator_a):
    return f.participant_with_baseline(site_a, coordinator_a)


@pytest.fixture
def proposal(participant, coordinator_a, investigator_a):
    f.completed_assessment(participant, coordinator_a, primary=recist.SD, metastatic=recist.PR)
    return ArmAssignment.objects.get(participant=participant)


# --- Proposal ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("primary", "metastatic"), list(itertools.product(EVALUABLE + (recist.NE,), repeat=2))
)
def test_completing_an_assessment_proposes_the_rules_arm(
    site_a, coordinator_a, primary, metastatic
):
    participant = f.participant_with_baseline(site_a, coordinator_a)
    assessment = f.completed_assessment(
        participant, coordinator_a, primary=primary, metastatic=metastatic
    )

    assignment = ArmAssignment.objects.get(assessment=assessment)
    expected = assign_arm(assessment.primary_response, assessment.metastatic_response)
    assert (assessment.primary_response, assessment.metastatic_response) == (primary, metastatic)
    assert (assignment.primary_response, assignment.metastatic_response) == (primary, metastatic)
    assert assignment.rules_version == RULES_VERSION
    assert assignment.assessment_date == assessment.assessment_date
    if expected is None:
        assert assignment.status == ArmAssignment.Status.NOT_EVALUABLE
        assert assignment.proposed_arm is None
        assert "not evaluable" in assignment.no_proposal_reason
        assert "2026-05-04" in assignment.no_proposal_reason
        assert "no arm proposed" in assignment.no_proposal_reason
    else:
        assert assignment.status == ArmAssignment.Status.PENDING
        assert assignment.proposed_arm == expected.number


def test_ne_gives_no_proposal_and_names_the_compartment(participant, coordinator_a):
    f.completed_assessment(participant, coordinator_a, primary=recist.PR, metastatic=recist.NE)

    assignment = ArmAssignment.objects.get(participant=participant)
    assert assignment.proposed_arm is None
    assert assignment.no_proposal_reason == (
        "The assessment of 2026-05-04 is not evaluable (metastases): no arm proposed."
    )
    assert arm_history(participant).not_evaluable == [assignment]


def test_a_draft_assessment_proposes_nothing(participant, coordinator_a):
    draft = f.completed_assessment(
        participant, coordinator_a, primary=recist.SD, metastatic=recist.PR, complete=False
    )
    assert not ArmAssignment.objects.exists()
    with pytest.raises(ValidationError):
        services.propose_assignment(assessment=draft, user=coordinator_a)


def test_proposing_twice_for_one_assessment_is_idempotent(proposal, coordinator_a):
    again = services.propose_assignment(assessment=proposal.assessment, user=coordinator_a)

    assert again.pk == proposal.pk
    assert ArmAssignment.objects.count() == 1
    assert again.history.count() == 1


def test_a_proposal_is_audited_with_the_rules_version(proposal, coordinator_a):
    entry = proposal.history.get()
    assert entry.history_user == coordinator_a
    assert f"v{RULES_VERSION}" in entry.history_change_reason


# --- Notification -----------------------------------------------------------------------------


def test_investigators_of_the_site_are_notified_in_the_proposals_transaction(
    participant, coordinator_a, investigator_a, investigator_b, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        f.completed_assessment(participant, coordinator_a, primary=recist.SD, metastatic=recist.PR)
        # Before the commit: the bell and the outbox are written with the proposal ...
        assert Notification.objects.count() == 1
        assert OutboxMessage.objects.get().status == OutboxMessage.Status.PENDING
        assert mail.outbox == []  # ... and the e-mail leaves only once it is committed.

    assignment = ArmAssignment.objects.get()
    note = Notification.objects.get()
    assert note.recipient == investigator_a
    assert note.kind == services.NOTIFICATION_KIND
    assert note.url == f"/arms/assignments/{assignment.pk}/"
    assert participant.study_id in note.message and "arm 4" in note.message
    assert [m.to for m in mail.outbox] == [[investigator_a.email]]
    assert f"/arms/assignments/{assignment.pk}/" in mail.outbox[0].body
    assert OutboxMessage.objects.get().status == OutboxMessage.Status.SENT


def test_notifying_twice_tells_nobody_twice(
    participant, coordinator_a, investigator_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        f.completed_assessment(participant, coordinator_a, primary=recist.SD, metastatic=recist.PR)
    assignment = ArmAssignment.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        services.notify_investigators(assignment_id=assignment.pk)
    assert Notification.objects.count() == 1
    assert OutboxMessage.objects.count() == 1
    assert len(mail.outbox) == 1


def test_a_proposal_decided_before_its_emails_left_sends_none(
    participant, coordinator_a, investigator_a, django_capture_on_commit_callbacks
):
    """The demo seeding signs in the proposal's transaction: that is no longer news."""
    with django_capture_on_commit_callbacks(execute=True):
        f.completed_assessment(participant, coordinator_a, primary=recist.SD, metastatic=recist.PR)
        assignment = ArmAssignment.objects.get()
        services.assignment_confirm(
            assignment=assignment, user=investigator_a, password=PASSWORD, expected_version=1
        )
    assert mail.outbox == []
    assert OutboxMessage.objects.get().status == OutboxMessage.Status.WITHDRAWN
    assert Notification.objects.get().is_read


def test_signing_clears_every_investigators_bell_but_keeps_sent_emails(
    participant, coordinator_a, investigator_a, django_capture_on_commit_callbacks
):
    from access.roles import Role
    from tests.factories.access import user_with_role

    second = user_with_role(Role.INVESTIGATOR, participant.site, username="investigator_a2")
    with django_capture_on_commit_callbacks(execute=True):
        f.completed_assessment(participant, coordinator_a, primary=recist.SD, metastatic=recist.PR)
    assert len(mail.outbox) == 2
    services.assignment_confirm(
        assignment=ArmAssignment.objects.get(),
        user=investigator_a,
        password=PASSWORD,
        expected_version=1,
    )
    assert not Notification.objects.filter(recipient=second, read_at__isnull=True).exists()
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"sent"}


def test_no_notification_without_a_proposal(
    participant, coordinator_a, investigator_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        f.completed_assessment(participant, coordinator_a, primary=recist.NE, metastatic=recist.PR)
    assert callbacks == []
    assert not Notification.objects.exists()


# --- Signature --------------------------------------------------------------------------------


def test_the_right_password_signs_a_confirmation(proposal, investigator_a):
    signed = services.assignment_confirm(
        assignment=proposal, user=investigator_a, password=PASSWORD, expected_version=1
    )

    assert signed.status == ArmAssignment.Status.CONFIRMED
    assert signed.confirmed_arm == 4 and not signed.overridden
    sig = signed.signature
    assert sig.signer == investigator_a
    assert sig.printed_name == investigator_a.get_full_name()
    assert sig.meaning == "I confirm the assignment to arm 4."
    assert sig.signed_at.utcoffset() == dt.timedelta(0)
    assert (sig.record_type, sig.record_id, sig.record_version) == (
        "arms.armassignment",
        proposal.pk,
        1,
    )
    assert signed.version == 2
    assert signed.history.latest().history_user == investigator_a


def test_a_wrong_password_signs_nothing(proposal, investigator_a):
    with pytest.raises(services.SignatureRefused) as exc:
        services.assignment_confirm(
            assignment=proposal, user=investigator_a, password="wrong", expected_version=1
        )

    assert exc.value.message == services.WRONG_PASSWORD
    assert exc.value.field == "password"
    proposal.refresh_from_db()
    assert proposal.status == ArmAssignment.Status.PENDING and proposal.version == 1
    assert not ElectronicSignature.objects.exists()


def test_a_replayed_signature_is_refused(proposal, investigator_a):
    services.assignment_confirm(
        assignment=proposal, user=investigator_a, password=PASSWORD, expected_version=1
    )
    with pytest.raises(services.SignatureRefused) as exc:
        services.assignment_confirm(
            assignment=proposal, user=investigator_a, password=PASSWORD, expected_version=1
        )
    assert exc.value.message == services.NOT_PENDING
    assert ElectronicSignature.objects.count() == 1


def test_a_stale_version_is_refused(proposal, investigator_a):
    with pytest.raises(StaleRecordError):
        services.assignment_confirm(
            assignment=proposal, user=investigator_a, password=PASSWORD, expected_version=0
        )
    assert not ElectronicSignature.objects.exists()


def test_an_override_is_signed_with_its_reason_and_flagged(proposal, investigator_a):
    signed = services.assignment_override(
        assignment=proposal,
        user=investigator_a,
        password=PASSWORD,
        expected_version=1,
        arm=2,
        reason="Tumour board: metastases in remission on PET.",
    )

    assert signed.status == ArmAssignment.Status.OVERRIDDEN
    assert (signed.proposed_arm, signed.confirmed_arm) == (4, 2)
    assert signed.overridden and signed.is_protocol_deviation
    assert signed.signature.meaning == (
        "I assign arm 2 instead of the proposed arm 4 because: "
        "Tumour board: metastases in remission on PET."
    )


@pytest.mark.parametrize("reason", ["", "   "])
def test_an_override_without_a_reason_is_refused(proposal, investigator_a, reason):
    with pytest.raises(services.SignatureRefused) as exc:
        services.assignment_override(
            assignment=proposal,
            user=investigator_a,
            password=PASSWORD,
            expected_version=1,
            arm=2,
            reason=reason,
        )
    assert exc.value.message == services.OVERRIDE_NEEDS_REASON
    assert not ElectronicSignature.objects.exists()


def test_an_override_to_the_proposed_arm_is_refused(proposal, investigator_a):
    with pytest.raises(services.SignatureRefused) as exc:
        services.assignment_override(
            assignment=proposal,
            user=investigator_a,
            password=PASSWORD,
            expected_version=1,
            arm=4,
            reason="Same arm",
        )
    assert exc.value.message == services.OVERRIDE_SAME_ARM
    assert not ElectronicSignature.objects.exists()


@pytest.mark.parametrize("persona", ["coordinator_a", "investigator_b"], indirect=True)
def test_only_an_investigator_of_the_site_can_sign(proposal, persona):
    with pytest.raises(PermissionDenied):
        services.assignment_confirm(
            assignment=proposal, user=persona, password=PASSWORD, expected_version=1
        )
    assert not ElectronicSignature.objects.exists()


def test_a_signature_cannot_be_changed_or_deleted(proposal, investigator_a):
    signed = services.assignment_confirm(
        assignment=proposal, user=investigator_a, password=PASSWORD, expected_version=1
    )
    sig = signed.signature
    sig.meaning = "I confirm nothing."
    with pytest.raises(SignatureImmutableError):
        sig.save()
    with pytest.raises(SignatureImmutableError):
        sig.delete()
    with pytest.raises(SignatureImmutableError):
        ElectronicSignature.objects.filter(pk=sig.pk).update(meaning="forged")
    with pytest.raises(SignatureImmutableError):
        ElectronicSignature.objects.all().delete()
    sig.refresh_from_db()
    assert sig.meaning == "I confirm the assignment to arm 4."


# --- Current arm ------------------------------------------------------------------------------


def _sign(assignment, user, arm=None, reason=""):
    if arm is None:
        return services.assignment_confirm(
            assignment=assignment, user=user, password=PASSWORD, expected_version=assignment.version
        )
    return services.assignment_override(
        assignment=assignment,
        user=user,
        password=PASSWORD,
        expected_version=assignment.version,
        arm=arm,
        reason=reason,
    )


def test_a_new_assessment_moves_the_participant_from_arm_4_to_arm_2(
    participant, coordinator_a, investigator_a
):
    first = f.completed_assessment(
        participant,
        coordinator_a,
        primary=recist.SD,
        metastatic=recist.PR,
        date=dt.date(2026, 4, 6),
    )
    _sign(first.arm_assignment, investigator_a)
    assert current_assignment(participant).confirmed_arm == 4

    second = f.completed_assessment(
        participant,
        coordinator_a,
        primary=recist.PR,
        metastatic=recist.CR,
        date=dt.date(2026, 7, 6),
    )
    assert second.arm_assignment.proposed_arm == 2
    # Until the new proposal is signed, the participant stays in arm 4.
    assert current_assignment(participant).confirmed_arm == 4

    _sign(second.arm_assignment, investigator_a)
    history = arm_history(participant)
    assert history.current.confirmed_arm == 2
    assert [(a.assessment_date, a.confirmed_arm) for a in history.assignments] == [
        (dt.date(2026, 7, 6), 2),
        (dt.date(2026, 4, 6), 4),
    ]


def test_the_current_arm_is_the_latest_signed_by_assessment_date_not_by_signing_time(
    participant, coordinator_a, investigator_a
):
    first = f.completed_assessment(
        participant,
        coordinator_a,
        primary=recist.SD,
        metastatic=recist.PR,
        date=dt.date(2026, 4, 6),
    )
    second = f.completed_assessment(
        participant,
        coordinator_a,
        primary=recist.CR,
        metastatic=recist.PR,
        date=dt.date(2026, 7, 6),
    )
    _sign(second.arm_assignment, investigator_a)
    _sign(first.arm_assignment, investigator_a, arm=1, reason="Late review of an old scan")

    assert current_assignment(participant).confirmed_arm == 3
    assert arm_history(participant).overrides == [first.arm_assignment]
    # The SQL definition (read by exports and reports) agrees with the Python one.
    row = (
        Participant.objects.filter(pk=participant.pk)
        .annotate(first=signed_arm(FIRST_SIGNED), current=signed_arm(LATEST_SIGNED))
        .values_list("first", "current")
        .get()
    )
    assert row == (1, 3)
    # The analysis export reads the same definitions in one scan; it agrees too.
    assert _signed_arms([participant.pk]) == {participant.pk: (1, 3)}
    assert set(ArmAssignment.objects.signed()) == {first.arm_assignment, second.arm_assignment}


def test_an_unsigned_proposal_is_no_arm(participant, coordinator_a):
    f.completed_assessment(
        participant,
        coordinator_a,
        primary=recist.SD,
        metastatic=recist.PR,
        date=dt.date(2026, 4, 6),
    )
    assert not ArmAssignment.objects.signed().exists()
    row = (
        Participant.objects.filter(pk=participant.pk)
        .annotate(first=signed_arm(FIRST_SIGNED), current=signed_arm(LATEST_SIGNED))
        .values_list("first", "current")
        .get()
    )
    assert row == (None, None)
    assert current_assignment(participant) is None


def test_every_arm_has_an_intervention():
    assert {arm.intervention for arm in ARMS.values()} == {"surgery_1", "surgery_2", "systemic"}
