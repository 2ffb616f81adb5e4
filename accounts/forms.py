"""Account forms: input shape only; the rules and rights are in `accounts.services`."""

from typing import Any, cast

from django import forms
from django.contrib.auth.forms import PasswordResetForm
from django.template import loader
from django.utils.translation import gettext_lazy as _

from access.models import Site, User
from access.roles import Action, Role
from notifications.services import NewOutboxMessage, outbox_enqueue

REASON_HELP = _("Recorded with the change, for the audit trail.")
USERNAME_TAKEN = _("This username is taken.")
WRONG_CODE = _("This code is not right, or was used already. Try the next one.")


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Code"),
        max_length=16,
        help_text=_("The 6-digit code your authenticator app shows, or one of your backup codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class OutboxPasswordResetForm(PasswordResetForm):
    """Django's reset form, with its e-mail written to the transactional outbox: sent once,
    by the worker, and retried while the mail server is down."""

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        outbox_enqueue(
            messages=[
                NewOutboxMessage(
                    kind="password_reset",
                    key=f"password-reset:{context['uid']}:{context['token']}",
                    recipient=to_email,
                    subject=subject,
                    body=body,
                )
            ]
        )


def _reason() -> forms.CharField:
    return forms.CharField(
        label=_("Reason"), max_length=500, help_text=REASON_HELP, widget=forms.TextInput
    )


def _managed_sites(user: Any) -> Any:
    return Site.objects.filter(pk__in=user.sites_where(Action.MANAGE_USERS))


class InviteForm(forms.Form):
    username = forms.RegexField(
        label=_("Username"), max_length=150, regex=r"^[\w.@+-]+\Z", strip=True
    )
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    email = forms.EmailField(label=_("E-mail"))
    site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.none())
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    reason = _reason()

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["site"]).queryset = _managed_sites(user)

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(USERNAME_TAKEN)
        return username


class ChangeRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("New role"), choices=Role.choices)
    reason = _reason()


class ReasonForm(forms.Form):
    reason = _reason()
