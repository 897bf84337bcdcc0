"""States as of any day: ``GET /api/v1/states`` (who had signed or joined, with the status and treaty dates known
that day), ``/states/totals`` (the membership totals) and ``/states/{iso3}`` (one State's profile: treaty dates,
Art. 3/4 obligations with their deadlines, extensions and completions, Art. 9 measures).

Everything is read through ``parties.selectors`` (``states_as_of``, ``known_by``, ``membership_totals``,
``state_for_profile``, ``state_profile``), the functions the State pages and their JSON twins use, so the API
holds the same facts as the pages and nothing dated after ``as_of``. The shapes it shares with the meetings and
obligations routers (a date with its precision, ``{code, label}``, ``as_of``) are in ``api.routers.meetings``.
"""

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
from api.routers.obligations import ObligationInProfile, obligation_from_profile
from api.schemas import (
    ISO3_PATTERN,
    AsOf,
    CodeLabel,
    DateWithPrecision,
    Mapped,
    Problem,
    choice,
    dated_query,
    when_shown,
)
from parties import selectors
from parties.models import DepositType, MembershipStatus, Region, State

router = Router()

EIF_RULE = _lazy(
    "Computed from the deposit under Art. 17: 1 August 2010 for the first thirty instruments, otherwise the first "
    "day of the sixth month after the month of deposit."
)


# --- States -------------------------------------------------------------------------------------------------------


class Deposit(Schema):
    type: CodeLabel = Field(description=_lazy("The instrument: ratification, accession, acceptance or approval."))
    date: dt.date = Field(description=_lazy("The day it was deposited with the UN Secretary-General."))


class StateSources(Schema):
    treaty_dates: str = Field(
        description=_lazy("Where the signature, deposit and withdrawal dates come from, as the registry records it.")
    )
    crosscheck: str | None = Field(
        description=_lazy("Other sources the dates were checked against, and how they compared; null if none.")
    )
    entry_into_force: str = Field(description=_lazy("How the entry into force is derived."))


class StateAsOf(Schema):
    iso3: str = Field(description=_lazy("ISO 3166-1 alpha-3 code."), examples=["LAO"])
    name: str = Field(description=_lazy("The State's name."))
    region: CodeLabel = Field(description=_lazy("The ISU's regional group."))
    status: CodeLabel | None = Field(
        description=_lazy(
            "Membership on the day shown: state_party, signatory or withdrawn; null before the State signed or joined."
        )
    )
    signed_on: dt.date | None = Field(description=_lazy("Signature; null if the State did not sign by that day."))
    deposit: Deposit | None = Field(
        description=_lazy("The instrument deposited by the day shown; null if none had been by then.")
    )
    entry_into_force_on: dt.date | None = Field(
        description=_lazy("Entry into force for the State (Art. 17); null without a deposit by the day shown.")
    )
    url: str = Field(description=_lazy("The State's absolute API link (as of the same day)."))
    page_url: str = Field(description=_lazy("The State's page on the portal (as of the same day)."))
    sources: StateSources = Field(description=_lazy("Where these facts come from."))


def _sources(state: State) -> dict[str, Any]:
    return {"treaty_dates": state.source, "crosscheck": state.crosscheck or None, "entry_into_force": str(EIF_RULE)}


def _links(request: HttpRequest, iso3: str, as_of: dt.date) -> dict[str, str]:
    query = dated_query(as_of)
    return {
        "url": link(request, "api-v1:state", iso3, query=query),
        "page_url": link(request, "parties:state_detail", iso3, query=query),
    }


def _state_row(request: HttpRequest, state: State, as_of: dt.date) -> dict[str, Any]:
    selectors.known_by(state, as_of)  # no deposit dated after the day shown, as on the page
    signed = state.signature_date if state.signature_date and state.signature_date <= as_of else None
    return {
        "iso3": state.iso3,
        "name": state.local_name,
        "region": choice(state.region, Region.choices),
        "status": choice(state.status, MembershipStatus.choices),
        "signed_on": signed,
        "deposit": {"type": choice(state.deposit_type, DepositType.choices), "date": state.deposit_date}
        if state.deposit_date
        else None,
        "entry_into_force_on": state.entry_into_force,
        **_links(request, state.iso3, as_of),
        "sources": _sources(state),
    }


class StateFilters(AsOf):
    status: Literal[tuple(MembershipStatus.values)] | None = Field(  # type: ignore[valid-type]
        None, description=_lazy("Only States with this status on the day shown.")
    )
    region: Literal[tuple(Region.values)] | None = Field(  # type: ignore[valid-type]
        None, description=_lazy("Only States of this regional group.")
    )
    q: str | None = Field(None, max_length=80, description=_lazy("Part of the name, or the exact ISO code."))


@router.get(
    "",
    response={200: list[StateAsOf], 422: Problem},
    url_name="states",
    summary=_lazy("States that had signed or joined by a day, with their status then"),
)
@decorate_view(conditional)
@paginate(Page)
def states(request: HttpRequest, filters: Query[StateFilters]) -> Mapped:
    """Every State that had signed the Convention or deposited an instrument by `as_of` (today when omitted),
    by name, with its status, signature, deposit and entry into force as known that day: an instrument
    deposited later is not shown. Filter by `status`, `region` and `q` (part of the name, or the ISO code)."""
    as_of = filters.day()
    rows = selectors.states_as_of(
        as_of, status=filters.status or "", region=filters.region or "", query=filters.q or ""
    )
    return Mapped(rows, lambda state: _state_row(request, state, as_of))


class RegionCount(Schema):
    region: CodeLabel = Field(description=_lazy("The ISU's regional group."))
    state_parties: int = Field(description=_lazy("States Parties of the group on the day."))


class MembershipTotals(Schema):
    as_of: dt.date = Field(description=_lazy("The day counted."))
    state_party: int = Field(description=_lazy("States Parties on the day."))
    signatory: int = Field(description=_lazy("Signatories that had not deposited an instrument by the day."))
    withdrawn: int = Field(description=_lazy("States whose withdrawal had taken effect by the day (Art. 20)."))
    participants: int = Field(description=_lazy("Every State that had signed or joined by the day."))
    parties_by_region: list[RegionCount] = Field(description=_lazy("States Parties by regional group."))
    states_url: str = Field(description=_lazy("The absolute API link to the States counted."))


@router.get(
    "/totals",
    response={200: MembershipTotals, 422: Problem},
    url_name="state_totals",
    summary=_lazy("Membership totals on a day"),
)
@decorate_view(conditional)
def state_totals(request: HttpRequest, filters: Query[AsOf]) -> dict[str, Any]:
    """How many States were Parties, signatories or withdrawn on `as_of` (today when omitted), and the States
    Parties by regional group: the totals the States page shows."""
    as_of = filters.day()
    totals = selectors.membership_totals(as_of)
    return {
        **totals,
        "as_of": as_of,
        "parties_by_region": [
            {"region": choice(code, Region.choices), "state_parties": count}
            for code, count in totals["parties_by_region"].items()
        ],
        "states_url": link(request, "api-v1:states", query=dated_query(as_of)),
    }


# --- One State ------------------------------------------------------------------------------------------------------


class NationalMeasuresAsOf(Schema):
    status: CodeLabel = Field(
        description=_lazy("Art. 9: adopted, existing_law (considered sufficient), in_progress or none_known.")
    )
    effective: DateWithPrecision = Field(description=_lazy("From when the record holds, as its source dates it."))
    holds_from: dt.date = Field(description=_lazy("The first day it certainly holds (the end of its month or year)."))
    source: str = Field(description=_lazy("Where the record comes from."))
    source_url: str | None = Field(description=_lazy("The source's address; null when none is recorded."))
    notes: str | None = Field(description=_lazy("The ISU's notes; null when none."))


class StateProfile(StateAsOf):
    as_of: dt.date = Field(description=_lazy("The day shown."))
    bound_by_obligations: bool = Field(
        description=_lazy("Whether the Convention was in force for the State that day (and it had not withdrawn).")
    )
    provisional_application_on: dt.date | None = Field(
        description=_lazy("Provisional application of Art. 1 declared (Art. 18); null if none by the day shown.")
    )
    withdrawal_notified_on: dt.date | None = Field(
        description=_lazy("Notification of withdrawal (Art. 20); null if none by the day shown.")
    )
    withdrawal_effective_on: dt.date | None = Field(
        description=_lazy("The day a notified withdrawal takes effect; null without one.")
    )
    initial_report_due: dt.date | None = Field(
        description=_lazy(
            "The initial Art. 7 report's due date: 180 days after entry into force; null without a deposit."
        )
    )
    obligations: list[ObligationInProfile] = Field(
        description=_lazy("Art. 3 and Art. 4, once the State had deposited an instrument; empty before.")
    )
    national_measures: NationalMeasuresAsOf | None = Field(
        description=_lazy("The Art. 9 record in effect on the day shown; null when none.")
    )
    notes: str | None = Field(description=_lazy("The ISU's notes; on today's view only, null otherwise or if none."))


def _profile_out(request: HttpRequest, state: State, profile: dict[str, Any]) -> dict[str, Any]:
    as_of = profile["as_of"]
    measures = profile["national_measures"]
    deposit_type = profile["deposit_type"]
    return {
        "iso3": state.iso3,
        "name": state.local_name,
        "region": choice(state.region, Region.choices),
        "as_of": as_of,
        "status": choice(profile["status"], profile["status_label"]),
        "signed_on": profile["signature_date"],
        "deposit": {"type": choice(deposit_type, DepositType.choices), "date": profile["deposit_date"]}
        if profile["deposit_date"]
        else None,
        "entry_into_force_on": profile["entry_into_force"],
        "bound_by_obligations": profile["bound_by_obligations"],
        "provisional_application_on": profile["provisional_application_date"],
        "withdrawal_notified_on": profile["withdrawal_notified_on"],
        "withdrawal_effective_on": profile["withdrawal_effective_on"],
        "initial_report_due": profile["initial_report_due"],
        "obligations": [obligation_from_profile(request, o) for o in profile["obligations"]],
        "national_measures": {
            "status": choice(measures["status"], measures["status_label"]),
            "effective": when_shown(measures["effective"]),
            "holds_from": measures["holds_from"],
            "source": measures["source"],
            "source_url": measures["source_url"],
            "notes": measures["notes"] or None,
        }
        if measures
        else None,
        "notes": profile["notes"] or None,
        **_links(request, state.iso3, as_of),
        "sources": _sources(state),
    }


@router.get(
    "/{iso3}",
    response={200: StateProfile, 404: Problem, 422: Problem},
    url_name="state",
    summary=_lazy("One State as of a day, with its obligations"),
)
@decorate_view(conditional)
def state(
    request: HttpRequest,
    filters: Query[AsOf],
    iso3: str = Path(..., pattern=ISO3_PATTERN, description=_lazy("ISO 3166-1 alpha-3 code, any case.")),
) -> dict[str, Any]:
    """One State as it stood on `as_of` (today when omitted): its status and treaty dates, its Art. 3
    (stockpile destruction) and Art. 4 (clearance) obligations with the deadline in force that day, the
    extensions requested and granted by then, the statements of completion known by then, and its Art. 9
    national measures, each with its source. Facts dated after that day are left out; the ISU's notes, written
    today, only on today's view. A lowercase code answers for the upper-case one; 404 for a code no State that
    signed or joined has."""
    code = iso3.upper()
    found = selectors.state_for_profile(code)
    if found is None:
        raise Http404(_("No State with the code %(code)s signed or joined the Convention.") % {"code": code})
    return _profile_out(request, found, selectors.state_profile(found, filters.day()))
