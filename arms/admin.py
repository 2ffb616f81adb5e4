"""Admin: assignments and their signatures are read here, decided only through the signing
pages (21 CFR 11.200); see audit.admin."""

from django.contrib import admin

from audit.admin import ClinicalAdmin

from .models import ArmAssignment


@admin.register(ArmAssignment)
class ArmAssignmentAdmin(ClinicalAdmin):
    list_display = [
        "participant",
        "assessment_date",
        "proposed_arm",
        "status",
        "confirmed_arm",
        "overridden",
    ]
    list_filter = ["status", "overridden", "rules_version"]
    search_fields = ["participant__study_id"]
    list_select_related = ["participant"]
