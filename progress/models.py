"""Progress to date: the figures are computed from the registry and the reports for any date, never
stored. What is stored is the one-page PDF of the dashboard, rendered by Celery."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from ccm_portal.core.models import BackgroundDocument


class Audience(models.TextChoices):
    PUBLIC = "public", _("Public")
    ISU = "isu", _("ISU (with restricted figures)")


class DashboardPdf(BackgroundDocument):
    """The dashboard as of a date, for one audience, in one language, as a one-page PDF. Rendered once per
    ``fingerprint`` (a hash of the figures it shows), reused until the figures change."""

    as_of = models.DateField(_("as of"))
    audience = models.CharField(max_length=10, choices=Audience.choices)
    file = models.FileField(upload_to="progress/pdf/", max_length=200, blank=True)

    class Meta:
        verbose_name = _("dashboard PDF")
        verbose_name_plural = _("dashboard PDFs")
        constraints = [
            models.UniqueConstraint(fields=["as_of", "audience", "language"], name="one_dashboard_pdf_per_day_language")
        ]

    def __str__(self) -> str:
        return f"{self.get_audience_display()} {self.as_of}"
