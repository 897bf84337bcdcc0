"""What sources say about a State's reports outside the portal (received before the portal or sent straight
to the UN, or not submitted as of a date): the facts the rates and the deadlines need, with their source."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from parties.dates import PartialDate, Precision
from parties.models import Confidence, State
from reporting.models.reports import ReportKind


class RecordStatus(models.TextChoices):
    SUBMITTED = "submitted", pgettext_lazy("status of a report", "Submitted")
    NOT_SUBMITTED = "not_submitted", _("Not submitted (a source says so)")
    LATE = "late", _("Not submitted by its due date (a source says so)")


class ReportingRecord(models.Model):
    """What a source says about one State's report outside the portal: received (before the portal, or
    sent straight to the UN), or not submitted as of a date. Only the facts the rates and deadlines need,
    with the source; the content stays with the UN (UNODA's Article 7 database). Several sources may speak
    of the same report, and they may disagree: every statement is kept.

    Dates keep their source's precision. A report known only to have been submitted by a bound (a complete
    published list of late States that does not name it) has ``submitted_by`` and cites the list."""

    state = models.ForeignKey(State, on_delete=models.PROTECT, related_name="reporting_records")
    kind = models.CharField(_("kind"), max_length=10, choices=ReportKind.choices)
    period_year = models.PositiveSmallIntegerField(
        _("calendar year covered"), null=True, blank=True, help_text=_("Empty for the initial report.")
    )
    status = models.CharField(
        _("what the source says"), max_length=15, choices=RecordStatus.choices, default=RecordStatus.SUBMITTED
    )
    submitted_on = models.DateField(
        _("submitted on"), null=True, blank=True, help_text=_("The date the UN's records or the source give.")
    )
    submitted_precision = models.CharField(
        _("precision of the submission date"), max_length=5, choices=Precision.choices, default=Precision.DAY
    )
    submitted_by = models.DateField(
        _("submitted at the latest by"),
        null=True,
        blank=True,
        help_text=_("Where the day is unknown: the latest day by which the source shows it submitted."),
    )
    as_of = models.DateField(
        _("as of"), null=True, blank=True, help_text=_("The date of the source's statement (undated: see the list).")
    )
    as_of_precision = models.CharField(
        _("precision of that date"), max_length=5, choices=Precision.choices, default=Precision.DAY
    )
    listed_in = models.ForeignKey(
        "parties.PublishedFigure",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reporting_records",
        verbose_name=_("published list"),
    )
    is_nil = models.BooleanField(_("nil report"), default=False)
    confidence = models.CharField(
        _("confidence"), max_length=20, choices=Confidence.choices, default=Confidence.CONFIRMED
    )
    source = models.TextField(_("source"), help_text=_("e.g. UNODA Article 7 database, entry of 12 May 2019."))
    source_url = models.URLField(_("source address"), blank=True, max_length=500)
    notes = models.TextField(_("notes"), blank=True)
    origin = models.CharField(_("reference file"), max_length=60, blank=True, editable=False)
    reference = models.CharField(_("reference key"), max_length=80, blank=True, editable=False)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["state__name", "kind", "period_year", "submitted_on", "as_of"]
        verbose_name = _("Article 7 reporting record")
        verbose_name_plural = _("Article 7 reporting records")
        constraints = [
            models.UniqueConstraint(
                fields=["reference"], condition=~Q(reference=""), name="reporting_record_reference"
            ),
            models.CheckConstraint(
                condition=(Q(kind="initial") & Q(period_year__isnull=True))
                | (Q(kind="annual") & Q(period_year__isnull=False)),
                name="reporting_record_period_matches_kind",
            ),
            models.CheckConstraint(
                condition=~Q(status="submitted") | Q(submitted_on__isnull=False) | Q(submitted_by__isnull=False),
                name="reporting_record_submission_dated",
            ),
        ]

    def __str__(self) -> str:
        period = self.period_year or _("initial report")
        return f"{self.state.iso3} {period}: {self.get_status_display()}"

    @property
    def note(self) -> str:
        """The notes as a reader sees them: in their language where the portal wrote them. A report known only by
        a bound (a complete published list of late States that does not name it: the import's ``:implied:``
        records) says so from the list, in the reader's language; other notes are the source's, as written."""
        if self.status == RecordStatus.SUBMITTED and self.listed_in_id and ":implied:" in self.reference:
            return gettext(
                "Not named in the list of %(count)s States Parties with overdue initial reports (%(when)s)."
            ) % {
                "count": self.listed_in.value,
                "when": self.listed_in.date_label,
            }
        return self.notes

    @property
    def submitted(self) -> PartialDate | None:
        return PartialDate(self.submitted_on, Precision(self.submitted_precision)) if self.submitted_on else None

    @property
    def statement_date(self) -> PartialDate | None:
        return PartialDate(self.as_of, Precision(self.as_of_precision)) if self.as_of else None

    @property
    def submitted_certainly_by(self) -> dt.date | None:
        """The first day the report is certainly in: the submission day (end of its month or year), or
        the bound."""
        days = [d for d in (self.submitted.end if self.submitted else None, self.submitted_by) if d]
        return min(days) if days else None

    @property
    def not_submitted_on(self) -> dt.date | None:
        """For a "not submitted" statement: the latest day it speaks of (undated lists: their window's start,
        the only day certainly covered). A report not in on that day was not in on any day before either."""
        if self.status == RecordStatus.SUBMITTED:
            return None
        if self.as_of:
            return self.statement_date.start
        if self.listed_in_id and self.listed_in.window_start:
            return self.listed_in.window_start
        return None

    @property
    def known_from(self) -> dt.date | None:
        """The first day an as-of view may show this statement."""
        if self.status == RecordStatus.SUBMITTED:
            return self.submitted_certainly_by
        if self.as_of:
            return self.statement_date.end
        if self.listed_in_id:
            return self.listed_in.holds_on
        return None
