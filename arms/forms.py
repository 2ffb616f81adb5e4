"""Signing forms: the input's shape only. The checks that matter (rights, password, pending,
version) are in `arms.services`, so a crafted POST meets them as well as the form does."""

from __future__ import annotations

from typing import Any, cast

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ARM_CHOICES, ArmAssignment
from .services import OVERRIDE_NEEDS_REASON, OVERRIDE_SAME_ARM


class SignatureForm(forms.Form):
    """The second component of the signature (the first is the signed-in user name)."""

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("Re-enter your password to sign. Your signature is binding (21 CFR 11)."),
    )
    # The version of the assignment the investigator was shown; a different one is refused.
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, assignment: ArmAssignment, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})["version"] = assignment.version
        super().__init__(*args, **kwargs)
        self.assignment = assignment
        self.helper = FormHelper()
        self.helper.form_tag = False


class ConfirmForm(SignatureForm):
    prefix = "confirm"


class OverrideForm(SignatureForm):
    prefix = "override"

    arm = forms.TypedChoiceField(label=_("Arm to assign instead"), coerce=int, choices=())
    reason = forms.CharField(
        label=_("Reason for the override"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": OVERRIDE_NEEDS_REASON},
        help_text=_("An override is a protocol deviation and is reported as one."),
    )

    field_order = ["arm", "reason", "password", "version"]

    def __init__(self, *args: Any, assignment: ArmAssignment, **kwargs: Any) -> None:
        super().__init__(*args, assignment=assignment, **kwargs)
        cast(forms.ChoiceField, self.fields["arm"]).choices = [("", "---------")] + [
            (n, label) for n, label in ARM_CHOICES if n != assignment.proposed_arm
        ]

    def clean_arm(self) -> int:
        arm: int = self.cleaned_data["arm"]
        if arm == self.assignment.proposed_arm:
            raise forms.ValidationError(OVERRIDE_SAME_ARM)
        return arm
