"""Reads on assistance: the funding of requests."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from assistance.models import AssistanceRequest, Match, MatchStatus


@dataclass(frozen=True)
class Funding:
    """A request's funding in its own currency. Matches in other currencies are listed apart,
    never converted (conversions are done by others)."""

    currency: str
    needed: Decimal | None
    pledged: Decimal  # accepted by the donor and the State, not yet committed
    committed: Decimal
    delivered: Decimal
    other_currencies: dict[str, Decimal]

    @property
    def gap(self) -> Decimal | None:
        if self.needed is None:
            return None
        return max(self.needed - self.pledged - self.committed - self.delivered, Decimal(0))


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
        pk: Funding(
            currency=request.currency,
            needed=request.amount,
            pledged=sums[pk][MatchStatus.ACCEPTED],
            committed=sums[pk][MatchStatus.COMMITTED],
            delivered=sums[pk][MatchStatus.DELIVERED],
            other_currencies=dict(others[pk]),
        )
        for pk, request in by_id.items()
    }
