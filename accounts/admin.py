from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import AccountChange


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
