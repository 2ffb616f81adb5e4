"""Admin for clinical records: view and history only, for everyone, superusers included.

The admin is not a second write path: a change there would skip the domain rules (recompute,
replanning, the off-study form, the lifecycle) and the role table (a superuser is at every
site). So clinical records, their signatures and sign-offs are read here and written only by the
trial's own pages and services; add, change and delete are refused (a POST too: Django answers
403 without a change permission), and so is simple-history's "revert", on POST, not only hidden.
The historical models themselves are not registered: nobody edits the audit trail.

The admin ignores site scoping, so it shows clinical records without the fields declared as
identifiers or free text (`audit.personal_data`): not listed, not searchable, not on the record's
page nor in its history's changes.
"""

from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .carried import is_carried
from .models import ElectronicSignature
from .personal_data import field_at, is_withheld

REVERT_REFUSED = _(
    "Clinical records are not changed from the admin: correct them on the trial's own pages."
)


class ReadOnlyAdminMixin:
    """View only: no add, change or delete, and no bulk delete action."""

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def get_actions(self, request: Any) -> Any:
        # A mixin: the ModelAdmin it is mixed into has the method.
        actions = super().get_actions(request)  # type: ignore[misc]
        actions.pop("delete_selected", None)
        return actions


def _withheld(model: Any, lookup: str) -> bool:
    """Whether a field name or lookup (`participant__screening__initials`) ends at a field
    declared an identifier or free text."""
    return is_withheld(field_at(model, lookup.lstrip("^=@")))


class WithoutPersonalDataMixin:
    """Leaves the declared identifiers and free text out of every admin page of the model."""

    model: Any

    def get_fields(self, request: Any, obj: Any = None) -> Any:
        # A mixin: the ModelAdmin it is mixed into has the method.
        fields = super().get_fields(request, obj)  # type: ignore[misc]
        return [f for f in fields if not _withheld(self.model, f)]

    def get_list_display(self, request: Any) -> Any:
        # A mixin: the ModelAdmin it is mixed into has the method.
        shown = super().get_list_display(request)  # type: ignore[misc]
        return [f for f in shown if not isinstance(f, str) or not _withheld(self.model, f)]

    def get_search_fields(self, request: Any) -> Any:
        # A mixin: the ModelAdmin it is mixed into has the method.
        fields = super().get_search_fields(request)  # type: ignore[misc]
        return [f for f in fields if not _withheld(self.model, f)]


class ReadOnlyAdmin(ReadOnlyAdminMixin, WithoutPersonalDataMixin, admin.ModelAdmin[Any]):
    """Evidence that is read in the admin and written only by its own service (signatures,
    sign-offs, queries)."""


class ReadOnlyInline(ReadOnlyAdminMixin, WithoutPersonalDataMixin, admin.TabularInline[Any, Any]):
    extra = 0
    can_delete = False


def _require_pk(model: Any, value: str) -> None:
    """A 404 for an ID in the URL that cannot be one of `model`'s keys: simple-history's
    history pages query with it as it is, and the database's refusal was a 500."""
    try:
        model._meta.pk.to_python(unquote(value))
    except ValidationError as exc:
        raise Http404 from exc


class ClinicalAdmin(ReadOnlyAdminMixin, WithoutPersonalDataMixin, SimpleHistoryAdmin):
    # "Changed by" as the row stored it when the change was made; no reason for change.
    object_history_list_template = "audit/admin/object_history_list.html"

    def get_readonly_fields(self, request: Any, obj: Any = None) -> Any:
        # Every field: the change page is read-only anyway (no change permission), and so is
        # the page of an old version, which simple-history would otherwise render as a form.
        own = [f.name for f in self.model._meta.fields if f.editable and not is_withheld(f)]
        return [*own, *(f for f in super().get_readonly_fields(request, obj) if f not in own)]

    def history_view(self, request: Any, object_id: Any, extra_context: Any = None) -> Any:
        _require_pk(self.model, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(
        self, request: Any, object_id: Any, version_id: Any, extra_context: Any = None
    ) -> Any:
        # simple-history saves the old version on any POST to this page, whatever
        # SIMPLE_HISTORY_REVERT_DISABLED hides; a revert is refused here, before its form.
        if request.method != "GET":
            raise PermissionDenied(REVERT_REFUSED)
        _require_pk(self.model, object_id)
        _require_pk(self.model.history.model, version_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    def set_history_delta_changes(
        self, request: Any, historical_records: Any, foreign_keys_are_objs: bool = True
    ) -> None:
        """The changes shown beside each history row, without the withheld fields and the
        carried copies (bookkeeping, not anyone's change)."""
        excluded = [f.name for f in self.model._meta.fields if is_withheld(f) or is_carried(f)]
        previous = None
        for current in historical_records:
            if previous is None:
                previous = current
                continue
            delta = previous.diff_against(
                current, excluded_fields=excluded, foreign_keys_are_objs=foreign_keys_are_objs
            )
            helper = self.get_historical_record_context_helper(request, previous)
            previous.history_delta_changes = helper.context_for_delta_changes(delta)
            previous = current


@admin.register(ElectronicSignature)
class ElectronicSignatureAdmin(ReadOnlyAdmin):
    list_display = ["pk", "signed_at", "record_type", "record_id"]
    list_select_related = ["signer"]
