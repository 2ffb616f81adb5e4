from typing import Any

from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest
from django_otp.plugins.otp_totp.models import TOTPDevice

from access.admin import TrialUserAdmin
from access.models import User

from .models import AccountChange
from .services import memberships_of, record_admin_changes

# django-otp's own admin for authenticators shows the secret key and its QR code (and answers
# an out-of-range id with a 500); the staff page enrols and resets, this lists them only.
admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class AuthenticatorAdmin(admin.ModelAdmin[TOTPDevice]):
    list_display = ["user", "name", "confirmed", "last_used_at"]
    list_filter = ["confirmed"]
    search_fields = ["user__username"]
    fields = ["user", "name", "confirmed", "created_at", "last_used_at"]
    readonly_fields = ["user", "name", "confirmed", "created_at", "last_used_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AccountChange)
class AccountChangeAdmin(admin.ModelAdmin[AccountChange]):
    """The record of account changes: read only, like the audit trail."""

    list_display = ["at", "by", "user", "site", "kind", "old", "new", "reason"]
    list_filter = ["kind", "site"]
    search_fields = ["user__username", "by__username", "reason"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# The user page of access.admin, with every change of a role or of `is_active` made there
# written to the account change log as the staff page writes its own (access cannot import
# this app: it is the layer below).
admin.site.unregister(User)


@admin.register(User)
class AuditedUserAdmin(TrialUserAdmin):
    """Django saves the user (`save_model`), then its memberships (`save_related`), in one
    transaction: the state before is read in the first, compared with the state after in the
    second."""

    def save_model(self, request: Any, obj: User, form: Any, change: bool) -> None:
        stored = User.objects.filter(pk=obj.pk).first() if change else None
        form.account_before = (
            (memberships_of(stored), stored.is_active) if stored is not None else ([], None)
        )
        super().save_model(request, obj, form, change)

    def save_related(self, request: Any, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        before, was_active = form.account_before
        record_admin_changes(
            by=request.user, user=form.instance, before=before, was_active=was_active
        )

    @admin.action(description=TrialUserAdmin.DEACTIVATE, permissions=["change"])
    def deactivate_accounts(self, request: Any, queryset: Any) -> None:
        with transaction.atomic():
            users = list(queryset.filter(is_active=True))
            super().deactivate_accounts(request, queryset)
            for user in users:
                user.is_active = False  # as the action has just saved it
                record_admin_changes(
                    by=request.user, user=user, before=memberships_of(user), was_active=True
                )
