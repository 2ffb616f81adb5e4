import uuid
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseNotAllowed,
    JsonResponse,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.views.decorators.http import require_GET

from access.decorators import require_action
from access.http import AuthenticatedHttpRequest
from access.roles import Action
from access.scoping import get_for_user_or_404
from enrollment.models import Participant

from . import casebooks, jobs, selectors, services, tasks
from .datasets import BY_NAME, DATASETS
from .forms import ALL, ExportForm, OutputForm
from .models import ExportLog, OutputJob
from .streaming import Counter, Scope, stream_dataset


@require_GET
@login_required
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_action(request.user, Action.EXPORT_DEIDENTIFIED)
    return render(
        request,
        "exports/index.html",
        {
            "form": ExportForm(user=request.user),
            "output_form": OutputForm(user=request.user),
            "datasets": DATASETS,
            "log": selectors.recent_exports(user=request.user),
            "jobs": selectors.recent_jobs(user=request.user),
        },
    )


@login_required
def download(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    """Stream one dataset as CSV, or every dataset and the dictionary as a zip.

    Memory stays flat: the response is fed by one COPY through a bounded queue
    (exports.streaming). The browser's own download bar shows the progress; the size is not
    known in advance.
    """
    # Who may export is checked before the method, so that a refusal looks the same however
    # the URL is asked for.
    require_action(request.user, Action.EXPORT_DEIDENTIFIED)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = ExportForm(request.POST, user=request.user)
    if not form.is_valid():
        if "variant" in form.errors or "site" in form.errors or form.non_field_errors():
            raise PermissionDenied
        return HttpResponseBadRequest(form.errors.as_text())
    if not form.deidentified:
        require_action(request.user, Action.EXPORT_IDENTIFIED)
    site = form.cleaned_data["site"]
    scope = Scope(
        deidentified=form.deidentified,
        user=request.user,
        action=form.action,
        site_ids=(site,) if site is not None else None,
    )
    name = form.cleaned_data["dataset"]
    datasets = list(DATASETS) if name == ALL else [BY_NAME[name]]
    log = services.export_log_start(
        user=request.user,
        channel=ExportLog.Channel.WEB,
        datasets=[d.name for d in datasets],
        deidentified=form.deidentified,
        filters={"site": site} if site is not None else {},
    )
    counter = Counter()
    if name == ALL:
        chunks = services.zip_stream(services.export_members(datasets, scope, counter))
        content_type, suffix = "application/zip", "zip"
    else:
        chunks = stream_dataset(datasets[0], scope, counter)
        content_type, suffix = "text/csv; charset=utf-8", "csv"
    response = StreamingHttpResponse(
        services.logged_stream(chunks, log=log, counter=counter), content_type=content_type
    )
    filename = services.download_filename(
        name, deidentified=form.deidentified, today=timezone.localdate(), suffix=suffix
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


# --- Long exports (jobs), PDF casebooks -------------------------------------------------------


def _own_job(request: AuthenticatedHttpRequest, key: uuid.UUID) -> OutputJob:
    """The user's own job; anyone else's is absent (404), as a notification is."""
    job = get_object_or_404(OutputJob, key=key, user=request.user)
    require_action(request.user, Action.EXPORT_DEIDENTIFIED)
    return job


@login_required
def start_job(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    """Start a long export; the job's page shows its progress and then its download."""
    require_action(request.user, Action.EXPORT_DEIDENTIFIED)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = OutputForm(request.POST, user=request.user)
    if not form.is_valid():
        # A variant or site the user may not choose is a refusal; a missing field, bad input.
        refused = form.has_error("variant", "invalid_choice") or form.has_error(
            "site", "invalid_choice"
        )
        if refused or form.non_field_errors():
            raise PermissionDenied
        return HttpResponseBadRequest(form.errors.as_text())
    job = jobs.start_job(
        user=request.user,
        output_format=form.cleaned_data["output_format"],
        deidentified=form.deidentified,
        site_ids=form.cleaned_data["site_ids"],
        audit=form.cleaned_data["audit"],
        language=form.cleaned_data["language"],
    )
    tasks.enqueue(job)
    return redirect("exports:job", key=job.key)


@require_GET
@login_required
def job(request: AuthenticatedHttpRequest, key: uuid.UUID) -> HttpResponse:
    return render(request, "exports/job.html", {"job": _own_job(request, key)})


def _status(job: OutputJob) -> dict[str, Any]:
    return {
        "state": job.state,
        "label": str(job.get_state_display()),
        "done": job.done,
        "total": job.total,
        "percent": job.percent,
        "size": job.size,
        "download": reverse("exports:job_download", kwargs={"key": job.key})
        if job.downloadable
        else None,
        "finished": job.state in (OutputJob.State.DONE, OutputJob.State.FAILED, "expired"),
    }


@require_GET
@login_required
def job_status(request: AuthenticatedHttpRequest, key: uuid.UUID) -> JsonResponse:
    """The job's progress as a small JSON object, polled by static/exports/job.js."""
    response = JsonResponse(_status(_own_job(request, key)))
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@login_required
def job_download(request: AuthenticatedHttpRequest, key: uuid.UUID) -> FileResponse:
    job = _own_job(request, key)
    if not job.downloadable or job.path is None or not job.path.exists():
        raise Http404
    response = FileResponse(job.path.open("rb"), as_attachment=True, filename=job.file_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


def _pdf_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@login_required
def casebook_pdf(request: AuthenticatedHttpRequest, study_id: str) -> HttpResponse:
    """One participant's casebook as PDF, in the user's language: identified, so for those
    who may export identified data at her site; logged like an export."""
    participant = get_for_user_or_404(Participant.objects.all(), request.user, study_id=study_id)
    require_action(request.user, Action.EXPORT_IDENTIFIED, participant.site_id)
    log = services.export_log_start(
        user=request.user,
        channel=ExportLog.Channel.WEB,
        datasets=["casebook"],
        deidentified=False,
        filters={"study_id": participant.study_id},
        output_format=ExportLog.Format.CASEBOOKS,
    )
    data = casebooks.casebook_pdf(participant, language=translation.get_language())
    services.export_log_finish(log=log, rows=1)
    return _pdf_response(data, f"casebook_{participant.study_id}.pdf")


@require_GET
@login_required
def blank_crf(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every form with its fields and allowed values: no data, for source worksheets."""
    require_action(request.user, Action.EXPORT_DEIDENTIFIED)
    data = casebooks.blank_crf_pdf(language=translation.get_language())
    return _pdf_response(data, "cs-edc_blank_crf.pdf")
