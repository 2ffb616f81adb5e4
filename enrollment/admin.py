"""Admin: read only (audit.admin)."""

from django.contrib import admin

from audit.admin import ClinicalAdmin, ReadOnlyAdmin

from .models import OffStudy, Participant, Screening, StudyIdCounter


@admin.register(Screening)
class ScreeningAdmin(ClinicalAdmin):
    list_display = ["screening_number", "site", "screening_date", "status"]
    list_filter = ["site", "status"]
    search_fields = ["participant__study_id"]


@admin.register(Participant)
class ParticipantAdmin(ClinicalAdmin):
    list_display = ["study_id", "site", "enrolment_date", "status"]
    list_filter = ["site", "status"]
    search_fields = ["study_id"]


@admin.register(OffStudy)
class OffStudyAdmin(ClinicalAdmin):
    list_display = ["participant", "date", "reason"]
    list_filter = ["reason"]


# Sequences are allocated by enrolment only: changing one by hand would reuse or skip IDs.
@admin.register(StudyIdCounter)
class StudyIdCounterAdmin(ReadOnlyAdmin):
    list_display = ["site", "last_sequence"]
