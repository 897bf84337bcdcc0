"""Article 6 assistance at volume: requests of every State built, offers of the volume's donors, and matches
in every status with the decisions each status implies (``assistance.services.matching``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from accounts.models import ThematicArea
from assistance.models import (
    AssistanceKind,
    AssistanceOffer,
    AssistanceRequest,
    Decision,
    Match,
    MatchStatus,
    OfferStatus,
    RequestStatus,
)
from audit.models import AuditEntry
from ccm_portal.management.volume.people import People
from ccm_portal.management.volume.plan import MATCHES, OFFERS, REQUESTS, Plan, at, given_dates
from parties.models import Region, State

KINDS = [k.value for k in AssistanceKind]
CURRENCIES = ["USD", "USD", "EUR", "GBP"]
# A match's status and the (donor, State) decisions it implies, with how often each is drawn.
MATCH_STATES = [
    (MatchStatus.PROPOSED, Decision.PENDING, Decision.PENDING, 25),
    (MatchStatus.PROPOSED, Decision.ACCEPTED, Decision.PENDING, 8),
    (MatchStatus.ACCEPTED, Decision.ACCEPTED, Decision.ACCEPTED, 20),
    (MatchStatus.COMMITTED, Decision.ACCEPTED, Decision.ACCEPTED, 25),
    (MatchStatus.DELIVERED, Decision.ACCEPTED, Decision.ACCEPTED, 12),
    (MatchStatus.DECLINED, Decision.DECLINED, Decision.PENDING, 10),
]


def _created(plan: Plan, start: dt.date) -> dt.datetime:
    return at(min(start - dt.timedelta(days=plan.rng.randint(30, 120)), plan.today - dt.timedelta(days=1)), plan.rng)


def _requests(plan: Plan, states: list[State], people: People, areas: list[ThematicArea]) -> list[AssistanceRequest]:
    rng, built = plan.rng, []
    for i in range(plan.scaled(REQUESTS, states=len(states))):
        state, area = states[i % len(states)], rng.choice(areas)
        start = plan.today + dt.timedelta(days=rng.randint(-3 * 365, 365))
        amount = Decimal(rng.randint(10, 2000) * 1000)
        built.append(
            AssistanceRequest(
                state=state,
                area=area,
                kind=rng.choice(KINDS),
                title=f"{area.name}: request {i + 1}",
                description=f"Assistance needed in {state.name} ({area.name}). Invented for measuring the portal.",
                amount=amount,
                currency=rng.choice(CURRENCIES),
                period_start=start,
                period_end=start + dt.timedelta(days=rng.randint(180, 900)),
                location=f"Province {rng.randint(1, 12)}",
                status=rng.choices(list(RequestStatus), weights=[85, 10, 5])[0],
                is_public=rng.random() < 0.6,
                created_by=people.focal_points[state.pk][0],
                created_at=_created(plan, start),
            )
        )
    return AssistanceRequest.objects.bulk_create(built, batch_size=1000)


def _offers(plan: Plan, states: list[State], people: People, areas: list[ThematicArea]) -> list[AssistanceOffer]:
    rng, built, donor_users = plan.rng, [], people.donor_users
    for i in range(plan.scaled(OFFERS, states=len(states))):
        donor = people.donors[i % len(people.donors)]
        start = plan.today + dt.timedelta(days=rng.randint(-3 * 365, 365))
        low = rng.randint(5, 500) * 1000
        built.append(
            AssistanceOffer(
                donor=donor,
                title=f"{donor.organization}: programme {i + 1}",
                kinds=sorted(rng.sample(KINDS, rng.randint(1, len(KINDS)))),
                regions=sorted(rng.sample([r.value for r in Region], rng.randint(0, 3))),
                budget_min=Decimal(low),
                budget_max=Decimal(low * rng.randint(2, 10)),
                currency="USD",
                period_start=start,
                period_end=start + dt.timedelta(days=rng.randint(365, 1100)),
                conditions="Invented for measuring the portal.",
                is_public=rng.random() < 0.7,
                status=OfferStatus.ACTIVE if rng.random() < 0.95 else OfferStatus.WITHDRAWN,
                created_by=donor_users[donor.pk],
                created_at=_created(plan, start),
            )
        )
    offers = AssistanceOffer.objects.bulk_create(built, batch_size=1000)
    Through = AssistanceOffer.areas.through
    Through.objects.bulk_create(
        (
            Through(assistanceoffer_id=offer.pk, thematicarea_id=area.pk)
            for offer in offers
            for area in rng.sample(areas, rng.randint(1, min(3, len(areas))))
        ),
        batch_size=2000,
    )
    return offers


def _matches(plan: Plan, people: People, requests: list[AssistanceRequest], offers: list[AssistanceOffer]) -> int:
    rng, pairs = plan.rng, {}
    wanted = min(plan.scaled(MATCHES, states=len(people.focal_points)), len(requests) * len(offers))
    weights = [w for *_rest, w in MATCH_STATES]
    while len(pairs) < wanted:
        request, offer = rng.choice(requests), rng.choice(offers)
        if (request.pk, offer.pk) in pairs:
            continue
        status, donor, state, _weight = rng.choices(MATCH_STATES, weights=weights)[0]
        pairs[(request.pk, offer.pk)] = Match(
            request=request,
            offer=offer,
            amount=(request.amount * rng.randint(1, 10) / 10).quantize(Decimal("1.00")),
            currency=request.currency,
            status=status,
            donor_decision=donor,
            state_decision=state,
            donor_reason="Outside this year's budget." if donor == Decision.DECLINED else "",
            proposed_by=people.coordinators[len(pairs) % len(people.coordinators)],
            created_at=max(request.created_at, offer.created_at) + dt.timedelta(days=rng.randint(1, 60)),
        )
    Match.objects.bulk_create(pairs.values(), batch_size=1000)
    return len(pairs)


def build(plan: Plan, states: list[State], people: People) -> dict[str, int]:
    areas = list(ThematicArea.objects.order_by("code"))
    dated = [model._meta.get_field("created_at") for model in (AssistanceRequest, AssistanceOffer, Match, AuditEntry)]
    with given_dates(*dated):
        requests = _requests(plan, states, people, areas)
        offers = _offers(plan, states, people, areas)
        matches = _matches(plan, people, requests, offers)
        AuditEntry.objects.bulk_create(
            (
                AuditEntry(
                    actor=r.created_by,
                    action="assistance.request.created",
                    created_at=r.created_at,
                    object_type="assistance.assistancerequest",
                    object_id=str(r.pk),
                    object_repr=f"{r.state.iso3}: {r.title}"[:200],
                )
                for r in requests
            ),
            batch_size=2000,
        )
    return {"requests": len(requests), "offers": len(offers), "matches": matches, "audit entries": len(requests)}
