"""The reason-for-change field and the lock, the same on every CRF's form."""

from typing import Any

from django import forms
from django.forms.utils import ErrorDict
from django.utils.translation import gettext_lazy as _

from .display import plain_number
from .models import CrfRecord
from .services import REASON_REQUIRED, RECORD_LOCKED


def needs_reason(instance: Any) -> bool:
    """A saved record needs a reason for change; a CRF only once it is beyond draft."""
    if isinstance(instance, CrfRecord):
        return instance.needs_reason_for_change
    return instance.pk is not None


class ReasonForChangeMixin:
    """For a ModelForm of a clinical record: `reason_field` is required (and shown) when the
    record needs a reason for change, and a locked form is shown read-only and refused.

    The service (audit.services.save_record) refuses the same cases; the form says so at the
    field, before anything is attempted.
    """

    # Declared by the ModelForm this is mixed into.
    instance: Any
    fields: dict[str, forms.Field]

    reason_field = "reason"

    def setup_reason_for_change(self) -> None:
        instance = self.instance
        fields = self.fields
        field = fields.get(self.reason_field)
        if field is not None:
            field.required = needs_reason(instance)
            field.error_messages["required"] = REASON_REQUIRED
            if not field.required and not (field.help_text or ""):
                field.help_text = _("Optional while the form is a draft.")
        if getattr(instance, "is_locked", False):
            # Nothing can be changed, so no reason can be given: the page says the form is
            # locked instead of offering a field that cannot be typed in.
            fields.pop(self.reason_field, None)
            for f in fields.values():
                f.disabled = True

    def show_unjudged(self) -> None:
        """Render the values as entered without judging them (the page was asked for more
        rows, not to save): no "required" errors on a form half filled in on purpose."""
        self._errors = ErrorDict()  # the ModelForm's, which this is mixed into

    def check_not_locked(self) -> None:
        if getattr(self.instance, "is_locked", False):
            raise forms.ValidationError(RECORD_LOCKED, code="locked")


def show_plain_numbers(form: forms.BaseForm, names: "list[str] | tuple[str, ...]") -> None:
    """Show the stored decimals of `names` without the zeros their column pads them with
    (3.2, not 3.200), in the boxes a user edits."""
    for name in names:
        if name in form.initial:
            form.initial[name] = plain_number(form.initial[name])
