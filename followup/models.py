"""Follow-up: the planned visits of the schedule, the visit forms, and their reminders.

A planned visit is a slot of the schedule (code, target, window, what became of it), not a
form: it has no form lifecycle, no queries and no verification, so a casebook can be signed
while its later visits are still years away. The follow-up CRF (`Visit`) exists only once a
visit has been recorded, for its slot or as an unscheduled visit (clinicedc keeps the
appointment apart from the CRFs filled at it in the same way).

A slot's status column stores only what a person decided: it is `open` until the visit is
done, recorded as missed, or no longer required (death, off study). Whether an open visit is
scheduled, upcoming, due or overdue depends on the day, so it is never stored: it is derived
from the window by `followup.schedule.visit_state` (see `PlannedVisit.state_on`).
"""

from datetime import date
from typing import Any

from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from access.models import Site
from audit.carried import copy_of
from audit.models import ClinicalRecord, CrfRecord
from audit.personal_data import CALENDAR_DATE, FREE_TEXT, personal
from enrollment.fields import CarriedStudyIdField, study_id_carried
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
    "systemic_therapy",
)


def outside_window(date_field: str, *, slot: str = "") -> Q:
    """Rows whose `date_field` lies outside the window of the planned visit at `slot` (a
    lookup path ending in "__", or "" on a planned visit itself): the SQL form of
    `schedule.in_window`, and its only one (tests/followup/test_rule_definitions.py holds them
    to agree). A null date is neither inside nor outside."""
    return Q(**{f"{date_field}__lt": F(f"{slot}window_start")}) | Q(
        **{f"{date_field}__gt": F(f"{slot}window_end")}
    )


class PlannedVisit(ClinicalRecord):
    """A visit of the follow-up schedule: its window and what became of it (not a form)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        MISSED = "missed", _("Missed")
        NOT_REQUIRED = "not_required", _("Not required")

    # The participant's site, carried on the slot (set by `followup.services` when it plans
    # the visit; a participant never changes site) so that the worklist, the reports and the
    # reminder scan count open visits per site from one index, without joining participants.
    site_path = "site"
    participant_path = "participant"
    # Not a form, but its changes (missed, no longer required, a moved window) belong in the
    # participant's audit trail beside the forms'.
    shown_in_audit_trail = True

    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="planned_visits"
    )
    study_id = CarriedStudyIdField()
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="+", editable=False, verbose_name=_("site")
    )
    code = models.CharField(_("visit"), max_length=8)
    target = personal(models.DateField(_("target date")), CALENDAR_DATE)
    window_start = personal(models.DateField(_("window opens")), CALENDAR_DATE)
    window_end = personal(models.DateField(_("window closes")), CALENDAR_DATE)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN
    )
    status_reason = personal(models.TextField(_("reason for status"), blank=True), FREE_TEXT)

    class Meta:
        ordering = ["participant", "window_start", "id"]
        verbose_name = _("planned visit")
        verbose_name_plural = _("planned visits")
        constraints = [
            study_id_carried("planned_visit_study_id_carried"),
            models.UniqueConstraint(
                fields=["participant", "code"], name="planned_visit_once_per_code"
            ),
            models.CheckConstraint(
                condition=Q(
                    window_start__lte=models.F("target"), window_end__gte=models.F("target")
                )
                & ~Q(code=""),
                name="planned_visit_has_window",
            ),
        ]
        indexes = [
            # The worklist's counts, the reports' overdue count and the reminder scan read open
            # planned visits by site and window: an index-only scan of the site's visits whose
            # window is near today, however many participants the site has (PostgreSQL;
            # SQLite has no included columns and ignores them).
            models.Index(
                fields=["site", "window_start"],
                include=["window_end"],
                condition=Q(status="open"),
                name="planned_visit_open_site_window",
            ),
            # The worklist's overdue and due sections, in the order of their window's end.
            models.Index(
                fields=["-window_end", "-id"],
                condition=Q(status="open"),
                name="planned_visit_open_by_end",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant} {self.code}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The participant's site, whoever makes the row (bulk inserts set it themselves).
        if self.site_id is None and self.participant_id is not None:
            self.site_id = self.participant.site_id
        super().save(*args, **kwargs)

    def as_schedule(self) -> schedule.PlannedVisit:
        """The slot as the pure schedule sees it."""
        return schedule.PlannedVisit(self.code, self.target, self.window_start, self.window_end)

    def state_on(self, today: date) -> str:
        """The visit's state on `today`: the stored status, or for an open visit the
        schedule's state (scheduled, upcoming, due, overdue)."""
        if self.status != self.Status.OPEN:
            return str(self.status)
        return schedule.visit_state(self.as_schedule(), today, done=False)

    @property
    def recorded_visit(self) -> "Visit | None":
        """The visit form recorded for this slot, if any."""
        try:
            return self.visit
        except Visit.DoesNotExist:
            return None


class Visit(CrfRecord):
    """The follow-up visit form: recorded for a planned visit, or unscheduled.

    A visit that learns of the participant's death says so (vital status dead); the date and
    cause are the death report's (`safety.DeathReport`, the single source of the date of death).
    """

    class Kind(models.TextChoices):
        PLANNED = "planned", _("Planned")
        UNSCHEDULED = "unscheduled", _("Unscheduled")

    class VitalStatus(models.TextChoices):
        ALIVE = "alive", _("Alive")
        DEAD = "dead", _("Dead")

    class LocoregionalSite(models.TextChoices):
        IPSILATERAL_BREAST = "ipsilateral_breast", _("Ipsilateral breast")
        CHEST_WALL = "chest_wall", _("Chest wall")
        REGIONAL_NODES = "regional_nodes", _("Regional nodes")

    site_path = "participant__site"
    # Read with the form wherever forms are listed (its label names the slot's code).
    crf_related = ("planned_visit",)

    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="visits")
    study_id = CarriedStudyIdField()
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.PLANNED)
    planned_visit = models.OneToOneField(
        PlannedVisit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="visit",
        verbose_name=_("planned visit"),
    )

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
    systemic_therapy = models.TextField(_("current systemic therapy"), blank=True)

    # The slot the form was recorded for, as it stands once recorded (done: `replan_visits`
    # and the closing of visits leave a done slot as it is), carried for the export, which
    # then reads the visits alone; empty for an unscheduled visit. Set by `carry_slot`.
    slot_code = copy_of(PlannedVisit, "code")
    slot_target = copy_of(PlannedVisit, "target")
    slot_window_start = copy_of(PlannedVisit, "window_start")
    slot_window_end = copy_of(PlannedVisit, "window_end")
    slot_status = copy_of(PlannedVisit, "status")
    slot_status_reason = copy_of(PlannedVisit, "status_reason")

    class Meta:
        ordering = ["participant", "visit_date", "id"]
        verbose_name = _("follow-up visit")
        verbose_name_plural = _("follow-up visits")
        constraints = [
            study_id_carried("visit_study_id_carried"),
            models.CheckConstraint(
                condition=Q(kind="planned", planned_visit__isnull=False)
                | Q(kind="unscheduled", planned_visit__isnull=True),
                name="visit_planned_has_slot",
            ),
        ]

    def get_absolute_url(self) -> str:
        """The page where this form is entered (the data-quality pages link to it)."""
        return reverse("followup:visit_form", kwargs={"pk": self.pk})

    def __str__(self) -> str:
        code = self.planned_visit.code if self.planned_visit is not None else _("unscheduled")
        return f"{self.participant} {code}"

    # A visit form exists only once its visit is recorded (`services.record_visit`).
    is_entered = True

    @property
    def is_planned(self) -> bool:
        return self.kind == self.Kind.PLANNED

    def carry_slot(self, slot: PlannedVisit | None) -> None:
        """Copy the slot's schedule columns onto the form (None: an unscheduled visit)."""
        for name in SLOT_COLUMNS:
            setattr(self, f"slot_{name}", getattr(slot, name) if slot is not None else None)


SLOT_COLUMNS = ("code", "target", "window_start", "window_end", "status", "status_reason")


class Reminder(models.Model):
    """One reminder of one kind for one planned visit: the unique row is the "sent once" guarantee.

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

    planned_visit = models.ForeignKey(
        PlannedVisit, on_delete=models.PROTECT, related_name="reminders"
    )
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
            models.UniqueConstraint(
                fields=["planned_visit", "kind"], name="reminder_once_per_visit_kind"
            ),
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
        return f"{self.planned_visit} {self.kind} ({self.status})"
