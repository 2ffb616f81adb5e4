"""Admin: assignments are read here, decided only through the signing pages; signatures are
view-only evidence (no add, change or delete)."""

from django.contrib import admin

from audit.admin import ClinicalAdmin

from .models import ArmAssignment, ElectronicSignature


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

    # A decision without its signature would bypass 21 CFR 11.200: no edits here.
    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(ElectronicSignature)
class ElectronicSignatureAdmin(admin.ModelAdmin):
    list_display = ["printed_name", "signed_at", "meaning", "record_type", "record_id"]
    search_fields = ["printed_name", "meaning"]
    list_select_related = ["signer"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def get_actions(self, request):  # type: ignore[no-untyped-def]
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions
