from django.contrib import admin

from api.models import OpenDataRelease
from ccm_portal.core.admin import ReadOnlyAdmin


@admin.register(OpenDataRelease)
class OpenDataReleaseAdmin(ReadOnlyAdmin):
    """The open-data package's releases, for the ISU to see when it was last built and what it holds; built by
    the background task only (``api.tasks.refresh_open_data``), never changed here."""

    list_display = ["key", "built_at", "as_of", "data_version"]
    readonly_fields = ["key", "built_at", "as_of", "data_version", "folder", "files", "descriptor"]
