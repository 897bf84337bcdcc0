"""Public assistance (Art. 6): the requests and offers their State or donor made public, country coalitions as
the public list shows them, and the overview of needs and their funding.

Only what the public pages show (``assistance.access`` read as the public, ``api.http.PUBLIC``): a request
or an offer stays restricted unless made public, and a restricted one is never listed, named or linked
here (it counts in the overview's sums, as on the public overview page, never by itself); no match (only
the funding sums the public pages show), no donor's decision or reason, no person (who filed, who uploaded)
and no e-mail address. Amounts are decimal strings
with their currency and are never added across currencies (``assistance.selectors.funding``'s terms).
"""

# No ``from __future__ import annotations``: ninja reads the parameters' types of the paginated operations
# from the pagination wrapper's module, where names given as strings are not defined.

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from django.db.models import F, QuerySet
from django.db.models.functions import Coalesce, Greatest
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from ninja import Field, Path, Query, Router, Schema
from ninja.decorators import decorate_view
from ninja.pagination import paginate

from api.http import PUBLIC, conditional, link
from api.pagination import Page
from api.schemas import Amount, Problem, StateRef, state_ref
from assistance import access
from assistance.models import (
    AssistanceKind,
    AssistanceOffer,
    AssistanceRequest,
    Coalition,
    OfferStatus,
    RequestStatus,
)
from assistance.selectors.coalitions import coalitions_with_partner_counts
from assistance.selectors.funding import Funding, funding, funding_definitions
from assistance.selectors.history import ending
from assistance.selectors.overview import (
    CURRENCY_NOTE,
    Coverage,
    GroupFigures,
    open_request_figures,
    public_offer_count,
    public_open_requests,
)
from audit import selectors as audit
from parties.models import Region

router = Router()

CENT = Decimal("0.01")
ISO3 = r"^[A-Za-z]{3}$"
CODE = r"^[a-z0-9][a-z0-9_-]{0,39}$"
# What moves a public request's "updated" date: changes any reader can see on its page (not whom it is shared
# with, which only the State and the ISU see).
VISIBLE_CHANGES = (
    "assistance.request.changed",
    "assistance.request.withdrawn",
    "assistance.request.closed",
    "assistance.request.document_added",
    "assistance.request.document_removed",
)


# --- Shared shapes ---------------------------------------------------------------------------------------------
class AreaRef(Schema):
    code: str = Field(description=_lazy("The thematic area's stable code."), examples=["clearance-rre"])
    name: str = Field(description=_lazy("Its name."))


def area_ref(area: Any) -> dict[str, str]:
    return {"code": area.code, "name": area.name}


def amount(value: Decimal | None, currency: str) -> dict[str, str] | None:
    """``{amount, currency}`` to the cent, as stored (``None`` without a value or a currency)."""
    if value is None or not currency:
        return None
    return {"amount": str(Decimal(value).quantize(CENT)), "currency": currency}


def amounts(by_currency: dict[str, Decimal]) -> list[dict[str, str]]:
    return [amount(value, code) for code, value in sorted(by_currency.items())]


class KeyLabel(Schema):
    key: str = Field(description=_lazy("The stable key."))
    label: str = Field(description=_lazy("Its name in the requested language."))


def choice(value: str, choices: type) -> dict[str, str]:
    labels = dict(choices.choices)
    return {"key": value, "label": str(labels.get(value, value))}


def local_day(moment: dt.datetime) -> dt.date:
    return timezone.localdate(moment)


class Rows(Sequence):
    """A queryset the paginator counts and slices before the rows are shaped: ``build`` takes the page's rows
    at once, so what it reads for them (funding) is one query per page, not one per row."""

    def __init__(self, queryset: QuerySet, build: Callable[[list[Any]], list[dict[str, Any]]]) -> None:
        self.queryset, self.build = queryset, build

    def __len__(self) -> int:
        return self.queryset.count()

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return self.build(list(self.queryset[index]))
        return self.build([self.queryset[index]])[0]


# --- Requests ---------------------------------------------------------------------------------------------------
class FundingOut(Schema):
    needed: Amount | None = Field(description=_lazy("The amount the State asks for; null when none is given."))
    pledged: Amount | None = Field(
        description=_lazy(
            "Accepted by the donor and the State, including what is now committed or delivered (in the request's "
            "currency; null when the request states no amount)."
        )
    )
    committed: Amount | None = Field(description=_lazy("Committed by the donor, including what is now delivered."))
    delivered: Amount | None = Field(description=_lazy("Delivered by the donor."))
    gap: Amount | None = Field(description=_lazy("Needed less pledged, never below zero."))
    other_currencies: list[Amount] = Field(
        description=_lazy("Pledged in another currency than the request's: listed apart, never converted or added.")
    )


def funding_out(money: Funding) -> dict[str, Any]:
    code = money.currency
    stated = money.needed is not None
    return {
        "needed": amount(money.needed, code),
        "pledged": amount(money.pledged, code) if stated else None,
        "committed": amount(money.committed, code) if stated else None,
        "delivered": amount(money.delivered, code) if stated else None,
        "gap": amount(money.gap, code),
        "other_currencies": amounts(money.other_currencies),
    }


class RequestOut(Schema):
    id: int = Field(description=_lazy("The request's number on the portal."))
    state: StateRef = Field(description=_lazy("The requesting State."))
    region: str = Field(description=_lazy("The requesting State's ISU region (key)."))
    area: AreaRef = Field(description=_lazy("The thematic area."))
    kind: KeyLabel = Field(description=_lazy("The kind of assistance: technical, material or financial."))
    title: str = Field(description=_lazy("The request's title."))
    description: str = Field(description=_lazy("What is needed, as the State describes it."))
    location: str = Field(description=_lazy("Where, if the State says."))
    period_start: dt.date = Field(description=_lazy("The period the assistance is for: from."))
    period_end: dt.date = Field(description=_lazy("The period the assistance is for: until."))
    status: KeyLabel = Field(description=_lazy("Open, closed or withdrawn."))
    funding: FundingOut = Field(description=_lazy("What is needed and how much of it is funded."))
    created: dt.date = Field(description=_lazy("The day the request was filed."))
    updated: dt.date = Field(description=_lazy("The day the request last changed in a way its page shows."))
    url: str = Field(description=_lazy("This request in this API (absolute)."))
    page_url: str = Field(description=_lazy("The request's public page on the portal (absolute)."))


class RequestEnding(Schema):
    on: dt.date = Field(description=_lazy("The day the State withdrew or closed the request."))
    reason: str = Field(description=_lazy("The reason the State gave (the public page shows it too)."))


class RequestDocumentOut(Schema):
    name: str = Field(description=_lazy("The file's name."))
    size: int = Field(description=_lazy("Its size in bytes."))
    uploaded: dt.date = Field(description=_lazy("The day it was added."))
    url: str = Field(description=_lazy("Where to download it (absolute)."))


class RequestDetail(RequestOut):
    serves: str | None = Field(description=_lazy("The treaty obligation the request serves, if the State says."))
    documents: list[RequestDocumentOut] = Field(
        description=_lazy("The supporting documents, as the public page lists them.")
    )
    ended: RequestEnding | None = Field(description=_lazy("When and why it was withdrawn or closed; null while open."))


class RequestFilters(Schema):
    state: str | None = Field(None, pattern=ISO3, description=_lazy("Only this State's requests (ISO3)."))
    area: str | None = Field(None, pattern=CODE, description=_lazy("Only this thematic area's (its code)."))
    status: RequestStatus | None = Field(None, description=_lazy("Only requests in this status."))
    region: Region | None = Field(None, description=_lazy("Only requests of States of this ISU region."))
    kind: AssistanceKind | None = Field(None, description=_lazy("Only this kind of assistance."))


def public_requests() -> QuerySet[AssistanceRequest]:
    """The requests the public may read (``assistance.access``), with what their rows show in the same query."""
    updated = Greatest(
        F("created_at"), *(Coalesce(audit.latest_time(a, AssistanceRequest), F("created_at")) for a in VISIBLE_CHANGES)
    )
    return (
        access.requests_visible_to(PUBLIC)
        .select_related("state", "area")
        .annotate(updated_at=updated)
        .order_by("-created_at", "-pk")
    )


def request_out(request: HttpRequest, row: AssistanceRequest, money: Funding) -> dict[str, Any]:
    return {
        "id": row.pk,
        "state": state_ref(row.state),
        "region": row.state.region,
        "area": area_ref(row.area),
        "kind": choice(row.kind, AssistanceKind),
        "title": row.title,
        "description": row.description,
        "location": row.location,
        "period_start": row.period_start,
        "period_end": row.period_end,
        "status": choice(row.status, RequestStatus),
        "funding": funding_out(money),
        "created": local_day(row.created_at),
        "updated": local_day(row.updated_at),
        "url": link(request, "api-v1:assistance_request", row.pk),
        "page_url": link(request, "assistance:request_detail", row.pk),
    }


@router.get(
    "/requests",
    response={200: list[RequestOut], 422: Problem},
    url_name="assistance_requests",
    summary=_lazy("Public assistance requests"),
)
@decorate_view(conditional)
@paginate(Page)
def requests(request: HttpRequest, filters: Query[RequestFilters]) -> Rows:
    """The assistance requests their State made public (Art. 6), the latest filed first, with what is needed
    and how much of it donors have pledged, committed and delivered. Requests are restricted unless their
    State makes them public: a restricted request is never listed here (the funding overview counts it in
    its sums without naming it). Filter by State, thematic area, status, region and kind."""
    rows = public_requests()
    if filters.state:
        rows = rows.filter(state__iso3=filters.state.upper())
    if filters.area:
        rows = rows.filter(area__code=filters.area)
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.region:
        rows = rows.filter(state__region=filters.region)
    if filters.kind:
        rows = rows.filter(kind=filters.kind)

    def build(page: list[AssistanceRequest]) -> list[dict[str, Any]]:
        money = funding(page)  # one query for the page's rows
        return [request_out(request, row, money[row.pk]) for row in page]

    return Rows(rows, build)


@router.get(
    "/requests/{pk}",
    response={200: RequestDetail, 404: Problem, 422: Problem},
    url_name="assistance_request",
    summary=_lazy("One public assistance request"),
)
@decorate_view(conditional)
def request_detail(
    request: HttpRequest, pk: int = Path(..., ge=1, le=2**31 - 1, description=_lazy("The request's number."))
) -> dict[str, Any]:
    """One request its State made public: what it asks for, its funding, its supporting documents, and when
    and why it ended if the State withdrew or closed it. A request that is not public is a 404, as one that
    does not exist (its existence is not revealed)."""
    row = public_requests().select_related("obligation").filter(pk=pk).first()
    if row is None:
        raise Http404(_("There is no public assistance request %(id)s.") % {"id": pk})
    closing, reason = None, ""
    if row.status != RequestStatus.OPEN:
        closing, reason = ending(row, "assistance.request.withdrawn", "assistance.request.closed")
    documents = row.documents.order_by("uploaded_at", "pk")
    return request_out(request, row, funding([row])[row.pk]) | {
        "serves": str(row.obligation.get_article_display()) if row.obligation else None,
        "documents": [
            {
                "name": doc.name,
                "size": doc.size,
                "uploaded": local_day(doc.uploaded_at),
                "url": link(request, "assistance:document_download", row.pk, doc.pk),
            }
            for doc in documents
        ],
        "ended": {"on": local_day(closing.created_at), "reason": reason} if closing else None,
    }


# --- Offers -----------------------------------------------------------------------------------------------------
class DonorOut(Schema):
    name: str = Field(description=_lazy("The donor: a State's name or an organization's."))
    state: StateRef | None = Field(description=_lazy("The donor State; null for an organization."))
    organization: str | None = Field(description=_lazy("The donor organization; null for a State."))


class OfferOut(Schema):
    id: int = Field(description=_lazy("The offer's number on the portal."))
    title: str = Field(description=_lazy("The offer's title."))
    donor: DonorOut = Field(description=_lazy("Who offers."))
    areas: list[AreaRef] = Field(description=_lazy("The thematic areas it covers."))
    kinds: list[KeyLabel] = Field(description=_lazy("The kinds of assistance offered."))
    regions: list[KeyLabel] = Field(description=_lazy("The ISU regions of interest; empty for any region."))
    states: list[StateRef] = Field(description=_lazy("The States of interest; empty for any State."))
    budget_min: Amount | None = Field(description=_lazy("The budget from; null when not given."))
    budget_max: Amount | None = Field(description=_lazy("The budget up to; null when not given."))
    period_start: dt.date = Field(description=_lazy("Available from."))
    period_end: dt.date = Field(description=_lazy("Available until."))
    conditions: str = Field(description=_lazy("Conditions the donor states."))
    status: KeyLabel = Field(description=_lazy("Active or withdrawn."))
    created: dt.date = Field(description=_lazy("The day the offer was registered."))
    page_url: str = Field(description=_lazy("The offer's public page on the portal (absolute)."))


class OfferFilters(Schema):
    area: str | None = Field(None, pattern=CODE, description=_lazy("Only offers covering this thematic area (code)."))
    status: OfferStatus | None = Field(None, description=_lazy("Only offers in this status."))
    kind: AssistanceKind | None = Field(None, description=_lazy("Only offers of this kind of assistance."))
    donor: str | None = Field(None, pattern=ISO3, description=_lazy("Only the offers of this donor State (ISO3)."))


def offer_out(request: HttpRequest, offer: AssistanceOffer) -> dict[str, Any]:
    donor = offer.donor
    return {
        "id": offer.pk,
        "title": offer.title,
        "donor": {
            "name": str(donor),
            "state": state_ref(donor.state) if donor.state_id else None,
            "organization": donor.organization or None,
        },
        "areas": [area_ref(area) for area in offer.areas.all()],
        "kinds": [choice(kind, AssistanceKind) for kind in offer.kinds or []],
        "regions": [choice(region, Region) for region in offer.regions or []],
        "states": [state_ref(state) for state in offer.states.all()],
        "budget_min": amount(offer.budget_min, offer.currency),
        "budget_max": amount(offer.budget_max, offer.currency),
        "period_start": offer.period_start,
        "period_end": offer.period_end,
        "conditions": offer.conditions,
        "status": choice(offer.status, OfferStatus),
        "created": local_day(offer.created_at),
        "page_url": link(request, "assistance:offer_detail", offer.pk),
    }


@router.get(
    "/offers",
    response={200: list[OfferOut], 422: Problem},
    url_name="assistance_offers",
    summary=_lazy("Public assistance offers"),
)
@decorate_view(conditional)
@paginate(Page)
def offers(request: HttpRequest, filters: Query[OfferFilters]) -> Rows:
    """The offers their donor made public, row by row, as the portal's public offer list and each public
    offer's page show them (the latest first): donor, thematic areas, kinds, regions and States of
    interest, budget, period, conditions, status. An offer its donor did not make public is shown to its
    donor, the coordinators and the ISU only: it is never listed or counted here. The matches an offer is
    part of are for the parties to them and are not given."""
    rows = (
        access.offers_visible_to(PUBLIC)
        .select_related("donor__state")
        .prefetch_related("areas", "states")
        .order_by("-created_at", "-pk")
    )
    if filters.area:
        rows = rows.filter(pk__in=AssistanceOffer.objects.filter(areas__code=filters.area).values("pk"))
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.kind:
        rows = rows.filter(kinds__icontains=f'"{filters.kind}"')  # a JSON list of fixed words, as the page filters
    if filters.donor:
        rows = rows.filter(donor__state__iso3=filters.donor.upper())
    return Rows(rows, lambda page: [offer_out(request, offer) for offer in page])


# --- Coalitions ---------------------------------------------------------------------------------------------
class CoalitionOut(Schema):
    state: StateRef = Field(description=_lazy("The affected State the coalition is formed around."))
    region: str = Field(description=_lazy("Its ISU region (key)."))
    formed_on: str | None = Field(
        description=_lazy("When it was formed, as precise as its source: YYYY-MM-DD, YYYY-MM or YYYY; null if unknown.")
    )
    formed_precision: str | None = Field(description=_lazy("day, month or year; null when formed_on is."))
    established_by: dt.date | None = Field(
        description=_lazy("When no source gives the formation date: the latest date a source shows it existed.")
    )
    partners: int = Field(description=_lazy("How many partners the ISU records."))
    partner_names: str = Field(description=_lazy("The partners as the source names them (e.g. an NGO, not a State)."))
    source: str = Field(description=_lazy("Where the coalition's formation is recorded."))
    url: str = Field(description=_lazy("This coalition in this API (absolute)."))
    page_url: str = Field(description=_lazy("The public list of country coalitions on the portal (absolute)."))


def coalition_out(request: HttpRequest, coalition: Coalition) -> dict[str, Any]:
    """The public list's row (``assistance.views.overview.coalition_row``), with the State as ``{iso3, name}``."""
    formed = coalition.formed
    return {
        "state": state_ref(coalition.state),
        "region": coalition.state.region,
        "formed_on": formed.isoformat() if formed else None,
        "formed_precision": coalition.formed_precision if formed else None,
        "established_by": coalition.formed_by,
        "partners": coalition.partner_count,
        "partner_names": coalition.partner_names,
        "source": coalition.source,
        "url": link(request, "api-v1:coalition", coalition.state.iso3),
        "page_url": link(request, "assistance:coalition_list"),
    }


@router.get(
    "/coalitions",
    response={200: list[CoalitionOut], 422: Problem},
    url_name="coalitions",
    summary=_lazy("Country coalitions"),
)
@decorate_view(conditional)
@paginate(Page)
def coalitions(request: HttpRequest) -> Rows:
    """Country coalitions as the ISU presents them publicly, by State name: the affected State, when the
    coalition was formed (or the latest date a source shows it existed), how many partners, the partners as
    the source names them, and the source. A coalition's own page (its requests, pledges and meetings) is
    for its members, and the donors the ISU links to it are shown there only: they are not given here."""
    return Rows(coalitions_with_partner_counts(), lambda page: [coalition_out(request, c) for c in page])


@router.get(
    "/coalitions/{iso3}",
    response={200: CoalitionOut, 404: Problem, 422: Problem},
    url_name="coalition",
    summary=_lazy("The country coalition of one State"),
)
@decorate_view(conditional)
def coalition(
    request: HttpRequest,
    iso3: str = Path(..., pattern=ISO3, description=_lazy("The affected State's ISO3 code (one coalition per State).")),
) -> dict[str, Any]:
    """The country coalition formed around one State, as the public list shows it; 404 when the State has
    none."""
    found = coalitions_with_partner_counts().filter(state__iso3=iso3.upper()).first()
    if found is None:
        raise Http404(_("No country coalition is recorded for %(iso3)s.") % {"iso3": iso3.upper()})
    return coalition_out(request, found)


# --- The funding overview -----------------------------------------------------------------------------------------
class FundingInCurrency(Schema):
    currency: str = Field(description=_lazy("ISO 4217 code: every amount of this entry is in it."))
    requests: int = Field(description=_lazy("Open requests stated in this currency."))
    needed: Amount = Field(description=_lazy("What they ask for."))
    pledged: Amount = Field(description=_lazy("Pledged, including what is committed or delivered."))
    committed: Amount = Field(description=_lazy("Committed, including what is delivered."))
    delivered: Amount = Field(description=_lazy("Delivered."))
    gap: Amount = Field(description=_lazy("The sum of each request's unfunded part (never below zero)."))


class FundingGroup(Schema):
    key: str = Field(description=_lazy("The group: a thematic area's code, an ISU region, or 'all'."))
    label: str = Field(description=_lazy("Its name in the requested language."))
    open_requests: int = Field(description=_lazy("Open requests in the group, public or not."))
    without_amount: int = Field(description=_lazy("Of which stating no amount (counted, not summed)."))
    currencies: list[FundingInCurrency] = Field(description=_lazy("Needs and coverage per currency, never added up."))
    matched_in_other_currencies: list[Amount] = Field(
        description=_lazy("Pledged in another currency than the request's, unconverted.")
    )


class FundingDefinitions(Schema):
    needed: str = Field(description=_lazy("What 'needed' counts."))
    pledged: str = Field(description=_lazy("What 'pledged' counts."))
    committed: str = Field(description=_lazy("What 'committed' counts."))
    delivered: str = Field(description=_lazy("What 'delivered' counts."))
    gap: str = Field(description=_lazy("What 'gap' counts."))


class FundingOverview(Schema):
    open_requests: int = Field(
        description=_lazy("Open requests, public or restricted (restricted ones are never named).")
    )
    public_requests: int = Field(description=_lazy("Open requests their State made public (listed in /requests)."))
    public_offers: int = Field(description=_lazy("Active offers their donor made public."))
    coalitions: int = Field(description=_lazy("Country coalitions recorded."))
    note: str = Field(description=_lazy("How the amounts are counted."))
    definitions: FundingDefinitions = Field(description=_lazy("What each amount counts."))
    total: FundingGroup = Field(description=_lazy("Every open request."))
    by_area: list[FundingGroup] = Field(description=_lazy("Open requests by thematic area."))
    by_region: list[FundingGroup] = Field(description=_lazy("Open requests by the requesting State's ISU region."))


def _currency(coverage: Coverage) -> dict[str, Any]:
    code = coverage.currency
    return {"currency": code, "requests": coverage.requests} | {
        name: amount(getattr(coverage, name), code) for name in ("needed", "pledged", "committed", "delivered", "gap")
    }


def group_out(group: GroupFigures) -> dict[str, Any]:
    return {
        "key": group.key,
        "label": str(group.label),
        "open_requests": group.open_requests,
        "without_amount": group.without_amount,
        "currencies": [_currency(c) for c in group.currencies],
        "matched_in_other_currencies": amounts(group.other_currencies),
    }


@router.get(
    "/funding",
    response=FundingOverview,
    url_name="assistance_funding",
    summary=_lazy("Assistance needs and their funding"),
)
@decorate_view(conditional)
def funding_overview(request: HttpRequest) -> dict[str, Any]:
    """The figures of the public assistance overview: open requests counted and their amounts summed in
    total, by thematic area and by region, each currency apart (needed, pledged, committed, delivered, gap:
    each stage includes the next). Restricted requests count in these sums, as on the public page, but are
    never named; the figures are not broken down further than the page shows."""
    figures = open_request_figures()
    return {
        "open_requests": figures.total.open_requests,
        "public_requests": public_open_requests().count(),
        "public_offers": public_offer_count(),
        "coalitions": Coalition.objects.count(),
        "note": str(CURRENCY_NOTE),
        "definitions": funding_definitions(),
        "total": group_out(figures.total),
        "by_area": [group_out(g) for g in figures.by_area],
        "by_region": [group_out(g) for g in figures.by_region],
    }
