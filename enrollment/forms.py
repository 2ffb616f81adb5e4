"""Screening forms: every bad input is a message at its field, and nothing is saved."""

import datetime as dt
from typing import Any, cast

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row
from django import forms
from django.core.validators import MinValueValidator
from django.forms.models import construct_instance
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from access.models import Site
from access.roles import Action
from audit.forms import ReasonForChangeMixin, show_plain_numbers
from audit.services import REASON_REQUIRED
from audit.violations import violation_message
from ruleviolation import RuleViolation

from . import eligibility, labs, validators
from .models import Confirmation, MetastaticSite, OffStudy, Participant, Screening
from .validators import FUTURE_DATE

NEGATIVE_VALUE = _("A laboratory value cannot be negative.")
UNIT_LABEL = _("%(lab)s unit")
UNKNOWN_UNIT = _("Unknown unit: choose one of the listed units.")
ECOG_OUT_OF_RANGE = _("ECOG performance status is 0 to 5.")
NEGATIVE_COUNT = _("The number of lesions cannot be negative.")
CORRECTION_REASON_REQUIRED = _("This screening already has an outcome: give the reason.")
CONSENT_BEFORE_SCREENING = _("Consent cannot be given before the screening date.")

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

# (value field, ULN field or None, unit field, units)
LAB_FIELDS = (
    ("anc", None, "anc_unit", labs.ANC_UNITS),
    ("platelets", None, "platelets_unit", labs.PLATELET_UNITS),
    ("hemoglobin", None, "hemoglobin_unit", labs.HEMOGLOBIN_UNITS),
    ("bilirubin", "bilirubin_uln", "bilirubin_unit", labs.BILIRUBIN_UNITS),
    ("ast", "ast_uln", "ast_unit", labs.TRANSAMINASE_UNITS),
    ("alt", "alt_uln", "alt_unit", labs.TRANSAMINASE_UNITS),
    ("creatinine", "creatinine_uln", "creatinine_unit", labs.CREATININE_UNITS),
)
TRI_STATE_FIELDS = (
    "invasive_carcinoma_confirmed",
    "stage_iv_at_diagnosis",
    "operable",
    "prior_locoregional_surgery",
    "other_primary_malignancy",
    "followup_feasible",
)
METASTASIS_PREFIX = "met_"
NOT_INVOLVED = ""


def metastasis_field(code: str) -> str:
    return f"{METASTASIS_PREFIX}{code}"


class ScreeningForm(ReasonForChangeMixin, forms.ModelForm[Screening]):
    change_reason = forms.CharField(
        label=_("Reason for the change"),
        required=False,
        max_length=200,
        help_text=_("Required when the screening already has an outcome."),
    )
    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Screening
        fields = [
            "site",
            "initials",
            "hospital_number",
            "screening_date",
            "birth_date",
            "sex",
            "diagnosis_date",
            "invasive_carcinoma_confirmed",
            "stage_iv_at_diagnosis",
            "liver_metastasis_count",
            "operable",
            "ecog",
            *[name for lab in LAB_FIELDS for name in lab[:3] if name],
            "prior_locoregional_surgery",
            "systemic_therapy_start",
            "other_primary_malignancy",
            "followup_feasible",
        ]
        widgets = {
            "screening_date": DATE_WIDGET,
            "birth_date": DATE_WIDGET,
            "diagnosis_date": DATE_WIDGET,
            "systemic_therapy_start": DATE_WIDGET,
            # Yes / no / unknown: an unknown fact leaves its criterion missing, never guessed.
            **dict.fromkeys(TRI_STATE_FIELDS, forms.NullBooleanSelect),
        }
        help_texts = {
            "systemic_therapy_start": _("Leave blank when systemic therapy has not started."),
            "hospital_number": _("Personal data: visible only to this site."),
            "liver_metastasis_count": _("Lesions in the liver; 0 when the liver is not involved."),
        }

    def __init__(
        self,
        *args: Any,
        user: Any = None,
        read_only: bool = False,
        judge_only: bool = False,
        today: dt.date | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.judge_only = judge_only
        self.today = today or timezone.localdate()
        if self.instance.pk:
            del self.fields["site"]
            self.fields["loaded_version"].initial = self.instance.version
        else:
            sites = user.sites_where(Action.SCREEN) if user is not None else []
            cast(forms.ModelChoiceField, self.fields["site"]).queryset = Site.objects.filter(
                pk__in=sites
            )
            # self.initial, not field.initial: the (empty) instance's values take precedence.
            if len(sites) == 1:
                self.initial["site"] = self.initial["site"] or sites[0]
            self.initial["screening_date"] = self.initial.get("screening_date") or self.today
            for _value, _uln, unit, units in LAB_FIELDS:
                self.initial[unit] = self.initial.get(unit) or next(iter(units))
            self.fields["change_reason"].widget = forms.HiddenInput()
        self.fields["ecog"].error_messages["invalid_choice"] = ECOG_OUT_OF_RANGE
        show_plain_numbers(self, [name for lab in LAB_FIELDS for name in lab[:2] if name])
        for value, uln, unit, _units in LAB_FIELDS:
            # Seven menus all named "Unit" cannot be told apart by a screen reader.
            self.fields[unit].label = UNIT_LABEL % {"lab": self.fields[value].label}
            self.fields[value].validators.append(MinValueValidator(0, NEGATIVE_VALUE))
            self.fields[value].widget.attrs["min"] = "0"
            self.fields[unit].error_messages["invalid_choice"] = UNKNOWN_UNIT
            if uln:
                self.fields[uln].widget.attrs["min"] = "0"
        self.fields["liver_metastasis_count"].error_messages["min_value"] = NEGATIVE_COUNT
        for code, label in MetastaticSite.choices:
            self.fields[metastasis_field(code)] = forms.ChoiceField(
                label=label,
                required=False,
                choices=[(NOT_INVOLVED, _("Not involved")), *Confirmation.choices],
                initial=(self.instance.metastases or {}).get(code, NOT_INVOLVED),
            )
        if read_only:
            for field in self.fields.values():
                field.disabled = True
        self.setup_reason_for_change()
        self.helper = self._helper()

    def _helper(self) -> FormHelper:
        helper = FormHelper()
        helper.form_tag = False
        helper.disable_csrf = True
        lab_rows = [
            Row(*[Column(name, css_class="col-md-4") for name in lab[:3] if name])
            for lab in LAB_FIELDS
        ]
        metastasis_rows = [
            Row(*[Column(metastasis_field(code), css_class="col-md-3") for code in chunk])
            for chunk in (
                MetastaticSite.values[0:4],
                MetastaticSite.values[4:7],
                MetastaticSite.values[7:10],
            )
        ]
        helper.layout = Layout(
            *(["site"] if "site" in self.fields else []),
            Fieldset(
                _("Patient"),
                Row(
                    Column("initials", css_class="col-md-3"),
                    Column("hospital_number", css_class="col-md-3"),
                    Column("screening_date", css_class="col-md-3"),
                ),
                Row(
                    Column("birth_date", css_class="col-md-3"), Column("sex", css_class="col-md-3")
                ),
            ),
            Fieldset(
                _("Disease"),
                Row(
                    Column("diagnosis_date", css_class="col-md-3"),
                    Column("invasive_carcinoma_confirmed", css_class="col-md-4"),
                    Column("stage_iv_at_diagnosis", css_class="col-md-5"),
                ),
                Row(
                    Column("operable", css_class="col-md-3"),
                    Column("prior_locoregional_surgery", css_class="col-md-4"),
                    Column("systemic_therapy_start", css_class="col-md-5"),
                ),
                Row(
                    Column("other_primary_malignancy", css_class="col-md-4"),
                    Column("followup_feasible", css_class="col-md-4"),
                ),
            ),
            Fieldset(
                _("Metastatic sites and how each was confirmed"),
                *metastasis_rows,
                Row(Column("liver_metastasis_count", css_class="col-md-3")),
            ),
            Fieldset(_("Performance status"), "ecog"),
            Fieldset(_("Laboratory (value, site's upper limit of normal, unit)"), *lab_rows),
            "change_reason",
            "loaded_version",
        )
        return helper

    reason_field = "change_reason"

    def setup_reason_for_change(self) -> None:
        super().setup_reason_for_change()
        # Left to clean(): a screening with an outcome says so in its own words.
        self.fields["change_reason"].required = False

    def clean(self) -> dict[str, Any]:
        self.check_not_locked()
        super().clean()
        cleaned = self.cleaned_data
        # The metastases come first so that the live checklist sees them even when another
        # field is in error.
        self.instance.metastases = {
            code: cleaned[metastasis_field(code)]
            for code in MetastaticSite.values
            if cleaned.get(metastasis_field(code))
        }
        # The same function the service calls before it writes.
        errors = validators.screening_errors(
            cleaned | {"metastases": self.instance.metastases},
            today=self.today,
            consent_date=self.instance.consent_date if self.instance.pk else None,
        )
        already = set(self.errors)
        for field, messages in errors.items():
            if field not in already:
                for message in messages:
                    self.add_error(field, message)
        if self.instance.pk and not cleaned.get("change_reason"):
            if not self.instance.is_open:
                self.add_error("change_reason", CORRECTION_REASON_REQUIRED)
            elif self.instance.needs_reason_for_change:
                self.add_error("change_reason", REASON_REQUIRED)
        return cleaned

    def _post_clean(self) -> None:
        if self.judge_only:
            # The live checklist saves nothing: the model's database-backed constraint checks
            # (one query each, on every keystroke) are left to the real save.
            self.instance = construct_instance(self, self.instance, self._meta.fields)
            return
        # django-stubs does not declare BaseModelForm._post_clean, which this extends.
        super()._post_clean()  # type: ignore[misc]
        if self.errors:
            return
        # Last line of defence: whatever the rules would refuse is refused here, at the form.
        try:
            eligibility.evaluate(self.instance.facts(today=self.today))
        except RuleViolation as exc:
            field = validators.fact_field(exc.field)
            self.add_error(field if field in self.fields else None, violation_message(exc))
        except ValueError as exc:  # a unit the conversion does not know (enrollment.labs)
            self.add_error(None, str(exc))


class EnrolForm(forms.Form):
    consent_date = forms.DateField(label=_("Date of informed consent"), widget=DATE_WIDGET)

    def __init__(
        self, *args: Any, screening: Screening, today: dt.date | None = None, **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        self.screening = screening
        self.today = today or timezone.localdate()
        self.fields["consent_date"].initial = self.today
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_consent_date(self) -> dt.date:
        value: dt.date = self.cleaned_data["consent_date"]
        if value > self.today:
            raise forms.ValidationError(FUTURE_DATE)
        if value < self.screening.screening_date:
            raise forms.ValidationError(CONSENT_BEFORE_SCREENING)
        return value


class ScreenFailForm(forms.Form):
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when no criterion failed (e.g. the patient declined)."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class OffStudyForm(forms.ModelForm[OffStudy]):
    class Meta:
        model = OffStudy
        fields = ["date", "reason", "note"]
        widgets = {"date": DATE_WIDGET, "note": forms.Textarea(attrs={"rows": 3})}

    def __init__(
        self, *args: Any, participant: Participant, today: dt.date | None = None, **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        self.participant = participant
        self.today = today or timezone.localdate()
        self.fields["date"].initial = self.today
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # The same function the service calls before it writes.
        errors = validators.off_study_errors(
            cleaned, enrolment_date=self.participant.enrolment_date, today=self.today
        )
        for field, messages in errors.items():
            for message in messages:
                self.add_error(field, message)
        return cleaned


class ListFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    site = forms.ModelChoiceField(
        label=_("Site"), queryset=Site.objects.none(), required=False, empty_label=_("All my sites")
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=DATE_WIDGET)
    date_to = forms.DateField(label=_("To"), required=False, widget=DATE_WIDGET)

    def __init__(self, *args: Any, user: Any, statuses: list[tuple[str, Any]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["site"]).queryset = Site.objects.filter(
            pk__in=user.sites_where(Action.VIEW_PARTICIPANTS)
        )
        cast(forms.ChoiceField, self.fields["status"]).choices = [("", _("Any status")), *statuses]

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}
