"""What the API's operations share:

- a State is always ``{iso3, name}``; an amount is a decimal string with its currency;
- a date the sources give only to a month or a year is ``{"date": "2019-08", "precision": "month"}``, and so
  is every date that may be partial (never a day the source did not give); an exact day by construction (a
  treaty date, a date the rules compute) is a plain ISO date;
- a coded value is ``{"code", "label"}``, the label in the requested language;
- ``as_of`` (``AsOf``) is the day a view shows, today when omitted, strictly YYYY-MM-DD;
- ``Mapped`` builds only the rows of the page asked for.
"""

import datetime as dt
import re
from collections.abc import Callable, Iterable
from typing import Any, Literal

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from ninja import Field, Schema
from pydantic import field_validator

from ccm_portal.core import clock
from parties.dates import PartialDate
from parties.forms import EARLIEST_AS_OF

ISO3_PATTERN = r"^[A-Za-z]{3}$"  # a State's code in a path or a filter, any case
ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Far enough for any scheduled fact (an entry into force, a deadline), near enough for every date rule.
LATEST_AS_OF = dt.date(2099, 12, 31)


class StateRef(Schema):
    iso3: str = Field(description="ISO 3166-1 alpha-3 code.", examples=["LAO"])
    name: str = Field(description="The State's name in the requested language (Accept-Language).")


def state_ref(state: Any) -> dict[str, str]:
    """``{iso3, name}`` of a State (a ``parties.models.State`` or anything with those attributes)."""
    return {"iso3": state.iso3, "name": state.local_name}


class Amount(Schema):
    amount: str = Field(description="A decimal number as a string, never rounded.", examples=["125000.00"])
    currency: str = Field(description="ISO 4217 currency code.", examples=["USD"])


class Problem(Schema):
    detail: Any = Field(description="What went wrong, for a person to read (a list for invalid parameters).")


class DateWithPrecision(Schema):
    date: str = Field(
        description=_lazy(
            "The date as precisely as its source gives it: YYYY-MM-DD, YYYY-MM or YYYY. Never a day the source "
            "did not give."
        ),
        examples=["2019-08"],
    )
    precision: Literal["day", "month", "year"] = Field(description=_lazy("How precise the date is."))


class CodeLabel(Schema):
    code: str = Field(description=_lazy("A stable code, for programs."))
    label: str = Field(description=_lazy("Its label in the requested language (Accept-Language)."))


def when(date: PartialDate | None) -> dict[str, str] | None:
    """A partial date in the API's shape; None (JSON null) when no date is recorded."""
    return {"date": date.isoformat(), "precision": date.precision.value} if date else None


def when_shown(shown: dict[str, Any] | None) -> dict[str, str] | None:
    """A date as ``parties.selectors`` shows it (``{date, precision, …}``) in the API's shape."""
    return {"date": shown["date"], "precision": shown["precision"]} if shown else None


def day_of(shown: dict[str, Any] | None) -> str | None:
    """An exact day as ``parties.selectors`` shows it (``{date, precision: "day", …}``), as an ISO date."""
    return shown["date"] if shown else None


def choice(code: Any, labels: Iterable[tuple[Any, Any]] | Any) -> dict[str, str] | None:
    """``{code, label}``: the label looked up in a choices list, or given; None (JSON null) without a code."""
    if code in (None, ""):
        return None
    label = dict(labels).get(code, code) if isinstance(labels, (list, tuple)) else labels
    return {"code": str(code), "label": str(label)}


def dated_query(as_of: dt.date) -> dict[str, str] | None:
    """The ``as_of`` a link carries: none on today's view, so a link to today stays a link to today."""
    return None if as_of == clock.today() else {"as_of": as_of.isoformat()}


class Mapped:
    """Rows (a queryset or a list) seen through ``row``: ``api.pagination.Page`` counts them and slices them,
    and only the rows of the page asked for are built, so a page costs the same queries whatever its size."""

    def __init__(self, rows: QuerySet | list[Any], row: Callable[[Any], dict[str, Any]]) -> None:
        self.rows, self.row = rows, row

    def __len__(self) -> int:
        return self.rows.count() if isinstance(self.rows, QuerySet) else len(self.rows)

    def __getitem__(self, window: slice) -> list[dict[str, Any]]:
        return [self.row(item) for item in self.rows[window]]


class AsOf(Schema):
    as_of: dt.date | None = Field(
        None,
        description=_lazy(
            "The day to show the situation on (YYYY-MM-DD, from 2008-12-03, when the Convention opened for "
            "signature, to 2099-12-31); today when omitted. Nothing that became a fact after that day is shown."
        ),
    )

    @field_validator("as_of", mode="before")
    @classmethod
    def _an_iso_day(cls, value: Any) -> Any:
        if not isinstance(value, (str, dt.date)) or (isinstance(value, str) and not ISO_DAY.match(value)):
            raise ValueError(_("Give the date as YYYY-MM-DD."))
        return value

    @field_validator("as_of")
    @classmethod
    def _not_before_signature(cls, value: dt.date | None) -> dt.date | None:
        if value is not None and value < EARLIEST_AS_OF:
            raise ValueError(
                _("The Convention opened for signature on %(date)s; choose that date or a later one.")
                % {"date": EARLIEST_AS_OF.isoformat()}
            )
        if value is not None and value > LATEST_AS_OF:
            raise ValueError(_("Choose a day up to %(date)s.") % {"date": LATEST_AS_OF.isoformat()})
        return value

    def day(self) -> dt.date:
        return self.as_of or clock.today()
