from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeadlinesConfig(AppConfig):
    """Every State's obligation calendar, calendar feeds, and reminders sent once."""

    name = "deadlines"
    verbose_name = _("Deadlines and reminders")
