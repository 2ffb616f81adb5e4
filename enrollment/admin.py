from django.contrib import admin

from audit.admin import ClinicalAdmin

from .models import Participant


@admin.register(Participant)
class ParticipantAdmin(ClinicalAdmin):
    list_display = ["study_id", "site", "enrolment_date", "status"]
    list_filter = ["site", "status"]
    search_fields = ["study_id"]
    readonly_fields = ["study_id", "sequence", "site"]
