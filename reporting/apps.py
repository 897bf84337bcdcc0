from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    """Article 7 transparency reports, their review and documents."""

    name = "reporting"
    verbose_name = _("Article 7 reporting")

    def ready(self) -> None:
        # The reporting history this app's models hold, loaded by ``manage.py load_reference_data``:
        # first the published totals and lists, then the States' records that cite them.
        from parties import reference, state_page
        from reporting.state_page import published_reports

        # The State page lists the reports published by the day it shows.
        state_page.register("reports", published_reports)

        name = "article7_reporting.csv"
        reference.register(70, name, "reporting.resources.PublishedSubmittedResource", "Published totals (Art. 7).")
        reference.register(71, name, "reporting.resources.PublishedOverdueResource", "Published lists of late reports.")
        reference.register(72, name, "reporting.resources.Article7RecordResource", "Article 7 reporting records.")
