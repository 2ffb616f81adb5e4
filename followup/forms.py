"""The follow-up visit CRF. Its cross-field rules live in `validators.visit_errors`, testable
with a dict and also called by the service."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from audit.forms import ReasonForChangeMixin
from audit.services import STALE_RECORD

from .models import CRF_FIELDS, DISTANT_SITE_CHOICES, Visit
from .services import NO_FORM_YET
from .validators import VisitContext, visit_errors

REASON_FOR_CHANGE = _("Give a reason for changing a recorded visit.")


YES_NO = [("", "---------"), ("yes", _("Yes")), ("no", _("No"))]


def _yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


class VisitForm(ReasonForChangeMixin, forms.ModelForm):
    distant_progression = forms.TypedChoiceField(
        label=_("Distant progression since the last visit?"),
        choices=YES_NO,
        coerce=_yes_no,
        empty_value=None,
        required=False,
    )
    distant_progression_sites = forms.MultipleChoiceField(
        label=_("Sites of distant progression"),
        choices=DISTANT_SITE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    locoregional_recurrence = forms.TypedChoiceField(
        label=_("Locoregional recurrence since the last visit?"),
        choices=YES_NO,
        coerce=_yes_no,
        empty_value=None,
        required=False,
    )
    reason = forms.CharField(
        label=_("Reason for change"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Visit
        fields = list(CRF_FIELDS)
        widgets = {
            field: forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
            for field in (
                "visit_date",
                "last_known_alive",
                "distant_progression_date",
                "locoregional_recurrence_date",
            )
        } | {
            "outside_window_reason": forms.Textarea(attrs={"rows": 2}),
            "systemic_therapy": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, context: VisitContext, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.context = context
        self.fields["visit_date"].required = True
        self.fields["vital_status"].required = True
        self.fields["version"].initial = (
            self.instance.version if self.instance.pk is not None else NO_FORM_YET
        )
        if self.instance.pk is not None:
            for answer in ("distant_progression", "locoregional_recurrence"):
                value = getattr(self.instance, answer)
                self.initial[answer] = {True: "yes", False: "no"}.get(value, "")
        if not self.is_correction:
            del self.fields["reason"]
        # A locked visit is read-only (audit.forms); the reason stays this form's own rule.
        self.setup_reason_for_change()
        if "reason" in self.fields:
            self.fields["reason"].required = False

    @property
    def is_correction(self) -> bool:
        # A visit form exists only once the visit was recorded: any change corrects it.
        return self.instance.pk is not None

    def clean(self) -> dict[str, Any]:
        self.check_not_locked()
        cleaned = super().clean() or {}
        already = set(self.errors)
        for field, messages in visit_errors(cleaned, self.context).items():
            if field in already:
                continue
            for message in messages:
                self.add_error(field if field in self.fields else None, message)
        if self.is_correction and cleaned.get("version") == NO_FORM_YET:
            # Opened before the visit was recorded, and someone recorded it meanwhile.
            self.add_error(None, str(STALE_RECORD))
        if self.is_correction and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", REASON_FOR_CHANGE)
        return cleaned


class MissedVisitForm(forms.Form):
    reason = forms.CharField(
        label=_("Why did the visit not take place?"), widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
