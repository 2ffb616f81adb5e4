"""Thin views: scope and rights check, form, service, redirect.

Reading is for anyone with a role at the participant's site; writing needs
`Action.ENTER_DATA` there (coordinators). Another site's records are a 404 (access.scoping).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from access.decorators import require_action
from access.http import AuthenticatedHttpRequest
from access.roles import Action
from audit.lifecycle import LifecycleError
from audit.services import ReasonRequiredError, StaleRecordError
from enrollment.models import Participant
from workflow import services as workflow

from . import selectors, services, validators
from .forms import (
    AssessmentForm,
    BaselineForm,
    LesionFormSet,
    SurgeryForm,
    TherapyLineForm,
    add_service_errors,
)
from .models import RESPONSE_LABELS, Baseline, ResponseAssessment, Surgery, TherapyLine


def _participant_url(participant: Participant) -> str:
    return reverse("assessments:participant", args=[participant.pk])


@require_GET
@login_required
def participant_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_action(request.user, Action.VIEW_PARTICIPANTS)
    participants = selectors.participants_for_user(request.user)
    return render(request, "assessments/participant_list.html", {"participants": participants})


@require_GET
@login_required
def participant_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    participant = selectors.participant_for_user(request.user, pk)
    return render(
        request,
        "assessments/participant.html",
        {
            "participant": participant,
            "assessments_casebook": selectors.casebook_assessments(participant),
            "can_enter_data": request.user.can(Action.ENTER_DATA, participant.site_id),
        },
    )


ADD_LESION_ROW = "add_lesion_row"


@require_http_methods(["GET", "POST"])
@login_required
def baseline_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    participant = selectors.participant_for_user(request.user, pk)
    require_action(request.user, Action.ENTER_DATA, participant.site_id)
    baseline = Baseline.objects.filter(participant=participant).first() or Baseline(
        participant=participant
    )
    lesions_locked = validators.lesions_frozen(participant.pk)
    data = request.POST if request.method == "POST" else None
    form = BaselineForm(data, instance=baseline)
    formset = None if lesions_locked else LesionFormSet(data, instance=baseline, prefix="lesions")
    if formset is not None and data is not None and ADD_LESION_ROW in data:
        # "Add a lesion row" without the page's script: the same page, one row longer,
        # nothing saved and nothing judged yet.
        formset = formset.with_another_row()
        form.show_unjudged()
    elif request.method == "POST" and form.is_valid() and (formset is None or formset.is_valid()):
        try:
            workflow.save_baseline(
                baseline=form.save(commit=False),
                lesions=formset.lesions() if formset is not None else (),
                user=request.user,
                **form.audit_kwargs,
            )
        except (ValidationError, StaleRecordError, ReasonRequiredError) as exc:
            _show_error(form, exc)
        else:
            messages.success(request, _("Baseline saved."))
            return redirect(_participant_url(participant))
    return render(
        request,
        "assessments/baseline_form.html",
        {
            "participant": participant,
            "form": form,
            "formset": formset,
            "locked_lesions": selectors.baseline_lesions(participant) if lesions_locked else [],
            "add_lesion_row": ADD_LESION_ROW,
        },
    )


def _show_error(form: Any, exc: Exception) -> None:
    if isinstance(exc, ValidationError):
        add_service_errors(form, exc)
    else:
        form.add_error(None, str(exc))


def _record_form(
    request: AuthenticatedHttpRequest,
    *,
    participant: Participant,
    instance: Any,
    form_class: type,
    save: Any,
    template: str,
    saved_message: str,
) -> HttpResponse:
    """Create or edit one therapy line or surgery: the same steps for both."""
    form = form_class(request.POST if request.method == "POST" else None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            save(form.save(commit=False), user=request.user, **form.audit_kwargs)
        except (ValidationError, StaleRecordError, ReasonRequiredError) as exc:
            _show_error(form, exc)
        else:
            messages.success(request, saved_message)
            return redirect(_participant_url(participant))
    return render(request, template, {"participant": participant, "form": form})


@require_http_methods(["GET", "POST"])
@login_required
def therapy_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    participant = selectors.participant_for_user(request.user, pk)
    require_action(request.user, Action.ENTER_DATA, participant.site_id)
    return _record_form(
        request,
        participant=participant,
        instance=TherapyLine(participant=participant),
        form_class=TherapyLineForm,
        save=lambda line, **kw: services.therapy_line_save(line=line, **kw),
        template="assessments/therapy_form.html",
        saved_message=_("Systemic therapy saved."),
    )


@require_http_methods(["GET", "POST"])
@login_required
def therapy_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    line = selectors.record_for_user(TherapyLine.objects.all(), request.user, pk)
    require_action(request.user, Action.ENTER_DATA, line.participant.site_id)
    return _record_form(
        request,
        participant=line.participant,
        instance=line,
        form_class=TherapyLineForm,
        save=lambda line, **kw: services.therapy_line_save(line=line, **kw),
        template="assessments/therapy_form.html",
        saved_message=_("Systemic therapy saved."),
    )


@require_http_methods(["GET", "POST"])
@login_required
def surgery_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    participant = selectors.participant_for_user(request.user, pk)
    require_action(request.user, Action.ENTER_DATA, participant.site_id)
    return _record_form(
        request,
        participant=participant,
        instance=Surgery(participant=participant),
        form_class=SurgeryForm,
        save=lambda surgery, **kw: services.surgery_save(surgery=surgery, **kw),
        template="assessments/surgery_form.html",
        saved_message=_("Surgery saved."),
    )


@require_http_methods(["GET", "POST"])
@login_required
def surgery_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    surgery = selectors.record_for_user(Surgery.objects.all(), request.user, pk)
    require_action(request.user, Action.ENTER_DATA, surgery.participant.site_id)
    return _record_form(
        request,
        participant=surgery.participant,
        instance=surgery,
        form_class=SurgeryForm,
        save=lambda surgery, **kw: services.surgery_save(surgery=surgery, **kw),
        template="assessments/surgery_form.html",
        saved_message=_("Surgery saved."),
    )


def _assessment_form(
    request: AuthenticatedHttpRequest, participant: Participant, assessment: ResponseAssessment
) -> AssessmentForm:
    measurements = {m.lesion_id: m for m in assessment.measurements.all()} if assessment.pk else {}
    return AssessmentForm(
        request.POST if request.method == "POST" else None,
        instance=assessment,
        lesions=selectors.baseline_lesions(participant),
        measurements=measurements,
    )


ARM_PROPOSED = gettext_lazy(
    "Response assessment completed. The rules propose %(arm)s; the proposal awaits the "
    "investigator's signature."
)
NO_ARM_PROPOSED = gettext_lazy("Response assessment completed. No arm is proposed: %(reason)s")


def _completion_message(assessment: ResponseAssessment) -> str:
    """What the save did: a draft saved, or the assessment completed and the arm it proposed."""
    if not assessment.is_complete:
        return _("Response assessment saved.")
    proposal = getattr(assessment, "arm_assignment", None)
    if proposal is None:
        return _("Response assessment saved.")
    if proposal.proposed_arm is None:
        return str(NO_ARM_PROPOSED) % {"reason": proposal.no_proposal_reason}
    return str(ARM_PROPOSED) % {"arm": proposal.get_proposed_arm_display()}


def _assessment_page(
    request: AuthenticatedHttpRequest, participant: Participant, assessment: ResponseAssessment
) -> HttpResponse:
    if assessment.is_complete:
        return redirect("assessments:assessment", pk=assessment.pk)
    form = _assessment_form(request, participant, assessment)
    if request.method == "POST" and form.is_valid():
        try:
            saved = workflow.save_assessment(
                assessment=form.save(commit=False),
                entries=form.entries(),
                complete=request.POST.get("action") == "complete",
                user=request.user,
                **form.audit_kwargs,
            )
        except (ValidationError, StaleRecordError, ReasonRequiredError, LifecycleError) as exc:
            _show_error(form, exc)
        else:
            messages.success(request, _completion_message(saved))
            return redirect("assessments:assessment", pk=saved.pk)
    return render(
        request,
        "assessments/assessment_form.html",
        {"participant": participant, "form": form, "assessment": assessment},
    )


@require_http_methods(["GET", "POST"])
@login_required
def assessment_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    participant = selectors.participant_for_user(request.user, pk)
    require_action(request.user, Action.ENTER_DATA, participant.site_id)
    if not Baseline.objects.filter(participant=participant).exists():
        messages.error(request, services.NO_BASELINE)
        return redirect(_participant_url(participant))
    return _assessment_page(request, participant, ResponseAssessment(participant=participant))


@require_http_methods(["GET", "POST"])
@login_required
def assessment_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    assessment = selectors.record_for_user(ResponseAssessment.objects.all(), request.user, pk)
    require_action(request.user, Action.ENTER_DATA, assessment.participant.site_id)
    return _assessment_page(request, assessment.participant, assessment)


@require_GET
@login_required
def assessment_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    assessment = selectors.record_for_user(
        ResponseAssessment.objects.prefetch_related(selectors.measurements_prefetch()),
        request.user,
        pk,
    )
    participant = assessment.participant
    return render(
        request,
        "assessments/assessment_detail.html",
        {
            "participant": participant,
            "assessment": assessment,
            "can_enter_data": request.user.can(Action.ENTER_DATA, participant.site_id),
        },
    )


@require_POST
@login_required
def assessment_preview(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """htmx: the responses the entered values would give, computed but not saved."""
    participant = selectors.participant_for_user(request.user, pk)
    require_action(request.user, Action.ENTER_DATA, participant.site_id)
    assessment_pk = request.POST.get("assessment")
    assessment = (
        selectors.record_for_user(
            ResponseAssessment.objects.all(), request.user, int(assessment_pk)
        )
        if assessment_pk and assessment_pk.isdigit()
        else ResponseAssessment(participant=participant)
    )
    form = _assessment_form(request, participant, assessment)
    results = labels = None
    if form.is_valid():
        results = services.compute_responses(form.instance, form.lesions, form.entries())
        labels = {
            compartment: {
                part: RESPONSE_LABELS.get(getattr(result, part) or "", "")
                for part in ("target", "non_target", "overall")
            }
            for compartment, result in results.items()
        }
    return render(
        request,
        "assessments/includes/response_preview.html",
        {"results": results, "labels": labels},
    )
