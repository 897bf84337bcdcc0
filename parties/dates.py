"""Dates known only to a year or a month.

Public sources often give a completion as ``2023`` or ``2018-07``. Such a date is
stored as the first day of its period plus a precision, and never shown with a day
the source did not give.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from django.db import models
from django.utils import formats
from django.utils.translation import gettext_lazy as _


class Precision(models.TextChoices):
    DAY = "day", _("Exact day")
    MONTH = "month", _("Month only")
    YEAR = "year", _("Year only")


_PATTERN = re.compile(r"^(?P<year>\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2}))?)?$")


@dataclass(frozen=True)
class PartialDate:
    start: dt.date
    precision: Precision

    @classmethod
    def parse(cls, text: str) -> PartialDate:
        """Parse ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``; raise ``ValueError`` otherwise."""
        match = _PATTERN.match(text.strip())
        if not match:
            raise ValueError(f"{text!r} is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD")
        year = int(match["year"])
        if match["day"]:
            return cls(dt.date(year, int(match["month"]), int(match["day"])), Precision.DAY)
        if match["month"]:
            return cls(dt.date(year, int(match["month"]), 1), Precision.MONTH)
        return cls(dt.date(year, 1, 1), Precision.YEAR)

    @classmethod
    def from_cell(cls, text: str) -> PartialDate | None:
        """A spreadsheet cell's date (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``), None when empty; otherwise a
        ``ValueError`` whose message (translated) names the value and the forms allowed."""
        text = text.strip()
        if not text:
            return None
        try:
            return cls.parse(text)
        except ValueError:
            raise ValueError(
                _("“%(value)s” is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD.") % {"value": text}
            ) from None

    @classmethod
    def stored(cls, day: dt.date | None, precision: str) -> PartialDate | None:
        """The partial date a model stores as a day and its precision (a day when the precision is blank), or
        None without a day."""
        return cls(day, Precision(precision or Precision.DAY)) if day else None

    @property
    def end(self) -> dt.date:
        """The last day the period covers: the latest date the fact can be placed on."""
        if self.precision == Precision.DAY:
            return self.start
        if self.precision == Precision.MONTH:
            return self.start.replace(day=calendar.monthrange(self.start.year, self.start.month)[1])
        return dt.date(self.start.year, 12, 31)

    def isoformat(self) -> str:
        if self.precision == Precision.DAY:
            return self.start.isoformat()
        if self.precision == Precision.MONTH:
            return self.start.strftime("%Y-%m")
        return str(self.start.year)

    def display(self) -> str:
        if self.precision == Precision.DAY:
            return formats.date_format(self.start, "DATE_FORMAT")
        if self.precision == Precision.MONTH:
            return formats.date_format(self.start, "YEAR_MONTH_FORMAT")
        return str(self.start.year)

    def __str__(self) -> str:
        return self.isoformat()
