from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from access.models import Site
from access.roles import Action

from .datasets import DATASETS

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
