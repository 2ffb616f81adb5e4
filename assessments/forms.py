"""Forms of the assessments app: input shape and field errors. A form's cross-field rules live
in `validators` (one function per form, also called by the service that writes) and the pure
modules; a service's ValidationError is shown at its field by `add_service_errors`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.forms.formsets import TOTAL_FORM_COUNT
from django.forms.utils import ErrorDict
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.forms import ReasonForChangeMixin

from . import recist, services, validators
from .models import (
    NEGATIVE_MEASUREMENT,
    NODAL_SITES,
    Baseline,
    BaselineLesion,
    OrganSite,
    ResponseAssessment,
    Surgery,
    TherapyLine,
    compartment_of,
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def add_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Show a service's ValidationError at the form's fields (or above the form)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field if field in form.fields else None
            if target is None and field.startswith("lesion_"):
                target = next((f for f in form.fields if f.startswith(f"{field}_")), None)
            for error in errors:
                form.add_error(target, error)
    else:
        form.add_error(None, exc)


def add_rule_errors(form: forms.BaseForm, errors: validators.FieldErrors) -> None:
    """Show a form's cross-field rule errors, each at its field, unless that field already
    has an error of its own (a date that did not parse, say)."""
    already = set(form.errors)
    for field, messages in errors.items():
        if field in already:
            continue
        for message in messages:
            form.add_error(field if field in form.fields else None, message)


class AuditedModelForm(ReasonForChangeMixin, forms.ModelForm[Any]):
    """Edits of a form beyond draft name a reason (audit trail; audit.forms) and carry the
    version they started from, so that a concurrent change is refused rather than overwritten.
    A locked form is shown read-only and refused."""

    reason = forms.CharField(
        label=_("Reason for change"), required=False, max_length=200, strip=True
    )
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


class BaselineForm(AuditedModelForm):
    class Meta:
        model = Baseline
        fields = [
            "baseline_date",
            "histology",
            "grade",
            "er_percent",
            "pr_percent",
            "her2_ihc",
            "her2_ish",
            "ki67_percent",
            "clinical_t",
            "clinical_n",
            "distant_m",
            "menopausal_status",
            "germline_brca",
        ]
        widgets = {"baseline_date": DateInput()}
        # As written: a capital first letter would turn cT into CT.
        labels = {"clinical_t": _("cT (AJCC 8th)"), "clinical_n": _("cN (AJCC 8th)")}


ORGAN_SITE_CHOICES = [
    ("", "---------"),
    (
        _("Primary compartment"),
        [
            (OrganSite.BREAST.value, OrganSite.BREAST.label),
            (OrganSite.REGIONAL_NODE.value, OrganSite.REGIONAL_NODE.label),
        ],
    ),
    (
        _("Metastatic compartment"),
        [
            (s.value, s.label)
            for s in OrganSite
            if s not in (OrganSite.BREAST, OrganSite.REGIONAL_NODE)
        ],
    ),
]


LESION_FIELD_LABEL = _("Lesion %(number)s %(field)s")
LESION_FIELD_NAMES = {
    "organ_site": _("organ site"),
    "description": _("location"),
    "kind": _("target or non-target"),
    "baseline_mm": _("size, mm"),
}
# Replaced by the row's number by static/js/lesion-rows.js when it copies the empty row.
LESION_NUMBER_PLACEHOLDER = "__number__"


class BaselineLesionForm(forms.ModelForm[BaselineLesion]):
    """One lesion row. Compartment and nodal follow from the organ site (see services)."""

    class Meta:
        model = BaselineLesion
        fields = ["organ_site", "description", "kind", "baseline_mm"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["organ_site"]).choices = ORGAN_SITE_CHOICES
        self.fields["baseline_mm"].widget.attrs["min"] = "0"
        for field in self.fields.values():
            is_menu = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = (
                "form-select form-select-sm" if is_menu else "form-control form-control-sm"
            )
        self.fields["description"].widget.attrs["class"] += " lesion-location"
        # The table's column headers are not labels: each control names its row ("Lesion 2
        # organ site"), and the empty row the page copies names a placeholder its script fills.
        index = (self.prefix or "").rsplit("-", 1)[-1]
        number = LESION_NUMBER_PLACEHOLDER if not index.isdigit() else str(int(index) + 1)
        for name, field in self.fields.items():
            field.widget.attrs["aria-label"] = str(LESION_FIELD_LABEL) % {
                "number": number,
                "field": str(LESION_FIELD_NAMES.get(name, field.label)),
            }

    def show_unjudged(self) -> None:
        """Render the row as entered, without errors (see BaseLesionFormSet.show_unjudged)."""
        self._errors = ErrorDict()

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        organ_site = cleaned.get("organ_site")
        if organ_site:
            self.instance.compartment = compartment_of(organ_site)
            self.instance.nodal = organ_site in NODAL_SITES
        if (
            cleaned.get("kind") == BaselineLesion.Kind.TARGET
            and cleaned.get("baseline_mm") is None
            and "baseline_mm" not in self.errors
        ):
            self.add_error("baseline_mm", services.TARGET_NEEDS_BASELINE_SIZE)
        return cleaned


class BaseLesionFormSet(BaseInlineFormSet[BaselineLesion, Baseline, BaselineLesionForm]):
    def with_another_row(self) -> BaseLesionFormSet:
        """The same rows as entered and one more, shown without judging them: the page's
        "Add a lesion row" button without the script (which adds the row in the page)."""
        data = cast(QueryDict, self.data).copy()
        total = f"{self.prefix}-{TOTAL_FORM_COUNT}"
        data[total] = str(int(data.get(total) or 0) + 1)
        grown = type(self)(data, instance=self.instance, prefix=self.prefix)
        grown.show_unjudged()
        return grown

    def show_unjudged(self) -> None:
        """Render the entered values without the errors of a half-filled form."""
        self._errors: list[ErrorDict] = []
        self._non_form_errors = self.error_class()
        for form in self.forms:
            form.show_unjudged()

    def lesions(self) -> list[BaselineLesion]:
        """Every lesion the formset keeps: the stored ones and the rows filled in."""
        return [
            form.instance
            for form in self.forms
            if form.instance.pk is not None or (form.has_changed() and form.is_valid())
        ]

    def clean(self) -> None:
        super().clean()
        if any(form.errors for form in self.forms):
            return
        if (
            self.instance.pk is not None
            and any(form.has_changed() for form in self.forms)
            and validators.lesions_frozen(self.instance.participant_id)
        ):
            raise ValidationError(validators.LESIONS_LOCKED)
        forms_kept = [
            form for form in self.forms if form.instance.pk is not None or form.has_changed()
        ]
        errors = services.lesion_errors([form.instance for form in forms_kept])
        for index, field_errors in errors.items():
            if index is None:
                continue
            for field, message in field_errors.items():
                forms_kept[index].add_error(field, message)
        if None in errors:
            raise ValidationError(errors[None]["__all__"])


# The factory's declared return type is the generic base, not the `formset` class it subclasses.
LesionFormSet = cast(
    "type[BaseLesionFormSet]",
    inlineformset_factory(
        Baseline,
        BaselineLesion,
        form=BaselineLesionForm,
        formset=BaseLesionFormSet,
        extra=3,
        can_delete=False,
    ),
)


class TherapyLineForm(AuditedModelForm):
    class Meta:
        model = TherapyLine
        fields = ["line_number", "category", "agents", "start_date", "stop_date", "reason_stopped"]
        widgets = {"start_date": DateInput(), "stop_date": DateInput()}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        # The same function the service calls before it writes.
        add_rule_errors(self, validators.therapy_line_errors(cleaned, today=timezone.localdate()))
        return cleaned


class SurgeryForm(AuditedModelForm):
    class Meta:
        model = Surgery
        # The fields the surgery rules read (`services.surgery_save` checks the same ones).
        fields = list(services.SURGERY_FIELDS)
        widgets = {"surgery_date": DateInput()}
        labels = {"ypt": "ypT", "ypn": "ypN"}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        # The same function the service calls before it writes.
        errors = validators.surgery_errors(
            cleaned,
            diagnosis_date=self.instance.participant.diagnosis_date,
            today=timezone.localdate(),
        )
        add_rule_errors(self, errors)
        return cleaned


NOT_EVALUATED_LABEL = _("not evaluated")


class AssessmentForm(AuditedModelForm):
    """The assessment and one entry per baseline lesion: a size or 'not evaluated' for a
    target, a status for a non-target."""

    class Meta:
        model = ResponseAssessment
        fields = ["assessment_date", "modality", "primary_new_lesions", "metastatic_new_lesions"]
        widgets = {"assessment_date": DateInput()}

    def __init__(
        self,
        *args: Any,
        lesions: list[BaselineLesion],
        measurements: dict[int, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.lesions = lesions
        measurements = measurements or {}
        for lesion in lesions:
            stored = measurements.get(lesion.pk)
            if lesion.is_target:
                self.fields[f"lesion_{lesion.pk}_mm"] = forms.DecimalField(
                    label=lesion.label,
                    required=False,
                    min_value=Decimal(0),
                    max_digits=5,
                    decimal_places=1,
                    error_messages={"min_value": NEGATIVE_MEASUREMENT},
                    initial=stored.current_mm if stored else None,
                    widget=forms.NumberInput(attrs={"step": "0.1", "min": "0"}),
                )
                self.fields[f"lesion_{lesion.pk}_ne"] = forms.BooleanField(
                    label=NOT_EVALUATED_LABEL,
                    required=False,
                    initial=bool(stored and stored.status == recist.NOT_EVALUATED),
                    widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
                )
            else:
                self.fields[f"lesion_{lesion.pk}_status"] = forms.ChoiceField(
                    label=lesion.label,
                    choices=[("", "---------"), *services.LesionMeasurement.LesionStatus.choices],
                    required=False,
                    initial=stored.status if stored else "",
                )

    def lesion_rows(self) -> list[dict[str, Any]]:
        """Bound fields per lesion, grouped for the template."""
        rows = []
        for lesion in self.lesions:
            if lesion.is_target:
                fields = [self[f"lesion_{lesion.pk}_mm"], self[f"lesion_{lesion.pk}_ne"]]
            else:
                fields = [self[f"lesion_{lesion.pk}_status"]]
            rows.append({"lesion": lesion, "fields": fields})
        return rows

    def entries(self) -> dict[int, services.LesionEntry]:
        data = self.cleaned_data
        entries = {}
        for lesion in self.lesions:
            if lesion.is_target:
                entries[lesion.pk] = services.LesionEntry(
                    current_mm=data.get(f"lesion_{lesion.pk}_mm"),
                    status=recist.NOT_EVALUATED if data.get(f"lesion_{lesion.pk}_ne") else "",
                )
            else:
                entries[lesion.pk] = services.LesionEntry(
                    status=data.get(f"lesion_{lesion.pk}_status") or ""
                )
        return entries

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if any(f.startswith("lesion_") for f in self.errors):
            return cleaned
        for pk, entry in self.entries().items():
            lesion = next(lesion for lesion in self.lesions if lesion.pk == pk)
            message = services.entry_errors(lesion, entry)
            if message:
                suffix = "mm" if lesion.is_target else "status"
                self.add_error(f"lesion_{pk}_{suffix}", message)
        return cleaned
