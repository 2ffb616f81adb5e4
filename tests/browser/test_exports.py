"""An administrator downloads every export from the exports page in a real browser."""

import csv
import io
import zipfile
from pathlib import Path

import pytest

from exports.datasets import DATASETS
from exports.models import ExportLog
from tests.exports.trial import build_trial

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_admin_downloads_each_export_from_the_exports_page(
    page, login_as, site_a, site_b, coordinator_a, investigator_a, coordinator_b, admin_a
):
    from playwright.sync_api import expect

    trial = build_trial(site_a, site_b, coordinator_a, investigator_a, coordinator_b)
    login_as(admin_a, "/")
    expect(page.get_by_role("heading", name="Exports")).to_be_visible()
    page.get_by_test_id("export-form").get_by_label(
        "Identified (all columns, calendar dates)"
    ).check()

    for dataset in DATASETS:
        with page.expect_download() as info:
            page.get_by_test_id(f"download-{dataset.name}").click()
        download = info.value
        assert download.suggested_filename.startswith(f"cs-edc_{dataset.name}_identified_")
        text = Path(download.path()).read_text()
        rows = list(csv.reader(io.StringIO(text)))
        assert rows[0] == dataset.header(deidentified=False)
        if dataset.name == "participants":
            assert trial.dead.study_id in text and trial.other_site.study_id not in text

    with page.expect_download() as info:
        page.get_by_test_id("download-all").click()
    with zipfile.ZipFile(info.value.path()) as archive:
        assert "data_dictionary.csv" in archive.namelist()

    assert ExportLog.objects.filter(user=admin_a).count() == len(DATASETS) + 1
    page.reload()
    expect(page.get_by_test_id("export-log")).to_contain_text("participants")


def test_a_coordinator_cannot_reach_the_exports_page(page, login_as, coordinator_a):
    login_as(coordinator_a, "/")
    expect_menu = page.get_by_role("link", name="Exports")
    assert expect_menu.count() == 0
    response = page.goto("/exports/")
    assert response.status == 403


def test_a_long_export_shows_its_progress_then_its_file(
    page,
    login_as,
    site_a,
    site_b,
    coordinator_a,
    investigator_a,
    coordinator_b,
    admin_a,
    settings,
    tmp_path,
):
    from playwright.sync_api import expect

    settings.OUTPUT_DIR = tmp_path / "outputs"
    build_trial(site_a, site_b, coordinator_a, investigator_a, coordinator_b)
    login_as(admin_a, "/exports/")
    form = page.get_by_test_id("job-form")
    form.get_by_label("Format").select_option("stata")
    form.get_by_test_id("start-job").click()
    expect(page.get_by_role("progressbar")).to_be_visible()
    expect(page.get_by_test_id("job-state")).to_contain_text("Ready")
    with page.expect_download() as info:
        page.get_by_test_id("job-download").click()
    with zipfile.ZipFile(info.value.path()) as archive:
        assert "visits.dta" in archive.namelist()
