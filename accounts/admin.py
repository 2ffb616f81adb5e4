from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import AccountChange

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
