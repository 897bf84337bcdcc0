from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistanceConfig(AppConfig):
    """Article 6 assistance requests, offers and their matching."""

    name = "assistance"
    verbose_name = _("Cooperation and assistance")
