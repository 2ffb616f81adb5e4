from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import (
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseNotAllowed,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from access.decorators import require_action
from access.http import AuthenticatedHttpRequest
from access.roles import Action

from . import selectors, services
from .datasets import BY_NAME, DATASETS
from .forms import ALL, ExportForm
from .models import ExportLog
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
            "datasets": DATASETS,
            "log": selectors.recent_exports(user=request.user),
        },
    )


@login_required
def download(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    """Stream one dataset as CSV, or every dataset and the dictionary as a zip.

    Memory stays flat: the response is fed by COPY ranges (exports.streaming). The browser's
    own download bar shows the progress; the size is not known in advance.
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
