"""A report the ISU enters on a State's behalf from an original received outside the portal
(``reporting.entry`` holds the writes)."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from reporting.models.reports import Report


def _entry_original_path(instance: ReportEntry, filename: str) -> str:
    # The stored name carries no user-supplied text: the extension is the type read from the content
    # (``reporting.entry.check_original``), the rest a random token (the file is served only through a view).
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"reports/originals/{instance.report.state.iso3}/{instance.report_id}-{secrets.token_hex(8)}.{suffix}"


class ReportEntry(models.Model):
    """A report the ISU enters on a State's behalf from an original received outside the portal (on paper,
    as a PDF, with a note verbale): the original and its facts, held while the ISU types the content, then
    carried into the version it records (``version``; ``ReportVersion.entered_by_isu``). While an entry is
    open the ISU edits the report's working copy, and the State's focal point waits to confirm it."""

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="entries", verbose_name=_("report"))
    original_file = models.FileField(_("original document"), upload_to=_entry_original_path, max_length=200)
    submitted_on = models.DateField(
        _("submitted on"), help_text=_("The day the State submitted the original: the report counts from it.")
    )
    source = models.TextField(_("source"), help_text=_("e.g. note verbale to UNODA, 25 January 2011."))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("entered by")
    )
    created_at = models.DateTimeField(_("opened"), auto_now_add=True)
    version = models.OneToOneField(
        "ReportVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entry",
        verbose_name=_("version recorded"),
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("report entered by the ISU")
        verbose_name_plural = _("reports entered by the ISU")
        constraints = [
            models.UniqueConstraint(
                fields=["report"], condition=Q(version__isnull=True), name="one_open_entry_per_report"
            )
        ]

    def __str__(self) -> str:
        return f"{self.report} ({self.submitted_on.isoformat()})"

    @property
    def is_open(self) -> bool:
        return self.version_id is None
