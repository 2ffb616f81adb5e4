"""Queries and sign-offs are read in the admin, never changed there: their own services keep
their threads and voids whole (see audit.admin)."""

from django.contrib import admin

from audit.admin import ReadOnlyAdmin

from .models import CasebookSignOff, DataQuery


@admin.register(DataQuery)
class DataQueryAdmin(ReadOnlyAdmin):
    list_display = ["number", "participant", "site", "form", "field_name", "status", "opened_at"]
    list_filter = ["status", "site", "check_code"]
    search_fields = ["participant__study_id"]


@admin.register(CasebookSignOff)
class CasebookSignOffAdmin(ReadOnlyAdmin):
    list_display = ["participant", "signature", "voided_at"]
    search_fields = ["participant__study_id"]
