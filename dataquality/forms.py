"""Data-quality forms: input shape only; the rules are in `dataquality.services`."""

from typing import Any, cast

from crispy_forms.helper import FormHelper
from django import forms
from django.db.models import Model
from django.utils.translation import gettext_lazy as _

from access.models import Site
from access.roles import Action
from audit.carried import is_carried
from audit.display import field_label

from .audit_trail import NOT_SHOWN
from .models import DataQuery

WHOLE_FORM = ""
# The visit filter's value for follow-up visits outside the schedule.
UNSCHEDULED_VISIT = "unscheduled"
LIFECYCLE_COLUMNS = {"crf_status", "verified_by", "verified_at", "locked_by", "locked_at"}


def _helper() -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    return helper


def field_choices(model: type[Model]) -> list[tuple[str, Any]]:
    """The fields of a form a query may be about (its data, not its bookkeeping)."""
    return [(WHOLE_FORM, _("The form as a whole"))] + [
        (f.name, field_label(f))
        for f in model._meta.concrete_fields
        if f.name not in NOT_SHOWN
        and f.name not in LIFECYCLE_COLUMNS
        and not f.primary_key
        and not is_carried(f)
    ]


class QueryForm(forms.Form):
    field_name = forms.ChoiceField(label=_("Field"), required=False)
    text = forms.CharField(
        label=_("Query"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )

    def __init__(self, *args: Any, model: type[Model], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["field_name"]).choices = field_choices(model)
        self.helper = _helper()


class AnswerForm(forms.Form):
    text = forms.CharField(
        label=_("Answer"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_(
            "To correct the value, change it on the form (with the reason for change), "
            "then answer here."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class CloseForm(forms.Form):
    text = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class ReopenForm(forms.Form):
    text = forms.CharField(
        label=_("Why re-open"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class UnlockForm(forms.Form):
    reason = forms.CharField(label=_("Reason for unlocking"), max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class SignOffForm(forms.Form):
    """The second component of the signature (the first is the signed-in user name)."""

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("Re-enter your password to sign. Your signature is binding (21 CFR 11)."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class QueryFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False)
    site = forms.ModelChoiceField(
        label=_("Site"), queryset=Site.objects.none(), required=False, empty_label=_("All my sites")
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["status"]).choices = [
            ("", _("Any status")),
            *DataQuery.Status.choices,
        ]
        cast(forms.ModelChoiceField, self.fields["site"]).queryset = Site.objects.filter(
            pk__in=user.sites_where(Action.VIEW_PARTICIPANTS)
        )

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


class SdvFilterForm(forms.Form):
    """The source data verification worklist's filters: site, form and visit."""

    site = forms.ModelChoiceField(
        label=_("Site"), queryset=Site.objects.none(), required=False, empty_label=_("All my sites")
    )
    form = forms.TypedChoiceField(label=_("Form"), required=False, coerce=int, empty_value=None)
    visit = forms.ChoiceField(label=_("Visit"), required=False)

    def __init__(
        self,
        *args: Any,
        user: Any,
        forms_by_id: dict[int, str],
        visits: list[str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["site"]).queryset = Site.objects.filter(
            pk__in=user.sites_where(Action.VERIFY)
        )
        cast(forms.ChoiceField, self.fields["form"]).choices = [
            ("", _("Every form")),
            *forms_by_id.items(),
        ]
        cast(forms.ChoiceField, self.fields["visit"]).choices = [
            ("", _("Every visit")),
            *((code, code) for code in visits),
            (UNSCHEDULED_VISIT, _("Unscheduled")),
        ]

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


class SdvVerifyForm(forms.Form):
    """One form verified from the worklist: which form, and the version the list showed."""

    form_id = forms.IntegerField(min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput)
    pk = forms.IntegerField(min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)
    expected_version = forms.IntegerField(
        min_value=0, max_value=2**31 - 1, widget=forms.HiddenInput
    )
