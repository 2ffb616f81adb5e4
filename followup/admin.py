"""Admin: visits read only (audit.admin); reminders shown, sent only by the scan."""

from django.contrib import admin

from audit.admin import ClinicalAdmin, ReadOnlyAdmin

from .models import Reminder, Visit


@admin.register(Visit)
class VisitAdmin(ClinicalAdmin):
    list_display = ["participant", "code", "kind", "window_start", "window_end", "status"]
    list_filter = ["kind", "status", "participant__site"]
    search_fields = ["participant__study_id", "code"]


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdmin):
    list_display = ["visit", "kind", "due_on", "status", "sent_at"]
    list_filter = ["kind", "status"]
