import pytest

from exports.datasets import DATASETS
from tests.exports.helpers import run_export

pytestmark = pytest.mark.django_db


@pytest.fixture
def dictionary(db, tmp_path):
    return run_export(tmp_path)["data_dictionary"]


def test_every_exported_column_is_described(dictionary):
    described = {(r["dataset"], r["variable"]) for r in dictionary}
    for dataset in DATASETS:
        for column in dataset.header(deidentified=False):
            assert (dataset.name, column) in described


def test_labels_types_units_and_coded_values_come_from_the_models(dictionary):
    rows = {(r["dataset"], r["variable"]): r for r in dictionary}
    status = rows[("visits", "status")]
    assert status["form"] == "Follow-up visit"
    assert "done=Done" in status["allowed_values"] and "missed=Missed" in status["allowed_values"]
    assert rows[("visits", "visit_date")]["type"].startswith("date (ISO 8601")
    assert rows[("visits", "distant_progression")]["type"] == "boolean (true/false)"
    assert rows[("baseline", "er_percent")]["unit"] == "%"
    assert rows[("lesions", "baseline_mm")]["unit"] == "mm"
    assert rows[("analysis", "os_days")]["label"].startswith("overall survival")
    assert rows[("assignments", "confirmed_arm")]["allowed_values"].startswith("1=Arm 1")
    assert "liver=Liver" in rows[("screening", "metastatic_sites")]["allowed_values"]
    assert "de_novo_stage_iv=" in rows[("screening", "failed")]["allowed_values"]
    assert "bone=Bone" in rows[("visits", "distant_progression_sites")]["allowed_values"]


def test_queries_are_described_whether_or_not_the_data_quality_app_is_there(dictionary):
    from django.apps import apps

    queries = [r for r in dictionary if r["dataset"] == "queries"]
    if apps.is_installed("dataquality"):
        assert queries[0]["note"].startswith("One row per data-quality query")
        assert [r for r in queries if r["variable"] == "status"][0]["allowed_values"]
    else:
        assert queries[0]["note"] == "No data-quality queries yet: this file has its header only."
    assert not any("TODO" in r["note"] for r in dictionary)


def test_english_and_chinese_labels_side_by_side(dictionary):
    rows = {(r["dataset"], r["variable"]): r for r in dictionary}
    os_days = rows[("analysis", "os_days")]
    assert os_days["label"].startswith("overall survival")
    assert os_days["label_zh"] == "总生存期（OS）：自诊断起的天数"
    arm = rows[("assignments", "confirmed_arm")]
    assert arm["allowed_values"].startswith("1=Arm 1: Primary CR, metastases CR")
    assert arm["allowed_values_zh"].startswith("1=第 1 组：原发灶完全缓解，转移灶完全缓解")
    assert all(r["label_zh"] and r["form_zh"] for r in dictionary)
