"""SAS XPORT, SPSS and Stata files: read back with pyreadstat, with labels, value labels, dates."""

import datetime as dt
import io

import pandas as pd
import pyreadstat
import pytest
from django.core.management import call_command
from django.utils.translation import override

from exports import stats, values
from exports.datasets import BY_NAME, DATASETS
from exports.models import ExportLog
from exports.streaming import Scope
from safety.models import DeathReport

pytestmark = pytest.mark.django_db

READ = {
    stats.SAS: pyreadstat.read_xport,
    stats.SPSS: pyreadstat.read_sav,
    stats.STATA: pyreadstat.read_dta,
}


@pytest.mark.parametrize("fmt", [stats.SAS, stats.SPSS, stats.STATA])
def test_every_dataset_reads_back_with_its_labels(trial, tmp_path, fmt):
    stats.write_stats(tmp_path, Scope(), fmt)
    for dataset in DATASETS:
        path = tmp_path / f"{dataset.name}.{stats.SUFFIX[fmt]}"
        frame, meta = READ[fmt](str(path))
        assert list(frame.columns) == dataset.header(deidentified=False)
        expected = [v.label for v in stats.variables(dataset, deidentified=False)]
        if fmt == stats.STATA:
            expected = [text[: stats.STATA_LABEL_MAX] for text in expected]
        assert meta.column_labels == expected
    deaths, _meta = READ[fmt](str(tmp_path / f"deaths.{stats.SUFFIX[fmt]}"))
    death = deaths[deaths["study_id"] == trial.dead.study_id]["death_date"].iloc[0]
    assert pd.Timestamp(death).date() == trial.dead.death_report.death_date
    frame, meta = READ[fmt](str(tmp_path / f"visits.{stats.SUFFIX[fmt]}"))
    dead = frame[frame["study_id"] == trial.dead.study_id]
    visit = trial.dead.visits.get(vital_status="dead")
    if fmt != stats.SAS:
        labels = meta.variable_value_labels["vital_status"]
        code = dead["vital_status"].dropna().iloc[-1]
        assert labels[code] == visit.get_vital_status_display()
        assert meta.variable_value_labels["distant_progression"] == {0: "no", 1: "yes"}
    else:
        assert set(frame["vital_status"].dropna()) <= {"alive", "dead", "unknown", ""}


def test_dates_are_dates_and_deidentified_dates_are_days(trial, tmp_path):
    stats.write_stats(tmp_path / "id", Scope(), stats.SPSS)
    stats.write_stats(tmp_path / "de", Scope(deidentified=True), stats.SPSS)
    _frame, meta = pyreadstat.read_sav(str(tmp_path / "id" / "participants.sav"))
    assert meta.original_variable_types["diagnosis_date"].startswith("DATE")
    frame, meta = pyreadstat.read_sav(str(tmp_path / "id" / "assignments.sav"))
    assert meta.original_variable_types["signed_at"].startswith("DATETIME")
    assert isinstance(frame["signed_at"].dropna().iloc[0], dt.datetime | pd.Timestamp)
    frame, meta = pyreadstat.read_sav(str(tmp_path / "de" / "participants.sav"))
    assert meta.original_variable_types["diagnosis_date"].startswith("F")
    assert set(frame["diagnosis_date"]) == {0}
    assert "initials" not in pyreadstat.read_sav(str(tmp_path / "de" / "screening.sav"))[0]


FORMATS = [stats.SAS, stats.SPSS, stats.STATA]
ONE_MS = pd.Timedelta(milliseconds=1)


def _missing(value) -> bool:
    return value is None or value == "" or bool(pd.isna(value))


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_missing_value_is_missing_and_no_other(trial, tmp_path, fmt):
    stats.write_stats(tmp_path, Scope(), fmt)
    for dataset in DATASETS:
        frame, _meta = READ[fmt](str(tmp_path / f"{dataset.name}.{stats.SUFFIX[fmt]}"))
        expected = [row for _pk, row in values.rows(dataset, Scope())]
        assert len(frame) == len(expected), dataset.name
        for cells, row in zip(frame.itertuples(index=False), expected, strict=True):
            assert [_missing(c) for c in cells] == [v is None for v in row], dataset.name


@pytest.mark.parametrize("fmt", FORMATS)
def test_long_chinese_free_text_and_date_times(trial, tmp_path, fmt):
    detail = "肿瘤进展至肝脏与骨, 家属口述。" * 100  # 4,500 bytes: a strL in Stata
    DeathReport.objects.filter(participant=trial.dead).update(cause_detail=detail)
    datasets = [BY_NAME["deaths"], BY_NAME["assignments"]]
    stats.write_stats(tmp_path, Scope(), fmt, datasets=datasets)
    deaths, _meta = READ[fmt](str(tmp_path / f"deaths.{stats.SUFFIX[fmt]}"))
    assert list(deaths["cause_detail"]) == [detail]
    frame, _meta = READ[fmt](str(tmp_path / f"assignments.{stats.SUFFIX[fmt]}"))
    assignments = BY_NAME["assignments"]
    at = assignments.header(deidentified=False).index("signed_at")
    stored = [row[at] for _pk, row in values.rows(assignments, Scope())]
    assert stored and all(stored)
    read = list(frame["signed_at"])
    assert len(read) == len(stored)
    for value, expected in zip(read, stored, strict=True):
        # A double's microsecond in seconds or milliseconds (Stata's %tc) since 1960.
        assert abs(pd.Timestamp(value) - pd.Timestamp(expected).tz_localize(None)) < ONE_MS


@pytest.mark.parametrize("fmt", [stats.SPSS, stats.STATA])
def test_chinese_labels_and_value_labels(trial, tmp_path, fmt):
    stats.write_stats(tmp_path, Scope(), fmt, language="zh-hans", datasets=[BY_NAME["visits"]])
    frame, meta = READ[fmt](str(tmp_path / f"visits.{stats.SUFFIX[fmt]}"))
    with override("zh-hans"):
        expected = [v.label for v in stats.variables(BY_NAME["visits"], deidentified=False)]
        dead = trial.dead.visits.get(vital_status="dead").get_vital_status_display()
    if fmt == stats.STATA:
        expected = [text[: stats.STATA_LABEL_MAX] for text in expected]
    assert meta.column_labels == expected
    assert dead in meta.variable_value_labels["vital_status"].values()
    assert meta.variable_value_labels["distant_progression"] == {0: "否", 1: "是"}


def test_pandas_reads_the_stata_files(trial, tmp_path):
    stats.write_stats(tmp_path, Scope(), stats.STATA, datasets=[BY_NAME["deaths"]])
    deaths = pd.read_stata(tmp_path / "deaths.dta")
    death = trial.dead.death_report
    assert deaths["death_date"].iloc[0] == pd.Timestamp(death.death_date)
    assert deaths["primary_cause"].iloc[0] == death.get_primary_cause_display()


@pytest.mark.parametrize("fmt", FORMATS)
def test_datasets_without_rows_keep_their_variables(trial, tmp_path, fmt):
    stats.write_stats(tmp_path, Scope(site_ids=(0,)), fmt)
    for dataset in DATASETS:
        frame, meta = READ[fmt](str(tmp_path / f"{dataset.name}.{stats.SUFFIX[fmt]}"))
        assert frame.empty and meta.column_names == dataset.header(deidentified=False)


def test_csv_with_r_scripts(trial, tmp_path):
    stats.write_csv_r(tmp_path, Scope(), datasets=[BY_NAME["visits"], BY_NAME["deaths"]])
    assert 'as.Date(x[["death_date"]])' in (tmp_path / "read_deaths.R").read_text()
    script = (tmp_path / "read_visits.R").read_text()
    assert 'attr(x[["vital_status"]], "label")' in script
    assert "factor(" in script
    assert (tmp_path / "visits.csv").exists()


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        ("odm", "cs-edc_odm.xml"),
        ("sas", "visits.xpt"),
        ("spss", "visits.sav"),
        ("stata", "visits.dta"),
        ("r", "read_visits.R"),
        ("csv", "visits.csv"),
    ],
)
def test_the_command_writes_each_format_and_logs_it(trial, tmp_path, fmt, expected):
    call_command(
        "export_data",
        "--format",
        fmt,
        "--out",
        str(tmp_path),
        "--deidentified",
        stdout=io.StringIO(),
    )
    assert (tmp_path / expected).exists()
    log = ExportLog.objects.get()
    assert log.output_format == fmt and log.deidentified and log.completed_at is not None
