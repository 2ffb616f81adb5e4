"""Follow-up writes: plan, replan and close the planned visits; record the follow-up CRF (a
visit form, created when a visit is recorded); send reminders.

Enrolment calls `plan_visits`, a diagnosis-date correction calls `replan_visits`, going off
study calls `close_visits`: visibly, from the enrollment services, never through signals.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections import Counter, defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import (
    Case,
    DateField,
    DateTimeField,
    DurationField,
    Exists,
    F,
    OuterRef,
    Q,
    Value,
    When,
)
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.utils.translation import override as language_override
from simple_history.utils import bulk_create_with_history

from access.languages import chosen_or_default
from access.models import Membership, Site
from access.roles import Action, require, roles_allowed
from audit.models import CrfStatus
from audit.services import STALE_RECORD, StaleRecordError, complete_form, save_record
from enrollment.models import Participant
from notifications.services import (
    NewNotification,
    NewOutboxMessage,
    notifications_create,
    outbox_enqueue,
)
from safety.models import DeathReport

from . import schedule
from .models import CRF_FIELDS, PlannedVisit, Reminder, Visit
from .validators import VisitContext, visit_errors

logger = logging.getLogger(__name__)

PLANNED_REASON = gettext_lazy("Visits planned at enrolment from the follow-up schedule.")
REPLANNED_REASON = gettext_lazy("Visit rebuilt after the diagnosis date was corrected: %(reason)s")
DROPPED_REASON = gettext_lazy("No longer in the follow-up schedule: %(reason)s")
OFF_STUDY_REASON = gettext_lazy("Participant off study on %(date)s.")
DIED_REASON = gettext_lazy("Participant died on %(date)s.")
RECORDED_REASON = gettext_lazy("Follow-up visit recorded.")
UNSCHEDULED_REASON = gettext_lazy("Unscheduled visit recorded.")
NO_LONGER_OPEN = gettext_lazy("This visit is no longer open: it cannot be recorded as missed.")


# --- Planning -------------------------------------------------------------------------------


def plan_visits(*, participant: Participant, user: Any) -> list[PlannedVisit]:
    """Create the participant's planned visits from `followup.schedule.visit_schedule`.

    Idempotent: a visit already planned under a code is kept, and the unique constraint
    (participant, code) refuses a second one even from a concurrent call.
    """
    existing = set(participant.planned_visits.values_list("code", flat=True))
    new = [
        PlannedVisit(
            participant=participant,
            site_id=participant.site_id,
            study_id=participant.study_id,
            code=planned.code,
            target=planned.target,
            window_start=planned.window_start,
            window_end=planned.window_end,
        )
        for planned in schedule.visit_schedule(
            participant.diagnosis_date, participant.enrolment_date
        )
        if planned.code not in existing
    ]
    if new:
        bulk_create_with_history(
            new, PlannedVisit, default_user=user, default_change_reason=str(PLANNED_REASON)
        )
    return list(participant.planned_visits.order_by("window_start"))


@transaction.atomic
def replan_visits(*, participant: Participant, user: Any, reason: str) -> list[PlannedVisit]:
    """Rebuild the planned visits after the diagnosis date was corrected.

    Done and missed visits are facts about what happened and are kept as they are. Every other
    planned visit takes its new window; one the new schedule no longer has becomes not
    required; one it adds is created. A moved visit's unsent reminders are dropped so that the
    scan judges it afresh against its new window; a reminder already sent stays sent.
    """
    plan = {
        p.code: p
        for p in schedule.visit_schedule(participant.diagnosis_date, participant.enrolment_date)
    }
    kept_statuses = {PlannedVisit.Status.DONE, PlannedVisit.Status.MISSED}
    slots = list(PlannedVisit.objects.select_for_update().filter(participant=participant))
    moved: list[int] = []
    for slot in slots:
        if slot.status in kept_statuses:
            continue
        planned = plan.get(slot.code)
        if planned is None:
            if slot.status != PlannedVisit.Status.NOT_REQUIRED:
                slot.status = PlannedVisit.Status.NOT_REQUIRED
                slot.status_reason = str(DROPPED_REASON % {"reason": reason})
                save_record(
                    slot, user=user, reason=slot.status_reason, expected_version=slot.version
                )
                moved.append(slot.pk)
            continue
        window = (planned.target, planned.window_start, planned.window_end)
        reopen = slot.status == PlannedVisit.Status.NOT_REQUIRED and not participant.is_off_study
        if window == (slot.target, slot.window_start, slot.window_end) and not reopen:
            continue
        slot.target, slot.window_start, slot.window_end = window
        if reopen:
            slot.status, slot.status_reason = PlannedVisit.Status.OPEN, ""
        save_record(
            slot,
            user=user,
            reason=str(REPLANNED_REASON % {"reason": reason}),
            expected_version=slot.version,
        )
        moved.append(slot.pk)
    Reminder.objects.filter(planned_visit_id__in=moved).exclude(
        status=Reminder.Status.SENT
    ).delete()
    have = {slot.code for slot in slots}
    new = [
        PlannedVisit(
            participant=participant,
            site_id=participant.site_id,
            study_id=participant.study_id,
            code=p.code,
            target=p.target,
            window_start=p.window_start,
            window_end=p.window_end,
            status=(
                PlannedVisit.Status.NOT_REQUIRED
                if participant.is_off_study
                else PlannedVisit.Status.OPEN
            ),
        )
        for code, p in plan.items()
        if code not in have
    ]
    if new:
        bulk_create_with_history(
            new,
            PlannedVisit,
            default_user=user,
            default_change_reason=str(REPLANNED_REASON % {"reason": reason}),
        )
    return list(participant.planned_visits.order_by("window_start"))


def _close_open_visits(*, participant: Participant, user: Any, as_of: dt.date, reason: str) -> int:
    """Close the participant's open visits from `as_of`: a visit whose window had already
    closed by then was missed; any later one is no longer required."""
    closed = 0
    for slot in PlannedVisit.objects.select_for_update().filter(
        participant=participant, status=PlannedVisit.Status.OPEN
    ):
        ended = slot.window_end < as_of
        slot.status = PlannedVisit.Status.MISSED if ended else PlannedVisit.Status.NOT_REQUIRED
        slot.status_reason = reason
        save_record(slot, user=user, reason=reason, expected_version=slot.version)
        closed += 1
    return closed


@transaction.atomic
def close_visits(*, participant: Participant, user: Any, as_of: dt.date) -> int:
    """Close the visits not yet done once the participant is off study (reminders stop too:
    the scan only reminds open visits of enrolled participants). Returns how many it closed."""
    return _close_open_visits(
        participant=participant,
        user=user,
        as_of=as_of,
        reason=str(OFF_STUDY_REASON % {"date": as_of.isoformat()}),
    )


# --- The follow-up CRF ----------------------------------------------------------------------

# `expected_version` of a visit page opened before its slot had a form: if a form exists by
# the time it is saved, someone else recorded the visit meanwhile (versions start at 1).
NO_FORM_YET = 0


def _form_of(slot: PlannedVisit, expected_version: int | None) -> Visit:
    """The slot's visit form, or a new one; refuses a page that saw none when one now exists."""
    form = Visit.objects.filter(planned_visit=slot).first()
    if form is None:
        return Visit(participant=slot.participant, kind=Visit.Kind.PLANNED, planned_visit=slot)
    if expected_version == NO_FORM_YET:
        raise StaleRecordError(STALE_RECORD)
    return form


@transaction.atomic
def record_visit(
    *,
    visit: PlannedVisit | Visit,
    user: Any,
    data: dict[str, Any],
    reason: str = "",
    expected_version: int | None = None,
    today: dt.date | None = None,
) -> Visit:
    """Record (or correct) the follow-up CRF, refusing what `validators.visit_errors` refuses
    (the form's own rules, so a caller without the form meets them too; `today`: the site's
    day unless given).

    `visit` is a planned visit (its form is created the first time, then corrected) or a visit
    form (an unscheduled visit, or a correction through the form itself). `expected_version`
    is the version of the form the editor loaded (`NO_FORM_YET` when there was none). The slot
    becomes done. A death is the death report's (`workflow.services.record_death`), which
    closes the remaining visits.
    """
    require(user, Action.ENTER_DATA, visit.participant.site_id)
    if isinstance(visit, PlannedVisit):
        # The slot's row lock serialises two coordinators recording the same visit.
        locked = PlannedVisit.objects.select_for_update().get(pk=visit.pk)
        slot: PlannedVisit | None = locked
        form = _form_of(locked, expected_version)
    else:
        form = visit
        slot = (
            PlannedVisit.objects.select_for_update().get(pk=form.planned_visit_id)
            if form.planned_visit_id
            else None
        )
    for field in CRF_FIELDS:
        setattr(form, field, data.get(field, getattr(form, field)))
    participant = form.participant
    errors = visit_errors(
        {field: getattr(form, field) for field in CRF_FIELDS},
        VisitContext(
            diagnosis_date=participant.diagnosis_date,
            enrolment_date=participant.enrolment_date,
            today=today or timezone.now().astimezone(ZoneInfo(participant.site.time_zone)).date(),
            window=slot.as_schedule() if slot is not None else None,
            death_date=death_date_of(participant.pk),
        ),
    )
    if errors:
        raise ValidationError(errors)
    if slot is not None and slot.status != PlannedVisit.Status.DONE:
        slot.status, slot.status_reason = PlannedVisit.Status.DONE, ""
        save_record(slot, user=user, reason=str(RECORDED_REASON), expected_version=slot.version)
    form.carry_slot(slot)
    # A first recording names itself; a correction of a completed visit needs its reason.
    save_record(
        form,
        user=user,
        reason=reason or ("" if form.needs_reason_for_change else str(RECORDED_REASON)),
        expected_version=expected_version if form.pk is not None else None,
    )
    if form.crf_status == CrfStatus.DRAFT:
        # Recording the visit completes its form (as completing an assessment does).
        complete_form(record=form, user=user)
    return form


def death_date_of(participant_id: int) -> dt.date | None:
    """The date of death, from the death report (its single source), or None."""
    return (
        DeathReport.objects.filter(participant_id=participant_id)
        .values_list("death_date", flat=True)
        .first()
    )


@transaction.atomic
def close_visits_after_death(*, participant: Participant, user: Any, death_date: dt.date) -> int:
    """A death closes the participant's open visits: none is required after it (called by
    `workflow.services.record_death`). Returns how many it closed."""
    require(user, Action.ENTER_DATA, participant.site_id)
    return _close_open_visits(
        participant=participant,
        user=user,
        as_of=death_date,
        reason=str(DIED_REASON % {"date": death_date.isoformat()}),
    )


@transaction.atomic
def record_unscheduled_visit(*, participant: Participant, user: Any, data: dict[str, Any]) -> Visit:
    require(user, Action.ENTER_DATA, participant.site_id)
    visit = Visit(participant=participant, kind=Visit.Kind.UNSCHEDULED)
    return record_visit(visit=visit, user=user, data=data, reason=str(UNSCHEDULED_REASON))


@transaction.atomic
def mark_visit_missed(
    *, visit: PlannedVisit, user: Any, reason: str, expected_version: int | None = None
) -> PlannedVisit:
    """The planned visit did not take place (`expected_version`: the slot's, as loaded)."""
    require(user, Action.ENTER_DATA, visit.participant.site_id)
    # Only an open visit: a done one has its form, which carries the slot as done.
    if PlannedVisit.objects.select_for_update().get(pk=visit.pk).status != PlannedVisit.Status.OPEN:
        raise ValidationError(NO_LONGER_OPEN)
    visit.status = PlannedVisit.Status.MISSED
    visit.status_reason = reason
    save_record(visit, user=user, reason=reason, expected_version=expected_version)
    return visit


# --- Reminders ------------------------------------------------------------------------------

REMINDER_BATCH_SIZE = 2_000


@dataclass(frozen=True)
class _Anchor:
    field: str  # "window_start" or "window_end"
    offset: dt.timedelta  # reminder date = field + offset


def _reminder_anchors() -> dict[str, _Anchor]:
    """Read off `schedule.reminder_dates` which window edge each kind counts from.

    The scan must filter in SQL (it cannot call Python per row), so it needs each reminder date
    as "edge + constant". Rather than restate the rule, probe the rule with two windows of
    different widths and refuse to start if it is not of that shape.
    """
    probes = [
        schedule.PlannedVisit("P1", dt.date(2001, 3, 1), dt.date(2001, 2, 1), dt.date(2001, 4, 1)),
        schedule.PlannedVisit(
            "P2", dt.date(2003, 7, 1), dt.date(2003, 1, 9), dt.date(2003, 12, 20)
        ),
    ]
    anchors: dict[str, _Anchor] = {}
    for kind in schedule.REMINDER_KINDS:
        for field in ("window_start", "window_end"):
            offsets = {schedule.reminder_dates(p)[kind] - getattr(p, field) for p in probes}
            if len(offsets) == 1:
                anchors[kind] = _Anchor(field, offsets.pop())
                break
        else:  # pragma: no cover - a schedule change that this scan would have to follow
            raise RuntimeError(f"reminder date of {kind!r} is not a fixed offset of the window")
    return anchors


REMINDER_ANCHORS = _reminder_anchors()

REMINDER_MESSAGES = {
    schedule.STATE_UPCOMING: gettext_lazy(
        "%(participant)s, visit %(visit)s: window opens on %(start)s (until %(end)s)."
    ),
    schedule.STATE_DUE: gettext_lazy(
        "%(participant)s, visit %(visit)s is due: window open until %(end)s."
    ),
    schedule.STATE_OVERDUE: gettext_lazy(
        "%(participant)s, visit %(visit)s is overdue: its window closed on %(end)s."
    ),
}
REMINDER_EMAIL_SUBJECT = gettext_lazy("CS-EDC: %(count)d follow-up visit reminder(s)")
REMINDER_EMAIL_KIND = "visit_reminders"


def reached(kind: str, today: dt.date) -> Q:
    """Visits whose `kind` reminder date is on or before `today`: the SQL form of
    `schedule.visit_state`, through the anchors read off the rule."""
    anchor = REMINDER_ANCHORS[kind]
    return Q(**{f"{anchor.field}__lte": today - anchor.offset})


def not_reached(kind: str, today: dt.date) -> Q:
    """The complement of `reached` for planned visits (whose windows are never null), as a
    range an index can serve rather than a negation."""
    anchor = REMINDER_ANCHORS[kind]
    return Q(**{f"{anchor.field}__gt": today - anchor.offset})


def _empty_counts() -> dict[str, int]:
    return dict.fromkeys(schedule.REMINDER_KINDS, 0) | {"skipped": 0, "undelivered": 0}


def _queue_reminders(*, today: dt.date, site_ids: Collection[int] | None) -> None:
    """Insert a pending reminder for every open visit that has reached a reminder kind it has
    no row for: one INSERT ... SELECT per kind, done in the database, whatever the number of
    participants (no row comes back to Python).

    Catch-up: a visit is reminded of the latest kind it has reached (its state today); the
    earlier kinds it never got are recorded as skipped, so a scan that was down for ten days
    sends one "overdue", not an "upcoming", a "due" and an "overdue" at once. A kind that
    already has a row is left out (an anti-join on the unique (visit, kind) index), so a
    second scan adds nothing; ON CONFLICT DO NOTHING covers a concurrent scan's rows.
    """
    kinds = schedule.REMINDER_KINDS
    open_visits = PlannedVisit.objects.filter(status=PlannedVisit.Status.OPEN)
    if site_ids is not None:
        open_visits = open_visits.filter(site_id__in=site_ids)
    now = timezone.now()
    table = connection.ops.quote_name(Reminder._meta.db_table)
    column = {f.name: str(f.column) for f in Reminder._meta.concrete_fields}
    columns = ", ".join(
        connection.ops.quote_name(column[name])
        for name in ("planned_visit", "kind", "due_on", "status", "created_at")
    )
    for kind, following in zip(kinds, [*kinds[1:], None], strict=True):
        anchor = REMINDER_ANCHORS[kind]
        # The kind is the visit's state today (pending) unless it has reached the next one.
        status: Any = Value(Reminder.Status.PENDING)
        if following is not None:
            status = Case(
                When(reached(following, today), then=Value(Reminder.Status.SKIPPED)),
                default=status,
            )
        rows = (
            open_visits.filter(reached(kind, today))
            # Without a row of this kind yet: an anti-join on the unique index, rather than
            # letting ON CONFLICT refuse the visits of every earlier scan one by one (that
            # made a scan with nothing new cost seconds at 100,000 participants).
            .exclude(Exists(Reminder.objects.filter(planned_visit=OuterRef("pk"), kind=kind)))
            .annotate(
                r_kind=Value(kind),
                r_due=Cast(
                    F(anchor.field) + Value(anchor.offset, output_field=DurationField()),
                    DateField(),
                ),
                r_status=status,
                r_created=Value(now, output_field=DateTimeField()),
            )
            .values_list("pk", "r_kind", "r_due", "r_status", "r_created")
            .order_by()
        )
        select, params = rows.query.sql_with_params()
        if connection.vendor == "postgresql":
            statement = f"INSERT INTO {table} ({columns}) {select} ON CONFLICT DO NOTHING"
        else:
            statement = f"INSERT OR IGNORE INTO {table} ({columns}) {select}"
        with connection.cursor() as cursor:
            cursor.execute(statement, params)


def _coordinators_by_site(site_ids: Collection[int]) -> dict[int, list[tuple[int, str, str]]]:
    """Per site, each coordinator's (user id, e-mail address, language to write to them in)."""
    by_site: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
    for site_id, user_id, email, language in Membership.objects.filter(
        site_id__in=site_ids,
        role__in=roles_allowed(Action.RECEIVE_VISIT_REMINDERS),
        user__is_active=True,
    ).values_list("site_id", "user_id", "user__email", "user__preference__language"):
        by_site[site_id].append((user_id, email, chosen_or_default(language)))
    return by_site


def _deliver_batch(
    *,
    today: dt.date,
    site_ids: Collection[int] | None,
    after_pk: int,
    batch_size: int,
    counts: dict[str, int],
    email: bool,
) -> int | None:
    """Claim one batch of pending reminders, deliver them and mark them, in one transaction.

    SKIP LOCKED lets a concurrent scan take the next rows instead of waiting for these; if
    this process dies before the commit, the rollback puts the rows back to pending with
    no notification written and no e-mail enqueued, and the next scan delivers them. "Sent"
    means the in-app notifications are written and the e-mails are in the outbox, which
    sends them (retrying while the mail server is down). Returns the last claimed id, or
    None when nothing was left.
    """
    with transaction.atomic():
        # Lock the reminder rows alone (no joins: the planner would join whole tables under
        # the lock), then read their visits by primary key.
        claim = Reminder.objects.select_for_update(skip_locked=True).filter(
            status=Reminder.Status.PENDING, due_on__lte=today, pk__gt=after_pk
        )
        if site_ids is not None:
            claim = claim.filter(
                planned_visit__in=PlannedVisit.objects.filter(site_id__in=site_ids).values("pk")
            )
        # Plain rows, not model instances: a catch-up delivers tens of thousands.
        reminders = list(
            claim.order_by("pk").values_list("pk", "planned_visit_id", "kind")[:batch_size]
        )
        if not reminders:
            return None
        visits = {
            row[0]: row
            for row in PlannedVisit.objects.filter(
                pk__in={visit_id for _, visit_id, _ in reminders}
            ).values_list(
                "pk",
                "code",
                "target",
                "window_start",
                "window_end",
                "status",
                "site_id",
                "participant__study_id",
                "participant__status",
            )
        }
        coordinators = _coordinators_by_site({row[6] for row in visits.values()})
        # The visit page's address, reversed once: `reverse` per reminder cost more than
        # everything else the batch does in Python.
        url_head, url_tail = reverse("followup:visit_record", args=[0]).rsplit("/0/", 1)
        # Each language's messages, translated once per batch (activating a language per
        # reminder cost more than the rest of the batch).
        templates = functools.cache(_templates_in)
        sent: list[tuple[int, str]] = []
        skipped: list[int] = []
        notices: list[NewNotification] = []
        # Keyed by (user id, address, language): each coordinator reads in their own language.
        lines: dict[tuple[int, str, str], list[str]] = defaultdict(list)
        first_reminder: dict[tuple[int, str, str], int] = {}
        for reminder_pk, visit_id, kind in reminders:
            pk, code, target, start, end, status, site_id, study_id, participant_status = visits[
                visit_id
            ]
            # Still what the visit needs today? A visit done, closed, or moved on to a later
            # state since the row was queued is not reminded late.
            if (
                participant_status != Participant.Status.ENROLLED
                or status != PlannedVisit.Status.OPEN
                or schedule.visit_state(
                    schedule.PlannedVisit(code, target, start, end), today, done=False
                )
                != kind
            ):
                skipped.append(reminder_pk)
                continue
            recipients = coordinators.get(site_id, [])
            if not recipients:
                # Nobody to tell yet: stays pending, delivered once a coordinator exists
                # (while it still applies).
                counts["undelivered"] += 1
                continue
            url = f"{url_head}/{pk}/{url_tail}"
            values = {"participant": study_id, "visit": code, "start": start, "end": end}
            for user_id, address, language in recipients:
                message = templates(language)[kind] % values
                notices.append(
                    NewNotification(
                        recipient_id=user_id,
                        kind=f"visit_{kind}",
                        message=message,
                        url=url,
                        key=f"reminder:{reminder_pk}",
                    )
                )
                if address:
                    lines[(user_id, address, language)].append(message)
                    first_reminder.setdefault((user_id, address, language), reminder_pk)
            sent.append((reminder_pk, kind))
        notifications_create(notifications=notices)
        now = timezone.now()
        if sent:
            Reminder.objects.filter(pk__in=[pk for pk, _ in sent]).update(
                status=Reminder.Status.SENT, sent_at=now
            )
        if skipped:
            Reminder.objects.filter(pk__in=skipped).update(status=Reminder.Status.SKIPPED)
        if email:
            # One e-mail per coordinator and batch, in the claim's transaction: a rollback
            # takes it back with the claim. A reminder is claimed by one batch only, so the
            # batch's first reminder names the e-mail for each coordinator.
            outbox_enqueue(
                messages=[
                    NewOutboxMessage(
                        kind=REMINDER_EMAIL_KIND,
                        key=f"reminder:{first_reminder[recipient]}:email:{recipient[0]}",
                        recipient=recipient[1],
                        subject=_in_language(
                            recipient[2], REMINDER_EMAIL_SUBJECT, {"count": len(body)}
                        ),
                        body="\n".join(body),
                    )
                    for recipient, body in lines.items()
                ]
            )
        for _, kind in sent:
            counts[kind] += 1
        counts["skipped"] += len(skipped)
        return reminders[-1][0]


def _templates_in(language: str) -> dict[str, str]:
    with language_override(language):
        return {kind: str(text) for kind, text in REMINDER_MESSAGES.items()}


def _in_language(language: str, text: Any, values: dict[str, Any]) -> str:
    with language_override(language):
        return str(text % values)


def send_due_reminders(
    *,
    today: dt.date,
    site_ids: Collection[int] | None = None,
    batch_size: int = REMINDER_BATCH_SIZE,
    email: bool = True,
) -> dict[str, int]:
    """Send every reminder that is due on `today` and was never sent; return counts by kind.

    Safe to run twice, concurrently, or again after a crash: the unique (planned visit, kind) row is
    the record that a reminder exists, and only the transaction that claims a pending row
    delivers it. Set-based: a fixed number of queries per batch, never per visit.
    `email=False` delivers in-app only (the demo seed).
    """
    counts = _empty_counts()
    # Each coordinator is written to in their own language (_deliver_batch).
    _queue_reminders(today=today, site_ids=site_ids)
    last_pk: int | None = 0
    while last_pk is not None:
        last_pk = _deliver_batch(
            today=today,
            site_ids=site_ids,
            after_pk=last_pk,
            batch_size=batch_size,
            counts=counts,
            email=email,
        )
    return counts


def send_due_reminders_in_site_time(*, now: dt.datetime) -> dict[str, int]:
    """Run the scan for each site on its own calendar day (sites may span time zones)."""
    by_zone: dict[str, list[int]] = defaultdict(list)
    for site_id, zone in Site.objects.values_list("pk", "time_zone"):
        by_zone[zone].append(site_id)
    total: Counter[str] = Counter(_empty_counts())
    for zone, ids in sorted(by_zone.items()):
        today = now.astimezone(ZoneInfo(zone)).date()
        total.update(send_due_reminders(today=today, site_ids=ids))
    return dict(total)
