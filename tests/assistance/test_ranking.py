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
