"""analysis.csv: one row per participant, outcomes exactly as followup.endpoints computes them."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db.models import Max, Min

from enrollment.models import Participant
from followup import endpoints
from followup.models import Visit
from safety.models import DeathReport
from tests.exports.helpers import run_export

pytestmark = pytest.mark.django_db

D = dt.date
OUTCOME_FUNCTIONS = {
    "os": endpoints.overall_survival,
    "dpfs": endpoints.distant_pfs,
    "lrpfs": endpoints.locoregional_pfs,
}


def _date(value: str) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _facts_from_row(row: dict[str, str]) -> endpoints.OutcomeFacts:
    return endpoints.OutcomeFacts(
        diagnosis_date=_date(row["diagnosis_date"]),
        last_known_alive=_date(row["last_known_alive"]),
        last_disease_assessment=_date(row["last_disease_assessment"]),
        death_date=_date(row["death_date"]),
        distant_progression_date=_date(row["distant_progression_date"]),
        locoregional_recurrence_date=_date(row["locoregional_recurrence_date"]),
    )


def _assert_outcomes_are_the_rules(row: dict[str, str]) -> None:
    facts = _facts_from_row(row)
    for prefix, rule in OUTCOME_FUNCTIONS.items():
        expected = rule(facts)
        assert row[f"{prefix}_days"] == str(expected.days), (row["study_id"], prefix)
        assert row[f"{prefix}_event"] == ("true" if expected.event else "false")


def test_the_dead_participant_s_facts_and_outcomes(trial, tmp_path):
    rows = {r["study_id"]: r for r in run_export(tmp_path)["analysis"]}
    row = rows[trial.dead.study_id]
    assert row["last_known_alive"] == "2026-09-15"
    assert row["last_disease_assessment"] == "2026-07-06"  # M09 recorded no disease status
    assert row["death_date"] == "2026-09-30"
    assert row["distant_progression_date"] == "2026-06-20"
    assert row["locoregional_recurrence_date"] == ""
    assert (row["first_arm"], row["current_arm"]) == ("1", "4")
    assert (row["os_days"], row["os_event"]) == (str((D(2026, 9, 30) - D(2026, 1, 5)).days), "true")
    assert (row["dpfs_days"], row["dpfs_event"]) == (
        str((D(2026, 6, 20) - D(2026, 1, 5)).days),
        "true",
    )
    assert row["lrpfs_event"] == "true"
    _assert_outcomes_are_the_rules(row)


def test_a_participant_without_events_is_censored(trial, tmp_path):
    rows = {r["study_id"]: r for r in run_export(tmp_path)["analysis"]}
    row = rows[trial.alive.study_id]
    assert row["last_known_alive"] == "2026-07-03"
    assert row["last_disease_assessment"] == "2026-04-08"
    assert row["os_event"] == row["dpfs_event"] == row["lrpfs_event"] == "false"
    assert row["os_days"] == str((D(2026, 7, 3) - D(2026, 1, 5)).days)
    assert row["dpfs_days"] == str((D(2026, 4, 8) - D(2026, 1, 5)).days)
    untouched = rows[trial.other_site.study_id]
    assert untouched["last_known_alive"] == "2026-02-01"  # only the enrolment is known
    assert untouched["first_arm"] == untouched["current_arm"] == ""
    for row in rows.values():
        _assert_outcomes_are_the_rules(row)


def test_outcomes_agree_with_the_rules_core_on_the_seeded_trial(db, tmp_path, settings):
    call_command("seed_demo", participants=24, stdout=open("/dev/null", "w"))  # noqa: SIM115
    rows = run_export(tmp_path)["analysis"]
    assert len(rows) == Participant.objects.count() > 0
    events = 0
    for row in rows:
        # The facts, recomputed here one participant at a time, then the rules.
        p = Participant.objects.get(study_id=row["study_id"])
        visits = Visit.objects.filter(participant=p)
        agg = visits.aggregate(
            lka=Max("last_known_alive"),
            distant=Min("distant_progression_date"),
            loco=Min("locoregional_recurrence_date"),
        )
        alive_visits = visits.filter(vital_status="alive").aggregate(d=Max("visit_date"))["d"]
        facts = endpoints.OutcomeFacts(
            diagnosis_date=p.diagnosis_date,
            last_known_alive=max(d for d in (p.enrolment_date, agg["lka"], alive_visits) if d),
            last_disease_assessment=_date(row["last_disease_assessment"]),
            death_date=DeathReport.objects.filter(participant=p)
            .values_list("death_date", flat=True)
            .first(),
            distant_progression_date=agg["distant"],
            locoregional_recurrence_date=agg["loco"],
        )
        assert _facts_from_row(row) == facts
        _assert_outcomes_are_the_rules(row)
        events += row["os_event"] == "true" or row["dpfs_event"] == "true"
    assert events, "the seeded trial should have some events"
