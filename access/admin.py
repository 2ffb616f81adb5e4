"""Admin for sites, users and memberships (not clinical data: changed here as usual).

A user who wrote clinical data (any history row, verification, lock, signature, query or export
names them, all PROTECT) is never deleted: the audit trail must name them for ever (21 CFR
11.10(e)). The admin offers deactivation instead, and its delete page refuses such a user with
a message rather than Django's list of thousands of protected rows.
"""

from typing import Any, cast

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin
from django.db.models import PROTECT, ForeignObjectRel
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import Membership, Site, User

USER_HAS_CLINICAL_HISTORY = _(
    "%(user)s is named by clinical records or their audit trail and cannot be deleted. "
    "Deactivate the account instead (action “Deactivate selected accounts”)."
)


def has_protected_records(user: User) -> bool:
    """Whether any record refuses the user's deletion (a PROTECT key to the user)."""
    # The auto-created, non-concrete fields are the reverse relations (ForeignObjectRel).
    relations = [
        r
        for r in User._meta.get_fields(include_hidden=True)
        if r.auto_created and not r.concrete and getattr(r, "on_delete", None) is PROTECT
    ]
    return any(
        rel.related_model._base_manager.filter(**{rel.field.name: user}).exists()
        for rel in cast("list[ForeignObjectRel]", relations)
    )


class MembershipInline(admin.TabularInline[Membership, User]):
    model = Membership
    extra = 1
    autocomplete_fields = ["site"]


@admin.register(User)
class TrialUserAdmin(UserAdmin[User]):
    inlines = [MembershipInline]
    list_display = ["username", "first_name", "last_name", "email", "is_active", "is_staff"]
    actions = ["deactivate_accounts"]

    DEACTIVATE = _("Deactivate selected accounts")

    @admin.action(description=DEACTIVATE, permissions=["change"])
    def deactivate_accounts(self, request: Any, queryset: Any) -> None:
        # Deactivated, the account can no longer log in, and every record still names it.
        count = queryset.filter(is_active=True).update(is_active=False)
        message = ngettext("%d account deactivated.", "%d accounts deactivated.", count)
        self.message_user(request, message % count, messages.SUCCESS)

    def get_actions(self, request: Any) -> Any:
        # Bulk delete would list every protected row of every user; deletion is one at a time.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        if obj is not None and has_protected_records(obj):
            return False
        return super().has_delete_permission(request, obj)

    def delete_view(self, request: Any, object_id: str, extra_context: Any = None) -> Any:
        user = self.get_object(request, unquote(object_id))
        if user is not None and has_protected_records(user):
            self.message_user(
                request, USER_HAS_CLINICAL_HISTORY % {"user": user.get_username()}, messages.ERROR
            )
            return redirect("admin:access_user_change", user.pk)
        return super().delete_view(request, object_id, extra_context)


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin[Site]):
    list_display = ["code", "name", "time_zone"]
    search_fields = ["code", "name"]
