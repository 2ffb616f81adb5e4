"""Follow-up writes: plan, replan and close the planned visits; record the follow-up CRF (a
visit form, created when a visit is recorded); send reminders.

Enrolment calls `plan_visits`, a diagnosis-date correction calls `replan_visits`, going off
study calls `close_visits`: visibly, from the enrollment services, never through signals.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter, defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, Exists, OuterRef, Q, Value, When
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
    becomes done. A recorded death closes the participant's other open visits: none is
    required after it.
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
        ),
    )
    if errors:
        raise ValidationError(errors)
    # A first recording names itself; a correction of a completed visit needs its reason.
    save_record(
        form,
        user=user,
        reason=reason or ("" if form.needs_reason_for_change else str(RECORDED_REASON)),
        expected_version=expected_version if form.pk is not None else None,
    )
    if slot is not None and slot.status != PlannedVisit.Status.DONE:
        slot.status, slot.status_reason = PlannedVisit.Status.DONE, ""
        save_record(slot, user=user, reason=str(RECORDED_REASON), expected_version=slot.version)
    if form.crf_status == CrfStatus.DRAFT:
        # Recording the visit completes its form (as completing an assessment does).
        complete_form(record=form, user=user)
    if form.death_date is not None:
        _close_open_visits(
            participant=form.participant,
            user=user,
            as_of=form.death_date,
            reason=str(DIED_REASON % {"date": form.death_date.isoformat()}),
        )
    return form


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
    visit.status = PlannedVisit.Status.MISSED
    visit.status_reason = reason
    save_record(visit, user=user, reason=reason, expected_version=expected_version)
    return visit


# --- Reminders ------------------------------------------------------------------------------

REMINDER_BATCH_SIZE = 500


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


def _planned(visit: PlannedVisit | tuple[Any, ...]) -> schedule.PlannedVisit:
    if isinstance(visit, PlannedVisit):
        return visit.as_schedule()
    return schedule.PlannedVisit(*visit)


def _empty_counts() -> dict[str, int]:
    return dict.fromkeys(schedule.REMINDER_KINDS, 0) | {"skipped": 0, "undelivered": 0}


def _queue_reminders(*, today: dt.date, site_ids: Collection[int] | None, batch_size: int) -> None:
    """Insert a pending reminder for every open visit that has reached a reminder kind it has
    no row for: one SELECT, then one INSERT ... ON CONFLICT DO NOTHING per batch of rows,
    whatever the number of participants.

    Catch-up: a visit is reminded of the latest kind it has reached (its state today); the
    earlier kinds it never got are recorded as skipped, so a scan that was down for ten days
    sends one "overdue", not an "upcoming", a "due" and an "overdue" at once.
    """
    kinds = schedule.REMINDER_KINDS
    # The state today, latest first: the SQL mirror of schedule.visit_state for open visits.
    current_kind = Case(
        *[When(reached(kind, today), then=Value(kind)) for kind in reversed(kinds)],
        default=Value(""),
    )
    candidates = (
        PlannedVisit.objects.filter(
            reached(kinds[0], today),
            status=PlannedVisit.Status.OPEN,
            participant__status=Participant.Status.ENROLLED,
        )
        .annotate(reminder_kind=current_kind)
        .filter(
            ~Exists(
                Reminder.objects.filter(
                    planned_visit=OuterRef("pk"), kind=OuterRef("reminder_kind")
                )
            )
        )
        .order_by("pk")
    )
    if site_ids is not None:
        candidates = candidates.filter(participant__site_id__in=site_ids)
    # One pass over the candidates (a server-side cursor on PostgreSQL), inserting as it goes:
    # one SELECT, then one INSERT per batch.
    rows = candidates.values_list("pk", "code", "target", "window_start", "window_end")
    batch: list[Reminder] = []
    for pk, *planned_fields in rows.iterator(chunk_size=batch_size):
        planned = _planned(tuple(planned_fields))
        state = schedule.visit_state(planned, today, done=False)
        if state not in kinds:
            continue
        dates = schedule.reminder_dates(planned)
        for kind in kinds[: kinds.index(state) + 1]:
            batch.append(
                Reminder(
                    planned_visit_id=pk,
                    kind=kind,
                    due_on=dates[kind],
                    status=Reminder.Status.PENDING if kind == state else Reminder.Status.SKIPPED,
                )
            )
        if len(batch) >= batch_size:
            Reminder.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    if batch:
        Reminder.objects.bulk_create(batch, ignore_conflicts=True)


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
                planned_visit__in=PlannedVisit.objects.filter(
                    participant__site_id__in=site_ids
                ).values("pk")
            )
        reminders = list(claim.order_by("pk")[:batch_size])
        if not reminders:
            return None
        visits = PlannedVisit.objects.select_related("participant").in_bulk(
            {r.planned_visit_id for r in reminders}
        )
        for reminder in reminders:
            reminder.planned_visit = visits[reminder.planned_visit_id]
        coordinators = _coordinators_by_site({v.participant.site_id for v in visits.values()})
        sent: list[Reminder] = []
        skipped: list[int] = []
        notices: list[NewNotification] = []
        # Keyed by (user id, address, language): each coordinator reads in their own language.
        lines: dict[tuple[int, str, str], list[str]] = defaultdict(list)
        first_reminder: dict[tuple[int, str, str], int] = {}
        for reminder in reminders:
            visit = reminder.planned_visit
            participant = visit.participant
            # Still what the visit needs today? A visit done, closed, or moved on to a later
            # state since the row was queued is not reminded late.
            if (
                participant.is_off_study
                or visit.status != PlannedVisit.Status.OPEN
                or schedule.visit_state(_planned(visit), today, done=False) != reminder.kind
            ):
                skipped.append(reminder.pk)
                continue
            recipients = coordinators.get(participant.site_id, [])
            if not recipients:
                # Nobody to tell yet: stays pending, delivered once a coordinator exists
                # (while it still applies).
                counts["undelivered"] += 1
                continue
            url = reverse("followup:visit_record", args=[visit.pk])
            messages: dict[str, str] = {}
            for user_id, address, language in recipients:
                if language not in messages:
                    with language_override(language):
                        messages[language] = str(
                            REMINDER_MESSAGES[reminder.kind]
                            % {
                                "participant": participant.study_id,
                                "visit": visit.code,
                                "start": visit.window_start,
                                "end": visit.window_end,
                            }
                        )
                message = messages[language]
                notices.append(
                    NewNotification(
                        recipient_id=user_id,
                        kind=f"visit_{reminder.kind}",
                        message=message,
                        url=url,
                        key=f"reminder:{reminder.pk}",
                    )
                )
                if address:
                    lines[(user_id, address, language)].append(message)
                    first_reminder.setdefault((user_id, address, language), reminder.pk)
            sent.append(reminder)
        notifications_create(notifications=notices)
        now = timezone.now()
        Reminder.objects.filter(pk__in=[r.pk for r in sent] + skipped).update(
            status=Case(
                When(pk__in=skipped, then=Value(Reminder.Status.SKIPPED)),
                default=Value(Reminder.Status.SENT),
            ),
            sent_at=Case(When(pk__in=skipped, then=None), default=Value(now)),
        )
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
        for reminder in sent:
            counts[reminder.kind] += 1
        counts["skipped"] += len(skipped)
        return reminders[-1].pk


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
    _queue_reminders(today=today, site_ids=site_ids, batch_size=batch_size)
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
