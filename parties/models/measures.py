"""What the ISU records beside the treaty dates: each State's Art. 9 national measures and the totals the
ISU published (for comparison with the computed figures)."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from parties.dates import PartialDate, Precision
from parties.models.states import State


class MeasuresStatus(models.TextChoices):
    """Art. 9: where a State Party stands on national implementation measures."""

    ADOPTED = "adopted", _("Specific measures adopted")
    EXISTING_LAW = "existing_law", _("Existing law considered sufficient")
    IN_PROGRESS = "in_progress", _("Measures in progress")
    NONE_KNOWN = "none_known", _("No measures known")


class NationalMeasures(models.Model):
    """The ISU's record of a State's Art. 9 status from a date on, with its source. Rows are history:
    the status on a day is the latest row in effect on that day."""

    state = models.ForeignKey(State, on_delete=models.PROTECT, related_name="national_measures")
    status = models.CharField(_("Art. 9 status"), max_length=20, choices=MeasuresStatus.choices)
    effective_from = models.DateField(
        _("in effect from"), help_text=_("The day the law was adopted, or the day the State said so.")
    )
    effective_precision = models.CharField(
        _("precision of that date"),
        max_length=5,
        choices=Precision.choices,
        default=Precision.DAY,
        help_text=_("A status known from a month or year holds from the last day of that period."),
    )
    source = models.TextField(_("source"), help_text=_("e.g. the Art. 7 report, Form A, 2023; or the law's reference."))
    source_url = models.URLField(_("source address"), blank=True, max_length=500)
    notes = models.TextField(_("notes"), blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["state__name", "-effective_from"]
        verbose_name = _("national implementation measures (Art. 9)")
        verbose_name_plural = _("national implementation measures (Art. 9)")
        constraints = [
            models.UniqueConstraint(fields=["state", "effective_from"], name="one_art9_status_per_state_and_day")
        ]

    def __str__(self) -> str:
        return f"{self.state}: {self.get_status_display()} ({self.effective})"

    @property
    def effective(self) -> PartialDate:
        return PartialDate(self.effective_from, Precision(self.effective_precision))

    @property
    def holds_from(self) -> dt.date:
        """A statement dated only to a month or year holds from the last day of that period."""
        return self.effective.end


class PublishedFigureTopic(models.TextChoices):
    INITIAL_REPORTS_SUBMITTED = "initial-reports-submitted", _("Initial reports submitted")
    INITIAL_REPORTS_LATE = "initial-reports-overdue", _("Initial reports overdue")
    ANNUAL_REPORTS_OVERDUE = "annual-reports-overdue", _("Annual updates overdue")
    LEGISLATION_ADOPTED = "legislation-adopted", _("States Parties with national legislation (Art. 9)")


class PublishedFigure(models.Model):
    """A total someone published ("31 of 110 States Parties had adopted legislation"): a record like any
    other, with its date and source. The dashboard shows the nearest one beside the figure it computes.

    Some published lists are undated: the window they must fall in is recorded instead. A published list
    of every State in a situation on a date (``is_complete_list``) also says that every other State then
    concerned was not in it; the States it names are ``ReportingRecord`` rows citing it."""

    topic = models.CharField(_("what it counts"), max_length=40, choices=PublishedFigureTopic.choices)
    period_year = models.PositiveSmallIntegerField(
        _("reporting year"), null=True, blank=True, help_text=_("For annual updates: the calendar year covered.")
    )
    as_of = models.DateField(_("as of"), null=True, blank=True)
    as_of_precision = models.CharField(
        _("precision of that date"), max_length=5, choices=Precision.choices, default=Precision.DAY
    )
    window_start = models.DateField(
        _("undated: not before"), null=True, blank=True, help_text=_("For an undated page: the earliest it can be.")
    )
    window_end = models.DateField(
        _("undated: not after"), null=True, blank=True, help_text=_("For an undated page: the latest it can be.")
    )
    value = models.PositiveIntegerField(_("published number"), null=True, blank=True)
    out_of = models.PositiveIntegerField(_("out of"), null=True, blank=True)
    is_complete_list = models.BooleanField(
        _("lists every State concerned"),
        default=False,
        help_text=_("The source names every State in the situation, so the others were not in it."),
    )
    statement = models.TextField(_("what the source says"))
    source = models.TextField(_("source"))
    origin = models.CharField(_("reference file"), max_length=60, blank=True, editable=False)
    reference = models.CharField(
        _("reference key"),
        max_length=80,
        blank=True,
        editable=False,
        help_text=_("Identifies a row of a reference data file, so that loading it again updates this record."),
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["topic", "as_of", "window_end"]
        verbose_name = _("published figure")
        verbose_name_plural = _("published figures")
        constraints = [
            models.UniqueConstraint(
                fields=["reference"], condition=~Q(reference=""), name="published_figure_reference"
            ),
            models.CheckConstraint(
                condition=Q(as_of__isnull=False) | Q(window_end__isnull=False),
                name="published_figure_is_dated_or_bounded",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_topic_display()} — {self.date_label}"

    @property
    def date(self) -> PartialDate | None:
        return PartialDate(self.as_of, Precision(self.as_of_precision)) if self.as_of else None

    @property
    def holds_on(self) -> dt.date:
        """The latest day the figure can describe: its date (end of its month or year), or its window's end."""
        return self.date.end if self.date else self.window_end

    @property
    def known_from(self) -> dt.date:
        """The first day the figure is a published fact an as-of view may show."""
        return self.holds_on

    @property
    def date_label(self) -> str:
        if self.date:
            return self.date.display()
        start = PartialDate(self.window_start, Precision.DAY).display() if self.window_start else "?"
        return _("undated, between %(start)s and %(end)s") % {
            "start": start,
            "end": PartialDate(self.window_end, Precision.DAY).display(),
        }
