"""Realistic volumes of assistance data, written in bulk: for query-count pins and benchmarks.

``build(requests=2000, offers=500)`` spreads requests over every State and thematic area,
offers over donor States and organizations, and matches in every status, deterministically.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from accounts.models import Role, ThematicArea
from assistance.models import (
    AssistanceKind,
    AssistanceOffer,
    AssistanceRequest,
    Donor,
    Match,
    MatchStatus,
    RequestStatus,
)
from parties.models import Region, State
from tests.factories import make_user

KINDS = AssistanceKind.values
CURRENCIES = ["USD", "EUR", "USD", "NOK"]


def build(*, requests: int = 2000, offers: int = 500, matches_per_request: int = 1) -> dict:
    states = list(State.objects.order_by("iso3"))
    areas = list(ThematicArea.objects.order_by("pk"))
    author = make_user(Role.ISU_STAFF, email=f"volume.{requests}.{offers}@example.org")
    donor_states = states[: max(1, len(states) // 5)]
    donors = [Donor.objects.get_or_create(state=state)[0] for state in donor_states]
    donors += [Donor.objects.get_or_create(organization=f"Volume Foundation {n}")[0] for n in range(10)]

    start = dt.date(2026, 1, 1)
    made_requests = AssistanceRequest.objects.bulk_create(
        AssistanceRequest(
            state=states[n % len(states)],
            area=areas[n % len(areas)],
            kind=KINDS[n % len(KINDS)],
            title=f"Request {n}",
            description="Volume data.",
            amount=Decimal(10_000 + (n * 7919) % 2_000_000),
            currency=CURRENCIES[n % len(CURRENCIES)],
            period_start=start + dt.timedelta(days=n % 365),
            period_end=start + dt.timedelta(days=365 + n % 700),
            location=f"Province {n % 17}",
            status=RequestStatus.OPEN if n % 10 else RequestStatus.CLOSED,
            created_by=author,
        )
        for n in range(requests)
    )
    made_offers = AssistanceOffer.objects.bulk_create(
        AssistanceOffer(
            donor=donors[n % len(donors)],
            title=f"Offer {n}",
            kinds=[KINDS[n % len(KINDS)], KINDS[(n + 1) % len(KINDS)]],
            regions=[Region.values[n % len(Region.values)]],
            budget_min=Decimal(5_000 * (n % 5)),
            budget_max=Decimal(100_000 + (n * 104_729) % 3_000_000),
            currency=CURRENCIES[n % len(CURRENCIES)],
            period_start=start,
            period_end=start + dt.timedelta(days=730 + n % 365),
            is_public=n % 3 == 0,
            created_by=author,
        )
        for n in range(offers)
    )
    Through = AssistanceOffer.areas.through
    Through.objects.bulk_create(
        Through(assistanceoffer_id=offer.pk, thematicarea_id=areas[(n + k) % len(areas)].pk)
        for n, offer in enumerate(made_offers)
        for k in range(2)
    )
    StatesThrough = AssistanceOffer.states.through
    StatesThrough.objects.bulk_create(
        StatesThrough(assistanceoffer_id=offer.pk, state_id=states[(n * 13) % len(states)].pk)
        for n, offer in enumerate(made_offers)
        if n % 4 == 0
    )
    statuses = itertools.cycle(MatchStatus.values)
    Match.objects.bulk_create(
        Match(
            request=request,
            offer=made_offers[(n * 31 + k) % len(made_offers)],
            amount=request.amount / 4,
            currency=request.currency,
            status=next(statuses),
            proposed_by=author,
        )
        for n, request in enumerate(made_requests)
        for k in range(matches_per_request)
        if n % 3 != 2
    )
    return {"requests": made_requests, "offers": made_offers, "donors": donors, "author": author}
