from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgressConfig(AppConfig):
    """The ISU's "progress to date": treaty figures computed for any date, charts and exports."""

    name = "progress"
    verbose_name = _("Progress to date")
