"""De-identified: no personal data, dates as days from diagnosis, study ID kept."""

import pytest

from exports.datasets import DATASETS
from tests.exports.helpers import run_export

pytestmark = pytest.mark.django_db

PERSONAL = {"initials", "hospital_number", "birth_date", "signed_by"}
FREE_TEXT = {"note", "override_reason", "status_reason", "outside_window_reason",
             "cause_detail", "other_specify"}  # fmt: skip


@pytest.fixture
def export(trial, tmp_path):
    return run_export(tmp_path, "--deidentified")


def test_it_has_no_personal_or_free_text_columns(export):
    for name in export:
        if name == "data_dictionary":
            continue
        dataset = next(d for d in DATASETS if d.name == name)
        columns = set(dataset.header(deidentified=True))
        assert not columns & (PERSONAL | FREE_TEXT), name


def test_no_personal_value_leaks_anywhere(export, tmp_path):
    text = "".join(p.read_text() for p in tmp_path.glob("*.csv"))
    for value in ("XY", "H777", "H999", "Mrs Example", "Dr Example", "Family call", "1970-03-01"):
        assert value not in text


def test_dates_are_days_from_diagnosis_and_the_study_id_is_kept(export, trial):
    participants = {r["study_id"]: r for r in export["participants"]}
    dead = participants[trial.dead.study_id]
    assert dead["diagnosis_date"] == "0"
    assert dead["enrolment_date"] == "27"  # 2026-01-05 to 2026-02-01
    visits = [r for r in export["visits"] if r["study_id"] == trial.dead.study_id]
    m06 = next(r for r in visits if r["code"] == "M06")
    assert m06["distant_progression_date"] == "166"  # 2026-06-20
    assert m06["visit_date"] == "182"
    analysis = {r["study_id"]: r for r in export["analysis"]}[trial.dead.study_id]
    assert analysis["death_date"] == "268"
    assert analysis["os_days"] == "268"
    assert {r["study_id"]: r for r in export["deaths"]}[trial.dead.study_id]["death_date"] == "268"
    event = next(r for r in export["adverse_events"] if r["study_id"] == trial.dead.study_id)
    assert (event["onset_date"], event["onset_precision"]) == ("147", "month")
    signed = [r for r in export["assignments"] if r["study_id"] == trial.dead.study_id]
    assert all(int(r["signed_at"]) >= 0 for r in signed)


def test_the_dictionary_says_dates_are_days(export):
    rows = [r for r in export["data_dictionary"] if r["variable"] == "visit_date"]
    assert rows and "days from the diagnosis" in rows[0]["type"]
    assert not [r for r in export["data_dictionary"] if r["variable"] in PERSONAL]
