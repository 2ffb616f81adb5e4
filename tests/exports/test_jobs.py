"""Long exports as jobs: started from the page, run in-process without a broker (as in the
tests), with progress, a download for their owner alone, logged, removed after a day."""

import datetime as dt
import io
import zipfile

import pytest
from django.urls import reverse
from django.utils import timezone

from exports import jobs
from exports.models import ExportLog, OutputJob

pytestmark = pytest.mark.django_db

START = reverse("exports:start_job")


@pytest.fixture(autouse=True)
def output_dir(settings, tmp_path):
    settings.OUTPUT_DIR = tmp_path / "outputs"
    return settings.OUTPUT_DIR


def _start(client, user, **data):
    client.force_login(user)
    with_defaults = {"output_format": "spss", "variant": "deidentified", "language": "en", **data}
    return client.post(START, with_defaults)


def test_a_data_manager_s_job_runs_and_its_file_downloads(
    client, trial, data_manager_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _start(client, data_manager_a)
    job = OutputJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "exports:job", kwargs={"key": job.key}
    )
    assert job.state == OutputJob.State.DONE and job.deidentified
    status = client.get(reverse("exports:job_status", kwargs={"key": job.key})).json()
    assert status["percent"] == 100 and status["download"]
    page = client.get(response["Location"]).content.decode()
    assert 'role="status"' in page and "<progress" in page
    download = client.get(status["download"])
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    assert "visits.sav" in archive.namelist() and "data_dictionary.csv" in archive.namelist()
    log = ExportLog.objects.get()
    assert log.output_format == "spss" and log.user == data_manager_a and log.deidentified
    # Site A only: the data manager's site.
    assert job.site_ids == [trial.dead.site_id]


def test_a_data_manager_may_not_start_identified_or_casebook_jobs(client, data_manager_a):
    assert _start(client, data_manager_a, variant="identified").status_code == 403
    assert _start(client, data_manager_a, output_format="casebooks").status_code == 403
    assert not OutputJob.objects.exists()


def test_an_admin_s_odm_with_audit_and_site_casebooks(
    client, trial, admin_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _start(client, admin_a, output_format="odm", variant="identified", audit="on")
        _start(client, admin_a, output_format="casebooks", variant="identified")
    odm_job, casebook_job = OutputJob.objects.order_by("pk")
    assert odm_job.audit and odm_job.path.read_bytes().count(b"<AuditRecord>") > 0
    names = zipfile.ZipFile(casebook_job.path).namelist()
    assert f"{trial.dead.site.code}/casebook_{trial.dead.study_id}.pdf" in names
    assert casebook_job.total == casebook_job.done == len(names)


def test_someone_else_s_job_is_absent(client, data_manager_a, admin_a):
    job = OutputJob.objects.create(user=admin_a, output_format="odm", deidentified=True)
    client.force_login(data_manager_a)
    for name in ("exports:job", "exports:job_status", "exports:job_download"):
        assert client.get(reverse(name, kwargs={"key": job.key})).status_code == 404


def test_expired_files_are_removed_and_no_longer_served(client, admin_a, output_dir):
    job = OutputJob.objects.create(
        user=admin_a,
        output_format="odm",
        deidentified=True,
        state=OutputJob.State.DONE,
        file_name="x.xml",
        expires_at=timezone.now() - dt.timedelta(minutes=1),
    )
    job.directory.mkdir(parents=True)
    job.path.write_text("<ODM/>")
    client.force_login(admin_a)
    assert client.get(reverse("exports:job_download", kwargs={"key": job.key})).status_code == 404
    assert jobs.remove_expired() == 1
    job.refresh_from_db()
    assert job.state == OutputJob.State.EXPIRED and not job.directory.exists()


def test_a_failed_job_says_so(admin_a, monkeypatch):
    job = OutputJob.objects.create(user=admin_a, output_format="odm", deidentified=True)
    monkeypatch.setattr(jobs.services, "write_output", _boom)
    job.site_ids = [admin_a.memberships.get().site_id]
    job.save()
    assert jobs.run_job(job).state == OutputJob.State.FAILED
    assert "boom" in job.error


def _boom(**kwargs):
    raise RuntimeError("boom")


def test_the_casebook_and_blank_crf_pdfs(client, trial, admin_a, data_manager_a):
    client.force_login(admin_a)
    url = reverse("exports:casebook_pdf", kwargs={"study_id": trial.dead.study_id})
    response = client.get(url)
    assert response["Content-Type"] == "application/pdf" and response.content[:4] == b"%PDF"
    assert ExportLog.objects.get().datasets == ["casebook"]
    client.force_login(data_manager_a)
    assert client.get(url).status_code == 403
    assert client.get(reverse("exports:blank_crf")).content[:4] == b"%PDF"
