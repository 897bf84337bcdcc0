"""Reads on assistance: the funding of requests, the overview of needs and coverage, coalitions.

Funding terms (the same on every page, JSON twin and export). A match moves through the stages
accepted (by the donor and the State) → committed → delivered, and each amount counts the money
that reached its stage **or went further**, so the stages nest and add up:

- *pledged*: every accepted, committed or delivered match (what donors have promised);
- *committed*: every committed or delivered match (included in pledged);
- *delivered*: every delivered match (included in committed);
- *remaining gap*: the need less what is pledged, never below zero.

Proposed and declined matches count nowhere. Only matches in the request's own currency count.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, CharField, Count, DateField, F, IntegerField, QuerySet, Sum, Value, When
from django.utils.translation import gettext_lazy as _

from accounts.models import ThematicArea
from assistance.models import (
    AssistanceOffer,
    AssistanceRequest,
    Coalition,
    CoalitionEvent,
    CoalitionEventKind,
    CoalitionMeeting,
    Donor,
    Match,
    MatchStatus,
    OfferStatus,
    RequestStatus,
    dated_by,
)
from parties.dates import PartialDate, Precision
from parties.models import Region

# What each amount counts, said once: the pages show these under their columns, the JSON twins
# carry them as ``definitions``.
FUNDING_TERMS = {
    "needed": _("the amount the State asks for"),
    "pledged": _("accepted by the donor and the State, including what is now committed or delivered"),
    "committed": _("committed by the donor, including what is now delivered"),
    "delivered": _("delivered by the donor"),
    "gap": _("needed less pledged, never below zero"),
}


def funding_definitions() -> dict[str, str]:
    return {key: str(text) for key, text in FUNDING_TERMS.items()}


@dataclass(frozen=True)
class Funding:
    """A request's funding in its own currency, in the nested terms of the module docstring:
    delivered ⊆ committed ⊆ pledged. Matches in other currencies are listed apart, never converted
    (conversions are done by others)."""

    currency: str
    needed: Decimal | None
    pledged: Decimal  # accepted by the donor and the State, including what is now committed or delivered
    committed: Decimal  # committed by the donor, including what is now delivered
    delivered: Decimal
    other_currencies: dict[str, Decimal]

    @classmethod
    def from_stages(
        cls, *, currency: str, needed: Decimal | None, by_status: dict[str, Decimal], other_currencies: dict
    ) -> Funding:
        """From the sums of matches by their current status (each match counted once, at its stage)."""
        delivered = by_status.get(MatchStatus.DELIVERED, Decimal(0))
        committed = by_status.get(MatchStatus.COMMITTED, Decimal(0)) + delivered
        pledged = by_status.get(MatchStatus.ACCEPTED, Decimal(0)) + committed
        return cls(
            currency=currency,
            needed=needed,
            pledged=pledged,
            committed=committed,
            delivered=delivered,
            other_currencies=other_currencies,
        )

    @property
    def pledged_not_committed(self) -> Decimal:
        return self.pledged - self.committed

    @property
    def committed_not_delivered(self) -> Decimal:
        return self.committed - self.delivered

    @property
    def gap(self) -> Decimal | None:
        if self.needed is None:
            return None
        return max(self.needed - self.pledged, Decimal(0))


def funding(requests: list[AssistanceRequest]) -> dict[int, Funding]:
    """Funding of each request, in one query whatever the number of requests and matches."""
    sums: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    others: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    by_id = {r.pk: r for r in requests}
    counted = (MatchStatus.ACCEPTED, MatchStatus.COMMITTED, MatchStatus.DELIVERED)
    for request_id, status, amount, currency in Match.objects.filter(
        request_id__in=by_id, status__in=counted, amount__isnull=False
    ).values_list("request_id", "status", "amount", "currency"):
        if currency == by_id[request_id].currency:
            sums[request_id][status] += amount
        else:
            others[request_id][currency] += amount
    return {
        pk: Funding.from_stages(
            currency=request.currency, needed=request.amount, by_status=sums[pk], other_currencies=dict(others[pk])
        )
        for pk, request in by_id.items()
    }


# --- The overview: needs and their coverage by thematic area and by region ------------------
# Amounts are summed per currency and never across currencies. A match counts towards its
# request only in the request's currency (as in ``funding``); matches in another currency are
# kept apart in ``other_currencies``.
COUNTED = (MatchStatus.ACCEPTED, MatchStatus.COMMITTED, MatchStatus.DELIVERED)
CENT = Decimal("0.01")


@dataclass
class Coverage:
    """Needs and coverage of a group of requests in one currency, in the nested terms of the module
    docstring (delivered ⊆ committed ⊆ pledged)."""

    currency: str
    requests: int = 0
    needed: Decimal = CENT * 0
    pledged: Decimal = CENT * 0
    committed: Decimal = CENT * 0
    delivered: Decimal = CENT * 0
    gap: Decimal = CENT * 0  # the sum of each request's unfunded part (never negative)

    @property
    def covered(self) -> Decimal:
        return self.pledged  # it includes what is committed and delivered

    @property
    def funded_percent(self) -> int | None:
        """The share of the need that is not a gap, in whole percent (rounded down)."""
        if not self.needed:
            return None
        return int((self.needed - self.gap) * 100 / self.needed)

    def add(self, funding: Funding) -> None:
        self.requests += 1
        self.needed += funding.needed or 0
        self.pledged += funding.pledged
        self.committed += funding.committed
        self.delivered += funding.delivered
        self.gap += funding.gap or 0

    def merge(self, other: Coverage) -> None:
        self.requests += other.requests
        self.needed += other.needed
        self.pledged += other.pledged
        self.committed += other.committed
        self.delivered += other.delivered
        self.gap += other.gap

    def as_dict(self) -> dict:
        return {
            "currency": self.currency,
            "requests": self.requests,
            "needed": self.needed,
            "pledged": self.pledged,
            "committed": self.committed,
            "delivered": self.delivered,
            "gap": self.gap,
        }


@dataclass
class GroupFigures:
    """Open requests of one thematic area, one region, or all of them."""

    key: str
    label: str
    open_requests: int = 0
    without_amount: int = 0
    by_currency: dict[str, Coverage] = field(default_factory=dict)
    other_currencies: dict[str, Decimal] = field(default_factory=dict)

    @property
    def currencies(self) -> list[Coverage]:
        return [self.by_currency[code] for code in sorted(self.by_currency)]

    def add(self, funding: Funding) -> None:
        self.open_requests += 1
        if funding.needed is None:
            self.without_amount += 1
        else:
            self.by_currency.setdefault(funding.currency, Coverage(funding.currency)).add(funding)
        for code, amount in funding.other_currencies.items():
            self.other_currencies[code] = self.other_currencies.get(code, CENT * 0) + amount

    def merge(self, other: GroupFigures) -> None:
        self.open_requests += other.open_requests
        self.without_amount += other.without_amount
        for code, coverage in other.by_currency.items():
            self.by_currency.setdefault(code, Coverage(code)).merge(coverage)
        for code, amount in other.other_currencies.items():
            self.other_currencies[code] = self.other_currencies.get(code, CENT * 0) + amount

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "label": str(self.label),
            "open_requests": self.open_requests,
            "without_amount": self.without_amount,
            "currencies": [c.as_dict() for c in self.currencies],
            "matched_in_other_currencies": dict(sorted(self.other_currencies.items())),
        }


@dataclass
class OverviewFigures:
    total: GroupFigures
    by_area: list[GroupFigures]
    by_region: list[GroupFigures]
    # Each open request's funding with where it belongs: {pk: (area_id, region, Funding)}.
    # Figures only: titles and other details are read apart, for those who may see them.
    funding: dict[int, tuple[int, str, Funding]]

    @property
    def total_groups(self) -> list[GroupFigures]:
        return [self.total]


def open_request_figures(
    *,
    area_id: int | None = None,
    region: str | None = None,
    currency: str | None = None,
    areas: list[ThematicArea] | None = None,
) -> OverviewFigures:
    """Needs and coverage of open requests, per thematic area, per region and in total, each per
    currency. Three queries whatever the number of requests and matches: the areas (unless given),
    one pass over the open requests, and their counted matches summed per request in the database."""
    requests = AssistanceRequest.objects.filter(status=RequestStatus.OPEN)
    if area_id is not None:
        requests = requests.filter(area_id=area_id)
    if region:
        requests = requests.filter(state__region=region)
    if currency:
        requests = requests.filter(currency=currency)
    matches = (
        Match.objects.filter(request__in=requests, status__in=COUNTED, amount__isnull=False)
        .order_by()
        .values("request_id", "status", "currency")
        .annotate(total=Sum("amount"))
        .values_list("request_id", "status", "currency", "total")
    )
    sums: dict[int, list[tuple[str, str, Decimal]]] = defaultdict(list)
    for request_id, status, match_currency, total in matches:
        # Sums come back with the database's own scale (SQLite drops trailing zeros): cents, as stored.
        sums[request_id].append((status, match_currency, total.quantize(CENT)))

    if areas is None:
        areas = list(ThematicArea.objects.order_by("position", "name"))
    areas = [a for a in areas if area_id is None or a.pk == area_id]
    by_area = {a.pk: GroupFigures(a.code, a.name) for a in areas}
    by_region = {value: GroupFigures(value, label) for value, label in Region.choices if not region or value == region}
    total = GroupFigures("all", _("All areas and regions"))
    funding_of: dict[int, tuple[int, str, Funding]] = {}
    cells: dict[tuple[int, str], GroupFigures] = {}
    rows = requests.order_by().values_list("pk", "area_id", "state__region", "currency", "amount")
    for pk, request_area, request_region, request_currency, amount in rows:
        same: dict[str, Decimal] = defaultdict(Decimal)
        others: dict[str, Decimal] = defaultdict(Decimal)
        for status, match_currency, match_total in sums.get(pk, ()):
            if match_currency == request_currency:
                same[status] += match_total
            else:
                others[match_currency] += match_total
        result = Funding.from_stages(
            currency=request_currency, needed=amount, by_status=same, other_currencies=dict(others)
        )
        funding_of[pk] = (request_area, request_region, result)
        cell = cells.get((request_area, request_region))
        if cell is None:
            cell = cells[(request_area, request_region)] = GroupFigures("", "")
        cell.add(result)
    # Each request is added once, to its (area, region) cell; the cells then add up to the groups.
    for (cell_area, cell_region), cell in cells.items():
        total.merge(cell)
        if cell_area in by_area:
            by_area[cell_area].merge(cell)
        if cell_region in by_region:
            by_region[cell_region].merge(cell)
    return OverviewFigures(
        total=total, by_area=list(by_area.values()), by_region=list(by_region.values()), funding=funding_of
    )


def public_open_requests() -> QuerySet[AssistanceRequest]:
    """Open requests their State made public: the only ones the public overview lists by title."""
    return (
        AssistanceRequest.objects.filter(is_public=True, status=RequestStatus.OPEN)
        .select_related("state", "area")
        .order_by("state__name", "title", "pk")
    )


def open_request_currencies() -> list[str]:
    """The currencies open requests are stated in, for the overview's filter (one query)."""
    return list(
        AssistanceRequest.objects.filter(status=RequestStatus.OPEN)
        .exclude(currency="")
        .order_by("currency")
        .values_list("currency", flat=True)
        .distinct()
    )


def public_offer_count() -> int:
    return AssistanceOffer.objects.filter(is_public=True, status=OfferStatus.ACTIVE).count()


@dataclass
class GapRow:
    request: AssistanceRequest
    funding: Funding

    @property
    def gap(self) -> Decimal:
        return self.funding.gap or Decimal(0)

    @property
    def covered(self) -> Decimal:
        return self.funding.pledged  # it includes what is committed and delivered


def largest_gaps(
    figures: OverviewFigures, *, visible: QuerySet[AssistanceRequest], per_currency: int = 20
) -> list[tuple[str, list[GapRow]]]:
    """The open requests with the largest unfunded part, ``per_currency`` per currency (gaps in
    different currencies are not compared), among the requests in ``visible``. Two queries: the
    visible ids, then the chosen requests with their State and area."""
    visible_ids = set(visible.filter(status=RequestStatus.OPEN).values_list("pk", flat=True))
    by_currency: dict[str, list[tuple[Decimal, int]]] = defaultdict(list)
    for pk, (_area, _region, result) in figures.funding.items():
        if pk in visible_ids and result.gap:
            by_currency[result.currency].append((result.gap, pk))
    chosen: dict[str, list[int]] = {
        code: [pk for _gap, pk in sorted(items, key=lambda item: (-item[0], item[1]))[:per_currency]]
        for code, items in by_currency.items()
    }
    wanted = [pk for pks in chosen.values() for pk in pks]
    requests = AssistanceRequest.objects.select_related("state", "area").in_bulk(wanted) if wanted else {}
    return [(code, [GapRow(requests[pk], figures.funding[pk][2]) for pk in chosen[code]]) for code in sorted(chosen)]


# --- Country coalitions -----------------------------------------------------------------------
def coalitions_with_partner_counts() -> QuerySet[Coalition]:
    """Every coalition with its State and ``partner_count``, in one query (the public list)."""
    return Coalition.objects.select_related("state").annotate(partner_count=Count("partners")).order_by("state__name")


@dataclass
class CoalitionPage:
    coalition: Coalition
    partners: list[Donor]
    requests: list[AssistanceRequest]  # each with ``.funding``
    pledges: list[Match]
    meetings: list[CoalitionMeeting]


def coalition_page(coalition: Coalition, *, visible: QuerySet[AssistanceRequest]) -> CoalitionPage:
    """The affected State's requests that the reader may see (with their funding), its partners'
    matches to them (declined ones left out), and the coalition's meetings. Five queries."""
    partners = list(coalition.partners.select_related("state").order_by("state__name", "organization"))
    requests = list(
        visible.filter(state_id=coalition.state_id)
        .select_related("area")
        .order_by(Case(When(status=RequestStatus.OPEN, then=Value(0)), default=Value(1)), "-period_start", "-pk")
    )
    funding_of = funding(requests)
    for request in requests:
        request.funding = funding_of[request.pk]
    pledges = list(
        Match.objects.filter(
            request__in=visible.filter(state_id=coalition.state_id).values("pk"), offer__donor__coalitions=coalition
        )
        .exclude(status=MatchStatus.DECLINED)
        .select_related("request", "offer__donor__state")
        .order_by("offer__donor__state__name", "offer__donor__organization", "-created_at")
    )
    meetings = list(coalition.meetings.order_by("-date", "-pk"))
    return CoalitionPage(coalition=coalition, partners=partners, requests=requests, pledges=pledges, meetings=meetings)


@dataclass(frozen=True)
class CoalitionRecord:
    """A country coalition established by a day, or an event of the concept held by then, as the
    dashboard shows it: its date as precise as its source (``bound``: only "by" that day is known)."""

    state_id: int | None
    date: PartialDate
    bound: bool
    names: str  # the partners, or who convened the event, as the source names them
    source: str
    partner_count: int = 0

    @property
    def counts_from(self) -> dt.date:
        return self.date.start if self.bound else self.date.end


def coalition_records_on(day: dt.date) -> tuple[list[CoalitionRecord], list[CoalitionRecord]]:
    """The coalitions established on or before ``day`` and the concept's events held by then (a
    coalition only discussed is neither), each in the order it became true. One query."""
    coalitions = (
        Coalition.objects.established_on(day)
        .order_by()
        .annotate(
            record=Value("coalition", output_field=CharField()),
            partner_count=Count("partners"),
            day=F("formed_on"),
            precision=F("formed_precision"),
            bound=F("formed_by"),
            names=F("partner_names"),
        )
        .values_list("record", "state_id", "day", "precision", "bound", "names", "source", "partner_count")
    )
    events = (
        CoalitionEvent.objects.filter(dated_by(day, "held_on", "held_precision"), kind=CoalitionEventKind.CONCEPT)
        .order_by()
        .annotate(
            record=Value("event", output_field=CharField()),
            partner_count=Value(0, output_field=IntegerField()),
            day=F("held_on"),
            precision=F("held_precision"),
            bound=Value(None, output_field=DateField()),
            names=F("participants"),
        )
        .values_list("record", "state_id", "day", "precision", "bound", "names", "source", "partner_count")
    )
    found: dict[str, list[CoalitionRecord]] = {"coalition": [], "event": []}
    for record, state_id, day_, precision, bound, names, source, partner_count in coalitions.union(events, all=True):
        date = PartialDate(day_, Precision(precision)) if day_ else PartialDate(bound, Precision.DAY)
        found[record].append(
            CoalitionRecord(
                state_id=state_id,
                date=date,
                bound=day_ is None,
                names=names,
                source=source,
                partner_count=partner_count,
            )
        )
    for records in found.values():
        records.sort(key=lambda r: (r.counts_from, r.state_id or 0, r.names))
    return found["coalition"], found["event"]
