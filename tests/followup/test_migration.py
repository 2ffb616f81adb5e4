"""The migration of visits into planned visits and visit forms keeps every row: migrate back to
the state before it, write visits of every kind there, migrate forward, look."""

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from tests.migrations import migrate_to, migrate_to_latest

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("followup", "0003_worklist_indexes")]
AFTER = [("followup", "0006_visit_forms_only")]
D = dt.date


def _migrate(followup):  # type: ignore[no-untyped-def]
    # The safety app's move of the visits' deaths needs the follow-up at 0007: it waits.
    return migrate_to([("safety", "0002_load_ctcae_terms"), *followup])


@pytest.fixture
def old_apps():
    apps = _migrate(BEFORE)
    yield apps
    migrate_to_latest()


def _visit(apps, participant, code, *, history=1, **fields):  # type: ignore[no-untyped-def]
    """A visit row as the old code wrote it, with `history` historical rows."""
    visit_model = apps.get_model("followup", "Visit")
    history_model = apps.get_model("followup", "HistoricalVisit")
    planned = fields.get("kind", "planned") == "planned"
    target = D(2026, 4, 5) + dt.timedelta(days=91 * int(code[1:] or 0) // 3)
    values = {
        "participant": participant,
        "kind": "planned",
        "code": code if planned else "",
        "target": target if planned else None,
        "window_start": target - dt.timedelta(days=14) if planned else None,
        "window_end": target + dt.timedelta(days=14) if planned else None,
        "version": history,
    } | fields
    visit = visit_model.objects.create(**values)
    for n in range(history):
        row = {f.attname: getattr(visit, f.attname) for f in visit_model._meta.concrete_fields}
        history_model.objects.create(
            **row,
            history_date=timezone.now() + dt.timedelta(seconds=n),
            history_type="+" if n == 0 else "~",
            history_change_reason=f"change {n} of {code}",
        )
    return visit


def test_every_visit_reminder_and_history_row_is_kept(old_apps, site_a):
    site = old_apps.get_model("access", "Site").objects.get(pk=site_a.pk)
    participant = old_apps.get_model("enrollment", "Participant").objects.create(
        site=site,
        study_id="AA-0901",
        sequence=901,
        diagnosis_date=D(2026, 1, 5),
        enrolment_date=D(2026, 2, 1),
    )
    done = _visit(
        old_apps,
        participant,
        "M03",
        history=3,
        status="done",
        visit_date=D(2026, 4, 6),
        vital_status="alive",
        crf_status="complete",
    )
    empty = _visit(old_apps, participant, "M06", history=2)
    missed = _visit(old_apps, participant, "M09", status="missed", status_reason="abroad")
    queried = _visit(old_apps, participant, "M12")
    partial = _visit(old_apps, participant, "M15", systemic_therapy="letrozole")
    sites = _visit(old_apps, participant, "M18", distant_progression_sites=["liver"])
    unscheduled = _visit(
        old_apps, participant, "", kind="unscheduled", status="done", visit_date=D(2026, 3, 1)
    )
    reminder = old_apps.get_model("followup", "Reminder").objects.create(
        visit=empty, kind="upcoming", due_on=D(2026, 6, 1), status="skipped"
    )
    now = timezone.now()
    old_apps.get_model("dataquality", "DataQuery").objects.create(
        participant=participant,
        site=site,
        form_id=ContentType.objects.get_by_natural_key("followup", "visit").pk,
        object_id=queried.pk,
        field_name="visit_date",
        text="When?",
        opened_at=now,
        updated_at=now,
    )
    old_history = old_apps.get_model("followup", "HistoricalVisit").objects.count()
    planned_ids = {done.pk, empty.pk, missed.pk, queried.pk, partial.pk, sites.pk}

    new_apps = _migrate(AFTER)

    slot_model = new_apps.get_model("followup", "PlannedVisit")
    visit_model = new_apps.get_model("followup", "Visit")
    # Every planned visit is a slot under its own key, with its window and status.
    slots = {s.pk: s for s in slot_model.objects.all()}
    assert set(slots) == planned_ids
    assert (slots[done.pk].code, slots[done.pk].status) == ("M03", "done")
    assert (slots[missed.pk].status, slots[missed.pk].status_reason) == ("missed", "abroad")
    assert slots[empty.pk].window_start == empty.window_start
    assert slots[done.pk].version == 3
    # A form for each recorded visit, under its own key; none for the empty placeholders.
    forms = {v.pk: v for v in visit_model.objects.all()}
    assert set(forms) == {done.pk, queried.pk, partial.pk, sites.pk, unscheduled.pk}
    assert forms[done.pk].planned_visit_id == done.pk
    assert forms[done.pk].crf_status == "complete"
    assert forms[unscheduled.pk].planned_visit_id is None
    assert forms[partial.pk].systemic_therapy == "letrozole"
    # The reminder names the slot.
    assert new_apps.get_model("followup", "Reminder").objects.get(
        pk=reminder.pk
    ).planned_visit_id == (empty.pk)
    # History: the visit rows all stay, and each slot's history starts from its visit's.
    history = new_apps.get_model("followup", "HistoricalVisit")
    assert history.objects.count() == old_history
    assert set(history.objects.filter(id=done.pk).values_list("planned_visit_id", flat=True)) == {
        done.pk
    }
    slot_history = new_apps.get_model("followup", "HistoricalPlannedVisit").objects
    assert slot_history.filter(id=done.pk).count() == 3
    assert slot_history.filter(id=empty.pk).count() == 2
    first = slot_history.filter(id=empty.pk).order_by("history_id").first()
    assert (first.history_type, first.history_change_reason, first.code) == (
        "+",
        "change 0 of M06",
        "M06",
    )
    assert slot_history.count() == old_history - 1  # all but the unscheduled visit's row
    # A slot planned from now on takes a fresh key.
    new = slot_model.objects.create(
        participant_id=participant.pk,
        code="M21",
        target=D(2027, 10, 5),
        window_start=D(2027, 9, 21),
        window_end=D(2027, 10, 19),
    )
    assert new.pk > max(planned_ids)
