"""Account pages: password change and reset (Django's views, the project's templates), the
second factor (enrol, verify, backup codes) and the admins' staff page."""

from typing import Any

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from access.decorators import action_required
from access.http import AuthenticatedHttpRequest
from access.roles import Action

from . import second_factor, selectors, services
from .forms import (
    WRONG_CODE,
    ChangeRoleForm,
    InviteForm,
    OutboxPasswordResetForm,
    ReasonForm,
    TokenForm,
)
from .models import AccountChange
from .tokens import invitation_tokens

# Password change and reset: Django's views with the outbox and the project's templates.


class PasswordChangeView(auth_views.PasswordChangeView):
    success_url = reverse_lazy("accounts:password_change_done")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        services.record_own_change(user=form.user, kind=AccountChange.Kind.PASSWORD_CHANGED)
        return response


class PasswordResetView(auth_views.PasswordResetView):
    form_class = OutboxPasswordResetForm
    success_url = reverse_lazy("accounts:password_reset_done")
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"


class _LinkNotFound:
    """A link that names no account or whose token is spent or expired is a 404 (the page
    still says why), like any other URL that names nothing."""

    validlink: bool

    def dispatch(self, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response: HttpResponseBase = super().dispatch(*args, **kwargs)  # type: ignore[misc]  # a mixin before Django's view
        if not self.validlink and response.status_code == 200:
            response.status_code = 404
        return response


class PasswordResetConfirmView(_LinkNotFound, auth_views.PasswordResetConfirmView):
    success_url = reverse_lazy("accounts:password_reset_complete")


class InvitationView(_LinkNotFound, auth_views.PasswordResetConfirmView):
    """The invitation's link: set a password, and the account opens."""

    token_generator = invitation_tokens
    success_url = reverse_lazy("accounts:password_reset_complete")
    template_name = "accounts/invitation.html"
    reset_url_token = "set-password"  # noqa: S105 (a URL segment, not a secret)

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        services.accept_invitation(user=form.user)
        return response


# The second factor.


def _next(request: AuthenticatedHttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("home")


@require_http_methods(["GET", "POST"])
@login_required
def two_factor_verify(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    """The second step of the log-in. Each wrong code counts as a failed log-in for
    django-axes, so the account locks as it does after wrong passwords."""
    user = request.user
    if second_factor.is_verified(user):
        return redirect(_next(request))
    if not second_factor.has_device(user):
        return redirect("accounts:two_factor_enrol")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if second_factor.verify(request, form.cleaned_data["token"]):
            return redirect(_next(request))
        user_login_failed.send(
            sender=__name__, credentials={"username": user.username}, request=request
        )
        if getattr(request, "axes_locked_out", False):
            logout(request)
            return render(request, "registration/locked_out.html", status=429)
        form.add_error("token", WRONG_CODE)
    return render(
        request,
        "accounts/two_factor_verify.html",
        {"form": form, "next": _next(request)},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@login_required
def two_factor_enrol(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    """Enrol an authenticator app: scan the QR code (or type the key), give the first code.
    Only for a user without one: a second device needs the first, or an admin's reset."""
    user = request.user
    if second_factor.has_device(user):
        if not second_factor.is_verified(user):
            return redirect("accounts:two_factor_verify")
        return redirect("accounts:two_factor")
    device = second_factor.pending_authenticator(user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if second_factor.confirm_authenticator(request, device, form.cleaned_data["token"]):
            services.record_own_change(user=user, kind=AccountChange.Kind.SECOND_FACTOR_ENROLLED)
            codes = second_factor.new_backup_codes(user)
            return render(request, "accounts/backup_codes.html", {"codes": codes, "new": True})
        form.add_error("token", WRONG_CODE)
    return render(
        request,
        "accounts/two_factor_enrol.html",
        {
            "form": form,
            "qr_svg": second_factor.qr_svg(device),
            "config_url": device.config_url,
            "secret": second_factor.base32_key(device),
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET"])
@login_required
def two_factor(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/two_factor.html",
        {
            "enrolled": second_factor.has_device(request.user),
            "backup_codes_left": second_factor.backup_codes_left(request.user),
        },
    )


@require_POST
@login_required
def backup_codes(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    """A fresh set of backup codes (the old set stops working), for a user with an app."""
    if not second_factor.has_device(request.user):
        return redirect("accounts:two_factor_enrol")
    codes = second_factor.new_backup_codes(request.user)
    return render(request, "accounts/backup_codes.html", {"codes": codes, "new": False})


# The staff page.


@require_http_methods(["GET"])
@action_required(Action.MANAGE_USERS)
def staff(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/staff.html",
        {
            "people": selectors.staff(request.user),
            "changes": selectors.changes(request.user),
            "role_form": ChangeRoleForm(),
            "reason_form": ReasonForm(),
        },
    )


@require_http_methods(["GET", "POST"])
@action_required(Action.MANAGE_USERS)
def invite(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = InviteForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = services.invite(
            by=request.user,
            site=data["site"],
            role=data["role"],
            username=data["username"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            email=data["email"],
            reason=data["reason"],
            base_url=request.build_absolute_uri("/"),
        )
        messages.success(
            request,
            _("%(user)s is invited: the e-mail with their link is on its way.") % {"user": user},
        )
        return redirect("accounts:staff")
    return render(
        request, "accounts/invite.html", {"form": form}, status=400 if form.errors else 200
    )


def _staff_step(request: AuthenticatedHttpRequest, form: Any, step: Any) -> HttpResponse:
    if not form.is_valid():
        messages.error(request, _("Give a reason for this change."))
        return redirect("accounts:staff")
    try:
        step(form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The change is recorded."))
    return redirect("accounts:staff")


@require_POST
@action_required(Action.MANAGE_USERS)
def membership_role(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    membership = selectors.membership_or_404(request.user, pk)
    return _staff_step(
        request,
        ChangeRoleForm(request.POST),
        lambda data: services.change_role(
            by=request.user, membership=membership, role=data["role"], reason=data["reason"]
        ),
    )


@require_POST
@action_required(Action.MANAGE_USERS)
def membership_end(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    membership = selectors.membership_or_404(request.user, pk)
    return _staff_step(
        request,
        ReasonForm(request.POST),
        lambda data: services.end_membership(
            by=request.user, membership=membership, reason=data["reason"]
        ),
    )


@require_POST
@action_required(Action.MANAGE_USERS)
def user_deactivate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_or_404(request.user, pk)
    return _staff_step(
        request,
        ReasonForm(request.POST),
        lambda data: services.deactivate(by=request.user, user=person, reason=data["reason"]),
    )


@require_POST
@action_required(Action.MANAGE_USERS)
def user_second_factor_reset(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_or_404(request.user, pk)
    return _staff_step(
        request,
        ReasonForm(request.POST),
        lambda data: services.reset_second_factor(
            by=request.user, user=person, reason=data["reason"]
        ),
    )
