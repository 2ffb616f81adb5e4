"""Data-quality pages. Each view: scoped lookup, rights check, form, service, redirect."""

from collections.abc import Iterator
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from access.decorators import action_required, require_action
from access.http import AuthenticatedHttpRequest
from access.models import Site
from access.roles import Action
from access.scoping import site_id_of
from audit import lifecycle
from audit.csv_writer import CsvWriter
from audit.services import StaleRecordError, make_move
from enrollment import selectors as enrollment_selectors
from workflow import services as workflow

from . import audit_trail, selectors, services
from .forms import (
    AnswerForm,
    CloseForm,
    QueryFilterForm,
    QueryForm,
    ReopenForm,
    SdvFilterForm,
    SdvVerifyForm,
    SignOffForm,
    UnlockForm,
    field_choices,
)

PAGE_SIZE = 50


def _form_url(record: Any) -> str:
    return selectors.quality_url(record)


def _field_values(record: Any) -> list[tuple[str, str, Any]]:
    fields = dict(field_choices(type(record))[1:])
    values = []
    for name, label in fields.items():
        field = record._meta.get_field(name)
        value = getattr(record, f"get_{name}_display")() if field.choices else getattr(record, name)
        if isinstance(value, dict | list):  # the codes a JSON field holds, by their labels
            value = audit_trail._display(field, value)
        values.append((name, label, value))
    return values


def _lifecycle_actions(user: Any, record: Any) -> dict[str, bool]:
    """The page's buttons: the moves of the lifecycle table this user may make now."""
    return {transition.move.value: True for transition in lifecycle.available_moves(record, user)}


@require_GET
@login_required
def form_detail(request: AuthenticatedHttpRequest, form_id: int, pk: int) -> HttpResponse:
    """One form's data-quality page: its state, values, queries and audit trail."""
    record = selectors.form_for_user_or_404(request.user, form_id, pk)
    site_id = site_id_of(record)
    user = request.user
    context = {
        "record": record,
        "form_label": record._meta.verbose_name,
        "values": _field_values(record),
        "page_url": selectors.form_page_url(record),
        "actions": _lifecycle_actions(user, record),
        "unlock_form": UnlockForm(),
        "queries": selectors.queries_on(record),
        "query_form": QueryForm(model=type(record))
        if user.can(Action.RAISE_QUERY, site_id)
        else None,
        "audit_entries": audit_trail.form_audit_trail(record)
        if user.can(Action.VIEW_AUDIT_TRAIL, site_id)
        else None,
        "site_time_zone": _site_time_zone(record),
        "form_id": form_id,
    }
    return render(request, "dataquality/form.html", context)


def _site_time_zone(record: Any) -> str:
    # Known: every clinical record reaches a Site through NOT NULL keys.
    site = Site.objects.filter(pk=cast(int, site_id_of(record))).only("time_zone").first()
    return site.time_zone if site else str(timezone.get_current_timezone())


@require_POST
@login_required
def form_transition(
    request: AuthenticatedHttpRequest, form_id: int, pk: int, transition: str
) -> HttpResponse:
    move = lifecycle.Move(transition)
    record = selectors.form_for_user_or_404(request.user, form_id, pk)
    require_action(request.user, lifecycle.TRANSITIONS[move].right, site_id_of(record))
    reason = ""
    if lifecycle.TRANSITIONS[move].needs_reason:
        unlock = UnlockForm(request.POST)
        if not unlock.is_valid():
            messages.error(request, str(lifecycle.REASON_NEEDED))
            return redirect(_form_url(record))
        reason = unlock.cleaned_data["reason"]
    try:
        make_move(record=record, move=move, user=request.user, reason=reason)
    except lifecycle.LifecycleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("%(form)s is now %(status)s.")
            % {
                "form": str(record._meta.verbose_name).capitalize(),
                "status": record.get_crf_status_display(),
            },
        )
    return redirect(_form_url(record))


@require_http_methods(["GET", "POST"])
@login_required
def query_new(request: AuthenticatedHttpRequest, form_id: int, pk: int) -> HttpResponse:
    record = selectors.form_for_user_or_404(request.user, form_id, pk)
    require_action(request.user, Action.RAISE_QUERY, site_id_of(record))
    form = QueryForm(
        request.POST or None,
        model=type(record),
        initial={"field_name": request.GET.get("field", "")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            query = services.open_query(
                record=record,
                field_name=form.cleaned_data["field_name"],
                text=form.cleaned_data["text"],
                user=request.user,
            )
        except services.DataQualityError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Query %(number)s opened.") % {"number": query.number})
            return redirect("dataquality:query_detail", pk=query.pk)
    return render(
        request,
        "dataquality/query_form.html",
        {"record": record, "form": form, "form_url": _form_url(record)},
        status=400 if form.errors else 200,
    )


@require_GET
@login_required
def query_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_action(request.user, Action.VIEW_PARTICIPANTS)
    filters = QueryFilterForm(request.GET, user=request.user)
    queries = selectors.query_list(request.user, **filters.filters())
    page = Paginator(queries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "dataquality/query_list.html", {"filters": filters, "page_obj": page})


def _sdv_filters(request: AuthenticatedHttpRequest, data: Any) -> SdvFilterForm:
    models = selectors.form_models()
    content_types = ContentType.objects.get_for_models(*models)
    forms_by_id = {content_types[m].pk: str(m._meta.verbose_name).capitalize() for m in models}
    return SdvFilterForm(
        data,
        user=request.user,
        forms_by_id=forms_by_id,
        visits=selectors.visit_codes(request.user),
    )


@require_GET
@action_required(Action.VERIFY)
def sdv_worklist(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Source data verification: the forms complete and waiting, oldest first, verified from
    the list or opened on their data-quality page to compare with the source."""
    filters = _sdv_filters(request, request.GET)
    chosen = filters.filters()
    form_id = chosen.pop("form", None)
    worklist = selectors.sdv_worklist(
        request.user,
        form=ContentType.objects.get_for_id(form_id) if form_id else None,
        **chosen,
    )
    return render(
        request,
        "dataquality/sdv_worklist.html",
        {"filters": filters, "worklist": worklist, "query": request.GET.urlencode()},
    )


@require_POST
@action_required(Action.VERIFY)
def sdv_verify(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = SdvVerifyForm(request.POST)
    back = reverse("dataquality:sdv_worklist")
    if request.GET:
        back = f"{back}?{request.GET.urlencode()}"
    if not form.is_valid():
        messages.error(request, _("Choose a form from the list."))
        return redirect(back)
    data = form.cleaned_data
    record = selectors.form_for_user_or_404(
        request.user, data["form_id"], data["pk"], Action.VERIFY
    )
    try:
        services.verify_from_worklist(
            record=record, user=request.user, expected_version=data["expected_version"]
        )
    except StaleRecordError as exc:
        messages.error(request, str(exc))
    except lifecycle.LifecycleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("%(form)s verified.")
            % {"form": f"{str(record._meta.verbose_name).capitalize()}: {record}"},
        )
    return redirect(back)


def _query_page(
    request: AuthenticatedHttpRequest, query: Any, *, status: int = 200, **forms: Any
) -> HttpResponse:
    user = request.user
    site_id = query.site_id
    record = query.form.get_object_for_this_type(pk=query.object_id)
    can_raise = user.can(Action.RAISE_QUERY, site_id)
    context = {
        "query": query,
        "record": record,
        "thread": query.messages.select_related("author"),
        "field_label": dict(field_choices(type(record))).get(query.field_name, query.field_name),
        "form_url": _form_url(record),
        "page_url": selectors.form_page_url(record)
        if user.can(Action.ENTER_DATA, site_id)
        else None,
        "answer_form": forms.get("answer_form") or AnswerForm()
        if query.status == query.Status.OPEN and user.can(Action.ANSWER_QUERY, site_id)
        else None,
        "close_form": forms.get("close_form") or CloseForm()
        if query.status != query.Status.CLOSED and can_raise
        else None,
        "reopen_form": forms.get("reopen_form") or ReopenForm()
        if query.status != query.Status.OPEN and can_raise
        else None,
    }
    return render(request, "dataquality/query_detail.html", context, status=status)


@require_GET
@login_required
def query_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _query_page(request, selectors.query_for_user_or_404(request.user, pk))


def _query_step(
    request: AuthenticatedHttpRequest,
    pk: int,
    *,
    action: Action,
    form_class: type,
    form_key: str,
    step: Any,
    done: str,
) -> HttpResponse:
    query = selectors.query_for_user_or_404(request.user, pk)
    require_action(request.user, action, query.site_id)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            step(query=query, user=request.user, text=form.cleaned_data["text"])
        except services.DataQualityError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, done % {"number": query.number})
            return redirect("dataquality:query_detail", pk=query.pk)
    return _query_page(request, query, status=400, **{form_key: form})


@require_POST
@login_required
def query_answer(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _query_step(
        request,
        pk,
        action=Action.ANSWER_QUERY,
        form_class=AnswerForm,
        form_key="answer_form",
        step=services.answer_query,
        done=_("Query %(number)s answered."),
    )


@require_POST
@login_required
def query_close(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _query_step(
        request,
        pk,
        action=Action.RAISE_QUERY,
        form_class=CloseForm,
        form_key="close_form",
        step=services.close_query,
        done=_("Query %(number)s closed."),
    )


@require_POST
@login_required
def query_reopen(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _query_step(
        request,
        pk,
        action=Action.RAISE_QUERY,
        form_class=ReopenForm,
        form_key="reopen_form",
        step=services.reopen_query,
        done=_("Query %(number)s re-opened."),
    )


@require_GET
@login_required
def participant_audit(request: AuthenticatedHttpRequest, study_id: str) -> HttpResponse:
    participant = enrollment_selectors.participant_for(user=request.user, study_id=study_id)
    require_action(request.user, Action.VIEW_AUDIT_TRAIL, participant.site_id)
    entries = audit_trail.participant_audit_trail(participant)
    page = Paginator(entries, 200).get_page(request.GET.get("page"))
    return render(
        request,
        "dataquality/audit_trail.html",
        {
            "participant": participant,
            "page_obj": page,
            "site_time_zone": participant.site.time_zone,
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def casebook_sign(request: AuthenticatedHttpRequest, study_id: str) -> HttpResponse:
    participant = enrollment_selectors.participant_for(user=request.user, study_id=study_id)
    require_action(request.user, Action.SIGN_CASEBOOK, participant.site_id)
    form = SignOffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            workflow.sign_casebook(
                participant=participant, user=request.user, password=form.cleaned_data["password"]
            )
        except services.DataQualityError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Casebook signed."))
            return redirect("enrollment:casebook", study_id=participant.study_id)
    return render(
        request,
        "dataquality/sign_off.html",
        {
            "participant": participant,
            "form": form,
            "meaning": services.CASEBOOK_MEANING % {"study_id": participant.study_id},
            "pending": selectors.unverified_forms(participant),
        },
        status=400 if form.errors else 200,
    )


AUDIT_CSV_COLUMNS = (
    "record_type",
    "form",
    "record_id",
    "history_id",
    "changed_day",
    "user",
    "reason",
    "change",
    "field",
    "old_value",
    "new_value",
)


def _audit_rows(site_ids: list[int]) -> Iterator[str]:
    writer = CsvWriter()
    yield writer.line(AUDIT_CSV_COLUMNS)
    for e in audit_trail.trial_audit_trail(site_ids):
        yield writer.line(
            (e.model, e.form, e.object_id, e.history_id, e.day, e.user, e.reason, e.change)
            + (e.field, e.old, e.new)
        )


@require_GET
@action_required(Action.EXPORT_DEIDENTIFIED)
def audit_csv(request: AuthenticatedHttpRequest) -> StreamingHttpResponse:
    """The audit trail of the user's sites, streamed: a large trial's log is never held in
    memory (server-side cursor, one row out per row in). De-identified by the export's rules
    (dataquality.audit_trail): identifiers and free text masked, dates as days from diagnosis."""
    site_ids = request.user.sites_where(Action.EXPORT_DEIDENTIFIED)
    stamp = timezone.now().strftime("%Y%m%dT%H%MZ")
    response = StreamingHttpResponse(_audit_rows(site_ids), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-trail-{stamp}.csv"'
    return response
