"""Meetings of States Parties and Review Conferences: ``GET /api/v1/meetings`` and ``/meetings/{code}``.

This module also holds the shapes every registry router (states, meetings, obligations) shares, since the
meetings are the registry's bottom layer (the others refer to them):

- a date the sources give only to a month or a year is ``{"date": "2019-08", "precision": "month"}``, and so
  is every date that may be partial (never a day the source did not give); an exact day by construction (a
  treaty date, a date the rules compute) is a plain ISO date;
- a coded value is ``{"code", "label"}``, the label in the requested language;
- ``as_of`` (``AsOf``) is the day a view shows, today when omitted;
- ``Mapped`` builds only the rows of the page asked for.
"""

import datetime as dt
import re
from collections.abc import Callable, Iterable
from typing import Any, Literal

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from ninja import Field, Path, Query, Router, Schema
from ninja.decorators import decorate_view
from ninja.pagination import paginate
from pydantic import field_validator

from api.http import conditional, link
from api.pagination import Page
from api.schemas import Problem
from ccm_portal.core import clock
from parties.dates import PartialDate, Precision
from parties.forms import EARLIEST_AS_OF
from parties.models import Meeting, MeetingKind

router = Router()

ISO3_PATTERN = r"^[A-Za-z]{3}$"  # a State's code in a path or a filter, any case
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# --- Shapes the registry's routers share ------------------------------------------------------------------------


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
            "signature); today when omitted. Nothing that became a fact after that day is shown."
        ),
    )

    @field_validator("as_of", mode="before")
    @classmethod
    def _an_iso_day(cls, value: Any) -> Any:
        if value == "":
            return None  # an emptied date field of a form: today
        if isinstance(value, str) and not _ISO_DAY.match(value):
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
        return value

    def day(self) -> dt.date:
        return self.as_of or clock.today()


# --- Meetings -------------------------------------------------------------------------------------------------------


class MeetingRef(Schema):
    code: str = Field(description=_lazy("The meeting's code."), examples=["9MSP"])
    name: str = Field(description=_lazy("The meeting's name."))
    url: str = Field(description=_lazy("The meeting's absolute API link."))


def meeting_ref(request: HttpRequest, meeting: Meeting | dict[str, Any] | None) -> dict[str, str] | None:
    """A meeting (a ``Meeting`` or a meeting as ``parties.selectors`` shows it) as ``{code, name, url}``."""
    if meeting is None:
        return None
    code, name = (meeting["code"], meeting["name"]) if isinstance(meeting, dict) else (meeting.code, meeting.name)
    return {"code": code, "name": name, "url": link(request, "api-v1:meeting", code)}


class MeetingOut(Schema):
    code: str = Field(description=_lazy("The meeting's code."), examples=["9MSP", "2RC-1"])
    name: str = Field(description=_lazy("The meeting's name."))
    kind: CodeLabel = Field(description=_lazy("msp (Meeting of States Parties, Art. 11) or rc (Review Conference)."))
    start_date: DateWithPrecision = Field(
        description=_lazy("The first day; only the month (or year) when the source gives no more.")
    )
    end_date: dt.date | None = Field(description=_lazy("The last day; null when not known."))
    place: str | None = Field(description=_lazy("Where it met; null when not known."))
    extension_requests_due: DateWithPrecision | None = Field(
        description=_lazy(
            "The last day a request to extend an Art. 3 or Art. 4 deadline could reach this meeting: nine months "
            "before it opens (Art. 3(5), 4(6)); as precise as the meeting's first day, null when only its year "
            "is known."
        )
    )
    notes: str | None = Field(description=_lazy("The ISU's notes; null when none."))
    source: str = Field(description=_lazy("Where these facts come from."))
    url: str = Field(description=_lazy("The meeting's absolute API link."))
    page_url: str = Field(description=_lazy("The portal's page of meetings."))
    extension_requests_url: str = Field(
        description=_lazy("The absolute API link to the extension requests this meeting considered.")
    )


def _requests_due(meeting: Meeting) -> dict[str, str] | None:
    """Nine months before the first day (``Meeting.extension_requests_due``), as precise as that day: a meeting
    known by its month gives the month nine months before (the same day of it, whichever it is); one known only
    by its year straddles two years, so no date."""
    precision = meeting.start.precision
    if precision == Precision.YEAR:
        return None
    return when(PartialDate(meeting.extension_requests_due, precision))


def _meeting_out(request: HttpRequest, meeting: Meeting) -> dict[str, Any]:
    return {
        "code": meeting.code,
        "name": meeting.name,
        "kind": choice(meeting.kind, MeetingKind.choices),
        "start_date": when(meeting.start),
        "end_date": meeting.end_date,
        "place": meeting.place or None,
        "extension_requests_due": _requests_due(meeting),
        "notes": meeting.notes or None,
        "source": meeting.source,
        "url": link(request, "api-v1:meeting", meeting.code),
        "page_url": link(request, "parties:meeting_list"),
        "extension_requests_url": link(request, "api-v1:extensions", query={"meeting": meeting.code}),
    }


class MeetingFilters(Schema):
    kind: Literal[tuple(MeetingKind.values)] | None = Field(  # type: ignore[valid-type]
        None, description=_lazy("Only meetings of this kind: msp or rc.")
    )


@router.get(
    "/",
    response={200: list[MeetingOut], 422: Problem},
    url_name="meetings",
    summary=_lazy("Meetings of States Parties and Review Conferences"),
)
@decorate_view(conditional)
@paginate(Page)
def meetings(request: HttpRequest, filters: Query[MeetingFilters]) -> Mapped:
    """Every meeting the registry records, past and planned, in the order they open: its dates (as precise as
    the sources give them), place, the last day extension requests could reach it, and its source."""
    rows = Meeting.objects.order_by("start_date", "code")
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    return Mapped(rows, lambda meeting: _meeting_out(request, meeting))


@router.get(
    "/{code}",
    response={200: MeetingOut, 404: Problem, 422: Problem},
    url_name="meeting",
    summary=_lazy("One meeting"),
)
@decorate_view(conditional)
def meeting(
    request: HttpRequest,
    code: str = Path(..., pattern=r"^[A-Za-z0-9-]{1,12}$", description=_lazy("The meeting's code, any case.")),
) -> dict[str, Any]:
    """One meeting by its code (`9MSP`, `2RC-1`, any case). 404 for a code no meeting has."""
    found = Meeting.objects.filter(code__iexact=code).first()
    if found is None:
        raise Http404(_("No meeting has the code %(code)s.") % {"code": code})
    return _meeting_out(request, found)
