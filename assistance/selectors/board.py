"""The matching board's reads: the open requests of a coordinator's areas, each with its funding
and its candidate offers ranked by ``assistance.ranking``, the matches already proposed, and the
coordinator's open tasks.

The number of queries does not grow with requests or offers. A board page adds to its requests their funding
and matches (one query each) and its best candidates: ``best_offers`` chooses each request's few from the facts
of every active offer, loaded as plain values in four queries (offers, their areas, their States, the deliveries
of each donor to each State) and scored without the reasons (``ranking.best``); the offers shown are then read in
one query and only they are explained (``ranking.score``). ``assistance.cached.best_offers`` keeps the choice
until the data changes. One request's page ranks and shows every active offer (``offer_pool``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, QuerySet

from assistance import ranking
from assistance.models import (
    AssistanceOffer,
    AssistanceRequest,
    CoordinatorTask,
    Match,
    MatchStatus,
    OfferStatus,
    RequestStatus,
)
from assistance.selectors.funding import Funding, funding

BOARD_PAGE_SIZE = 25
TOP_CANDIDATES = 3  # candidates shown for each request on the board; the request's page shows all


@dataclass
class OfferPool:
    """Every active offer with what the ranking needs to know about it."""

    offers: dict[int, AssistanceOffer]
    facts: list[ranking.OfferFacts]
    # state id → donor id → number of matches that donor delivered to that State
    deliveries: dict[int, dict[int, int]]

    def rank(self, request: AssistanceRequest, money: Funding | None = None) -> list[ranking.Candidate]:
        """Candidates for ``request``; ``money`` (its funding) makes the amount criterion compare
        offers with the remaining gap rather than the whole need."""
        delivered = self.deliveries.get(request.state_id, {})
        counts = {}
        if delivered:
            for facts in self.facts:
                n = delivered.get(self.offers[facts.key].donor_id, 0)
                if n:
                    counts[facts.key] = n
        return ranking.rank(request_facts(request, money), self.facts, deliveries=counts)


@dataclass
class CandidateRow:
    offer: AssistanceOffer
    score: float
    reasons: list
    match: Match | None = None  # the match already proposed with this offer, if any


@dataclass
class BoardRow:
    request: AssistanceRequest
    funding: Funding
    candidates: list[CandidateRow]
    matches: list[Match] = field(default_factory=list)


def request_facts(request: AssistanceRequest, money: Funding | None = None) -> ranking.RequestFacts:
    """The ranking's view of a request; with its funding, the gap still to find."""
    return ranking.RequestFacts(
        area=request.area.code,
        kind=request.kind,
        state=request.state.iso3,
        region=request.state.region,
        amount=request.amount,
        currency=request.currency,
        start=request.period_start,
        end=request.period_end,
        gap=money.gap if money is not None else None,
    )


def offer_pool() -> OfferPool:
    """The active offers and their facts, in four queries whatever their number."""
    active = AssistanceOffer.objects.filter(status=OfferStatus.ACTIVE)
    offers = {offer.pk: offer for offer in active.select_related("donor__state").order_by("-created_at", "-pk")}
    areas = _codes_by_offer(AssistanceOffer.areas.through.objects.all(), "thematicarea__code")
    states = _codes_by_offer(AssistanceOffer.states.through.objects.all(), "state__iso3")
    deliveries = _deliveries()
    facts = [
        ranking.OfferFacts(
            key=offer.pk,
            areas=areas.get(offer.pk, frozenset()),
            kinds=frozenset(offer.kinds or ()),
            states=states.get(offer.pk, frozenset()),
            regions=frozenset(offer.regions or ()),
            budget_min=offer.budget_min,
            budget_max=offer.budget_max,
            currency=offer.currency,
            start=offer.period_start,
            end=offer.period_end,
        )
        for offer in offers.values()
    ]
    return OfferPool(offers=offers, facts=facts, deliveries=deliveries)


@dataclass(frozen=True)
class OfferFactsPool:
    """The ranking's facts of every active offer, newest first (the order ties keep), without model instances."""

    facts: list[ranking.OfferFacts]
    donors: list[int]  # the donor of each offer of ``facts``
    # state id → donor id → number of matches that donor delivered to that State
    deliveries: dict[int, dict[int, int]]

    def delivered_to(self, state_id: int) -> dict[int, int]:
        """Offer id → deliveries of its donor to the State, for the offers whose donor delivered there."""
        delivered = self.deliveries.get(state_id)
        if not delivered:
            return {}
        return {f.key: delivered[d] for f, d in zip(self.facts, self.donors, strict=True) if d in delivered}


def _codes_by_offer(through: QuerySet, code: str) -> dict[int, frozenset[str]]:
    codes: dict[int, set[str]] = defaultdict(set)
    for offer_id, value in through.filter(assistanceoffer__status=OfferStatus.ACTIVE).values_list(
        "assistanceoffer_id", code
    ):
        codes[offer_id].add(value)
    return {offer_id: frozenset(values) for offer_id, values in codes.items()}


def _deliveries() -> dict[int, dict[int, int]]:
    """State id → donor id → the number of matches that donor delivered to that State. One query."""
    deliveries: dict[int, dict[int, int]] = defaultdict(dict)
    for donor_id, state_id, n in (
        Match.objects.filter(status=MatchStatus.DELIVERED)
        .order_by()  # no default ordering in the GROUP BY
        .values("offer__donor_id", "request__state_id")
        .annotate(n=Count("pk"))
        .values_list("offer__donor_id", "request__state_id", "n")
    ):
        deliveries[state_id][donor_id] = n
    return dict(deliveries)


def offer_facts() -> OfferFactsPool:
    """Every active offer's facts, in four queries whatever their number."""
    areas = _codes_by_offer(AssistanceOffer.areas.through.objects.all(), "thematicarea__code")
    states = _codes_by_offer(AssistanceOffer.states.through.objects.all(), "state__iso3")
    deliveries = _deliveries()
    facts, donors, empty = [], [], frozenset()
    for pk, donor_id, kinds, regions, budget_min, budget_max, currency, start, end in (
        AssistanceOffer.objects.filter(status=OfferStatus.ACTIVE)
        .order_by("-created_at", "-pk")
        .values_list(
            "pk", "donor_id", "kinds", "regions", "budget_min", "budget_max", "currency", "period_start", "period_end"
        )
    ):
        facts.append(
            ranking.OfferFacts(
                key=pk,
                areas=areas.get(pk, empty),
                kinds=frozenset(kinds or ()),
                states=states.get(pk, empty),
                regions=frozenset(regions or ()),
                budget_min=budget_min,
                budget_max=budget_max,
                currency=currency,
                start=start,
                end=end,
            )
        )
        donors.append(donor_id)
    return OfferFactsPool(facts=facts, donors=donors, deliveries=dict(deliveries))


# What the board keeps of a request's best candidates: each offer's facts and its donor's deliveries to the
# request's State, best first. Plain data: the offers themselves are read, and the reasons written, when shown.
Chosen = list[tuple[ranking.OfferFacts, int]]


def best_offers(requests: list[AssistanceRequest], money: dict[int, Funding], top: int) -> dict[int, Chosen]:
    """Each request's ``top`` candidates (``ranking.best``), by request id; ``money`` is their funding."""
    pool = offer_facts()
    w = ranking.weights()
    chosen = {}
    for request in requests:
        delivered = pool.delivered_to(request.state_id)
        best = ranking.best(request_facts(request, money[request.pk]), pool.facts, n=top, deliveries=delivered, w=w)
        chosen[request.pk] = [(facts, delivered.get(facts.key, 0)) for facts in best]
    return chosen


def open_requests(
    areas: set[int] | None,
    *,
    area: int | None = None,
    region: str | None = None,
    kind: str | None = None,
    unproposed: bool = False,
) -> QuerySet[AssistanceRequest]:
    """Open requests of ``areas`` (``None``: every area, for the ISU), the longest waiting first."""
    requests = AssistanceRequest.objects.filter(status=RequestStatus.OPEN).select_related("state", "area")
    if areas is not None:
        requests = requests.filter(area_id__in=areas)
    if area is not None:
        requests = requests.filter(area_id=area)
    if region:
        requests = requests.filter(state__region=region)
    if kind:
        requests = requests.filter(kind=kind)
    if unproposed:
        requests = requests.exclude(Exists(Match.objects.filter(request=OuterRef("pk"))))
    return requests.order_by("created_at", "pk")


def _matches_by_request(requests: Iterable[AssistanceRequest]) -> dict[int, list[Match]]:
    by_request: dict[int, list[Match]] = defaultdict(list)
    for match in Match.objects.filter(request__in=[r.pk for r in requests]).order_by("created_at", "pk"):
        by_request[match.request_id].append(match)
    return by_request


def _candidates(
    request: AssistanceRequest, pool: OfferPool, matches: list[Match], money: Funding
) -> list[CandidateRow]:
    by_offer = {m.offer_id: m for m in matches}
    ranked = pool.rank(request, money)
    return [
        CandidateRow(offer=pool.offers[c.offer.key], score=c.score, reasons=c.reasons, match=by_offer.get(c.offer.key))
        for c in ranked
    ]


def board_rows(
    requests: list[AssistanceRequest],
    *,
    top: int = TOP_CANDIDATES,
    choose: Callable[[list[AssistanceRequest], dict[int, Funding], int], dict[int, Chosen]] = best_offers,
) -> list[BoardRow]:
    """One page of the board: each request with its funding, matches and ``top`` candidates, as ``choose`` picks
    them (``best_offers``, or ``assistance.cached.best_offers``, which keeps them until the data changes)."""
    if not requests:
        return []
    money = funding(requests)
    matches = _matches_by_request(requests)
    chosen = choose(requests, money, top)
    offers = AssistanceOffer.objects.select_related("donor__state").in_bulk(
        {facts.key for picked in chosen.values() for facts, _n in picked}
    )
    w = ranking.weights()
    rows = []
    for r in requests:
        facts = request_facts(r, money[r.pk])
        by_offer = {m.offer_id: m for m in matches[r.pk]}
        candidates = []
        for offer_facts, delivered in chosen[r.pk]:
            c = ranking.score(facts, offer_facts, deliveries_to_state=delivered, w=w)
            candidates.append(
                CandidateRow(
                    offer=offers[c.offer.key], score=c.score, reasons=c.reasons, match=by_offer.get(c.offer.key)
                )
            )
        rows.append(BoardRow(request=r, funding=money[r.pk], candidates=candidates, matches=matches[r.pk]))
    return rows


def request_board(request: AssistanceRequest) -> BoardRow:
    """One request with every active offer ranked, and every match already made for it (with
    withdrawn offers too: their matches stay on record)."""
    money = funding([request])
    matches = list(request.matches.select_related("offer__donor__state", "proposed_by").order_by("created_at", "pk"))
    pool = offer_pool()
    return BoardRow(
        request=request,
        funding=money[request.pk],
        candidates=_candidates(request, pool, matches, money[request.pk]),
        matches=matches,
    )


def open_tasks(areas: set[int] | None) -> list[CoordinatorTask]:
    """Open tasks on requests of ``areas`` (``None``: every area), the oldest first."""
    tasks = CoordinatorTask.objects.filter(done_at__isnull=True).select_related("request__state", "request__area")
    if areas is not None:
        tasks = tasks.filter(request__area_id__in=areas)
    return list(tasks.order_by("raised_at", "pk"))
