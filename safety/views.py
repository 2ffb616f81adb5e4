"""Thin views: scope and rights check, form, service, redirect.

Reading is for anyone with a role at the participant's site; entering needs
`Action.ENTER_DATA` (coordinators), signing the causality `Action.ASSESS_SAE` (investigators),
coding an "other" term `Action.CODE_TERMS` (data managers). Another site's record is a 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from access.decorators import action_required, require_action
from access.http import AuthenticatedHttpRequest
from access.roles import Action
from audit.services import ReasonRequiredError, StaleRecordError
from enrollment.models import Participant
from workflow import services as workflow

from . import grading, selectors, services
from .forms import (
    AdverseEventForm,
    CausalityForm,
    CodingForm,
    DeathReportForm,
    FollowUpForm,
    RadiotherapyForm,
)
from .models import AdverseEvent, CtcaeTerm, DeathReport, Radiotherapy, SaeFollowUp

SAVE_ERRORS = (ValidationError, StaleRecordError, ReasonRequiredError)


def _participant_url(participant: Participant) -> str:
    return reverse("safety:participant", args=[participant.pk])


def _show_error(form: Any, exc: Exception) -> None:
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        aliases = {
            "onset_date": "onset",
            "onset_precision": "onset",
            "resolution_date": "resolution",
        }
        for name, errors in exc.error_dict.items():
            target = aliases.get(name, name)
            for error in errors:
                form.add_error(target if target in form.fields else None, error)
    else:
        form.add_error(None, str(exc.messages[0] if isinstance(exc, ValidationError) else exc))


@require_GET
@login_required
def participant_safety(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    participant = selectors.participant_for_user(request.user, pk)
    return render(
        request,
        "safety/participant.html",
        {
            "participant": participant,
            "safety": selectors.participant_safety(participant),
            "can_enter_data": request.user.can(Action.ENTER_DATA, participant.site_id),
        },
    )


def _term_for_grades(request: AuthenticatedHttpRequest) -> CtcaeTerm | None:
    value = request.POST.get("term") or request.GET.get("term")
    if value and value.isdigit():
        return CtcaeTerm.objects.filter(pk=int(value)).first()
    return None


def _event_form(
    request: AuthenticatedHttpRequest, participant: Participant, event: AdverseEvent
) -> HttpResponse:
    # "Show the grades" (the page without its script) re-draws the form for the chosen term.
    showing = request.method == "POST" and "show_grades" in request.POST
    data = request.POST if request.method == "POST" and not showing else None
    form = AdverseEventForm(
        data,
        instance=event,
        initial=request.POST if showing else None,
        term_for_grades=_term_for_grades(request),
    )
    if data is not None and form.is_valid():
        try:
            saved = services.adverse_event_save(
                event=form.save(commit=False), user=request.user, **form.audit_kwargs
            )
        except SAVE_ERRORS as exc:
            _show_error(form, exc)
        else:
            if saved.serious:
                messages.warning(
                    request,
                    _(
                        "Serious adverse event reported: the site's investigators and the "
                        "safety contacts have been alerted. The report is due within 24 hours."
                    ),
                )
            else:
                messages.success(request, _("Adverse event saved."))
            if grading.requires_death_report(saved.grade) and not services.has_death_report(
                participant.pk
            ):
                messages.warning(
                    request, _("A grade 5 event needs the death report: enter it now.")
                )
                return redirect("safety:death_report", pk=participant.pk)
            return redirect("safety:ae_detail", pk=saved.pk)
    return render(
        request,
        "safety/adverse_event_form.html",
        {"participant": participant, "form": form, "event": event},
    )


@require_http_methods(["GET", "POST"])
@login_required
def ae_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    participant = selectors.participant_for_user(request.user, pk)
    require_action(request.user, Action.ENTER_DATA, participant.site_id)
    return _event_form(request, participant, AdverseEvent(participant=participant))


@require_http_methods(["GET", "POST"])
@login_required
def ae_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_for_user(request.user, pk)
    require_action(request.user, Action.ENTER_DATA, event.participant.site_id)
    return _event_form(request, event.participant, event)


@require_GET
@action_required(Action.VIEW_PARTICIPANTS)
def term_grades(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The chosen term's grades and their definitions, for the adverse event form's script;
    without a known term, the CTCAE's general guideline of each grade."""
    term = _term_for_grades(request)
    definitions = term.grade_definitions() if term else grading.GRADE_GUIDELINES
    return JsonResponse(
        {
            "term": term.term if term else "",
            "other_specify": term.is_other_specify if term else False,
            "grades": [{"grade": g, "definition": d} for g, d in definitions.items()],
        }
    )


def _detail(
    request: AuthenticatedHttpRequest,
    event: AdverseEvent,
    *,
    causality_form: CausalityForm | None = None,
    coding_form: CodingForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    site_id = event.participant.site_id
    can_assess = event.serious and user.can(Action.ASSESS_SAE, site_id)
    can_code = event.term.is_other_specify and user.can(Action.CODE_TERMS, site_id)
    return render(
        request,
        "safety/adverse_event.html",
        {
            "event": event,
            "participant": event.participant,
            "follow_ups": event.follow_ups.order_by("report_date", "pk"),
            "assessments": event.assessments.select_related("signature").order_by("created_at"),
            "can_enter_data": user.can(Action.ENTER_DATA, site_id),
            "causality_form": causality_form
            or (CausalityForm(event=event) if can_assess else None),
            "coding_form": coding_form
            or (CodingForm(initial={"version": event.version}) if can_code else None),
            "grade_definition": event.term.grade_definitions().get(event.grade or 0, ""),
        },
        status=status,
    )


@require_GET
@login_required
def ae_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.event_for_user(request.user, pk))


@require_POST
@login_required
def ae_assess(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_for_user(request.user, pk)
    require_action(request.user, Action.ASSESS_SAE, event.participant.site_id)
    form = CausalityForm(request.POST, event=event)
    if form.is_valid():
        try:
            services.assess_causality(
                event=event,
                user=request.user,
                password=form.cleaned_data["password"],
                entry=form.entry(),
                expected_version=form.cleaned_data["version"],
            )
        except services.SignatureRefused as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        except StaleRecordError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Causality assessment signed."))
            return redirect("safety:ae_detail", pk=event.pk)
    return _detail(request, event, causality_form=form)


@require_POST
@login_required
def ae_code(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_for_user(request.user, pk)
    require_action(request.user, Action.CODE_TERMS, event.participant.site_id)
    form = CodingForm(request.POST)
    if form.is_valid():
        try:
            services.code_other_term(
                event=event,
                user=request.user,
                coded_term=form.cleaned_data["coded_term"],
                expected_version=form.cleaned_data["version"],
            )
        except SAVE_ERRORS as exc:
            _show_error(form, exc)
        else:
            messages.success(request, _("Term coded."))
            return redirect("safety:ae_detail", pk=event.pk)
    return _detail(request, event, coding_form=form)


def _follow_up_form(request: AuthenticatedHttpRequest, follow_up: SaeFollowUp) -> HttpResponse:
    event = follow_up.adverse_event
    form = FollowUpForm(request.POST if request.method == "POST" else None, instance=follow_up)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.follow_up_save(
                follow_up=form.save(commit=False), user=request.user, **form.audit_kwargs
            )
        except SAVE_ERRORS as exc:
            _show_error(form, exc)
        else:
            messages.success(
                request,
                _("Follow-up report saved: the event is closed.")
                if saved.closes_event
                else _("Follow-up report saved."),
            )
            return redirect("safety:ae_detail", pk=event.pk)
    return render(
        request,
        "safety/follow_up_form.html",
        {"participant": event.participant, "event": event, "form": form},
    )


@require_http_methods(["GET", "POST"])
@login_required
def follow_up_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_for_user(request.user, pk)
    require_action(request.user, Action.ENTER_DATA, event.participant.site_id)
    return _follow_up_form(request, SaeFollowUp(adverse_event=event))


@require_http_methods(["GET", "POST"])
@login_required
def follow_up_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    follow_up = get_object_or_404(
        SaeFollowUp.objects.for_user(request.user).select_related(
            "adverse_event__participant__site", "adverse_event__term"
        ),
        pk=pk,
    )
    require_action(request.user, Action.ENTER_DATA, follow_up.adverse_event.participant.site_id)
    return _follow_up_form(request, follow_up)


@require_http_methods(["GET", "POST"])
@login_required
def death_report(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    participant = selectors.participant_for_user(request.user, pk)
    require_action(request.user, Action.ENTER_DATA, participant.site_id)
    report = DeathReport.objects.filter(participant=participant).first() or DeathReport(
        participant=participant
    )
    form = DeathReportForm(request.POST if request.method == "POST" else None, instance=report)
    if request.method == "POST" and form.is_valid():
        try:
            workflow.record_death(
                report=form.save(commit=False), user=request.user, **form.audit_kwargs
            )
        except SAVE_ERRORS as exc:
            _show_error(form, exc)
        else:
            messages.success(request, _("Death report saved; the remaining visits are closed."))
            return redirect(_participant_url(participant))
    return render(
        request, "safety/death_report_form.html", {"participant": participant, "form": form}
    )


def _radiotherapy_form(request: AuthenticatedHttpRequest, course: Radiotherapy) -> HttpResponse:
    participant = course.participant
    form = RadiotherapyForm(request.POST if request.method == "POST" else None, instance=course)
    if request.method == "POST" and form.is_valid():
        try:
            services.radiotherapy_save(
                course=form.save(commit=False), user=request.user, **form.audit_kwargs
            )
        except SAVE_ERRORS as exc:
            _show_error(form, exc)
        else:
            messages.success(request, _("Radiotherapy saved."))
            return redirect(_participant_url(participant))
    return render(
        request, "safety/radiotherapy_form.html", {"participant": participant, "form": form}
    )


@require_http_methods(["GET", "POST"])
@login_required
def radiotherapy_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    participant = selectors.participant_for_user(request.user, pk)
    require_action(request.user, Action.ENTER_DATA, participant.site_id)
    return _radiotherapy_form(request, Radiotherapy(participant=participant))


@require_http_methods(["GET", "POST"])
@login_required
def radiotherapy_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    course = get_object_or_404(
        Radiotherapy.objects.for_user(request.user).select_related("participant__site"), pk=pk
    )
    require_action(request.user, Action.ENTER_DATA, course.participant.site_id)
    return _radiotherapy_form(request, course)


@require_GET
@action_required(Action.VIEW_SAE_WORKLIST)
def sae_worklist(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(
        request, "safety/sae_worklist.html", {"worklist": selectors.sae_worklist(user=request.user)}
    )


@require_GET
@action_required(Action.VIEW_SAFETY_REPORT)
def safety_report(request: AuthenticatedHttpRequest) -> HttpResponse:
    report = selectors.safety_report(request.user)
    return render(request, "safety/report.html", {"report": report})
