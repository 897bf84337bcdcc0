"""Files made or received for a report: its PDFs (rendered in the background) and the workbooks a focal point
uploaded, held once checked until applied or discarded."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ccm_portal.core.models import BackgroundDocument
from reporting.models.reports import Report, ReportVersion


class ReportPdf(BackgroundDocument):
    """The PDF of a submitted version, or of the working draft (for a national approver's sign-off).

    One row per version (or draft) and language: the labels are in the reader's language, the content in the
    language the State wrote it in. A PDF is rendered once per ``fingerprint``: a hash of what it shows (the
    content, the format, the version's outcome and "superseded by" mark, the layout revision, the language).
    Asking again for an unchanged document reuses the stored file; a change of fingerprint renders anew.
    """

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="pdfs")
    version = models.ForeignKey(ReportVersion, on_delete=models.CASCADE, null=True, blank=True, related_name="pdfs")
    file = models.FileField(upload_to="reports/pdf/", max_length=200, blank=True)
    pages = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("report PDF")
        verbose_name_plural = _("report PDFs")
        constraints = [
            # One file per version (or draft) and language.
            models.UniqueConstraint(
                fields=["report", "language"], condition=Q(version__isnull=True), name="one_draft_pdf_per_language"
            ),
            models.UniqueConstraint(
                fields=["version", "language"], condition=Q(version__isnull=False), name="one_version_pdf_per_language"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version or self.report} (PDF, {self.language})"


class WorkbookUploadStatus(models.TextChoices):
    PREVIEWED = "previewed", _("Checked, waiting for confirmation")
    APPLIED = "applied", _("Applied to the draft")
    DISCARDED = "discarded", _("Discarded")
    OUTDATED = "outdated", _("Outdated: the draft changed since")


class WorkbookUpload(models.Model):
    """A workbook that passed every check, held with its parsed content until the focal point
    confirms the preview. Workbooks with any error are never stored."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="workbook_uploads")
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    base_revision = models.PositiveIntegerField(help_text=_("The draft revision the preview was computed against."))
    content = models.JSONField(help_text=_("The draft as it will be once applied."))
    changes = models.JSONField(default=dict, help_text=_("What will change: path → [before, after]."))
    status = models.CharField(
        max_length=10, choices=WorkbookUploadStatus.choices, default=WorkbookUploadStatus.PREVIEWED
    )
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = _("workbook upload")
        verbose_name_plural = _("workbook uploads")

    def __str__(self) -> str:
        return f"{self.report}: {self.name}"
