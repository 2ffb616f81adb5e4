"""Admin: visits read only (audit.admin); reminders shown, sent only by the scan."""

from django.contrib import admin

from audit.admin import ClinicalAdmin, ReadOnlyAdmin

from .models import PlannedVisit, Reminder, Visit


@admin.register(PlannedVisit)
class PlannedVisitAdmin(ClinicalAdmin):
    list_display = ["participant", "code", "window_start", "window_end", "status"]
    list_filter = ["status", "participant__site"]
    search_fields = ["participant__study_id", "code"]


@admin.register(Visit)
class VisitAdmin(ClinicalAdmin):
    list_display = ["participant", "planned_visit", "kind", "visit_date", "crf_status"]
    list_filter = ["kind", "crf_status", "participant__site"]
    search_fields = ["participant__study_id", "planned_visit__code"]


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdmin):
    list_display = ["planned_visit", "kind", "due_on", "status", "sent_at"]
    list_filter = ["kind", "status"]
