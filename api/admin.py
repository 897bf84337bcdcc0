from django.contrib import admin

from api.models import OpenDataRelease


@admin.register(OpenDataRelease)
class OpenDataReleaseAdmin(admin.ModelAdmin):
    """The open-data package's releases, for the ISU to see when it was last built and what it holds; built by
    the background task only (``api.tasks.refresh_open_data``), never changed here."""

    list_display = ["key", "built_at", "as_of", "data_version"]
    readonly_fields = ["key", "built_at", "as_of", "data_version", "folder", "files", "descriptor"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
