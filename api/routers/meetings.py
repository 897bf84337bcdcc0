"""Meetings of States Parties and Review Conferences: ``GET /api/v1/meetings`` and ``/meetings/{code}``."""

import datetime as dt
from typing import Any, Literal

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from ninja import Field, Path, Query, Router, Schema
from ninja.decorators import decorate_view
from ninja.pagination import paginate

from api.http import conditional, link
from api.pagination import Page
from api.schemas import CodeLabel, DateWithPrecision, Mapped, Problem, choice, when
from parties.models import Meeting, MeetingKind

router = Router()


# --- Meetings -------------------------------------------------------------------------------------------------------


class MeetingRef(Schema):
    code: str = Field(description=_lazy("The meeting's code."), examples=["9MSP"])
    name: str = Field(description=_lazy("The meeting's name."))
    url: str = Field(description=_lazy("The meeting's absolute API link."))


def meeting_ref(request: HttpRequest, meeting: Meeting | dict[str, Any] | None) -> dict[str, str] | None:
    """A meeting (a ``Meeting`` or a meeting as ``parties.selectors`` shows it) as ``{code, name, url}``."""
    if meeting is None:
        return None
    code, name = (meeting["code"], meeting["name"]) if isinstance(meeting, dict) else (meeting.code, meeting.local_name)
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
    """Nine months before the first day, as precise as that day (``Meeting.requests_due``)."""
    return when(meeting.requests_due)


def _meeting_out(request: HttpRequest, meeting: Meeting) -> dict[str, Any]:
    return {
        "code": meeting.code,
        "name": meeting.local_name,
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
    "",
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
