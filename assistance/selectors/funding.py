"""The funding of assistance requests, in the terms every page, JSON twin and export uses.

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

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from assistance.models import AssistanceRequest, Match, MatchStatus

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
