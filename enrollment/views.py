"""Screening and enrolment pages. Each view: access check, form, service, redirect."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from access.decorators import require_action
from access.http import AuthenticatedHttpRequest
from access.roles import Action
from audit.services import ReasonRequiredError, StaleRecordError
from workflow import casebook as workflow_casebook
from workflow import services as workflow

from . import casebook, selectors, services
from .forms import EnrolForm, ListFilterForm, OffStudyForm, ScreenFailForm, ScreeningForm
from .models import Participant, Screening

PAGE_SIZE = 25


def _render_screening(
    request: AuthenticatedHttpRequest,
    screening: Screening,
    form: ScreeningForm,
    *,
    enrol_form: EnrolForm | None = None,
    fail_form: ScreenFailForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    is_open = screening.pk is not None and screening.is_open
    context = {
        "screening": screening,
        "form": form,
        "checklist": selectors.screening_checklist(form.instance, today=today),
        "can_edit": screening.pk is None or user.can(Action.SCREEN, screening.site_id),
        "enrol_form": (enrol_form or EnrolForm(screening=screening, today=today))
        if is_open and user.can(Action.ENROL, screening.site_id)
        else None,
        "fail_form": (fail_form or ScreenFailForm())
        if is_open and user.can(Action.SCREEN, screening.site_id)
        else None,
    }
    return render(request, "enrollment/screening_form.html", context, status=status)


def _list_page(request: AuthenticatedHttpRequest, queryset: Any) -> Any:
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _show_outcome_error(form: forms.BaseForm, exc: services.ScreeningOutcomeError) -> None:
    """A refused outcome at the field it is about when the form has it, else above the form."""
    form.add_error(exc.field if exc.field in form.fields else None, str(exc))


@require_GET
@login_required
def screening_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_action(request.user, Action.VIEW_PARTICIPANTS)
    filters = ListFilterForm(request.GET, user=request.user, statuses=Screening.Status.choices)
    page = _list_page(request, selectors.screening_list(user=request.user, **filters.filters()))
    return render(
        request,
        "enrollment/screening_list.html",
        {"filters": filters, "page_obj": page, "can_screen": request.user.can(Action.SCREEN)},
    )


@require_http_methods(["GET", "POST"])
@login_required
def screening_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_action(request.user, Action.SCREEN)
    form = ScreeningForm(request.POST or None, user=request.user, instance=Screening())
    if request.method == "POST" and form.is_valid():
        screening = form.save(commit=False)
        try:
            workflow.save_screening(screening=screening, user=request.user)
        except services.ScreeningOutcomeError as exc:
            _show_outcome_error(form, exc)
        else:
            messages.success(
                request, _("Screening %(number)s saved.") % {"number": screening.screening_number}
            )
            return redirect("enrollment:screening_detail", pk=screening.pk)
    return _render_screening(request, form.instance, form, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@login_required
def screening_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    screening = selectors.screening_for(user=request.user, pk=pk)
    can_edit = request.user.can(Action.SCREEN, screening.site_id)
    if request.method == "POST" and not can_edit:
        raise PermissionDenied
    form = ScreeningForm(request.POST or None, instance=screening, read_only=not can_edit)
    if request.method == "POST" and form.is_valid():
        try:
            workflow.save_screening(
                screening=form.save(commit=False),
                user=request.user,
                reason=form.cleaned_data["change_reason"],
                expected_version=form.cleaned_data["loaded_version"],
            )
        except services.ScreeningOutcomeError as exc:
            _show_outcome_error(form, exc)
        except (StaleRecordError, ReasonRequiredError) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, _("Screening %(number)s saved.") % {"number": screening.screening_number}
            )
            return redirect("enrollment:screening_detail", pk=screening.pk)
    return _render_screening(request, screening, form, status=400 if form.errors else 200)


@require_POST
@login_required
def screening_evaluate(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The criteria panel for the form as it stands, unsaved: the server is the judge."""
    require_action(request.user, Action.SCREEN)
    form = ScreeningForm(request.POST, user=request.user, instance=Screening(), judge_only=True)
    form.is_valid()
    checklist = selectors.screening_checklist(form.instance, today=timezone.localdate())
    return render(request, "enrollment/includes/criteria_panel.html", {"checklist": checklist})


@require_POST
@login_required
def screening_enrol(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    screening = selectors.screening_for(user=request.user, pk=pk)
    require_action(request.user, Action.ENROL, screening.site_id)
    enrol_form = EnrolForm(request.POST, screening=screening)
    if enrol_form.is_valid():
        try:
            participant = workflow.enrol(
                screening=screening,
                user=request.user,
                consent_date=enrol_form.cleaned_data["consent_date"],
            )
        except services.ScreeningOutcomeError as exc:
            enrol_form.add_error(None, str(exc))
        else:
            messages.success(
                request, _("Enrolled as %(study_id)s.") % {"study_id": participant.study_id}
            )
            return redirect("enrollment:casebook", study_id=participant.study_id)
    return _render_screening(
        request, screening, ScreeningForm(instance=screening), enrol_form=enrol_form, status=400
    )


@require_POST
@login_required
def screening_fail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    screening = selectors.screening_for(user=request.user, pk=pk)
    require_action(request.user, Action.SCREEN, screening.site_id)
    fail_form = ScreenFailForm(request.POST)
    if fail_form.is_valid():
        try:
            services.screen_fail(
                screening=screening, user=request.user, note=fail_form.cleaned_data["note"]
            )
        except services.ScreeningOutcomeError as exc:
            fail_form.add_error(None, str(exc))
        else:
            messages.success(request, _("Screen failure recorded."))
            return redirect("enrollment:screening_detail", pk=screening.pk)
    return _render_screening(
        request, screening, ScreeningForm(instance=screening), fail_form=fail_form, status=400
    )


@require_GET
@login_required
def participant_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_action(request.user, Action.VIEW_PARTICIPANTS)
    filters = ListFilterForm(request.GET, user=request.user, statuses=Participant.Status.choices)
    page = _list_page(request, selectors.participant_list(user=request.user, **filters.filters()))
    return render(
        request, "enrollment/participant_list.html", {"filters": filters, "page_obj": page}
    )


@require_GET
@login_required
def participant_casebook(request: AuthenticatedHttpRequest, study_id: str) -> HttpResponse:
    participant = selectors.participant_for(user=request.user, study_id=study_id)
    sections = workflow_casebook.casebook_sections(participant, request.user)
    screening = participant.screening
    context = {
        "participant": participant,
        "screening": screening,
        "sections": sections,
        "timeline": workflow_casebook.casebook_timeline(participant, request.user),
        "path": casebook.trial_path(participant, sections),
        "checklist": selectors.screening_checklist(screening, today=screening.screening_date)
        if screening
        else None,
        "can_take_off_study": not participant.is_off_study
        and request.user.can(Action.ENTER_DATA, participant.site_id),
        # The casebook as PDF (exports.views.casebook_pdf): identified, like the export.
        "can_print_casebook": request.user.can(Action.EXPORT_IDENTIFIED, participant.site_id),
    }
    return render(request, "enrollment/casebook.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def participant_off_study(request: AuthenticatedHttpRequest, study_id: str) -> HttpResponse:
    participant = selectors.participant_for(user=request.user, study_id=study_id)
    require_action(request.user, Action.ENTER_DATA, participant.site_id)
    form = OffStudyForm(request.POST or None, participant=participant)
    if request.method == "POST" and form.is_valid():
        try:
            workflow.take_off_study(
                participant=participant,
                user=request.user,
                date=form.cleaned_data["date"],
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
        except services.ScreeningOutcomeError as exc:
            _show_outcome_error(form, exc)
        else:
            messages.success(request, _("%(study_id)s is off study.") % {"study_id": study_id})
            return redirect("enrollment:casebook", study_id=study_id)
    return render(
        request,
        "enrollment/off_study_form.html",
        {"participant": participant, "form": form},
        status=400 if form.errors else 200,
    )
