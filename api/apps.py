from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("Open-data API")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from api import tasks
        from ccm_portal.core import data_version

        # Every committed change to public data asks for the open-data package to be rebuilt (debounced).
        data_version.on_change(tasks.data_changed)
