from django.apps import AppConfig


class CcmPortalConfig(AppConfig):
    name = "ccm_portal"
    verbose_name = "CCM Portal"

    def ready(self) -> None:
        from ccm_portal.core import data_version

        # Every write to public data moves the data version (ETags, the open-data package's refresh).
        data_version.connect()
