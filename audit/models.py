"""The base of every clinical record: audited, versioned, never hard-deleted.

django-simple-history keeps one historical row per change with the user, the time (UTC), the
full record before and after, and the reason. `version` lets a form detect that someone else
saved the record since it was opened (optimistic locking, see `audit.services.save_record`).
"""

from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from access.scoping import M, SiteScopedQuerySet

from .personal_data import CALENDAR_DATE, FREE_TEXT, IDENTIFIER, personal


class HardDeleteForbidden(Exception):
    """Clinical records are corrected or withdrawn, never deleted (ICH E6, 21 CFR 11.10(e))."""


class AuditedHistoricalRecord(models.Model):
    """The base of every historical row: who changed the record, by name as it was then.

    The name is copied from the user when the row is made (by `save_record`, a bulk create or
    any other save that names a user), so a later rename of the account does not rewrite who
    did what; `history_user` itself is PROTECT (see `AuditedHistory`).
    """

    # Added to each historical model by simple-history (untyped): the key to the user.
    history_user: Any

    history_user_name = models.CharField(_("changed by (user name)"), max_length=150, blank=True)
    history_user_full_name = models.CharField(_("changed by (name)"), max_length=300, blank=True)

    class Meta:
        abstract = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only a row being made is given its user as an object (a row read from the database
        # gets the id alone), so this never queries.
        if not self.history_user_name and type(self).history_user.field.is_cached(self):
            user = self.history_user
            if user is not None:
                self.history_user_name = user.get_username()
                self.history_user_full_name = user.get_full_name()


class AuditedHistory(HistoricalRecords):
    """django-simple-history with a PROTECT user: a user who wrote clinical data cannot be
    deleted, only deactivated (simple-history 3.13 hard-codes SET_NULL, which erased "who" from
    every row of a deleted account; 21 CFR 11.10(e))."""

    def _get_history_user_fields(self) -> dict[str, Any]:
        return {
            "history_user": models.ForeignKey(
                self.user_model or settings.AUTH_USER_MODEL,
                null=True,
                related_name=self.user_related_name,
                on_delete=models.PROTECT,
                db_constraint=self.user_db_constraint,
            )
        }


class ClinicalQuerySet(SiteScopedQuerySet[M]):
    def delete(self) -> tuple[int, dict[str, int]]:
        raise HardDeleteForbidden(_("Clinical records cannot be deleted."))


class ClinicalRecord(models.Model):
    created_at = personal(models.DateTimeField(_("created"), auto_now_add=True), CALENDAR_DATE)
    updated_at = personal(models.DateTimeField(_("updated"), auto_now=True), CALENDAR_DATE)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    history = AuditedHistory(inherit=True, bases=[AuditedHistoricalRecord])
    objects = ClinicalQuerySet.as_manager()

    # The lookup from the model to its Site; see access.scoping.
    site_path = "site"

    class Meta:
        abstract = True

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise HardDeleteForbidden(_("Clinical records cannot be deleted."))


class CrfStatus(models.TextChoices):
    """Where a case report form is in its life: entered, declared complete by the site,
    source-data verified by a data manager, locked against any change."""

    DRAFT = "draft", _("Draft")
    COMPLETE = "complete", _("Complete")
    VERIFIED = "verified", _("Verified")
    LOCKED = "locked", _("Locked")


class CrfRecord(ClinicalRecord):
    """A case report form: a ClinicalRecord with a lifecycle.

    The CRFs are Screening, OffStudy (enrollment), Baseline, TherapyLine, ResponseAssessment,
    Surgery (assessments) with their parts BaselineLesion and LesionMeasurement, and the
    follow-up Visit. Participant and ArmAssignment are not: the first is the registration the
    CRFs hang on, the second a signed decision, changed only by its own signing workflow.

    The lifecycle fields are written by the moves of `audit.lifecycle.TRANSITIONS` alone
    (through `audit.services.save_record(..., move=...)`); an ordinary save keeps them, except
    that a change to a verified form voids its verification.

    Every CRF model says when it is entered (`is_entered`): whether the site may mark it
    complete. There is no default, so a new form cannot be completed empty by omission.
    """

    crf_status = models.CharField(
        _("form status"),
        max_length=10,
        choices=CrfStatus.choices,
        default=CrfStatus.DRAFT,
        editable=False,
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("verified by"),
    )
    verified_at = personal(
        models.DateTimeField(_("verified at"), null=True, blank=True, editable=False), CALENDAR_DATE
    )
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("locked by"),
    )
    locked_at = personal(
        models.DateTimeField(_("locked at"), null=True, blank=True, editable=False), CALENDAR_DATE
    )

    # The lookup from the form to its Participant ("participant", "baseline__participant").
    participant_path = "participant"
    # Parts of this form that share its lifecycle (e.g. a baseline's lesions): verified and
    # locked with it, and shown with it rather than as forms of their own.
    crf_parts: tuple[str, ...] = ()
    # True for such a part.
    is_crf_part = False

    LIFECYCLE_FIELDS = ("crf_status", "verified_by_id", "verified_at", "locked_by_id", "locked_at")

    class Meta:
        abstract = True

    @property
    def is_locked(self) -> bool:
        return self.crf_status == CrfStatus.LOCKED

    @property
    def is_entered(self) -> bool:
        raise NotImplementedError(f"{type(self).__name__} must say when it is entered")

    @property
    def needs_reason_for_change(self) -> bool:
        return self.pk is not None and self.crf_status != CrfStatus.DRAFT

    def participant_id_for_crf(self) -> int | None:
        """The participant this form belongs to, following `participant_path`."""
        obj: Any = self
        *hops, last = self.participant_path.split("__")
        try:
            for hop in hops:
                obj = getattr(obj, hop)
            if last == "participant" and hasattr(type(obj), "participant_id"):
                participant_id: int | None = obj.participant_id
                return participant_id
            participant = getattr(obj, last)
        except ObjectDoesNotExist:
            return None
        return participant.pk if participant is not None else None


SIGNATURE_IMMUTABLE = _("An electronic signature cannot be changed or deleted.")


class SignatureImmutableError(Exception):
    """A signature is evidence: it is written once (21 CFR 11.70: it cannot be excised)."""


class ElectronicSignatureQuerySet(models.QuerySet["ElectronicSignature"]):
    def update(self, **kwargs: Any) -> int:
        raise SignatureImmutableError(SIGNATURE_IMMUTABLE)

    def delete(self) -> tuple[int, dict[str, int]]:
        raise SignatureImmutableError(SIGNATURE_IMMUTABLE)


class ElectronicSignature(models.Model):
    """One signature: who (name as printed at signing), when (UTC), what it means, on what.

    Insert-only, made by `audit.signatures.sign` alone. The record it signs is named by model
    label, primary key and the version of that record that was signed, so one signature serves
    the arm decision and the casebook sign-off alike and points at exactly what was signed.
    """

    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="electronic_signatures",
        verbose_name=_("signer"),
    )
    printed_name = personal(
        models.CharField(_("printed name of the signer"), max_length=300), IDENTIFIER
    )
    signed_at = personal(
        models.DateTimeField(_("signed at (UTC)"), default=timezone.now), CALENDAR_DATE
    )
    # An override's meaning quotes its reason: free text.
    meaning = personal(models.TextField(_("meaning of the signature")), FREE_TEXT)
    # The language the signer read the meaning in (a LANGUAGES code); the meaning is stored and
    # shown in it, never translated afterwards.
    meaning_language = models.CharField(
        _("language of the meaning"), max_length=16, default=settings.LANGUAGE_CODE
    )
    record_type = models.CharField(_("signed record type"), max_length=100)
    record_id = models.PositiveBigIntegerField(_("signed record ID"))
    record_version = models.PositiveIntegerField(_("version of the signed record"))

    objects = ElectronicSignatureQuerySet.as_manager()

    class Meta:
        # Made in the arms app; the table keeps its name.
        db_table = "arms_electronicsignature"
        ordering = ["signed_at", "pk"]
        verbose_name = _("electronic signature")
        verbose_name_plural = _("electronic signatures")
        constraints = [
            # Referenced with the name and time an arm assignment carries (arms.models).
            models.UniqueConstraint(
                fields=["id", "printed_name", "signed_at"], name="signature_id_name_time"
            ),
            models.CheckConstraint(
                condition=~models.Q(printed_name="") & ~models.Q(meaning=""),
                name="signature_has_name_and_meaning",
            ),
        ]
        indexes = [models.Index(fields=["record_type", "record_id"], name="signature_record")]

    def __str__(self) -> str:
        # Neither the signer's name nor the meaning (an override quotes its reason): this
        # names the signature where no site scoping applies (the admin, logs).
        return f"Signature {self.pk} ({self.record_type} #{self.record_id})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise SignatureImmutableError(SIGNATURE_IMMUTABLE)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise SignatureImmutableError(SIGNATURE_IMMUTABLE)
