"""Admin for clinical models: history visible, nothing deletable, history read-only.

Saves go through audit.services.save_record like every other write, with the reason for
change typed on the admin form; a locked form is read-only here too. The historical models
themselves are not registered: nobody edits the audit trail, not even a superuser.
"""

from typing import Any

from django import forms
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .forms import needs_reason
from .models import ClinicalRecord, CrfRecord
from .services import REASON_REQUIRED, RECORD_LOCKED, save_record

REASON_FIELD = "change_reason"
LIFECYCLE_SHOWN = ("crf_status", "verified_by", "verified_at", "locked_by", "locked_at")


class ClinicalAdminForm(forms.ModelForm):  # type: ignore[type-arg]
    change_reason = forms.CharField(
        label=_("Reason for change"),
        required=False,
        max_length=200,
        help_text=_("Required for a change to a saved record (audit trail)."),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if getattr(self.instance, "is_locked", False):
            raise forms.ValidationError(RECORD_LOCKED)
        if needs_reason(self.instance) and not cleaned.get(REASON_FIELD, "").strip():
            self.add_error(REASON_FIELD, REASON_REQUIRED)
        return cleaned  # type: ignore[no-any-return]


def _require_pk(model: type[models.Model], value: str) -> None:
    """A 404 for an ID in the URL that cannot be one of `model`'s keys: simple-history's
    history pages query with it as it is, and the database's refusal was a 500."""
    try:
        model._meta.pk.to_python(unquote(value))  # type: ignore[union-attr]
    except ValidationError as exc:
        raise Http404 from exc


class ClinicalAdmin(SimpleHistoryAdmin):
    form = ClinicalAdminForm

    def history_view(self, request, object_id, extra_context=None):  # type: ignore[no-untyped-def]
        _require_pk(self.model, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):  # type: ignore[no-untyped-def]
        _require_pk(self.model, object_id)
        _require_pk(self.model.history.model, version_id)  # type: ignore[attr-defined]
        return super().history_form_view(request, object_id, version_id, extra_context)

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        if getattr(obj, "is_locked", False):
            return False
        return super().has_change_permission(request, obj)

    def get_actions(self, request):  # type: ignore[no-untyped-def]
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def get_readonly_fields(self, request, obj=None):  # type: ignore[no-untyped-def]
        fields = list(super().get_readonly_fields(request, obj))
        if issubclass(self.model, CrfRecord):
            # The lifecycle is shown here and moved only by dataquality.services.
            fields += [f for f in LIFECYCLE_SHOWN if f not in fields]
        return fields

    def get_fields(self, request, obj=None):  # type: ignore[no-untyped-def]
        fields = list(super().get_fields(request, obj))
        if REASON_FIELD not in fields:
            fields.append(REASON_FIELD)
        return fields

    def _reason(self, form: Any) -> str:
        return str(form.cleaned_data.get(REASON_FIELD, "") or "").strip()

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        reason = self._reason(form) or ("" if change else "Created in the admin")
        save_record(obj, user=request.user, reason=reason)

    def save_formset(self, request, form, formset, change):  # type: ignore[no-untyped-def]
        reason = self._reason(form) or "Changed in the admin with its form"
        for obj in formset.save(commit=False):
            if isinstance(obj, ClinicalRecord):
                save_record(obj, user=request.user, reason=reason)
            else:
                obj.save()
        formset.save_m2m()
