from django.contrib import admin

from audit.admin import ClinicalAdmin

from .models import Reminder, Visit


@admin.register(Visit)
class VisitAdmin(ClinicalAdmin):
    list_display = ["participant", "code", "kind", "window_start", "window_end", "status"]
    list_filter = ["kind", "status", "participant__site"]
    search_fields = ["participant__study_id", "code"]
    readonly_fields = ["participant", "kind", "code", "target", "window_start", "window_end"]


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["visit", "kind", "due_on", "status", "sent_at"]
    list_filter = ["kind", "status"]
    readonly_fields = ["visit", "kind", "due_on", "status", "created_at", "sent_at"]

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
