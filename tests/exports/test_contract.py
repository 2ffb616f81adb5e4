"""The column contract of issue 8: file names, headers, and how values are written."""

import dataclasses
import datetime as dt
import re

import pytest

from enrollment.eligibility import ScreeningFacts
from followup.endpoints import OutcomeFacts
from tests.exports.helpers import headers_in, run_export

pytestmark = pytest.mark.django_db

FILES = [
    "screening",
    "participants",
    "baseline",
    "lesions",
    "lesion_measurements",
    "therapy",
    "assessments",
    "assignments",
    "surgery",
    "visits",
    "planned_visits",
    "off_study",
    "adverse_events",
    "complications",
    "deaths",
    "radiotherapy",
    "queries",
    "analysis",
    "data_dictionary",
]

EXPECTED_HEADERS = {
    "screening": [
        "screening_id", "study_id", "site", "status", "consent_date", "initials",
        "hospital_number", "birth_date", "screening_date", "sex", "invasive_carcinoma_confirmed",
        "stage_iv_at_diagnosis", "metastasis_confirmed_by", "operable", "ecog", "anc",
        "platelets", "hemoglobin", "bilirubin_uln", "ast_uln", "alt_uln", "creatinine_uln",
        "prior_locoregional_surgery", "diagnosis_date", "systemic_therapy_start",
        "other_primary_malignancy", "metastatic_sites", "liver_metastasis_count",
        "followup_feasible", "eligible", "failed", "missing", "age_at_screening",
    ],
    "participants": [
        "study_id", "screening_id", "site", "diagnosis_date", "enrolment_date", "status",
    ],
    "baseline": [
        "study_id", "baseline_date", "histology", "grade", "er_percent", "pr_percent",
        "her2_ihc", "her2_ish", "ki67_percent", "clinical_t", "clinical_n", "distant_m",
        "menopausal_status", "germline_brca",
    ],
    "lesions": [
        "study_id", "lesion_number", "compartment", "organ_site", "nodal", "kind", "location",
        "baseline_mm",
    ],
    "lesion_measurements": [
        "study_id", "lesion_number", "assessment_date", "current_mm", "measurement_status",
    ],
    "therapy": [
        "study_id", "line_number", "category", "agents", "start_date", "stop_date",
        "reason_stopped",
    ],
    "assessments": [
        "study_id", "assessment_date", "modality", "status", "primary_target",
        "primary_non_target", "primary_new_lesions", "primary_response", "metastatic_target",
        "metastatic_non_target", "metastatic_new_lesions", "metastatic_response",
        "primary_target_sum_mm", "metastatic_target_sum_mm",
    ],
    "assignments": [
        "study_id", "assessment_date", "primary_response", "metastatic_response",
        "proposed_arm", "confirmed_arm", "overridden", "status", "override_reason",
        "no_proposal_reason", "rules_version", "signed_by", "signed_at", "signature_meaning",
    ],
    "surgery": [
        "study_id", "procedure", "metastasis_site", "surgery_date", "ypt", "ypn",
        "residual_invasive_disease", "margins", "axillary_procedure", "length_of_stay_days",
    ],
    "visits": [
        "study_id", "code", "kind", "target", "window_start", "window_end", "status",
        "visit_date", "vital_status", "last_known_alive", "distant_progression",
        "distant_progression_date", "distant_progression_sites", "locoregional_recurrence",
        "locoregional_recurrence_date", "locoregional_recurrence_site", "systemic_therapy",
        "status_reason", "outside_window_reason",
    ],
    "planned_visits": [
        "study_id", "code", "target", "window_start", "window_end", "status", "status_reason",
    ],
    "off_study": ["study_id", "off_study_date", "reason", "note"],
    "adverse_events": [
        "study_id", "event_id", "meddra_code", "ctcae_term", "soc", "other_specify",
        "coded_meddra_code", "coded_term", "grade", "onset_date", "onset_precision", "ongoing",
        "resolution_date", "resolution_precision", "serious", "results_in_death",
        "life_threatening", "hospitalisation", "disability", "congenital_anomaly",
        "other_important_event", "aware_at", "relationship_surgery_1", "relationship_surgery_2",
        "relationship_systemic", "action_taken", "outcome", "form_status", "surgery_date",
        "clavien_dindo",
    ],
    "complications": [
        "study_id", "event_id", "procedure", "surgery_date", "length_of_stay_days",
        "meddra_code", "ctcae_term", "grade", "clavien_dindo", "reoperation", "onset_date",
        "onset_precision", "resolution_date", "outcome",
    ],
    "deaths": [
        "study_id", "death_date", "primary_cause", "cause_detail", "autopsy",
        "information_source", "form_status",
    ],
    "radiotherapy": [
        "study_id", "treated_site", "dose_gy", "fractions", "start_date", "end_date",
    ],
    "queries": [
        "study_id",
        "query_id",
        "form",
        "form_id",
        "variable",
        "query_text",
        "status",
        "automatic_check",
        "opened_at",
        "updated_at",
    ],
    "analysis": [
        "study_id", "site", "enrolment_date", "status", "first_arm", "current_arm",
        "histology", "grade", "er_percent", "pr_percent", "her2_ihc", "her2_ish", "er_status",
        "pr_status", "her2_status", "ki67_percent", "clinical_t", "clinical_n",
        "menopausal_status", "metastatic_sites", "diagnosis_date", "last_known_alive",
        "last_disease_assessment", "death_date", "distant_progression_date",
        "locoregional_recurrence_date", "os_days", "os_event", "dpfs_days", "dpfs_event",
        "lrpfs_days", "lrpfs_event",
    ],
    "data_dictionary": [
        "dataset", "variable", "form", "form_zh", "label", "label_zh", "type", "unit",
        "allowed_values", "allowed_values_zh", "note", "note_zh",
    ],
}  # fmt: skip

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@pytest.fixture
def export(trial, tmp_path):
    return run_export(tmp_path)


def test_it_writes_one_file_per_dataset_named_as_the_issue_says(trial, tmp_path):
    run_export(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{n}.csv" for n in FILES)


def test_each_header_is_the_contract_even_when_empty(db, tmp_path):
    run_export(tmp_path)
    assert headers_in(tmp_path) == EXPECTED_HEADERS


def test_the_rule_named_columns_are_there_in_the_issue_s_order():
    screening = EXPECTED_HEADERS["screening"]
    facts = [f.name for f in dataclasses.fields(ScreeningFacts)]
    assert [c for c in screening if c in facts] == facts
    assert {"eligible", "failed", "missing"} <= set(screening)
    assert {"site", "diagnosis_date", "enrolment_date", "status"} <= set(
        EXPECTED_HEADERS["participants"]
    )
    compartments = [
        f"{c}_{x}"
        for c in ("primary", "metastatic")
        for x in ("target", "non_target", "new_lesions", "response")
    ]
    assessments = EXPECTED_HEADERS["assessments"]
    assert [c for c in assessments if c in compartments] == compartments
    assert {"primary_response", "metastatic_response", "proposed_arm", "confirmed_arm",
            "overridden"} <= set(EXPECTED_HEADERS["assignments"])  # fmt: skip
    visit_columns = ["code", "target", "window_start", "window_end", "status", "visit_date"]
    assert visit_columns == [
        c for c in EXPECTED_HEADERS["visits"]
        if c in {"code", "target", "window_start", "window_end", "status", "visit_date"}
    ]  # fmt: skip
    outcomes = ["os_days", "os_event", "dpfs_days", "dpfs_event", "lrpfs_days", "lrpfs_event"]
    analysis = EXPECTED_HEADERS["analysis"]
    assert {f.name for f in dataclasses.fields(OutcomeFacts)} <= set(analysis)
    assert analysis[-6:] == outcomes


def test_every_row_names_its_participant(export, trial):
    for name, rows in export.items():
        if name in {"screening", "data_dictionary"}:
            continue
        assert all(row["study_id"] for row in rows), name
    screening = {row["screening_id"]: row for row in export["screening"]}
    enrolled = screening[trial.enrolled.screening.screening_number]
    assert enrolled["study_id"] == trial.enrolled.study_id
    assert screening[trial.failed.screening_number]["study_id"] == ""


def test_dates_are_iso_booleans_true_false_and_missing_values_empty(export, trial):
    participants = {r["study_id"]: r for r in export["participants"]}
    dead = participants[trial.dead.study_id]
    assert dead["diagnosis_date"] == "2026-01-05"
    assert dead["enrolment_date"] == "2026-02-01"
    assert dead["screening_id"] == ""
    assert participants[trial.enrolled.study_id]["screening_id"].startswith("S-")

    visits = [r for r in export["visits"] if r["study_id"] == trial.dead.study_id]
    m06 = next(r for r in visits if r["code"] == "M06")
    assert m06["distant_progression"] == "true"
    assert m06["locoregional_recurrence"] == "false"
    assert m06["distant_progression_sites"] == "liver;bone"
    assert m06["distant_progression_date"] == "2026-06-20"
    assert "death_date" not in m06  # the death report's, in deaths.csv
    deaths = {r["study_id"]: r for r in export["deaths"]}
    assert deaths[trial.dead.study_id]["death_date"] == "2026-09-30"
    assert deaths[trial.dead.study_id]["primary_cause"] == "breast_cancer"
    (event,) = [r for r in export["adverse_events"] if r["study_id"] == trial.dead.study_id]
    assert (event["onset_date"], event["onset_precision"]) == ("2026-06-01", "month")
    assert event["meddra_code"] == "10017947" and event["serious"] == "true"
    assert event["grade"] == "3" and event["hospitalisation"] == "true"
    (course,) = [r for r in export["radiotherapy"] if r["study_id"] == trial.dead.study_id]
    assert (course["dose_gy"], course["fractions"]) == ("8.00", "1")
    assert export["complications"] == []
    # One row per visit form: the planned visits not recorded have none; the schedule file
    # has every planned visit, whatever became of it.
    assert {r["status"] for r in visits} == {"done"}
    schedule = [r for r in export["planned_visits"] if r["study_id"] == trial.dead.study_id]
    assert {r["code"] for r in visits} < {r["code"] for r in schedule}
    assert "done" in {r["status"] for r in schedule} and len({r["status"] for r in schedule}) > 1
    assert all(r["visit_date"] and r["kind"] == "planned" for r in visits)
    for row in visits:
        for column in ("target", "window_start", "window_end"):
            assert ISO_DATE.match(row[column]), row

    assignments = [r for r in export["assignments"] if r["study_id"] == trial.dead.study_id]
    assert [(r["proposed_arm"], r["confirmed_arm"], r["overridden"]) for r in assignments] == [
        ("1", "1", "false"),
        ("4", "4", "false"),
    ]
    assert re.match(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$", assignments[0]["signed_at"])

    assessments = [r for r in export["assessments"] if r["study_id"] == trial.dead.study_id]
    assert [(r["primary_response"], r["metastatic_response"]) for r in assessments] == [
        ("CR", "CR"),
        ("PD", "PD"),
    ]
    assert assessments[0]["primary_new_lesions"] == "false"


def test_screening_rows_carry_the_facts_and_the_verdict_of_the_rules(export, trial):
    screening = {row["screening_id"]: row for row in export["screening"]}
    enrolled = screening[trial.enrolled.screening.screening_number]
    assert enrolled["eligible"] == "true"
    assert enrolled["failed"] == "" and enrolled["missing"] == ""
    assert enrolled["metastatic_sites"] == "lung;bone"  # the spec's order: visceral first
    assert enrolled["metastasis_confirmed_by"] == "pathology"
    assert enrolled["initials"] == "XY" and enrolled["hospital_number"] == "H777"
    assert float(enrolled["ast_uln"]) == pytest.approx(30 / 40)
    failed = screening[trial.failed.screening_number]
    assert failed["eligible"] == "false"
    assert failed["failed"] == "de_novo_stage_iv"
    assert failed["stage_iv_at_diagnosis"] == "false"


def test_off_study_and_lesions_rows(export, trial):
    assert [(r["study_id"], r["off_study_date"], r["reason"]) for r in export["off_study"]] == [
        (trial.dead.study_id, "2026-10-06", "died")
    ]
    lesions = [r for r in export["lesions"] if r["study_id"] == trial.dead.study_id]
    [breast] = [r for r in lesions if r["organ_site"] == "breast"]
    assert breast["baseline_mm"].startswith("30")
    measured = [
        r
        for r in export["lesion_measurements"]
        if (r["study_id"], r["lesion_number"]) == (trial.dead.study_id, breast["lesion_number"])
    ]
    assert [r["assessment_date"] for r in measured] == ["2026-03-02", "2026-05-04"]


def test_queries_has_no_rows_without_queries(export):
    # The data-quality app may not be installed yet: then the file is its header only.
    assert export["queries"] == []


def test_a_site_filter_keeps_that_site_only(trial, tmp_path):
    from tests.exports.trial import _done

    _done(trial.other_site, "M03", visit_date=dt.date(2026, 4, 6), vital_status="alive")
    export = run_export(tmp_path, "--site", "BB")
    assert [r["study_id"] for r in export["participants"]] == [trial.other_site.study_id]
    assert {r["study_id"] for r in export["visits"]} == {trial.other_site.study_id}
    assert export["screening"] == []


def test_one_dataset_only(trial, tmp_path):
    run_export(tmp_path, "--dataset", "visits")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data_dictionary.csv", "visits.csv"]


def test_queries_rows_name_the_participant_form_and_variable(trial, tmp_path):
    from django.apps import apps

    if not apps.is_installed("dataquality"):
        pytest.skip("the data-quality app is not installed")
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from followup.models import Visit

    visit = Visit.objects.filter(participant=trial.dead).first()
    now = timezone.now()
    apps.get_model("dataquality", "DataQuery").objects.create(
        participant=trial.dead,
        site=trial.dead.site,
        form=ContentType.objects.get_for_model(Visit),
        object_id=visit.pk,
        field_name="visit_date",
        text="Please confirm the visit date.",
        opened_at=now,
        updated_at=now,
    )
    export = run_export(tmp_path)
    [row] = export["queries"]
    assert (row["study_id"], row["form"], row["form_id"], row["variable"], row["status"]) == (
        trial.dead.study_id,
        "visit",
        str(visit.pk),
        "visit_date",
        "open",
    )
    assert re.match(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$", row["opened_at"])
