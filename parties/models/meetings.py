"""Meetings of States Parties and Review Conferences."""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _

from parties import rules
from parties.dates import PartialDate, Precision

# 11MSP, 1RC, 2RC-2 (the second part of the Second Review Conference).
_NUMBERED = re.compile(r"^(?P<n>\d+)(?P<kind>MSP|RC)(?:-(?P<part>\d+))?$")


class MeetingKind(models.TextChoices):
    MSP = "msp", _("Meeting of States Parties (Art. 11)")
    REVIEW_CONFERENCE = "rc", _("Review Conference (Art. 12)")


class Meeting(models.Model):
    code = models.CharField(_("code"), max_length=12, unique=True, help_text=_("For example 11MSP or 2RC-2."))
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=3, choices=MeetingKind.choices)
    start_date = models.DateField(_("first day"))
    date_precision = models.CharField(
        _("precision of the dates"),
        max_length=5,
        choices=Precision.choices,
        default=Precision.DAY,
        help_text=_("“Month only” for a meeting known by its month (the first day is then the 1st)."),
    )
    end_date = models.DateField(_("last day"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=120, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    source = models.TextField(_("source"))

    class Meta:
        ordering = ["start_date"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="meeting_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.start_date:%Y})"

    @property
    def local_name(self) -> str:
        """The meeting's name in the reader's language: the treaty record's (``name``) in English; in another
        language made from its number ("11e Assemblée des États parties"), the record's when the code has none."""
        match = _NUMBERED.match(self.code)
        if match is None or (get_language() or "en").startswith("en"):
            return self.name
        n = int(match["n"])
        if match["kind"] == "MSP":
            name = ngettext("%(n)sst Meeting of States Parties", "%(n)sth Meeting of States Parties", n) % {"n": n}
        else:
            name = ngettext("%(n)sst Review Conference", "%(n)sth Review Conference", n) % {"n": n}
        if match["part"]:
            part = int(match["part"])
            name = ngettext("%(meeting)s (%(n)sst part)", "%(meeting)s (%(n)sth part)", part) % {
                "meeting": name,
                "n": part,
            }
        return name

    def clean(self) -> None:
        if self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The last day cannot be before the first day.")})

    @property
    def extension_requests_due(self) -> dt.date:
        """The last day to file, from the first day as stored (for a meeting known by its month, the 1st)."""
        return rules.extension_request_due(self.start_date)

    @property
    def requests_due(self) -> PartialDate | None:
        """The last day to file as precisely as the first day is known: a meeting known by its month gives the
        month nine months before (whichever of its days it opens on), one known only by its year no date."""
        if self.start.precision == Precision.YEAR:
            return None
        return PartialDate(self.extension_requests_due, self.start.precision)

    @property
    def start(self) -> PartialDate:
        return PartialDate(self.start_date, Precision(self.date_precision))

    @property
    def last_day(self) -> dt.date:
        """The latest day the meeting can have ended: its decisions hold at the latest from then."""
        return self.end_date or self.start.end
