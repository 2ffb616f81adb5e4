import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from enrollment.models import OffStudy, Participant
from followup import services
from followup.models import PlannedVisit, Reminder
from followup.services import send_due_reminders
from notifications.models import Notification
from tests.factories.followup import participant_with_visits
from workflow import services as workflow

pytestmark = pytest.mark.django_db

ZERO = {"upcoming": 0, "due": 0, "overdue": 0, "skipped": 0, "undelivered": 0}


def _scan(today, capture, **kwargs):
    with capture(execute=True):
        return send_due_reminders(today=today, **kwargs)


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    """Emails go out on commit; inside a test transaction, run those callbacks explicitly."""
    return django_capture_on_commit_callbacks


@pytest.fixture
def m03(site_a, coordinator_a):
    p = participant_with_visits(site_a, coordinator_a)
    return p.planned_visits.get(code="M03")


def test_each_kind_is_sent_on_its_day(m03, coordinator_a, capture):
    upcoming_day = m03.window_start - dt.timedelta(days=7)
    assert _scan(upcoming_day - dt.timedelta(days=1), capture) == ZERO
    assert _scan(upcoming_day, capture) == ZERO | {"upcoming": 1}
    assert _scan(m03.window_start, capture) == ZERO | {"due": 1}
    assert _scan(m03.window_end, capture) == ZERO
    assert _scan(m03.window_end + dt.timedelta(days=1), capture) == ZERO | {"overdue": 1}
    assert Reminder.objects.filter(planned_visit=m03, status="sent").count() == 3
    notes = Notification.objects.filter(recipient=coordinator_a).order_by("id")
    assert [n.kind for n in notes] == ["visit_upcoming", "visit_due", "visit_overdue"]
    assert all(n.url == f"/followup/visits/{m03.pk}/" for n in notes)
    assert len(mail.outbox) == 3
    assert mail.outbox[0].to == [coordinator_a.email]
    assert m03.participant.study_id in mail.outbox[0].body


def test_scanning_twice_sends_once(m03, coordinator_a, capture):
    assert _scan(m03.window_start, capture)["due"] == 1
    assert _scan(m03.window_start, capture) == ZERO
    assert Notification.objects.count() == 1
    assert len(mail.outbox) == 1


def test_catch_up_sends_only_the_latest_kind_and_records_the_others_skipped(
    m03, coordinator_a, capture
):
    """The scan was down for weeks: the overdue visit gets one overdue reminder, not three."""
    counts = _scan(m03.window_end + dt.timedelta(days=10), capture)
    assert counts["overdue"] == 1 and counts["upcoming"] == counts["due"] == 0
    rows = dict(Reminder.objects.filter(planned_visit=m03).values_list("kind", "status"))
    assert rows == {"upcoming": "skipped", "due": "skipped", "overdue": "sent"}
    # Older visits are each reminded once, overdue, too.
    assert Notification.objects.filter(kind="visit_overdue").count() == counts["overdue"]


def test_a_pending_reminder_that_no_longer_applies_is_skipped_not_sent(m03, capture):
    Reminder.objects.create(
        planned_visit=m03, kind="upcoming", due_on=m03.window_start - dt.timedelta(7)
    )
    counts = _scan(m03.window_start, capture)
    assert counts == ZERO | {"due": 1, "skipped": 1}
    assert Reminder.objects.get(planned_visit=m03, kind="upcoming").status == "skipped"


def test_off_study_stops_reminders(m03, coordinator_a, capture):
    # Going off study closes the open visits: the scan, which reads open visits, finds none.
    participant = m03.participant
    workflow.take_off_study(
        participant=participant,
        user=coordinator_a,
        date=participant.enrolment_date + dt.timedelta(days=1),
        reason=OffStudy.Reason.WITHDRAWN,
    )
    assert _scan(m03.window_start, capture) == ZERO
    assert not Notification.objects.exists()


def test_a_pending_reminder_of_a_participant_gone_off_study_is_not_sent(m03, capture):
    Reminder.objects.create(planned_visit=m03, kind="due", due_on=m03.window_start)
    Participant.objects.filter(pk=m03.participant_id).update(status="off_study")
    assert _scan(m03.window_start, capture) == ZERO | {"skipped": 1}
    assert not Notification.objects.exists()


def test_done_and_closed_visits_are_not_reminded(m03, capture):
    PlannedVisit.objects.filter(pk=m03.pk).update(status="done")
    m06 = PlannedVisit.objects.get(participant=m03.participant, code="M06")
    PlannedVisit.objects.filter(pk=m06.pk).update(status="not_required")
    assert _scan(m06.window_end + dt.timedelta(days=1), capture) == ZERO


def test_each_coordinator_of_the_site_gets_it_and_only_them(
    m03, coordinator_a, coordinator_b, investigator_a, capture
):
    from access.roles import Role
    from tests.factories.access import user_with_role

    second = user_with_role(Role.COORDINATOR, m03.participant.site, username="coordinator_a2")
    _scan(m03.window_start, capture)
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {
        coordinator_a.username,
        second.username,
    }
    assert sorted(m.to[0] for m in mail.outbox) == sorted([coordinator_a.email, second.email])


def test_one_email_per_coordinator_per_batch(site_a, coordinator_a, capture):
    visits = [participant_with_visits(site_a).planned_visits.get(code="M03") for _ in range(3)]
    counts = _scan(visits[0].window_start, capture)
    assert counts["due"] == 3
    assert len(mail.outbox) == 1
    assert mail.outbox[0].body.count("is due") == 3


def test_a_site_without_coordinator_keeps_the_reminder_pending(site_b, capture):
    visit = participant_with_visits(site_b).planned_visits.get(code="M03")
    assert _scan(visit.window_start, capture) == ZERO | {"undelivered": 1}
    assert Reminder.objects.get(planned_visit=visit, kind="due").status == "pending"


def test_a_crash_before_commit_loses_none_and_repeats_none(
    site_a, coordinator_a, capture, monkeypatch
):
    visits = [participant_with_visits(site_a).planned_visits.get(code="M03") for _ in range(5)]
    day = visits[0].window_start
    original = services.notifications_create

    def crash(**kwargs):
        original(**kwargs)  # the notifications are written ...
        raise RuntimeError("worker killed")  # ... and the worker dies before the commit

    monkeypatch.setattr(services, "notifications_create", crash)
    with pytest.raises(RuntimeError):
        _scan(day, capture, batch_size=2)
    assert not Notification.objects.exists()
    assert not Reminder.objects.filter(status="sent").exists()
    assert mail.outbox == []

    monkeypatch.setattr(services, "notifications_create", original)
    assert _scan(day, capture, batch_size=2)["due"] == 5
    assert _scan(day, capture, batch_size=2)["due"] == 0
    assert Notification.objects.count() == 5
    assert sum(m.body.count("is due") for m in mail.outbox) == 5


def test_a_crash_after_some_batches_committed_resumes_with_the_rest(
    site_a, coordinator_a, capture, monkeypatch
):
    visits = [participant_with_visits(site_a).planned_visits.get(code="M03") for _ in range(5)]
    day = visits[0].window_start
    original = services.notifications_create
    calls = []

    def crash_on_second_batch(**kwargs):
        calls.append(1)
        original(**kwargs)
        if len(calls) == 2:
            raise RuntimeError("worker killed")

    monkeypatch.setattr(services, "notifications_create", crash_on_second_batch)
    with pytest.raises(RuntimeError):
        _scan(day, capture, batch_size=2)
    assert Reminder.objects.filter(status="sent").count() == 2
    monkeypatch.setattr(services, "notifications_create", original)
    assert _scan(day, capture, batch_size=2)["due"] == 3
    assert Notification.objects.count() == 5
    assert Notification.objects.values("key").distinct().count() == 5


def _scan_queries(n_participants, site):
    """Queries of a scan on the day the M03 of `n_participants` new participants is upcoming."""
    Reminder.objects.all().delete()
    Notification.objects.all().delete()
    visits = [
        participant_with_visits(site).planned_visits.get(code="M03") for _ in range(n_participants)
    ]
    day = visits[0].window_start - dt.timedelta(days=7)
    with CaptureQueriesContext(connection) as ctx:
        counts = send_due_reminders(today=day)
    assert counts["upcoming"] == Reminder.objects.filter(status="sent").count()
    return len(ctx.captured_queries), counts["upcoming"]


def test_the_scan_runs_a_fixed_number_of_queries_whatever_the_number_of_visits(
    site_a, coordinator_a
):
    small, sent_small = _scan_queries(10, site_a)
    large, sent_large = _scan_queries(90, site_a)
    assert (sent_small, sent_large) == (10, 100)  # the first 10 are reminded again: rows gone
    assert small == large
    # One batch: an INSERT ... SELECT per kind to queue; claim, coordinators, notifications,
    # outbox e-mails, mark; the empty claims that end each loop; savepoints around the batch.
    assert small <= 14


def test_send_reminders_command_prints_counts_per_kind(m03, coordinator_a, capsys):
    call_command("send_reminders", "--date", m03.window_start.isoformat())
    out = capsys.readouterr().out
    assert "due: 1" in out and "upcoming: 0" in out and "overdue: 0" in out


def test_the_task_scans_each_site_on_its_own_day(m03, coordinator_a, site_a, capture):
    from followup.tasks import send_due_reminders_task

    site_a.time_zone = "Pacific/Kiritimati"  # UTC+14
    site_a.save()
    # 12:00 UTC the day before the window opens is already the window's first day there.
    now = dt.datetime.combine(m03.window_start - dt.timedelta(days=1), dt.time(12), dt.UTC)
    from unittest import mock

    with mock.patch("followup.tasks.timezone.now", return_value=now), capture(execute=True):
        counts = send_due_reminders_task.delay().get()
    assert counts["due"] == 1


def test_a_coordinator_is_reminded_in_their_own_language(m03, coordinator_a, capture):
    from access.models import Preference

    Preference.objects.create(user=coordinator_a, language="zh-hans")
    assert _scan(m03.window_start, capture)["due"] == 1
    note = Notification.objects.get(recipient=coordinator_a)
    assert f"{m03.participant.study_id}，访视 M03 已到期" in note.message
    assert mail.outbox[0].subject == "CS-EDC：1 条随访访视提醒"
    assert note.message in mail.outbox[0].body
