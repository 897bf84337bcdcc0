"""The overview of assistance needs and their coverage: open requests counted and their amounts summed per
thematic area, per region and in total, each currency apart (in the funding terms of
``assistance.selectors.funding``); the public requests and offers; the largest unfunded gaps."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from accounts.models import ThematicArea
from assistance.models import AssistanceOffer, AssistanceRequest, Match, MatchStatus, OfferStatus, RequestStatus
from assistance.selectors.funding import Funding
from parties.models import Region

# Amounts are summed per currency and never across currencies. A match counts towards its
# request only in the request's currency (as in ``funding``); matches in another currency are
# kept apart in ``other_currencies``.
COUNTED = (MatchStatus.ACCEPTED, MatchStatus.COMMITTED, MatchStatus.DELIVERED)
CENT = Decimal("0.01")
# How the figures read, under the overview page, in its JSON twin and in the API.
CURRENCY_NOTE = _(
    "Amounts are in the currency of each request and are never added across currencies. Each stage "
    "includes the next: pledged (accepted by the donor and the State) includes what is committed, and "
    "committed includes what is delivered; the unfunded gap is the need less what is pledged. A match in "
    "another currency than its request's is shown apart, unconverted."
)


@dataclass
class Coverage:
    """Needs and coverage of a group of requests in one currency, in the nested terms of
    ``assistance.selectors.funding`` (delivered ⊆ committed ⊆ pledged)."""

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


def _open_requests(*, area_id: int | None, region: str | None, currency: str | None) -> QuerySet[AssistanceRequest]:
    requests = AssistanceRequest.objects.filter(status=RequestStatus.OPEN)
    if area_id is not None:
        requests = requests.filter(area_id=area_id)
    if region:
        requests = requests.filter(state__region=region)
    if currency:
        requests = requests.filter(currency=currency)
    return requests


def _counted_sums(requests: QuerySet[AssistanceRequest]) -> dict[int, list[tuple[str, str, Decimal]]]:
    """Per request, its counted matches summed in the database by (status, currency). One query."""
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
    return sums


def _request_funding(currency: str, needed: Decimal | None, sums: list[tuple[str, str, Decimal]]) -> Funding:
    """A request's funding from its summed matches: those in its currency by stage, the others apart."""
    same: dict[str, Decimal] = defaultdict(Decimal)
    others: dict[str, Decimal] = defaultdict(Decimal)
    for status, match_currency, match_total in sums:
        if match_currency == currency:
            same[status] += match_total
        else:
            others[match_currency] += match_total
    return Funding.from_stages(currency=currency, needed=needed, by_status=same, other_currencies=dict(others))


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
    requests = _open_requests(area_id=area_id, region=region, currency=currency)
    sums = _counted_sums(requests)

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
        result = _request_funding(request_currency, amount, sums.get(pk, []))
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
