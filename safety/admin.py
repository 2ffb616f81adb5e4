from django.contrib import admin
from django.http import HttpRequest

from audit.admin import ClinicalAdmin

from .models import (
    AdverseEvent,
    CausalityAssessment,
    CtcaeTerm,
    DeathReport,
    Radiotherapy,
    SaeFollowUp,
)


@admin.register(CtcaeTerm)
class CtcaeTermAdmin(admin.ModelAdmin[CtcaeTerm]):
    """Reference data, loaded from the repository's list: read only here too."""

    list_display = ("term", "meddra_code", "soc")
    search_fields = ("term", "meddra_code")
    list_filter = ("soc",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: CtcaeTerm | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: CtcaeTerm | None = None) -> bool:
        return False


for model in (AdverseEvent, SaeFollowUp, CausalityAssessment, DeathReport, Radiotherapy):
    admin.site.register(model, ClinicalAdmin)
