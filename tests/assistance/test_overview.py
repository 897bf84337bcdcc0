"""The assistance overview: public figures (and their JSON twin), and the full overview with the
largest unfunded gaps for coordinators and the ISU."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Role, ThematicArea, User
from assistance.models import (
    AssistanceOffer,
    AssistanceRequest,
    Coalition,
    Donor,
    Match,
    MatchStatus,
    OfferStatus,
    RequestStatus,
)
from assistance.selectors.overview import open_request_figures
from parties.models import State
from tests.assistance.volume import build
from tests.factories import make_user

pytestmark = pytest.mark.django_db
D = dt.date

OVERVIEW = "/assistance/"
FULL = "/assistance/overview/"

# Public overview: the figures (the areas, the open requests in one pass, their matches summed per request),
# kept until the data changes (assistance.cached); the public requests counted, a page of them and their
# funding; the coalitions with their partner counts, the public offers count.
FIGURES_QUERIES = 3
PUBLIC_QUERIES_KEPT = 5
PUBLIC_QUERIES = PUBLIC_QUERIES_KEPT + FIGURES_QUERIES
# Full overview: session and user; the areas and the currencies for the filters; the figures (as above, kept);
# the ids of the requests the reader may see and the chosen gaps; the coalitions, the ones the reader may open
# and the public offers count.
FULL_QUERIES_ISU_KEPT = 9
FULL_QUERIES_ISU = FULL_QUERIES_ISU_KEPT + FIGURES_QUERIES
FULL_QUERIES_COORDINATOR_KEPT = 10  # + the coordinator's own areas, marked in the table
FULL_QUERIES_COORDINATOR = FULL_QUERIES_COORDINATOR_KEPT + FIGURES_QUERIES


# --- Builders (also used by the coalition and reconciliation tests) ----------------------------
def author():
    existing = User.objects.filter(email="author.lao@example.org").first()
    return existing or make_user(Role.FOCAL_POINT, iso3="LAO", email="author.lao@example.org")


def make_request(iso3="LAO", area="clearance-rre", *, amount="100000", currency="USD", **kw):
    fields = {
        "state": State.objects.get(iso3=iso3),
        "area": ThematicArea.objects.get(code=area),
        "kind": "financial",
        "title": f"Request of {iso3}",
        "description": "Survey and clearance of the northern provinces.",
        "amount": Decimal(amount) if amount is not None else None,
        "currency": currency if amount is not None else "",
        "period_start": D(2026, 1, 1),
        "period_end": D(2026, 12, 31),
        "location": "Xieng Khouang",
        "created_by": author(),
    }
    return AssistanceRequest.objects.create(**(fields | kw))


def donor_for(iso3=None, organization=""):
    if iso3:
        return Donor.objects.get_or_create(state=State.objects.get(iso3=iso3))[0]
    return Donor.objects.get_or_create(organization=organization)[0]


def make_offer(donor, *, is_public=False, status=OfferStatus.ACTIVE, title="Clearance fund"):
    return AssistanceOffer.objects.create(
        donor=donor,
        title=title,
        period_start=D(2026, 1, 1),
        period_end=D(2027, 12, 31),
        is_public=is_public,
        status=status,
        created_by=author(),
    )


def make_match(request, offer, *, amount, currency="USD", status=MatchStatus.ACCEPTED):
    return Match.objects.create(
        request=request,
        offer=offer,
        amount=Decimal(amount) if amount is not None else None,
        currency=currency,
        status=status,
        proposed_by=author(),
    )


FORMED_ON = D(2021, 9, 20)


def make_coalition(iso3="LAO", *, partners=(), formed_on=FORMED_ON, source="ISU press release, 20 Sept 2021"):
    coalition = Coalition.objects.create(state=State.objects.get(iso3=iso3), formed_on=formed_on, source=source)
    coalition.partners.set(partners)
    return coalition


def by_key(groups, key):
    return next(group for group in groups if group["key"] == key)


def currency_figures(group, code):
    return next(c for c in group["currencies"] if c["currency"] == code)


# --- Figures ---------------------------------------------------------------------------------------
@pytest.fixture
def needs(reference_data):
    """Laos: two clearance requests in USD and one in EUR, one victim-assistance request without an
    amount, a closed request; Australia: one public request. Norway's offer funds some of them."""
    usd = make_request(amount="100000", title="Survey of Xieng Khouang")
    usd2 = make_request(amount="50000", title="Clearance of Sekong")
    eur = make_request(amount="80000", currency="EUR", title="Marking of hazardous areas")
    no_amount = make_request(area="victim-assistance", amount=None, title="Prosthetics workshop")
    closed = make_request(amount="999999", title="Closed long ago", status=RequestStatus.CLOSED)
    public = make_request("AUS", amount="20000", title="Regional training (public)", is_public=True)
    offer = make_offer(donor_for("NOR"))
    make_match(usd, offer, amount="30000", status=MatchStatus.ACCEPTED)
    make_match(usd2, offer, amount="10000", status=MatchStatus.COMMITTED)
    make_match(eur, offer, amount="5000", currency="EUR", status=MatchStatus.DELIVERED)
    make_match(closed, offer, amount="1000", status=MatchStatus.DELIVERED)
    # Not counted: a proposal nobody accepted yet, and a match in another currency than its request's.
    make_match(public, offer, amount="7000", status=MatchStatus.PROPOSED)
    make_match(usd2, make_offer(donor_for(organization="Mine Action Fund")), amount="4000", currency="EUR")
    return {"usd": usd, "usd2": usd2, "eur": eur, "no_amount": no_amount, "closed": closed, "public": public}


def test_figures_are_summed_per_area_and_per_currency_never_across_currencies(needs):
    figures = open_request_figures()
    clearance = next(g for g in figures.by_area if g.key == "clearance-rre")
    assert clearance.open_requests == 4  # the closed one does not count
    usd, eur = clearance.by_currency["USD"], clearance.by_currency["EUR"]
    # Each stage includes the next: the 10,000 committed were pledged too.
    assert (usd.needed, usd.pledged, usd.committed, usd.delivered) == (
        Decimal("170000"),
        Decimal("40000"),
        Decimal("10000"),
        Decimal("0"),
    )
    assert usd.covered == usd.pledged
    # 100,000 − 30,000 pledged; 50,000 − 10,000 committed; Australia's 20,000 has only a proposal.
    assert usd.gap == Decimal("70000") + Decimal("40000") + Decimal("20000")
    assert (eur.needed, eur.delivered, eur.gap) == (Decimal("80000"), Decimal("5000"), Decimal("75000"))
    assert clearance.other_currencies == {"EUR": Decimal("4000")}  # listed apart, not converted
    victims = next(g for g in figures.by_area if g.key == "victim-assistance")
    assert (victims.open_requests, victims.without_amount, victims.currencies) == (1, 1, [])


def test_figures_by_region_follow_the_requesting_state(needs):
    figures = open_request_figures()
    asia = next(g for g in figures.by_region if g.key == "Asia")
    pacific = next(g for g in figures.by_region if g.key == "Pacific")
    assert asia.open_requests == 4 and pacific.open_requests == 1
    assert pacific.by_currency["USD"].needed == Decimal("20000")
    assert asia.by_currency["USD"].needed == Decimal("150000")
    assert next(g for g in figures.by_region if g.key == "Africa").open_requests == 0


def test_a_fully_funded_request_has_no_gap_even_when_overfunded(needs):
    make_match(needs["usd"], make_offer(donor_for("DEU")), amount="90000", status=MatchStatus.COMMITTED)
    figures = open_request_figures(area_id=needs["usd"].area_id, currency="USD")
    usd = figures.total.by_currency["USD"]
    assert usd.gap == Decimal("40000") + Decimal("20000")  # the first request's gap is 0, not −20,000
    assert usd.funded_percent == int((usd.needed - usd.gap) * 100 / usd.needed)


# --- Public overview ----------------------------------------------------------------------------------
def test_public_overview_shows_figures_and_public_requests_but_no_restricted_detail(needs, client_for):
    needs["usd"].description = "Secret survey of the Plain of Jars"
    needs["usd"].save()
    response = client_for(None).get(OVERVIEW)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Regional training (public)" in page
    assert reverse("assistance:request_detail", args=[needs["public"].pk]) in page
    for restricted in ("Survey of Xieng Khouang", "Clearance of Sekong", "Prosthetics workshop", "Plain of Jars"):
        assert restricted not in page
    assert "Xieng Khouang" not in page  # no location either
    assert "170,000.00" in page and "80,000.00" in page  # USD and EUR figures, each its own
    assert "250,000" not in page  # never added together


def test_public_overview_json_twin(needs, client_for):
    coalition = make_coalition(partners=[donor_for("NOR"), donor_for("DEU")])
    make_offer(donor_for("NOR"), is_public=True, title="Public fund")
    make_offer(donor_for("NOR"), is_public=True, title="Withdrawn fund", status=OfferStatus.WITHDRAWN)
    response = client_for(None).get(OVERVIEW, {"format": "json"})
    assert response.status_code == 200
    data = response.json()
    assert data["open_requests"] == 5
    assert data["public_offers"] == 1
    clearance = by_key(data["by_area"], "clearance-rre")
    assert currency_figures(clearance, "USD")["needed"] == "170000.00"
    assert currency_figures(clearance, "EUR")["gap"] == "75000.00"
    assert clearance["matched_in_other_currencies"] == {"EUR": "4000.00"}
    assert currency_figures(by_key(data["by_region"], "Pacific"), "USD")["needed"] == "20000.00"
    assert [r["title"] for r in data["public_requests"]] == ["Regional training (public)"]
    assert [c["state"] for c in data["coalitions"]] == ["BWA", "LAO"]  # Botswana's: the reference data
    assert data["coalitions"][1] == {
        "state": "LAO",
        "state_name": coalition.state.name,
        "formed_on": "2021-09-20",
        "formed_precision": "day",
        "established_by": None,
        "partners": 2,
        "partner_names": "",
        "source": "ISU press release, 20 Sept 2021",
    }
    text = response.content.decode()
    assert "Survey of Xieng Khouang" not in text and "Xieng Khouang" not in text


def test_public_overview_lists_coalitions_with_partners_and_source(needs, client_for):
    make_coalition(partners=[donor_for("NOR")])
    page = client_for(None).get(OVERVIEW).content.decode()
    assert "Lao People&#x27;s Democratic Republic" in page
    assert "ISU press release, 20 Sept 2021" in page
    assert reverse("assistance:coalition_detail", args=["LAO"]) not in page  # the public may not open it


def test_the_public_overview_is_read_only(client_for, reference_data):
    assert client_for(None).post(OVERVIEW).status_code == 405


@pytest.mark.parametrize("requests", [12, 120])
def test_public_overview_query_count_does_not_grow_with_rows(requests, client_for, django_assert_num_queries):
    build(requests=requests, offers=requests // 4)
    AssistanceRequest.objects.filter(pk__in=AssistanceRequest.objects.order_by("pk").values("pk")[:5]).update(
        is_public=True
    )
    make_coalition(partners=list(Donor.objects.all()[:3]))
    client = client_for(None)
    with django_assert_num_queries(PUBLIC_QUERIES):
        assert client.get(OVERVIEW).status_code == 200
    with django_assert_num_queries(PUBLIC_QUERIES_KEPT):  # the figures are kept until the data changes
        assert client.get(OVERVIEW, {"format": "json"}).status_code == 200
    with django_assert_num_queries(PUBLIC_QUERIES_KEPT):
        assert client.get(OVERVIEW).status_code == 200


def test_public_requests_are_listed_a_page_at_a_time_on_the_page_and_in_its_twin(client_for, reference_data):
    for n in range(53):
        make_request(title=f"Public request {n:02d}", is_public=True)
    client = client_for(None)
    page = client.get(OVERVIEW).content.decode()
    assert '<dd class="stat-value">53</dd>' in page  # every public request counted
    assert "Public request 00" in page and "Public request 49" in page and "Public request 50" not in page
    assert "Page 1 of 2" in page and 'href="?page=2"' in page
    page = client.get(OVERVIEW, {"page": "2"}).content.decode()
    assert "Public request 50" in page and "Public request 52" in page and "Public request 49" not in page
    data = client.get(OVERVIEW, {"format": "json", "page": "2"}).json()
    assert (data["public_requests_count"], data["page"], data["pages"]) == (53, 2, 2)
    assert [r["title"] for r in data["public_requests"]] == [
        "Public request 50",
        "Public request 51",
        "Public request 52",
    ]
    assert data["public_requests"][0]["needed"] == data["public_requests"][0]["gap"]  # nothing pledged yet


# --- Full overview --------------------------------------------------------------------------------------
def test_isu_sees_the_largest_gaps_by_request_with_links(needs, isu_staff, client_for):
    response = client_for(isu_staff).get(FULL)
    assert response.status_code == 200
    gaps = dict(response.context["gaps"])
    assert [row.request.title for row in gaps["USD"]] == [
        "Survey of Xieng Khouang",  # 70,000
        "Clearance of Sekong",  # 40,000
        "Regional training (public)",  # 20,000
    ]
    assert [row.gap for row in gaps["EUR"]] == [Decimal("75000")]
    page = response.content.decode()
    assert reverse("assistance:request_detail", args=[needs["usd"].pk]) in page
    assert "Closed long ago" not in page


def test_a_coordinator_sees_gaps_of_their_own_areas_and_public_requests(needs, coordinator, client_for):
    other_area = make_request(area="victim-assistance", amount="60000", title="Rehabilitation centre")
    public_elsewhere = make_request(
        "AUS", area="victim-assistance", amount="30000", title="Peer support (public)", is_public=True
    )
    response = client_for(coordinator).get(FULL)
    assert response.status_code == 200
    titles = {row.request.title for _code, rows in response.context["gaps"] for row in rows}
    assert "Survey of Xieng Khouang" in titles  # clearance: the coordinator's area
    assert public_elsewhere.title in titles
    assert other_area.title not in titles
    assert other_area.title not in response.content.decode()
    # The figures still cover every area.
    victims = next(g for g in response.context["figures"].by_area if g.key == "victim-assistance")
    assert victims.by_currency["USD"].needed == Decimal("90000")
    assert response.context["own_area_codes"] == {"clearance-rre"}


def test_filters_narrow_figures_and_gaps(needs, isu_staff, client_for):
    response = client_for(isu_staff).get(FULL, {"region": "Pacific", "currency": "USD"})
    assert response.status_code == 200
    assert response.context["figures"].total.open_requests == 1
    assert [(code, [row.request.title for row in rows]) for code, rows in response.context["gaps"]] == [
        ("USD", ["Regional training (public)"])
    ]
    response = client_for(isu_staff).get(FULL, {"area": "clearance-rre", "currency": "EUR"})
    assert response.context["figures"].total.open_requests == 1
    assert list(response.context["figures"].total.by_currency) == ["EUR"]


def test_a_bad_filter_is_refused_with_a_message_and_keeps_the_others(needs, isu_staff, client_for):
    response = client_for(isu_staff).get(FULL, {"region": "Atlantis", "currency": "EUR"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert list(response.context["figures"].total.by_currency) == ["EUR"]


@pytest.mark.parametrize("role_user", ["focal_point", "donor"])
def test_others_may_not_open_the_full_overview(role_user, request, client_for, reference_data):
    user = request.getfixturevalue(role_user)
    assert client_for(user).get(FULL).status_code == 403


def test_the_public_is_asked_to_sign_in_for_the_full_overview(client_for, reference_data):
    response = client_for(None).get(FULL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("requests", [12, 120])
def test_full_overview_query_count_does_not_grow_with_rows(
    requests, isu_staff, coordinator, client_for, django_assert_num_queries
):
    build(requests=requests, offers=requests // 4)
    make_coalition(partners=list(Donor.objects.all()[:3]))
    client = client_for(isu_staff)
    with django_assert_num_queries(FULL_QUERIES_ISU):
        assert client.get(FULL).status_code == 200
    with django_assert_num_queries(FULL_QUERIES_ISU):  # other filters, other figures
        assert client.get(FULL, {"region": "Europe", "currency": "USD"}).status_code == 200
    with django_assert_num_queries(FULL_QUERIES_ISU_KEPT):
        assert client.get(FULL).status_code == 200
    client = client_for(coordinator)
    with django_assert_num_queries(FULL_QUERIES_COORDINATOR_KEPT):  # the same figures as the ISU's, kept
        response = client.get(FULL)
    assert response.status_code == 200
    assert response.context["gaps"]


def test_every_stage_says_what_it_counts_on_the_page_and_in_the_json_twin(needs, client_for):
    page = client_for(None).get(OVERVIEW).content.decode()
    assert "including committed" in page and "including delivered" in page and "needed less pledged" in page
    data = client_for(None).get(OVERVIEW, {"format": "json"}).json()
    assert data["definitions"]["pledged"].startswith("accepted by the donor and the State, including")
    assert data["definitions"]["gap"] == "needed less pledged, never below zero"
    clearance = next(g for g in data["by_area"] if g["key"] == "clearance-rre")
    usd = next(c for c in clearance["currencies"] if c["currency"] == "USD")
    # The twin uses the page's definitions: pledged ≥ committed ≥ delivered, gap = needed − pledged per request.
    assert Decimal(usd["pledged"]) >= Decimal(usd["committed"]) >= Decimal(usd["delivered"])
    assert (Decimal(usd["pledged"]), Decimal(usd["committed"])) == (Decimal("40000"), Decimal("10000"))
