from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    """Article 7 transparency reports, their review and documents."""

    name = "reporting"
    verbose_name = _("Article 7 reporting")
