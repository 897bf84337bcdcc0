"""Ranking candidate offers for an assistance request, with the reasons for each rank.

A plain weighted sum, so that a coordinator can see why an offer comes first. The weights
are a setting (``CCM_MATCH_WEIGHTS``), not constants: the ISU tunes them.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext_lazy as _

DEFAULT_WEIGHTS: dict[str, float] = {
    "area": 40.0,  # the offer covers the request's thematic area
    "kind": 20.0,  # technical / material / financial
    "place": 15.0,  # the State itself, or its region, is of interest to the donor
    "amount": 15.0,  # the amount still to find (the remaining gap) fits the offer's budget (same currency)
    "period": 5.0,  # the periods overlap
    "history": 5.0,  # the donor already delivered assistance to this State
}


def weights() -> dict[str, float]:
    return {**DEFAULT_WEIGHTS, **getattr(settings, "CCM_MATCH_WEIGHTS", {})}


class Reason:
    """One reason for a rank, translated only when shown: a board ranks every offer for every
    request, and translating thousands of reasons nobody reads costs more than the ranking."""

    __slots__ = ("message", "params")

    def __init__(self, message, params: dict | None = None) -> None:
        self.message, self.params = message, params

    def __str__(self) -> str:
        return str(self.message) % self.params if self.params else str(self.message)

    def __eq__(self, other: object) -> bool:
        return str(self) == str(other)

    def __hash__(self) -> int:
        return hash(str(self))

    def __repr__(self) -> str:
        return f"Reason({str(self)!r})"


COVERS_AREA = Reason(_("covers the thematic area"))
MISSES_AREA = Reason(_("does not cover the thematic area"))
OFFERS_KIND = Reason(_("offers this kind of assistance"))
NAMES_STATE = Reason(_("the donor names this State"))
NAMES_REGION = Reason(_("the donor names this region"))
AMOUNT_FITS = Reason(_("the amount still to find fits the budget"))
PART_OF_AMOUNT = _("covers part of the amount still to find (%(share)s%%)")
NOTHING_LEFT = Reason(_("nothing is left to fund: the amount needed is already pledged"))
OTHER_CURRENCY = Reason(_("budget in another currency: compare by hand"))
PERIODS_OVERLAP = Reason(_("the periods overlap"))
PERIODS_APART = Reason(_("the periods do not overlap"))
DELIVERED_BEFORE = Reason(_("has delivered assistance to this State before"))


@dataclass(frozen=True)
class RequestFacts:
    """What the ranking knows of a request. ``amount`` is the need; ``gap`` what is still to find
    (``assistance.selectors.Funding.gap``: the need less what donors and the State have pledged,
    which includes what is committed and delivered). ``None`` gap: nothing is matched yet."""

    area: str
    kind: str
    state: str
    region: str
    amount: Decimal | None
    currency: str
    start: object
    end: object
    gap: Decimal | None = None

    @property
    def to_find(self) -> Decimal | None:
        """The amount an offer is compared with: the remaining gap, else the whole need."""
        return self.amount if self.gap is None else self.gap


@dataclass(frozen=True)
class OfferFacts:
    key: object
    areas: frozenset[str]
    kinds: frozenset[str]
    states: frozenset[str]
    regions: frozenset[str]
    budget_min: Decimal | None
    budget_max: Decimal | None
    currency: str
    start: object
    end: object


@dataclass
class Candidate:
    offer: OfferFacts
    score: float
    reasons: list[Reason] = field(default_factory=list)


def _amount(request: RequestFacts, offer: OfferFacts, weight: float) -> tuple[float, Reason | None]:
    """The amount criterion: its points and its reason, if any.

    Art. 6 needs are funded in parts: an offer is compared with what is still to find, not with
    the whole need, so that a donor able to close the remaining gap comes first."""
    to_find = request.to_find
    if to_find is None:
        return 0.0, None
    if offer.currency and request.currency == offer.currency:
        low = offer.budget_min or Decimal(0)
        high = offer.budget_max
        if to_find <= 0:
            return 0.0, NOTHING_LEFT
        if to_find >= low and (high is None or to_find <= high):
            return weight, AMOUNT_FITS
        if high is not None and to_find > high:
            return weight * float(high / to_find), Reason(PART_OF_AMOUNT, {"share": int(high * 100 / to_find)})
        return 0.0, None
    if to_find <= 0:
        return 0.0, NOTHING_LEFT
    if offer.currency:  # in another currency than the request's
        return 0.0, OTHER_CURRENCY
    return 0.0, None


def score(request: RequestFacts, offer: OfferFacts, *, deliveries_to_state: int, w: Mapping[str, float]) -> Candidate:
    total, reasons = 0.0, []
    if request.area in offer.areas:
        total += w["area"]
        reasons.append(COVERS_AREA)
    else:
        reasons.append(MISSES_AREA)
    if request.kind in offer.kinds:
        total += w["kind"]
        reasons.append(OFFERS_KIND)
    if request.state in offer.states:
        total += w["place"]
        reasons.append(NAMES_STATE)
    elif request.region in offer.regions:
        total += w["place"] * 0.6
        reasons.append(NAMES_REGION)
    points, reason = _amount(request, offer, w["amount"])
    total += points
    if reason is not None:
        reasons.append(reason)
    if offer.start <= request.end and request.start <= offer.end:
        total += w["period"]
        reasons.append(PERIODS_OVERLAP)
    else:
        reasons.append(PERIODS_APART)
    if deliveries_to_state:
        total += w["history"]
        reasons.append(DELIVERED_BEFORE)
    return Candidate(offer=offer, score=round(total, 2), reasons=reasons)


def rank(
    request: RequestFacts, offers: Iterable[OfferFacts], *, deliveries: Mapping[object, int] | None = None
) -> list[Candidate]:
    """Candidates best first; ties keep the given order. ``deliveries`` maps an offer key to the
    number of deliveries its donor made to the request's State."""
    w = weights()
    deliveries = deliveries or {}
    candidates = [score(request, o, deliveries_to_state=deliveries.get(o.key, 0), w=w) for o in offers]
    return sorted(candidates, key=lambda c: -c.score)


# --- The best few, without the words ---------------------------------------------------------------------------
# The board shows each request's best three of every active offer: scoring hundreds of offers with their reasons
# for each request, to keep three, cost most of the page. ``points`` is ``score`` without the reasons (the same
# additions in the same order, so the same float: tests/assistance/test_ranking.py compares them on a varied set);
# ``best`` keeps the first ``n`` of ``rank`` by it, and ``score`` then explains those alone.


def _amount_points(request: RequestFacts, offer: OfferFacts, weight: float) -> float:
    """``_amount``'s points alone."""
    to_find = request.to_find
    if to_find is None or to_find <= 0 or not offer.currency or request.currency != offer.currency:
        return 0.0
    high = offer.budget_max
    if to_find >= (offer.budget_min or Decimal(0)) and (high is None or to_find <= high):
        return weight
    if high is not None and to_find > high:
        return weight * float(high / to_find)
    return 0.0


def points(request: RequestFacts, offer: OfferFacts, *, deliveries_to_state: int, w: Mapping[str, float]) -> float:
    """``score(…).score``, without building the reasons."""
    total = 0.0
    if request.area in offer.areas:
        total += w["area"]
    if request.kind in offer.kinds:
        total += w["kind"]
    if request.state in offer.states:
        total += w["place"]
    elif request.region in offer.regions:
        total += w["place"] * 0.6
    total += _amount_points(request, offer, w["amount"])
    if offer.start <= request.end and request.start <= offer.end:
        total += w["period"]
    if deliveries_to_state:
        total += w["history"]
    return round(total, 2)


def best(
    request: RequestFacts,
    offers: Sequence[OfferFacts],
    *,
    n: int,
    deliveries: Mapping[object, int] | None = None,
    w: Mapping[str, float] | None = None,
) -> list[OfferFacts]:
    """The offers of the first ``n`` candidates of ``rank`` (best first; ties keep the given order), without
    their reasons: ``score`` gives those for the few shown."""
    w = w or weights()
    deliveries = deliveries or {}
    scores = [points(request, o, deliveries_to_state=deliveries.get(o.key, 0), w=w) for o in offers]
    return [offers[i] for i in heapq.nsmallest(n, range(len(offers)), key=lambda i: (-scores[i], i))]
