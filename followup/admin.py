from django.contrib import admin

from audit.admin import ClinicalAdmin

from .models import PlannedVisit, Reminder, Visit


@admin.register(PlannedVisit)
class PlannedVisitAdmin(ClinicalAdmin):
    list_display = ["participant", "code", "window_start", "window_end", "status"]
    list_filter = ["status", "participant__site"]
    search_fields = ["participant__study_id", "code"]
    readonly_fields = ["participant", "code", "target", "window_start", "window_end"]


@admin.register(Visit)
class VisitAdmin(ClinicalAdmin):
    list_display = ["participant", "planned_visit", "kind", "visit_date", "crf_status"]
    list_filter = ["kind", "crf_status", "participant__site"]
    search_fields = ["participant__study_id", "planned_visit__code"]
    readonly_fields = ["participant", "kind", "planned_visit"]


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["planned_visit", "kind", "due_on", "status", "sent_at"]
    list_filter = ["kind", "status"]
    readonly_fields = ["planned_visit", "kind", "due_on", "status", "created_at", "sent_at"]

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
