"""Admin: read only (audit.admin)."""

from django.contrib import admin

from audit.admin import ClinicalAdmin, ReadOnlyInline

from .models import (
    Baseline,
    BaselineLesion,
    LesionMeasurement,
    ResponseAssessment,
    Surgery,
    TherapyLine,
)


class BaselineLesionInline(ReadOnlyInline):
    model = BaselineLesion


@admin.register(Baseline)
class BaselineAdmin(ClinicalAdmin):
    list_display = ["participant", "baseline_date", "histology", "her2_ihc"]
    list_filter = ["participant__site"]
    search_fields = ["participant__study_id"]
    inlines = [BaselineLesionInline]


@admin.register(BaselineLesion)
class BaselineLesionAdmin(ClinicalAdmin):
    list_display = ["baseline", "number", "compartment", "organ_site", "kind", "baseline_mm"]
    search_fields = ["baseline__participant__study_id"]


@admin.register(TherapyLine)
class TherapyLineAdmin(ClinicalAdmin):
    list_display = ["participant", "line_number", "category", "agents", "start_date", "stop_date"]
    list_filter = ["category", "participant__site"]
    search_fields = ["participant__study_id"]


@admin.register(ResponseAssessment)
class ResponseAssessmentAdmin(ClinicalAdmin):
    list_display = [
        "participant",
        "assessment_date",
        "crf_status",
        "primary_response",
        "metastatic_response",
    ]
    list_filter = ["crf_status", "participant__site"]
    search_fields = ["participant__study_id"]


@admin.register(LesionMeasurement)
class LesionMeasurementAdmin(ClinicalAdmin):
    list_display = ["assessment", "lesion", "current_mm", "status"]
    search_fields = ["assessment__participant__study_id"]


@admin.register(Surgery)
class SurgeryAdmin(ClinicalAdmin):
    list_display = ["participant", "procedure", "surgery_date", "ypt", "ypn"]
    list_filter = ["procedure", "participant__site"]
    search_fields = ["participant__study_id"]
