"""Data queries on a field of a form, and the investigator's sign-off of a casebook."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from access.models import Site
from access.scoping import SiteScopedQuerySet
from audit.models import ElectronicSignature
from audit.personal_data import CALENDAR_DATE, FREE_TEXT, personal
from enrollment.fields import CarriedStudyIdField, study_id_carried
from enrollment.models import Participant


class DataQuery(models.Model):
    """A question about one field of one form, raised by a data manager (or an automatic
    check), answered by the site, closed (or re-opened) by the data manager."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ANSWERED = "answered", _("Answered")
        CLOSED = "closed", _("Closed")

    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="data_queries"
    )
    study_id = CarriedStudyIdField()
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="data_queries")
    form = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", verbose_name=_("form")
    )
    object_id = models.PositiveBigIntegerField(_("form ID"))
    field_name = models.CharField(_("field"), max_length=64, blank=True)
    text = personal(models.TextField(_("query")), FREE_TEXT)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("opened by"),
        help_text=_("Empty for a query opened by an automatic check."),
    )
    opened_at = personal(models.DateTimeField(_("opened at")), CALENDAR_DATE)
    # The automatic check that opened it ("" for a person's query).
    check_code = models.CharField(_("automatic check"), max_length=40, blank=True)
    updated_at = personal(models.DateTimeField(_("last change")), CALENDAR_DATE)

    objects = SiteScopedQuerySet.as_manager()
    site_path = "site"

    class Meta:
        ordering = ["-opened_at", "-pk"]
        verbose_name = _("data query")
        verbose_name_plural = _("data queries")
        constraints = [
            study_id_carried("dataquery_study_id_carried"),
            models.CheckConstraint(
                condition=models.Q(status__in=["open", "answered", "closed"]),
                name="dataquery_status_known",
            ),
            # An automatic check opens its query once per form, however often it runs.
            models.UniqueConstraint(
                fields=["check_code", "form", "object_id"],
                condition=~models.Q(check_code=""),
                name="dataquery_check_once_per_form",
            ),
        ]
        indexes = [
            models.Index(fields=["site", "status"]),
            models.Index(fields=["form", "object_id"]),
            models.Index(fields=["participant", "status"]),
        ]

    def __str__(self) -> str:
        return f"Q-{self.pk:05d}" if self.pk else "Q-new"

    @property
    def number(self) -> str:
        return str(self)

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class QueryMessage(models.Model):
    """One step of a query's thread: insert-only, so the thread is its own history."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("Opened")
        ANSWERED = "answered", _("Answered")
        CLOSED = "closed", _("Closed")
        REOPENED = "reopened", _("Re-opened")

    query = models.ForeignKey(DataQuery, on_delete=models.PROTECT, related_name="messages")
    kind = models.CharField(_("step"), max_length=10, choices=Kind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("by"),
    )
    text = personal(models.TextField(_("message"), blank=True), FREE_TEXT)
    created_at = personal(models.DateTimeField(_("at")), CALENDAR_DATE)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("query message")
        verbose_name_plural = _("query messages")

    def __str__(self) -> str:
        return f"{self.query_id}: {self.kind}"


class CasebookSignOff(models.Model):
    """The investigator's signature on a participant's casebook, once every form is verified.

    Any later change to one of the participant's forms voids it: the void is recorded here
    (when, and which change), the row and its signature are kept.
    """

    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="casebook_sign_offs"
    )
    signature = models.OneToOneField(
        ElectronicSignature, on_delete=models.PROTECT, related_name="+"
    )
    voided_at = personal(models.DateTimeField(_("voided at"), null=True, blank=True), CALENDAR_DATE)
    void_reason = personal(models.TextField(_("why it was voided"), blank=True), FREE_TEXT)

    objects = SiteScopedQuerySet.as_manager()
    site_path = "participant__site"

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("casebook sign-off")
        verbose_name_plural = _("casebook sign-offs")
        constraints = [
            models.UniqueConstraint(
                fields=["participant"],
                condition=models.Q(voided_at__isnull=True),
                name="one_valid_casebook_sign_off",
            ),
            models.CheckConstraint(
                condition=models.Q(voided_at__isnull=True) | ~models.Q(void_reason=""),
                name="voided_sign_off_says_why",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant_id}: {self.signature_id}"

    @property
    def is_valid(self) -> bool:
        return self.voided_at is None
