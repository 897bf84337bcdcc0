"""The review's traces: a reviewer's queries and the replies, and each e-mail sent about a report."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from reporting.models.reports import Report, ReportVersion


class ReviewComment(models.Model):
    """A reviewer's query or a reply, anchored to a form, a field or a table row."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="comments")
    version = models.ForeignKey(ReportVersion, on_delete=models.PROTECT, related_name="comments")
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies")
    form_code = models.CharField(_("form"), max_length=10, blank=True, help_text=_("“cover” for the cover page."))
    field_key = models.CharField(_("field or table"), max_length=60, blank=True)
    row_id = models.CharField(_("table row"), max_length=40, blank=True)
    body = models.TextField(_("comment"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("review comment")
        verbose_name_plural = _("review comments")
        indexes = [models.Index(fields=["report", "resolved_at"])]

    def __str__(self) -> str:
        return f"{self.report}: {self.body[:40]}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None

    @property
    def anchor(self) -> str:
        return ".".join(part for part in (self.form_code, self.field_key, self.row_id) if part)


class Notification(models.Model):
    """One e-mail sent about a report, keyed so that it is never sent twice."""

    key = models.CharField(max_length=120, unique=True)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("report notification")
        verbose_name_plural = _("report notifications")

    def __str__(self) -> str:
        return self.key
