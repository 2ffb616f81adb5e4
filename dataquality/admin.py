"""Queries and sign-offs are read in the admin, never changed there: their own services keep
their threads and voids whole."""

from django.contrib import admin

from .models import CasebookSignOff, DataQuery


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(DataQuery)
class DataQueryAdmin(ReadOnlyAdmin):
    list_display = ["number", "participant", "site", "form", "field_name", "status", "opened_at"]
    list_filter = ["status", "site", "check_code"]
    search_fields = ["participant__study_id", "text"]


@admin.register(CasebookSignOff)
class CasebookSignOffAdmin(ReadOnlyAdmin):
    list_display = ["participant", "signature", "voided_at"]
    search_fields = ["participant__study_id"]
