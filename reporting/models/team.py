"""The national reporting team's work on a report: which contributor a form is given to, by when (an internal
due date ahead of the State's own deadline), and where it stands. The people are accounts' (national
contributors, invited by the State's focal point); the focal point alone submits the report to the ISU."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from reporting.models.reports import Report


class AssignmentStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", pgettext_lazy("status of a form given to a contributor", "In progress")
    READY = "ready", pgettext_lazy("status of a form given to a contributor", "Ready for the focal point")
    RETURNED = "returned", pgettext_lazy("status of a form given to a contributor", "Returned to the contributor")


class FormAssignment(models.Model):
    """One form of one report given to one national contributor of the report's State."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="assignments")
    form_code = models.CharField(_("form"), max_length=4)
    contributor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="form_assignments",
        verbose_name=_("contributor"),
    )
    due_on = models.DateField(_("internal due date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=AssignmentStatus.choices, default=AssignmentStatus.IN_PROGRESS
    )
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(_("given on"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    ready_at = models.DateTimeField(_("ready for the focal point since"), null=True, blank=True)
    # The form as the focal point last looked at it (as it was when given, until they first do): what their
    # page shows as changed since.
    seen_content = models.JSONField(default=dict, blank=True)
    seen_at = models.DateTimeField(_("last looked at"), null=True, blank=True)

    class Meta:
        ordering = ["report", "form_code"]
        verbose_name = _("form given to a contributor")
        verbose_name_plural = _("forms given to contributors")
        constraints = [
            models.UniqueConstraint(fields=["report", "form_code"], name="one_contributor_per_form_of_a_report")
        ]

    def __str__(self) -> str:
        return f"{self.report} {self.form_code} → {self.contributor}"

    def is_overdue(self, today: dt.date) -> bool:
        """Past its internal due date and not yet ready for the focal point."""
        return bool(self.due_on and self.due_on < today and self.status != AssignmentStatus.READY)


class FormNote(models.Model):
    """What the focal point wrote when returning a form to its contributor: on the form as a whole, a field or
    table (``field_key``) or a table's row (``row_id``). Shown on the contributor's editing page at that place
    until they mark the form ready again (``resolved_at``). Never shown outside the State."""

    assignment = models.ForeignKey(FormAssignment, on_delete=models.CASCADE, related_name="notes")
    form_code = models.CharField(_("form"), max_length=4)
    field_key = models.CharField(_("field or table"), max_length=60, blank=True)
    row_id = models.CharField(_("table row"), max_length=40, blank=True)
    body = models.TextField(_("note"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    is_team_note = True  # the editor shows it beside review comments, with its own markup

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("note on a returned form")
        verbose_name_plural = _("notes on returned forms")

    def __str__(self) -> str:
        return f"{self.assignment}: {self.body[:40]}"
