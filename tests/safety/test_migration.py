"""The visits' deaths become death reports: migrate back to before the move, record deaths on
visits as the old code did, migrate forward, look."""

import datetime as dt

import pytest

from tests.migrations import migrate_to, migrate_to_latest

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [
    ("safety", "0002_load_ctcae_terms"),
    ("followup", "0007_history_user_protected_and_named"),
]
D = dt.date


@pytest.fixture
def old_apps():
    apps = migrate_to(BEFORE)
    yield apps
    migrate_to_latest()


def test_the_earliest_death_on_a_visit_becomes_the_death_report(old_apps, site_a):
    site = old_apps.get_model("access", "Site").objects.get(pk=site_a.pk)
    participant_model = old_apps.get_model("enrollment", "Participant")
    slot_model = old_apps.get_model("followup", "PlannedVisit")
    visit_model = old_apps.get_model("followup", "Visit")

    def participant(n):  # type: ignore[no-untyped-def]
        return participant_model.objects.create(
            site=site,
            study_id=f"AA-09{n:02d}",
            sequence=900 + n,
            diagnosis_date=D(2026, 1, 5),
            enrolment_date=D(2026, 2, 1),
        )

    def visit(p, code, **fields):  # type: ignore[no-untyped-def]
        slot = slot_model.objects.create(
            participant=p,
            code=code,
            target=D(2026, 5, 1),
            window_start=D(2026, 4, 1),
            window_end=D(2026, 6, 1),
            status="done",
        )
        return visit_model.objects.create(participant=p, planned_visit=slot, **fields)

    dead, twice, alive = participant(1), participant(2), participant(3)
    visit(dead, "M03", vital_status="dead", death_date=D(2026, 4, 2), death_cause="treatment",
          death_cause_detail="febrile neutropenia", crf_status="verified")  # fmt: skip
    visit(twice, "M03", vital_status="dead", death_date=D(2026, 4, 9), death_cause="other")
    visit(twice, "M06", vital_status="dead", death_date=D(2026, 4, 5), death_cause="unknown")
    visit(alive, "M03", vital_status="alive", last_known_alive=D(2026, 4, 2))

    new_apps = migrate_to(
        [
            ("safety", "0003_death_reports_from_visits"),
            ("followup", "0008_death_date_is_the_death_reports"),
        ]
    )

    reports = {
        r.participant_id: r for r in new_apps.get_model("safety", "DeathReport").objects.all()
    }
    assert set(reports) == {dead.pk, twice.pk}
    first = reports[dead.pk]
    assert (first.death_date, first.primary_cause, first.cause_detail, first.crf_status) == (
        D(2026, 4, 2),
        "treatment_related",
        "febrile neutropenia",
        "verified",
    )
    assert (reports[twice.pk].death_date, reports[twice.pk].primary_cause) == (
        D(2026, 4, 5),
        "unknown",
    )
    history = new_apps.get_model("safety", "HistoricalDeathReport").objects.filter(id=first.pk)
    assert (
        history.count() == 1
        and "Moved from the follow-up visit" in history[0].history_change_reason
    )
    assert "death_date" not in {
        f.name for f in new_apps.get_model("followup", "Visit")._meta.fields
    }
