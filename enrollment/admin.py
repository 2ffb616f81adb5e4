from django.contrib import admin

from audit.admin import ClinicalAdmin

from .models import OffStudy, Participant, Screening, StudyIdCounter


@admin.register(Screening)
class ScreeningAdmin(ClinicalAdmin):
    list_display = ["screening_number", "site", "initials", "screening_date", "status"]
    list_filter = ["site", "status"]
    search_fields = ["initials", "hospital_number"]
    readonly_fields = ["site", "status", "failed_criteria", "consent_date"]


@admin.register(Participant)
class ParticipantAdmin(ClinicalAdmin):
    list_display = ["study_id", "site", "enrolment_date", "status"]
    list_filter = ["site", "status"]
    search_fields = ["study_id"]
    readonly_fields = ["study_id", "sequence", "site", "screening"]


@admin.register(OffStudy)
class OffStudyAdmin(ClinicalAdmin):
    list_display = ["participant", "date", "reason"]
    list_filter = ["reason"]
    readonly_fields = ["participant"]


@admin.register(StudyIdCounter)
class StudyIdCounterAdmin(admin.ModelAdmin):
    list_display = ["site", "last_sequence"]

    # Sequences are allocated by enrolment only: changing one by hand would reuse or skip IDs.
    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
