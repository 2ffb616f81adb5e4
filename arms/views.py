"""Thin views: scope, rights check, form, service, redirect.

Anyone with a role at the participant's site may read an assignment; signing needs
`Action.SIGN_ARM` there (investigators): others get a 403 on POST. Another site's records are
a 404 (access.scoping).
"""

from __future__ import annotations

from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from access.decorators import action_required, require_action
from access.http import AuthenticatedHttpRequest
from access.roles import Action
from audit.services import StaleRecordError
from workflow import services as workflow

from . import selectors, services
from .forms import ConfirmForm, OverrideForm
from .models import ArmAssignment

LOCKED_OUT = gettext_lazy(
    "Too many wrong passwords: your account is locked for signing and signing in. "
    "Ask an administrator to unlock it."
)


def _require_signer(request: AuthenticatedHttpRequest, assignment: ArmAssignment) -> None:
    """The one rights check for signing: SIGN_ARM at the participant's site."""
    require_action(request.user, Action.SIGN_ARM, assignment.participant.site_id)


@require_GET
@action_required(Action.SIGN_ARM)
def review_queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = selectors.review_queue_page(request.user, request.GET.get("page"))
    return render(request, "arms/queue.html", {"page_obj": page})


def _review_page(
    request: AuthenticatedHttpRequest,
    assignment: ArmAssignment,
    *,
    confirm_form: ConfirmForm | None = None,
    override_form: OverrideForm | None = None,
    status: int = 200,
) -> HttpResponse:
    can_sign = assignment.is_pending and request.user.can(
        Action.SIGN_ARM, assignment.participant.site_id
    )
    return render(
        request,
        "arms/review.html",
        {
            "assignment": assignment,
            "evidence": selectors.review_evidence(assignment),
            "can_sign": can_sign,
            "confirm_form": confirm_form or ConfirmForm(assignment=assignment),
            "override_form": override_form or OverrideForm(assignment=assignment),
        },
        status=status,
    )


@require_GET
@login_required
def review(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _review_page(request, selectors.assignment_for_user(request.user, pk))


def _sign(request: AuthenticatedHttpRequest, pk: int, form_class: type, sign: Any) -> HttpResponse:
    """Confirm and override share every step but the service they call."""
    assignment = selectors.assignment_for_user(request.user, pk)
    _require_signer(request, assignment)
    form = form_class(request.POST, assignment=assignment)
    forms = {"confirm_form" if form_class is ConfirmForm else "override_form": form}
    credentials = {"username": request.user.get_username()}
    if AxesProxyHandler.is_locked(request, credentials):
        form.add_error(None, LOCKED_OUT)
        return _review_page(request, assignment, status=403, **forms)
    if not form.is_valid():
        return _review_page(request, assignment, **forms)
    try:
        signed = sign(assignment, form.cleaned_data)
    except services.SignatureRefused as exc:
        if exc.message == services.WRONG_PASSWORD:
            # A wrong signing password counts toward the account lockout like a wrong login:
            # django-axes listens for this signal (21 CFR 11.300(d): attempted misuse).
            user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return _review_page(request, assignment, **forms)
    except StaleRecordError as exc:
        form.add_error(None, str(exc))
        return _review_page(request, assignment, **forms)
    if signed.overridden:
        messages.warning(
            request,
            _("Arm %(arm)s assigned by override; recorded as a protocol deviation.")
            % {"arm": signed.confirmed_arm},
        )
    else:
        messages.success(request, _("Arm %(arm)s confirmed.") % {"arm": signed.confirmed_arm})
    return redirect("arms:participant", pk=signed.participant_id)


@require_POST
@login_required
def confirm(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _sign(
        request,
        pk,
        ConfirmForm,
        lambda assignment, data: workflow.confirm_assignment(
            assignment=assignment,
            user=request.user,
            password=data["password"],
            expected_version=data["version"],
        ),
    )


@require_POST
@login_required
def override(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _sign(
        request,
        pk,
        OverrideForm,
        lambda assignment, data: workflow.override_assignment(
            assignment=assignment,
            user=request.user,
            password=data["password"],
            expected_version=data["version"],
            arm=data["arm"],
            reason=data["reason"],
        ),
    )


@require_GET
@login_required
def participant(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    participant = selectors.participant_for_user(request.user, pk)
    return render(
        request,
        "arms/participant.html",
        {"participant": participant, "arm_history": selectors.arm_history(participant)},
    )
