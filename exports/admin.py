from django.contrib import admin
from django.http import HttpRequest

from .models import ExportLog


@admin.register(ExportLog)
class ExportLogAdmin(admin.ModelAdmin[ExportLog]):
    list_display = ["created_at", "user", "channel", "deidentified", "row_count", "completed_at"]
    list_filter = ["channel", "deidentified"]
    readonly_fields = [f.name for f in ExportLog._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ExportLog | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: ExportLog | None = None) -> bool:
        return False
