"""The matching rank: a tested, explained function whose weights are settings."""

import datetime as dt
from decimal import Decimal

from assistance.ranking import DEFAULT_WEIGHTS, OfferFacts, RequestFacts, rank

D = dt.date
REQUEST = RequestFacts(
    area="clearance-rre",
    kind="financial",
    state="LAO",
    region="Asia",
    amount=Decimal("500000"),
    currency="USD",
    start=D(2027, 1, 1),
    end=D(2027, 12, 31),
)


def offer(key, **kw):
    base = {
        "areas": frozenset({"clearance-rre"}),
        "kinds": frozenset({"financial"}),
        "states": frozenset(),
        "regions": frozenset({"Asia"}),
        "budget_min": Decimal("100000"),
        "budget_max": Decimal("1000000"),
        "currency": "USD",
        "start": D(2026, 6, 1),
        "end": D(2028, 6, 1),
    }
    return OfferFacts(key=key, **(base | kw))


def test_the_offer_that_fits_in_every_way_comes_first_and_says_why():
    perfect = offer("perfect", states=frozenset({"LAO"}))
    wrong_area = offer("wrong area", areas=frozenset({"victim-assistance"}), states=frozenset({"LAO"}))
    ranked = rank(REQUEST, [wrong_area, perfect], deliveries={"perfect": 2})
    assert [c.offer.key for c in ranked] == ["perfect", "wrong area"]
    assert ranked[0].score == sum(DEFAULT_WEIGHTS.values())
    assert "covers the thematic area" in ranked[0].reasons
    assert "has delivered assistance to this State before" in ranked[0].reasons
    assert "does not cover the thematic area" in ranked[1].reasons


def test_naming_the_state_beats_naming_its_region():
    by_state = offer("state", states=frozenset({"LAO"}), regions=frozenset())
    by_region = offer("region")
    assert [c.offer.key for c in rank(REQUEST, [by_region, by_state])] == ["state", "region"]


def test_a_budget_too_small_counts_in_proportion_and_another_currency_is_flagged():
    half = offer("half", budget_max=Decimal("250000"))
    full = offer("full")
    euros = offer("euros", currency="EUR")
    ranked = rank(REQUEST, [half, euros, full])
    assert [c.offer.key for c in ranked] == ["full", "half", "euros"]
    assert "covers part of the amount still to find (50%)" in ranked[1].reasons
    assert "budget in another currency: compare by hand" in ranked[2].reasons


def test_periods_that_do_not_overlap_lose_points(settings):
    later = offer("later", start=D(2029, 1, 1), end=D(2030, 1, 1))
    now = offer("now")
    assert [c.offer.key for c in rank(REQUEST, [later, now])] == ["now", "later"]
    settings.CCM_MATCH_WEIGHTS = {"period": 0.0}
    scores = {c.offer.key: c.score for c in rank(REQUEST, [later, now])}
    assert scores["now"] == scores["later"]  # the weight is a setting


# --- The amount criterion compares an offer with what is still to find, not the full need -----------
def test_the_amount_criterion_compares_the_offer_with_the_remaining_gap():
    # 1,200,000 needed, 500,000 already committed: 700,000 is left, within the offer's 800,000 ceiling.
    request = RequestFacts(**{**REQUEST.__dict__, "amount": Decimal("1200000"), "gap": Decimal("700000")})
    ceiling = offer("ceiling", budget_min=None, budget_max=Decimal("800000"))
    (candidate,) = rank(request, [ceiling])
    assert "the amount still to find fits the budget" in candidate.reasons
    assert not any("covers part of" in str(r) for r in candidate.reasons)
    assert candidate.score == DEFAULT_WEIGHTS["area"] + DEFAULT_WEIGHTS["kind"] + DEFAULT_WEIGHTS["place"] * 0.6 + (
        DEFAULT_WEIGHTS["amount"] + DEFAULT_WEIGHTS["period"]
    )


def test_part_of_the_gap_is_a_share_of_what_is_still_to_find():
    request = RequestFacts(**{**REQUEST.__dict__, "amount": Decimal("1200000"), "gap": Decimal("700000")})
    (candidate,) = rank(request, [offer("small", budget_min=None, budget_max=Decimal("350000"))])
    assert "covers part of the amount still to find (50%)" in candidate.reasons


def test_a_request_with_nothing_left_to_find_ranks_every_offer_last_and_says_why():
    funded = RequestFacts(**{**REQUEST.__dict__, "gap": Decimal("0")})
    (candidate,) = rank(funded, [offer("any", states=frozenset({"LAO"}))])
    assert "nothing is left to fund: the amount needed is already pledged" in candidate.reasons
    assert "the amount still to find fits the budget" not in candidate.reasons
    # Among offers, a fully funded request puts no offer ahead for its amount.
    assert candidate.score == sum(DEFAULT_WEIGHTS.values()) - DEFAULT_WEIGHTS["amount"] - DEFAULT_WEIGHTS["history"]


def test_the_best_few_are_the_first_of_the_full_ranking_on_a_varied_set():
    """``best`` (the board's choice, scored without the reasons) keeps exactly the first ``n`` of ``rank``, ties in
    the given order, and ``points`` is ``score``'s score, on requests and offers that vary every criterion."""
    import itertools
    import random
    from dataclasses import replace

    from assistance.ranking import best, points, score, weights

    rng = random.Random(16)
    areas = ["clearance-rre", "victim-assistance", "stockpile"]
    kinds = ["financial", "technical"]
    states = ["LAO", "IRQ", "AUS"]
    regions = ["Asia", "Africa", "Pacific"]
    amounts = [None, Decimal("0"), Decimal("1"), Decimal("50000"), Decimal("250000"), Decimal("1000000.50")]

    def some(values):
        return frozenset(rng.sample(values, rng.randint(0, len(values))))

    offers = []
    for key in range(400):
        low = rng.choice([None, Decimal("0"), Decimal("10000"), Decimal("300000")])
        high = rng.choice([None, Decimal("20000"), Decimal("250000"), Decimal("333333.33"), Decimal("5000000")])
        start = D(2025, 1, 1) + dt.timedelta(days=rng.randint(0, 1500))
        offers.append(
            offer(
                key,
                areas=some(areas),
                kinds=some(kinds),
                states=some(states),
                regions=some(regions),
                budget_min=low,
                budget_max=high,
                currency=rng.choice(["USD", "EUR", ""]),
                start=start,
                end=start + dt.timedelta(days=rng.randint(0, 900)),
            )
        )
    # Ties, whatever they are worth: copies of two offers under other keys.
    offers += [replace(offers[i], key=1000 + n) for n, i in enumerate([7, 100] * 5)]
    requests = []
    for area, kind, (state, region), amount, gap, currency in itertools.product(
        areas,
        kinds,
        [("LAO", "Asia"), ("IRQ", "Africa"), ("FJI", "Pacific")],
        amounts,
        [None, Decimal("0"), Decimal("12345.67")],
        ["USD", "EUR"],
    ):
        start = D(2026, 1, 1) + dt.timedelta(days=rng.randint(0, 900))
        requests.append(
            RequestFacts(area, kind, state, region, amount, currency, start, start + dt.timedelta(days=365), gap)
        )
    w = weights() | {"place": 17.3, "amount": 13.7}  # weights whose sums are not round
    compared = 0
    for request in requests:
        deliveries = {o.key: rng.choice([0, 0, 0, 1, 3]) for o in offers}
        for o in offers:
            full = score(request, o, deliveries_to_state=deliveries.get(o.key, 0), w=w).score
            assert points(request, o, deliveries_to_state=deliveries.get(o.key, 0), w=w) == full
        ranked = [c.offer for c in rank(request, offers, deliveries=deliveries)]
        for n in (1, 3, 10):
            assert [o.key for o in best(request, offers, n=n, deliveries=deliveries)] == [o.key for o in ranked[:n]]
            compared += 1
    assert compared == len(requests) * 3 > 900
