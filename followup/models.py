"""Follow-up visits and their reminders.

A visit's status column stores only what a person decided: it is `open` until the visit is
done, recorded as missed, or no longer required (death, off study). Whether an open visit is
scheduled, upcoming, due or overdue depends on the day, so it is never stored: it is derived
from the window by `followup.schedule.visit_state` (see `Visit.state_on`).
"""

from datetime import date

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from audit.models import CrfRecord
from audit.personal_data import CALENDAR_DATE, FREE_TEXT, personal
from enrollment.models import MetastaticSite, Participant

from . import schedule

# Distant progression sites take the protocol's metastatic site codes (spec section 1).
DISTANT_SITE_CHOICES = MetastaticSite.choices


# The CRF fields a coordinator fills in; `record_visit` writes exactly these.
CRF_FIELDS = (
    "visit_date",
    "outside_window_reason",
    "vital_status",
    "last_known_alive",
    "distant_progression",
    "distant_progression_date",
    "distant_progression_sites",
    "locoregional_recurrence",
    "locoregional_recurrence_date",
    "locoregional_recurrence_site",
    "death_date",
    "death_cause",
    "death_cause_detail",
    "systemic_therapy",
)


class Visit(CrfRecord):
    """A follow-up visit: planned from the schedule (with a window) or unscheduled."""

    class Kind(models.TextChoices):
        PLANNED = "planned", _("Planned")
        UNSCHEDULED = "unscheduled", _("Unscheduled")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        MISSED = "missed", _("Missed")
        NOT_REQUIRED = "not_required", _("Not required")

    class VitalStatus(models.TextChoices):
        ALIVE = "alive", _("Alive")
        DEAD = "dead", _("Dead")

    class LocoregionalSite(models.TextChoices):
        IPSILATERAL_BREAST = "ipsilateral_breast", _("Ipsilateral breast")
        CHEST_WALL = "chest_wall", _("Chest wall")
        REGIONAL_NODES = "regional_nodes", _("Regional nodes")

    class DeathCause(models.TextChoices):
        BREAST_CANCER = "breast_cancer", _("Breast cancer")
        TREATMENT = "treatment", _("Treatment-related")
        OTHER = "other", _("Other cause")
        UNKNOWN = "unknown", _("Unknown")

    site_path = "participant__site"

    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="visits")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.PLANNED)
    code = models.CharField(_("visit"), max_length=8, blank=True)
    target = personal(models.DateField(_("target date"), null=True, blank=True), CALENDAR_DATE)
    window_start = personal(
        models.DateField(_("window opens"), null=True, blank=True), CALENDAR_DATE
    )
    window_end = personal(
        models.DateField(_("window closes"), null=True, blank=True), CALENDAR_DATE
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN
    )
    status_reason = personal(models.TextField(_("reason for status"), blank=True), FREE_TEXT)

    # The follow-up CRF.
    visit_date = personal(models.DateField(_("visit date"), null=True, blank=True), CALENDAR_DATE)
    outside_window_reason = personal(
        models.TextField(_("reason the visit was outside its window"), blank=True), FREE_TEXT
    )
    vital_status = models.CharField(
        _("vital status"), max_length=8, choices=VitalStatus.choices, blank=True
    )
    last_known_alive = personal(
        models.DateField(_("last date known alive"), null=True, blank=True), CALENDAR_DATE
    )
    distant_progression = models.BooleanField(_("distant progression"), null=True, blank=True)
    distant_progression_date = personal(
        models.DateField(_("date of distant progression"), null=True, blank=True), CALENDAR_DATE
    )
    distant_progression_sites = models.JSONField(
        _("sites of distant progression"), default=list, blank=True
    )
    locoregional_recurrence = models.BooleanField(
        _("locoregional recurrence"), null=True, blank=True
    )
    locoregional_recurrence_date = personal(
        models.DateField(_("date of locoregional recurrence"), null=True, blank=True), CALENDAR_DATE
    )
    locoregional_recurrence_site = models.CharField(
        _("site of locoregional recurrence"),
        max_length=20,
        choices=LocoregionalSite.choices,
        blank=True,
    )
    death_date = personal(
        models.DateField(_("date of death"), null=True, blank=True), CALENDAR_DATE
    )
    death_cause = models.CharField(
        _("cause of death"), max_length=16, choices=DeathCause.choices, blank=True
    )
    death_cause_detail = personal(
        models.TextField(_("cause of death, details"), blank=True), FREE_TEXT
    )
    systemic_therapy = models.TextField(_("current systemic therapy"), blank=True)

    class Meta:
        ordering = ["participant", "window_start", "visit_date", "id"]
        verbose_name = _("follow-up visit")
        verbose_name_plural = _("follow-up visits")
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "code"],
                condition=Q(kind="planned"),
                name="visit_planned_once_per_code",
            ),
            models.CheckConstraint(
                condition=Q(kind="unscheduled")
                | Q(
                    target__isnull=False,
                    window_start__lte=models.F("target"),
                    window_end__gte=models.F("target"),
                )
                & ~Q(code=""),
                name="visit_planned_has_window",
            ),
            models.CheckConstraint(
                condition=~Q(status="done") | Q(visit_date__isnull=False),
                name="visit_done_has_date",
            ),
            models.CheckConstraint(
                condition=Q(death_date__isnull=True)
                | Q(last_known_alive__isnull=True)
                | Q(last_known_alive__lte=models.F("death_date")),
                name="visit_alive_not_after_death",
            ),
        ]
        indexes = [
            # The reminder scan and the worklist read open planned visits by window; with the
            # participant in the index, the worklist counts them from the index alone
            # (PostgreSQL; SQLite has no such included columns and ignores them).
            models.Index(
                fields=["window_start", "window_end"],
                include=["participant"],
                condition=Q(status="open", kind="planned"),
                name="visit_open_window_cover",
            ),
            # The worklist's overdue and due sections, in the order of their window's end.
            models.Index(
                fields=["-window_end", "-id"],
                condition=Q(status="open", kind="planned"),
                name="visit_open_by_end",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant} {self.code or _('unscheduled')}"

    @property
    def is_planned(self) -> bool:
        return self.kind == self.Kind.PLANNED

    def state_on(self, today: date) -> str:
        """The visit's state on `today`: the stored status, or for an open planned visit the
        schedule's state (scheduled, upcoming, due, overdue)."""
        if self.status != self.Status.OPEN:
            return str(self.status)
        if not self.is_planned:
            return schedule.STATE_SCHEDULED
        return schedule.visit_state(self, today, done=False)  # type: ignore[arg-type]

    def is_inside_window(self, day: date) -> bool:
        return bool(
            self.window_start and self.window_end and self.window_start <= day <= self.window_end
        )


class Reminder(models.Model):
    """One reminder of one kind for one visit: the unique row is the "sent once" guarantee.

    The scan inserts it `pending` (INSERT ... ON CONFLICT DO NOTHING), then a worker claims it
    with SELECT ... FOR UPDATE SKIP LOCKED and, in the same transaction, delivers it and marks
    it `sent`. A kind that no longer applies when its turn comes (the scan was down for days
    and the visit has moved on to a later state) is recorded `skipped`, never sent late.
    """

    class Kind(models.TextChoices):
        UPCOMING = schedule.STATE_UPCOMING, _("Upcoming")
        DUE = schedule.STATE_DUE, _("Due")
        OVERDUE = schedule.STATE_OVERDUE, _("Overdue")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        SKIPPED = "skipped", _("Skipped")

    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="reminders")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(fields=["visit", "kind"], name="reminder_once_per_visit_kind"),
            models.CheckConstraint(
                condition=Q(status="sent", sent_at__isnull=False)
                | (~Q(status="sent") & Q(sent_at__isnull=True)),
                name="reminder_sent_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["id"], condition=Q(status="pending"), name="reminder_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.visit} {self.kind} ({self.status})"
