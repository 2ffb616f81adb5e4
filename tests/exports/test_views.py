"""The exports page: who may export what, streamed downloads, and the export log."""

import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from exports.datasets import DATASETS
from exports.models import ExportLog, ExportLogDeleteForbidden
from tests.exports.helpers import read_csv, unzip
from tests.exports.trial import participant_with_visits

pytestmark = pytest.mark.django_db

INDEX = reverse("exports:index")
DOWNLOAD = reverse("exports:download")


def _download(client, user, **data):
    client.force_login(user)
    response = client.post(DOWNLOAD, {"variant": "deidentified", "dataset": "visits", **data})
    return response


def _content(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.mark.parametrize("persona", ["coordinator_a", "investigator_a"], indirect=True)
def test_it_refuses_the_page_and_downloads_to_those_who_may_not_export(client, persona):
    client.force_login(persona)
    assert client.get(INDEX).status_code == 403
    assert (
        client.post(DOWNLOAD, {"variant": "deidentified", "dataset": "visits"}).status_code == 403
    )
    assert not ExportLog.objects.exists()


@pytest.mark.parametrize("persona", ["data_manager_a", "admin_a"], indirect=True)
def test_data_managers_and_admins_see_the_page(client, persona):
    client.force_login(persona)
    response = client.get(INDEX)
    assert response.status_code == 200
    assert b'value="visits"' in response.content


def test_a_data_manager_gets_de_identified_data_only(client, trial, data_manager_a):
    response = _download(client, data_manager_a, variant="identified")
    assert response.status_code == 403
    response = _download(client, data_manager_a)
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    rows = read_csv(_content(response))
    assert rows and "status_reason" not in rows[0]
    assert b'value="identified"' not in client.get(INDEX).content  # the page offers no choice


def test_an_admin_is_offered_both_variants(client, admin_a):
    client.force_login(admin_a)
    page = client.get(INDEX).content
    assert b'value="identified"' in page and b'value="deidentified"' in page


def test_an_admin_gets_both(client, trial, admin_a):
    identified = _content(_download(client, admin_a, variant="identified", dataset="screening"))
    deidentified = _content(_download(client, admin_a, dataset="screening"))
    assert b"H777" in identified and b"H777" not in deidentified


def test_downloads_are_scoped_to_the_user_s_sites(client, trial, admin_a, site_b):
    studies = {r["study_id"] for r in read_csv(_content(_download(client, admin_a)))}
    assert trial.dead.study_id in studies and trial.other_site.study_id not in studies
    assert _download(client, admin_a, site=site_b.pk).status_code == 403


def test_every_download_is_logged_with_its_row_count(client, trial, admin_a, site_a):
    response = _download(client, admin_a, variant="identified", site=site_a.pk)
    log = ExportLog.objects.get()
    assert (log.user, log.datasets, log.deidentified, log.filters, log.channel) == (
        admin_a, ["visits"], False, {"site": site_a.pk}, "web"
    )  # fmt: skip
    assert log.row_count is None and log.completed_at is None  # still streaming
    rows = read_csv(_content(response))
    log.refresh_from_db()
    assert log.row_count == len(rows) and log.completed_at is not None


def test_the_log_is_never_deleted(client, trial, admin_a):
    _content(_download(client, admin_a))
    with pytest.raises(ExportLogDeleteForbidden):
        ExportLog.objects.all().delete()
    with pytest.raises(ExportLogDeleteForbidden):
        ExportLog.objects.get().delete()


def test_the_command_line_logs_too(trial, tmp_path, admin_a):
    from tests.exports.helpers import run_export

    run_export(tmp_path, "--deidentified", "--user", "admin_a", "--dataset", "analysis")
    log = ExportLog.objects.get()
    assert (log.user, log.channel, log.deidentified, log.datasets) == (
        admin_a, "command", True, ["analysis"]
    )  # fmt: skip
    assert log.row_count == 4


def test_all_datasets_come_as_a_streamed_zip_with_the_dictionary(client, trial, admin_a):
    response = _download(client, admin_a, variant="identified", dataset="all")
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "application/zip"
    files = unzip(_content(response))
    assert "data_dictionary.csv" in files and "analysis.csv" in files
    assert len(files) == len(DATASETS) + 1  # and the dictionary
    assert read_csv(files["participants.csv"])


@pytest.mark.parametrize("dataset", ["visits", "analysis", "screening"])
def test_queries_do_not_grow_with_the_trial(client, trial, admin_a, coordinator_a, site_a, dataset):
    client.force_login(admin_a)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.post(DOWNLOAD, {"variant": "identified", "dataset": dataset})
            _content(response)
        return len(queries)

    before = count()
    for _ in range(5):
        participant_with_visits(
            site_a, coordinator_a, diagnosis_date=trial.dead.diagnosis_date,
            enrolment_date=trial.dead.enrolment_date,
        )  # fmt: skip
    assert count() == before


def test_an_admin_lands_on_the_exports_page(client, admin_a):
    client.force_login(admin_a)
    assert client.get("/").url == INDEX


@pytest.mark.parametrize(
    ("persona", "shown"),
    [("coordinator_a", False), ("data_manager_a", True), ("admin_a", True)],
    indirect=["persona"],
)
def test_the_menu_shows_exports_to_those_who_may_export(client, persona, shown):
    from access.navigation import menu_for

    assert any(item["url"] == INDEX for item in menu_for(persona)) is shown


def test_the_download_url_refuses_before_it_checks_the_method(client, coordinator_a, admin_a):
    client.force_login(coordinator_a)
    assert client.get(DOWNLOAD).status_code == 403
    client.force_login(admin_a)
    assert client.get(DOWNLOAD).status_code == 405
    client.logout()
    assert client.post(DOWNLOAD).url.startswith("/accounts/login/")
