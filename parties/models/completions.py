"""Each source's statement that an obligation was completed (or that there was nothing to destroy), kept beside
the obligation's own record; sources that disagree all stay."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from parties.dates import PartialDate, Precision
from parties.models.obligations import Confidence, Obligation


class CompletionFinding(models.TextChoices):
    COMPLETED = "completed", _("Completed")
    NO_OBLIGATION_FOUND = (
        "no_obligation",
        _("Nothing to destroy or clear was found (the obligation may never have existed)"),
    )


class CompletionRecord(models.Model):
    """One source's statement that a State completed its Art. 3 or Art. 4 obligation. Sources disagree at
    times (Norway's stockpile: 16 July or June 2010): each statement is kept with its source and none
    overrules another. The obligation counts as completed from the earliest day a statement shows it
    complete (``Obligation.status_on``); the pages list every statement beside the figure."""

    obligation = models.ForeignKey(
        Obligation, on_delete=models.CASCADE, related_name="completion_records", verbose_name=_("obligation")
    )
    finding = models.CharField(
        _("finding"), max_length=20, choices=CompletionFinding.choices, default=CompletionFinding.COMPLETED
    )
    completed_on = models.DateField(_("completed"), null=True, blank=True)
    completed_precision = models.CharField(
        _("precision of the completion date"), max_length=5, choices=Precision.choices, blank=True
    )
    completed_by = models.DateField(
        _("completed at the latest by"),
        null=True,
        blank=True,
        help_text=_("Where the source gives no date: the latest day by which it shows the work complete."),
    )
    confidence = models.CharField(_("confidence"), max_length=20, choices=Confidence.choices)
    origin = models.CharField(_("reference file"), max_length=60, blank=True, editable=False)
    source = models.TextField(_("source"))
    notes = models.TextField(_("notes"), blank=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        ordering = ["obligation", "completed_on"]
        verbose_name = _("completion record")
        verbose_name_plural = _("completion records")
        constraints = [
            models.UniqueConstraint(
                fields=["obligation", "origin"], condition=~Q(origin=""), name="one_completion_per_reference_file"
            ),
            models.CheckConstraint(
                condition=Q(completed_on__isnull=True, completed_precision="")
                | Q(completed_on__isnull=False) & ~Q(completed_precision=""),
                name="completion_record_date_has_precision",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.obligation}: {self.completion or self.get_finding_display()}"

    @property
    def completion(self) -> PartialDate | None:
        return PartialDate.stored(self.completed_on, self.completed_precision)

    @property
    def counts(self) -> bool:
        """A statement of completion the figures count (a disputed one, or a void obligation, does not)."""
        return self.finding == CompletionFinding.COMPLETED and self.confidence != Confidence.DISPUTED
