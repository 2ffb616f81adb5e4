"""Forms of the safety app: input shape and field errors. Each form's cross-field rules are its
validator's (`safety.validators`), called here and again by the service that writes."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from audit.forms import ReasonForChangeMixin
from ruleviolation import RuleViolation

from . import grading, partialdates, services, validators
from .models import (
    RELATIONSHIP_FIELDS,
    AdverseEvent,
    CtcaeTerm,
    DeathReport,
    Radiotherapy,
    Relationship,
    SaeFollowUp,
)

PARTIAL_DATE_HELP = _("YYYY-MM-DD; YYYY-MM or YYYY when only the month or year is known.")
NOT_A_PARTIAL_DATE = _("Give the date as YYYY-MM-DD, YYYY-MM or YYYY.")
YES_NO = [("", "---------"), ("yes", _("Yes")), ("no", _("No"))]


def _yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class PartialDateField(forms.CharField):
    """A date known to the day, the month or the year: "2026-03-02", "2026-03", "2026"."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", PARTIAL_DATE_HELP)
        super().__init__(**kwargs)
        self.widget.attrs["maxlength"] = "10"

    def to_python(self, value: Any) -> partialdates.PartialDate | None:  # type: ignore[override]  # a PartialDate, not text
        text = super().to_python(value)
        if not text:
            return None
        if len(text) > 10:
            raise forms.ValidationError(NOT_A_PARTIAL_DATE)
        try:
            return partialdates.parse(text)
        except RuleViolation as exc:
            raise forms.ValidationError(NOT_A_PARTIAL_DATE) from exc


def add_rule_errors(
    form: forms.BaseForm, errors: validators.FieldErrors, aliases: dict[str, str] | None = None
) -> None:
    """Show a rule's errors at their fields (or above the form), unless the field already has
    an error of its own."""
    aliases = aliases or {}
    already = set(form.errors)
    for name, messages in errors.items():
        target = aliases.get(name, name)
        if target in already:
            continue
        for message in messages:
            form.add_error(target if target in form.fields else None, message)


class AuditedForm(ReasonForChangeMixin, forms.ModelForm[Any]):
    """A CRF's form: beyond draft an edit names its reason; it carries the version it was
    loaded at, so a concurrent change is refused rather than overwritten."""

    reason = forms.CharField(label=_("Reason for change"), required=False, max_length=200)
    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            del self.fields["reason"]
        else:
            self.fields["loaded_version"].initial = self.instance.version
        self.setup_reason_for_change()

    def clean(self) -> dict[str, Any]:
        self.check_not_locked()
        super().clean()
        return self.cleaned_data

    @property
    def audit_kwargs(self) -> dict[str, Any]:
        if self.instance.pk is None:
            return {}
        return {
            "reason": self.cleaned_data.get("reason", ""),
            "expected_version": self.cleaned_data.get("loaded_version"),
        }


class TermChoiceField(forms.ModelChoiceField[CtcaeTerm]):
    def label_from_instance(self, obj: CtcaeTerm) -> str:
        return f"{obj.term} ({obj.meddra_code})"


def grade_choices(term: CtcaeTerm | None) -> list[tuple[int, str]]:
    """The grades to choose from, each with its definition: the term's own where a term is
    chosen (only the grades it defines), the CTCAE's general guideline otherwise."""
    if term is None:
        return [(g, f"{g}: {text}") for g, text in grading.GRADE_GUIDELINES.items()]
    return [(g, f"{g}: {text}") for g, text in term.grade_definitions().items()]


class AdverseEventForm(AuditedForm):
    term = TermChoiceField(
        label=_("CTCAE term"),
        queryset=CtcaeTerm.objects.order_by("term"),
        help_text=_(
            "CTCAE v5.0. For an event without its own term, choose the organ's "
            '"Other, specify" and describe it.'
        ),
    )
    grade = forms.TypedChoiceField(
        label=_("CTCAE grade"), coerce=int, choices=(), widget=forms.RadioSelect
    )
    onset = PartialDateField(label=_("Onset date"))
    resolution = PartialDateField(label=_("Resolution date"), required=False)
    reoperation = forms.TypedChoiceField(
        label=_("Re-operation"), choices=YES_NO, coerce=_yes_no, empty_value=None, required=False
    )

    class Meta:
        model = AdverseEvent
        fields = [
            "term",
            "other_specify",
            "grade",
            "ongoing",
            *grading.SERIOUSNESS_CRITERIA,
            "aware_at",
            *RELATIONSHIP_FIELDS,
            "action_taken",
            "outcome",
            "surgery",
            "clavien_dindo",
            "reoperation",
        ]
        widgets = {"aware_at": DateTimeInput()}
        help_texts = {
            "aware_at": _(
                "When the site first learnt of the serious event: the 24-hour clock starts here."
            ),
        }

    def __init__(self, *args: Any, term_for_grades: CtcaeTerm | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        event = cast(AdverseEvent, self.instance)
        term = term_for_grades or (event.term if event.term_id else None)
        grade = cast(forms.TypedChoiceField, self.fields["grade"])
        grade.choices = grade_choices(term)
        # The definitions of every grade of the chosen term, for the page's script.
        self.term_for_grades = term
        if event.pk is not None:
            self.initial["onset"] = event.onset.iso() if event.onset else ""
            self.initial["resolution"] = event.resolution.iso() if event.resolution else ""
            self.initial["reoperation"] = {True: "yes", False: "no", None: ""}[event.reoperation]
        surgeries, systemic = services.received_interventions(event.participant)
        received = {
            "relationship_surgery_1": len(surgeries) >= 1,
            "relationship_surgery_2": len(surgeries) >= 2,
            "relationship_systemic": systemic,
        }
        for name in RELATIONSHIP_FIELDS:
            if not received[name]:
                del self.fields[name]
            else:
                field = cast(forms.ChoiceField, self.fields[name])
                field.required = True
                field.choices = [("", "---------"), *Relationship.choices]
        if surgeries:
            self.fields["surgery"].queryset = event.participant.surgeries.order_by("surgery_date")  # type: ignore[attr-defined]  # a ModelChoiceField
            self.fields["surgery"].help_text = _(
                "For a surgical complication: the operation it complicates."
            )
        else:
            for name in ("surgery", "clavien_dindo", "reoperation"):
                del self.fields[name]
        self.fields["outcome"].required = True

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        onset, resolution = cleaned.get("onset"), cleaned.get("resolution")
        data = dict(cleaned)
        data["onset_date"] = onset.earliest() if onset else None
        data["onset_precision"] = onset.precision if onset else partialdates.DAY
        data["resolution_date"] = resolution.earliest() if resolution else None
        data["resolution_precision"] = resolution.precision if resolution else partialdates.DAY
        event = cast(AdverseEvent, self.instance)
        term = cleaned.get("term")
        if term is not None:
            event.term = term
        event.surgery = cleaned.get("surgery")
        ctx = services.adverse_event_context(event)
        add_rule_errors(
            self,
            validators.adverse_event_errors(data, ctx),
            {
                "onset_date": "onset",
                "onset_precision": "onset",
                "resolution_date": "resolution",
                "resolution_precision": "resolution",
            },
        )
        return cleaned

    def save(self, commit: bool = True) -> AdverseEvent:
        event = cast(AdverseEvent, super().save(commit=False))
        onset, resolution = self.cleaned_data.get("onset"), self.cleaned_data.get("resolution")
        if onset is not None:
            event.onset_date, event.onset_precision = onset.earliest(), onset.precision
        event.resolution_date = resolution.earliest() if resolution else None
        event.resolution_precision = resolution.precision if resolution else partialdates.DAY
        return event


class FollowUpForm(AuditedForm):
    class Meta:
        model = SaeFollowUp
        fields = ["report_date", "outcome", "resolution_date", "narrative"]
        widgets = {
            "report_date": DateInput(),
            "resolution_date": DateInput(),
            "narrative": forms.Textarea(attrs={"rows": 4}),
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        follow_up = cast(SaeFollowUp, self.instance)
        add_rule_errors(
            self,
            validators.follow_up_errors(
                cleaned,
                onset_date=follow_up.adverse_event.onset_date,
                today=services.site_today(follow_up.adverse_event.participant),
            ),
        )
        return cleaned


class DeathReportForm(AuditedForm):
    class Meta:
        model = DeathReport
        fields = ["death_date", "primary_cause", "cause_detail", "autopsy", "information_source"]
        widgets = {"death_date": DateInput(), "cause_detail": forms.Textarea(attrs={"rows": 3})}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        participant = cast(DeathReport, self.instance).participant
        add_rule_errors(
            self,
            validators.death_report_errors(
                cleaned, services.death_context(participant, services.site_today(participant))
            ),
        )
        return cleaned


class RadiotherapyForm(AuditedForm):
    class Meta:
        model = Radiotherapy
        fields = ["treated_site", "dose_gy", "fractions", "start_date", "end_date"]
        widgets = {"start_date": DateInput(), "end_date": DateInput()}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        participant = cast(Radiotherapy, self.instance).participant
        add_rule_errors(
            self,
            validators.radiotherapy_errors(
                cleaned,
                diagnosis_date=participant.diagnosis_date,
                today=services.site_today(participant),
            ),
        )
        return cleaned


class SignatureForm(forms.Form):
    """The second component of the signature (the first is the signed-in user name)."""

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("Re-enter your password to sign. Your signature is binding (21 CFR 11)."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class CausalityForm(SignatureForm):
    """The investigator's causality and expectedness assessment of a serious event."""

    relationship_surgery_1 = forms.ChoiceField(
        label=_("Relationship to the first operation"), choices=Relationship.choices
    )
    relationship_surgery_2 = forms.ChoiceField(
        label=_("Relationship to the second operation"), choices=Relationship.choices
    )
    relationship_systemic = forms.ChoiceField(
        label=_("Relationship to the current systemic therapy"), choices=Relationship.choices
    )
    expected = forms.TypedChoiceField(
        label=_("Expected (listed in the reference safety information)?"),
        choices=YES_NO[1:],
        coerce=_yes_no,
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    field_order = [*RELATIONSHIP_FIELDS, "expected", "comment", "password", "version"]

    def __init__(self, *args: Any, event: AdverseEvent, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"]["version"] = event.version
        for name in RELATIONSHIP_FIELDS:
            kwargs["initial"].setdefault(name, getattr(event, name) or None)
        super().__init__(*args, **kwargs)
        surgeries, systemic = services.received_interventions(event.participant)
        received = {
            "relationship_surgery_1": len(surgeries) >= 1,
            "relationship_surgery_2": len(surgeries) >= 2,
            "relationship_systemic": systemic,
        }
        for name in RELATIONSHIP_FIELDS:
            if not received[name]:
                del self.fields[name]

    def entry(self) -> services.CausalityEntry:
        data = self.cleaned_data
        return services.CausalityEntry(
            relationship_surgery_1=data.get("relationship_surgery_1", ""),
            relationship_surgery_2=data.get("relationship_surgery_2", ""),
            relationship_systemic=data.get("relationship_systemic", ""),
            expected=bool(data["expected"]),
            comment=data.get("comment", ""),
        )


class CodingForm(forms.Form):
    coded_term = TermChoiceField(
        label=_("Code to the CTCAE term"),
        queryset=CtcaeTerm.objects.exclude(term__endswith="Other, specify").order_by("term"),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
