from typing import Any, cast

from django import forms
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from access.models import Site
from access.roles import Action

from .datasets import DATASETS
from .jobs import job_action
from .models import ExportLog

ALL = "all"
IDENTIFIED = "identified"
DEIDENTIFIED = "deidentified"


class ExportForm(forms.Form):
    """What to export: the variant, the site (or all the user's), the dataset (or all)."""

    variant = forms.ChoiceField(label=_("Variant"), widget=forms.RadioSelect)
    site = forms.TypedChoiceField(label=_("Site"), coerce=int, required=False, empty_value=None)
    dataset = forms.ChoiceField(label=_("Dataset"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        variants = []
        if user.can(Action.EXPORT_IDENTIFIED):
            variants.append((IDENTIFIED, _("Identified (all columns, calendar dates)")))
        variants.append((DEIDENTIFIED, _("De-identified (no personal data, days from diagnosis)")))
        cast(forms.ChoiceField, self.fields["variant"]).choices = variants
        self.fields["variant"].initial = DEIDENTIFIED
        self.user = user
        sites = Site.objects.filter(pk__in=user.sites_where(Action.EXPORT_DEIDENTIFIED))
        cast(forms.ChoiceField, self.fields["site"]).choices = [("", _("All my sites"))] + [
            (s.pk, str(s)) for s in sites
        ]
        cast(forms.ChoiceField, self.fields["dataset"]).choices = [
            (d.name, d.filename) for d in DATASETS
        ] + [(ALL, _("All datasets and the dictionary (zip)"))]

    @property
    def deidentified(self) -> bool:
        return bool(self.cleaned_data["variant"] == DEIDENTIFIED)

    @property
    def action(self) -> Action:
        return Action.EXPORT_DEIDENTIFIED if self.deidentified else Action.EXPORT_IDENTIFIED

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        site = data.get("site")
        if (
            "variant" in data
            and site is not None
            and site not in self.user.sites_where(self.action)
        ):
            raise forms.ValidationError(_("You may not export this site's data."))
        return data


LANGUAGES = (("en", _("English")), ("zh-hans", _("Simplified Chinese")))


class OutputForm(forms.Form):
    """A long export: the format, the variant, the site (or all the user's), the language."""

    output_format = forms.ChoiceField(
        label=_("Format"),
        widget=forms.Select(attrs={"class": "form-select"}),
        choices=[
            (ExportLog.Format.ODM, ExportLog.Format.ODM.label),
            (ExportLog.Format.SAS, ExportLog.Format.SAS.label),
            (ExportLog.Format.SPSS, ExportLog.Format.SPSS.label),
            (ExportLog.Format.STATA, ExportLog.Format.STATA.label),
            (ExportLog.Format.R, ExportLog.Format.R.label),
            (ExportLog.Format.CSV, _("CSV (zip)")),
            (ExportLog.Format.CASEBOOKS, _("Casebooks of the site (zip of PDFs, identified)")),
        ],
    )
    variant = forms.ChoiceField(label=_("Variant"), widget=forms.RadioSelect)
    site = forms.TypedChoiceField(
        label=_("Site"),
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    audit = forms.BooleanField(
        label=_("With audit records and signatures (identified ODM only)"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    language = forms.ChoiceField(
        label=_("Language of labels and PDFs"),
        choices=LANGUAGES,
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        variants = []
        if user.can(Action.EXPORT_IDENTIFIED):
            variants.append((IDENTIFIED, _("Identified (all columns, calendar dates)")))
        variants.append((DEIDENTIFIED, _("De-identified (no personal data, days from diagnosis)")))
        cast(forms.ChoiceField, self.fields["variant"]).choices = variants
        self.fields["variant"].initial = DEIDENTIFIED
        sites = Site.objects.filter(pk__in=user.sites_where(Action.EXPORT_DEIDENTIFIED))
        cast(forms.ChoiceField, self.fields["site"]).choices = [("", _("All my sites"))] + [
            (s.pk, str(s)) for s in sites
        ]
        self.fields["language"].initial = translation.get_language()

    @property
    def deidentified(self) -> bool:
        return bool(self.cleaned_data["variant"] == DEIDENTIFIED)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "variant" not in data or "output_format" not in data:
            return data
        action = job_action(
            output_format=data["output_format"], deidentified=data["variant"] == DEIDENTIFIED
        )
        allowed = list(self.user.sites_where(action))
        if not allowed:
            raise forms.ValidationError(_("You may not export this."))
        site = data.get("site")
        if site is not None and site not in allowed:
            raise forms.ValidationError(_("You may not export this site's data."))
        data["site_ids"] = [site] if site is not None else sorted(allowed)
        return data
