"""Arm assignment: a rule's proposal per completed assessment, decided by a signed person.

`ArmAssignment` is a clinical record (audited, versioned, never deleted): one per completed
response assessment, with a snapshot of the inputs the rules saw (`arms.rules.assign_arm`) and
the version of those rules. An investigator confirms the proposal or overrides it; either way
the decision carries an `audit.models.ElectronicSignature`, which can never change or disappear
(21 CFR 11.50, 11.70, 11.200). Writes go through `arms.services`.
"""

from typing import Any

from django.db import models
from django.db.models import OuterRef, Subquery
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from access.models import Site
from assessments.models import RESPONSE_LABELS, ResponseAssessment
from audit.carried import copy_of
from audit.models import ClinicalQuerySet, ClinicalRecord, ElectronicSignature
from audit.personal_data import CALENDAR_DATE, FREE_TEXT, personal
from enrollment.fields import CarriedStudyIdField, study_id_carried
from enrollment.models import Participant

from .labels import ARM_LABELS, arm_label
from .rules import ARMS, Arm

ARM_CHOICES = [
    (n, format_lazy(_("Arm {number}: {label}"), number=n, label=ARM_LABELS[n]))
    for n, a in ARMS.items()
]


# "The current arm is the latest one an investigator confirmed" (spec section 3): the first
# signed assignment is the arm a participant was allocated to, the last one the current arm.
FIRST_SIGNED = ("assessment_date", "pk")
LATEST_SIGNED = ("-assessment_date", "-pk")


class ArmAssignmentQuerySet(ClinicalQuerySet):
    def signed(self) -> "ArmAssignmentQuerySet":
        """Assignments an investigator signed: confirmed, or overridden (a deviation)."""
        return self.filter(status__in=SIGNED_STATUSES)


def signed_arm(order: tuple[str, str], participant: str = "pk") -> Subquery:
    """The signed arm of the participant at `OuterRef(participant)`, first or current by
    `order` (`FIRST_SIGNED`, `LATEST_SIGNED`): the one SQL definition, read by arms, exports
    and reports."""
    return Subquery(
        ArmAssignment.objects.signed()
        .filter(participant=OuterRef(participant))
        .order_by(*order)
        .values("confirmed_arm")[:1]
    )


class ArmAssignment(ClinicalRecord):
    """The arm a completed response assessment leads to: proposed by rule, signed by a person.

    "Every assessment gets its own assignment, kept for ever; the current arm is the latest
    one an investigator confirmed" (spec section 3). An assessment with an "NE" compartment
    gets a row too, with no proposal and the reason, so the casebook can say why there is none.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting investigator")
        CONFIRMED = "confirmed", _("Confirmed")
        OVERRIDDEN = "overridden", _("Overridden")
        NOT_EVALUABLE = "not_evaluable", _("No proposal: not evaluable")

    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="arm_assignments"
    )
    study_id = CarriedStudyIdField()
    # The participant's site, carried on the assignment (set by `arms.services` when it
    # proposes) so that the review queue counts a site's pending proposals from one index.
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="+", editable=False, verbose_name=_("site")
    )
    assessment = models.OneToOneField(
        ResponseAssessment, on_delete=models.PROTECT, related_name="arm_assignment"
    )
    # Snapshot of what the rules saw: an assessment's date cannot change once it is complete,
    # but the snapshot keeps the assignment readable on its own.
    assessment_date = personal(models.DateField(_("assessment date")), CALENDAR_DATE)
    primary_response = models.CharField(_("primary: overall response"), max_length=16)
    metastatic_response = models.CharField(_("metastases: overall response"), max_length=16)
    rules_version = models.CharField(_("rules version"), max_length=16)

    proposed_arm = models.PositiveSmallIntegerField(
        _("proposed arm"), choices=ARM_CHOICES, null=True, blank=True
    )
    no_proposal_reason = models.CharField(_("why no arm was proposed"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    confirmed_arm = models.PositiveSmallIntegerField(
        _("signed arm"), choices=ARM_CHOICES, null=True, blank=True
    )
    overridden = models.BooleanField(_("overridden (protocol deviation)"), default=False)
    override_reason = personal(
        models.TextField(_("reason for the override"), blank=True), FREE_TEXT
    )
    signature = models.OneToOneField(
        ElectronicSignature,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="arm_assignment",
        verbose_name=_("signature"),
    )
    # The signature's manifestation (21 CFR 11.50: name, time, meaning), carried so that the
    # export reads the assignments alone. A signature never changes (insert-only); the copies
    # are written with it (`carry_signature`), and on PostgreSQL a key on (signature, name,
    # time) keeps them its own.
    signed_by = copy_of(ElectronicSignature, "printed_name")
    signed_at = copy_of(ElectronicSignature, "signed_at")
    signature_meaning = copy_of(ElectronicSignature, "meaning")

    site_path = "site"

    # django-stubs declares the inherited `objects` a ClassVar and refuses a subclass's own.
    objects = ArmAssignmentQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        ordering = ["assessment_date", "pk"]
        verbose_name = _("arm assignment")
        verbose_name_plural = _("arm assignments")
        constraints = [
            study_id_carried("arm_study_id_carried"),
            models.CheckConstraint(
                condition=models.Q(
                    signature__isnull=True,
                    signed_by__isnull=True,
                    signed_at__isnull=True,
                    signature_meaning__isnull=True,
                )
                | models.Q(
                    signature__isnull=False,
                    signed_by__isnull=False,
                    signed_at__isnull=False,
                    signature_meaning__isnull=False,
                ),
                name="arm_signature_carried",
            ),
            models.CheckConstraint(
                condition=models.Q(proposed_arm__isnull=True)
                | models.Q(proposed_arm__gte=1, proposed_arm__lte=4),
                name="arm_proposed_1_to_4",
            ),
            models.CheckConstraint(
                condition=models.Q(confirmed_arm__isnull=True)
                | models.Q(confirmed_arm__gte=1, confirmed_arm__lte=4),
                name="arm_confirmed_1_to_4",
            ),
            # The status and the fields that go with it cannot disagree.
            models.CheckConstraint(
                condition=(
                    models.Q(
                        status="not_evaluable",
                        proposed_arm__isnull=True,
                        confirmed_arm__isnull=True,
                        signature__isnull=True,
                    )
                    & ~models.Q(no_proposal_reason="")
                )
                | models.Q(
                    status="pending",
                    proposed_arm__isnull=False,
                    confirmed_arm__isnull=True,
                    signature__isnull=True,
                )
                | models.Q(
                    status="confirmed",
                    proposed_arm__isnull=False,
                    confirmed_arm=models.F("proposed_arm"),
                    overridden=False,
                    signature__isnull=False,
                )
                | (
                    models.Q(
                        status="overridden",
                        proposed_arm__isnull=False,
                        confirmed_arm__isnull=False,
                        overridden=True,
                        signature__isnull=False,
                    )
                    & ~models.Q(confirmed_arm=models.F("proposed_arm"))
                    & ~models.Q(override_reason="")
                ),
                name="arm_status_consistent",
            ),
        ]
        indexes = [
            # The review queue: a site's pending proposals, oldest first, and their count
            # (an index-only scan of that site's entries).
            models.Index(
                fields=["site", "created_at", "id"],
                condition=models.Q(status="pending"),
                name="arm_pending_site_queue",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant} {self.assessment_date:%Y-%m-%d}: {self.get_status_display()}"

    def carry_signature(self, signature: ElectronicSignature) -> None:
        """Sign the assignment with `signature` and carry its manifestation."""
        self.signature = signature
        self.signed_by = signature.printed_name
        self.signed_at = signature.signed_at
        self.signature_meaning = signature.meaning

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The participant's site, whoever makes the row (bulk inserts set it themselves).
        if self.site_id is None and self.participant_id is not None:
            self.site_id = self.participant.site_id
        super().save(*args, **kwargs)

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING

    @property
    def is_signed(self) -> bool:
        return self.status in SIGNED_STATUSES

    @property
    def is_protocol_deviation(self) -> bool:
        """An override departs from the protocol's rule, however good its reason."""
        return self.overridden

    # The responses by their names (the fields hold RECIST codes, as the assessment's do).
    def get_primary_response_display(self) -> str:
        return str(RESPONSE_LABELS.get(self.primary_response, self.primary_response))

    def get_metastatic_response_display(self) -> str:
        return str(RESPONSE_LABELS.get(self.metastatic_response, self.metastatic_response))

    @property
    def arm_label(self) -> str:
        """The signed arm's name, else the proposed one's, in the active language."""
        return arm_label(self.confirmed_arm or self.proposed_arm)

    @property
    def arm(self) -> Arm | None:
        """The signed arm, else the proposed one, as an `arms.rules.Arm` (or None)."""
        number = self.confirmed_arm or self.proposed_arm
        return ARMS.get(number) if number else None


SIGNED_STATUSES = (ArmAssignment.Status.CONFIRMED, ArmAssignment.Status.OVERRIDDEN)
