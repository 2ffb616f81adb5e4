"""Admin for clinical models: history visible, nothing deletable, history read-only."""

from simple_history.admin import SimpleHistoryAdmin


class ClinicalAdmin(SimpleHistoryAdmin):
    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def get_actions(self, request):  # type: ignore[no-untyped-def]
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions
