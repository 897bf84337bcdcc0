"""The matching board and one request's candidates: who may open them, what a coordinator sees
(open requests of their areas, funding gaps, ranked candidates with their reasons), the filters,
the tasks panel, and the number of queries whatever the number of requests and offers."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Role, ThematicArea
from assistance.models import (
    AssistanceOffer,
    AssistanceRequest,
    CoordinatorTask,
    Donor,
    Match,
    MatchStatus,
    OfferStatus,
    RequestStatus,
    TaskKind,
)
from audit.models import AuditEntry
from parties.models import State
from tests.assistance import volume
from tests.factories import make_user
from tests.progress.builders import data_committed

pytestmark = pytest.mark.django_db
D = dt.date
BOARD = reverse("assistance:board")

# Queries for a board page, whatever the number of requests and offers: session and user; the
# coordinator's areas (twice: the areas they match, the areas for the filter); the open tasks; the
# count and the page of requests; the page's funding and matches; the offers shown (with donors).
BOARD_QUERIES = 10
BOARD_QUERIES_ISU = BOARD_QUERIES - 1  # the ISU coordinates every area: no areas of their own to read
# The first reader after a change (or of requests no one has read since) chooses the best candidates from the
# facts of every active offer: the offers, their areas, their States, deliveries per donor and State.
CHOOSING = 4
# One request: session, user, the coordinator's areas, the request (through the access helper),
# its funding and its matches, the offer facts.
REQUEST_QUERIES = 10


# --- Building data ---------------------------------------------------------------------------------
def make_request(author, *, iso3="LAO", area="clearance-rre", **kw) -> AssistanceRequest:
    fields = {
        "kind": "financial",
        "title": "Survey in two provinces",
        "description": "Non-technical survey of the contaminated provinces.",
        "period_start": D(2027, 1, 1),
        "period_end": D(2027, 12, 31),
        "amount": Decimal("250000"),
        "currency": "USD",
    }
    return AssistanceRequest.objects.create(
        state=State.objects.get(iso3=iso3),
        area=ThematicArea.objects.get(code=area),
        created_by=author,
        **(fields | kw),
    )


def make_offer(author, donor: Donor, *, areas=("clearance-rre",), states=(), **kw) -> AssistanceOffer:
    fields = {
        "title": "Clearance fund",
        "kinds": ["financial"],
        "regions": [],
        "budget_min": Decimal("100000"),
        "budget_max": Decimal("1000000"),
        "currency": "USD",
        "period_start": D(2026, 1, 1),
        "period_end": D(2028, 12, 31),
    }
    offer = AssistanceOffer.objects.create(donor=donor, created_by=author, **(fields | kw))
    offer.areas.set(ThematicArea.objects.filter(code__in=areas))
    offer.states.set(State.objects.filter(iso3__in=states))
    return offer


def make_match(request, offer, author, **kw) -> Match:
    return Match.objects.create(request=request, offer=offer, proposed_by=author, **kw)


def norway(donor_user) -> Donor:
    return Donor.objects.get_or_create(state=donor_user.state)[0]


@pytest.fixture
def lao_request(focal_point):
    return make_request(focal_point)


@pytest.fixture
def offers(donor):
    """Three active offers of Norway, a withdrawn one, and one of an organization."""
    nor = norway(donor)
    best = make_offer(donor, nor, title="Lao clearance partnership", states=["LAO"])
    regional = make_offer(donor, nor, title="Asia clearance window", regions=["Asia"], kinds=["technical"])
    other_area = make_offer(donor, nor, title="Victim assistance fund", areas=["victim-assistance"], currency="EUR")
    withdrawn = make_offer(donor, nor, title="Closed programme", status=OfferStatus.WITHDRAWN, states=["LAO"])
    gichd = make_offer(donor, Donor.objects.create(organization="GICHD"), title="Survey experts", kinds=["technical"])
    return {"best": best, "regional": regional, "other_area": other_area, "withdrawn": withdrawn, "gichd": gichd}


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# --- Who may open the board -----------------------------------------------------------------------------
def test_the_public_is_sent_to_sign_in(client_for, lao_request):
    for url in (BOARD, reverse("assistance:board_request", args=[lao_request.pk])):
        response = client_for(None).get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_focal_points_and_donors_may_not_open_the_board(client_for, focal_point, donor, lao_request):
    for user in (focal_point, donor):
        assert client_for(user).get(BOARD).status_code == 403
        assert client_for(user).get(reverse("assistance:board_request", args=[lao_request.pk])).status_code == 403


def test_a_coordinator_sees_the_open_requests_of_their_areas_only(client_for, coordinator, focal_point, offers):
    mine = make_request(focal_point, title="Survey in two provinces")
    make_request(focal_point, title="Rehabilitation centre", area="victim-assistance", is_public=True)
    make_request(focal_point, title="Closed survey", status=RequestStatus.CLOSED)
    response = client_for(coordinator).get(BOARD)
    assert response.status_code == 200
    page = text(response)
    assert "Survey in two provinces" in page
    assert "Rehabilitation centre" not in page  # another area, even public
    assert "Closed survey" not in page
    assert "1 open request" in page
    assert reverse("assistance:board_request", args=[mine.pk]) in page
    assert "Clearance and risk reduction education" in page  # the coordinator's area


def test_the_isu_sees_every_area(client_for, isu_staff, focal_point):
    make_request(focal_point, title="Survey in two provinces")
    make_request(focal_point, title="Rehabilitation centre", area="victim-assistance")
    page = text(client_for(isu_staff).get(BOARD))
    assert "Survey in two provinces" in page and "Rehabilitation centre" in page
    assert "2 open requests" in page


def test_each_request_shows_its_gap_and_its_best_candidates_with_scores_and_reasons(
    client_for, coordinator, focal_point, donor, lao_request, offers
):
    # 100,000 USD accepted already: 150,000 USD still to find.
    make_match(lao_request, offers["regional"], coordinator, amount=Decimal(100000), currency="USD", status="accepted")
    page = text(client_for(coordinator).get(BOARD))
    assert '250,000 <abbr class="currency" title="US Dollar">USD</abbr>' in page  # needed
    assert '150,000 <abbr class="currency" title="US Dollar">USD</abbr>' in page  # still to find
    candidates = re.findall(r'<li class="candidate( candidate--proposed)?">.*?</li>\s*</ul>', page)
    assert len(candidates) == 3  # the best three
    first = re.search(r'<li class="candidate">(.*?)</ul>', page).group(1)
    # Area 40 + kind 20 + the State 15 + amount 15 + period 5 = 95 out of 100.
    assert "Lao clearance partnership" in first
    assert "95/100" in re.sub(r"<[^>]+>", "", first)
    for reason in (
        "covers the thematic area",
        "offers this kind of assistance",
        "the donor names this State",
        "the amount still to find fits the budget",
        "the periods overlap",
    ):
        assert reason in first
    assert "Closed programme" not in page  # withdrawn offers are no candidates
    assert "Match: Accepted by the donor and the State" in page  # the regional window is marked


def test_past_deliveries_to_the_state_count(client_for, coordinator, focal_point, donor, lao_request, offers):
    earlier = make_request(focal_point, title="Earlier survey", status=RequestStatus.CLOSED)
    make_match(earlier, offers["gichd"], coordinator, status=MatchStatus.DELIVERED)
    response = client_for(coordinator).get(reverse("assistance:board_request", args=[lao_request.pk]))
    row = re.search(r'<tr id="offer-{}".*?</tr>'.format(offers["gichd"].pk), text(response)).group(0)
    assert "has delivered assistance to this State before" in row


def test_filters_narrow_the_requests_and_a_bad_one_is_reported(client_for, coordinator, focal_point, other_focal_point):
    make_request(focal_point, title="Lao survey", kind="technical")
    make_request(other_focal_point, iso3="AUS", title="Pacific survey", kind="financial")
    proposed = make_request(focal_point, title="Proposed survey")
    nor = Donor.objects.create(organization="Fund")
    make_match(proposed, make_offer(coordinator, nor), coordinator)
    client = client_for(coordinator)

    page = text(client.get(BOARD, {"region": "Pacific"}))
    assert "Pacific survey" in page and "Lao survey" not in page and "Filtered" in page
    page = text(client.get(BOARD, {"kind": "technical"}))
    assert "Lao survey" in page and "Pacific survey" not in page
    page = text(client.get(BOARD, {"unproposed": "on"}))
    assert "Lao survey" in page and "Pacific survey" in page and "Proposed survey" not in page
    area = ThematicArea.objects.get(code="clearance-rre")
    assert "3 open requests" in text(client.get(BOARD, {"area": area.pk}))

    other_area = ThematicArea.objects.get(code="victim-assistance")
    response = client.get(BOARD, {"area": other_area.pk, "region": "Pacific"})
    assert response.status_code == 400
    page = text(response)
    assert "Select a valid choice" in page
    assert "Pacific survey" in page and "Lao survey" not in page  # the valid filter still applies


def test_requests_are_paginated_with_the_filters_kept(client_for, coordinator, focal_point):
    for n in range(30):
        make_request(focal_point, title=f"Request number {n:02d}", kind="technical")
    client = client_for(coordinator)
    first = text(client.get(BOARD, {"kind": "technical"}))
    assert "Request number 00" in first and "Request number 24" in first and "Request number 25" not in first
    assert "Page 1 of 2" in first
    assert "?kind=technical&amp;page=2" in first
    second = text(client.get(BOARD, {"kind": "technical", "page": 2}))
    assert "Request number 25" in second and "Request number 24" not in second


def test_the_board_explains_the_ranking_weights(client_for, coordinator, settings):
    settings.CCM_MATCH_WEIGHTS = {"area": 50.0}
    page = text(client_for(coordinator).get(BOARD))
    assert "How candidates are ranked" in page
    table = re.search(r'<table class="table-data weights-table">.*?</table>', page).group(0)
    assert re.search(r"covers the request’s thematic area</th><td class=\"num\">50</td>", table)
    assert re.search(r"delivered assistance to this State before</th><td class=\"num\">5</td>", table)
    assert "out of 110" in page


def _board_queries(client, django_assert_num_queries, queries, url=BOARD):
    with django_assert_num_queries(queries):
        response = client.get(url)
    assert response.status_code == 200
    return response


def test_the_board_runs_a_fixed_number_of_queries_whatever_the_rows(
    client_for, coordinator, isu_staff, focal_point, donor, offers, django_assert_num_queries
):
    lao = make_request(focal_point)
    make_match(lao, offers["best"], coordinator, status=MatchStatus.DELIVERED)
    CoordinatorTask.objects.create(request=lao, kind=TaskKind.NO_OFFER)
    few = _board_queries(client_for(coordinator), django_assert_num_queries, BOARD_QUERIES + CHOOSING)
    assert "1 open request" in text(few)
    again = _board_queries(client_for(coordinator), django_assert_num_queries, BOARD_QUERIES)
    assert _requests(again) == _requests(few)
    _board_queries(client_for(isu_staff), django_assert_num_queries, BOARD_QUERIES_ISU)  # the same request, kept

    data = volume.build(requests=600, offers=150)
    for request in data["requests"][:40]:
        CoordinatorTask.objects.create(request=request, kind=TaskKind.NO_OFFER)
    data_committed()
    many = _board_queries(client_for(coordinator), django_assert_num_queries, BOARD_QUERIES + CHOOSING)
    assert "Page 1 of" in text(many)
    assert text(many).count('<article class="board-request"') == 25
    assert text(many).count('<li class="candidate') == 75
    again = _board_queries(client_for(coordinator), django_assert_num_queries, BOARD_QUERIES)
    assert _requests(again) == _requests(many)
    _board_queries(client_for(isu_staff), django_assert_num_queries, BOARD_QUERIES_ISU + CHOOSING)
    _board_queries(client_for(isu_staff), django_assert_num_queries, BOARD_QUERIES_ISU)
    page_3 = reverse("assistance:board") + "?page=3&unproposed=on"
    _board_queries(client_for(isu_staff), django_assert_num_queries, BOARD_QUERIES_ISU + CHOOSING, page_3)
    _board_queries(client_for(isu_staff), django_assert_num_queries, BOARD_QUERIES_ISU, page_3)


def _candidates(page: str) -> list[str]:
    """The offers shown as candidates, in order."""
    return re.findall(r'<span class="candidate-offer">([^<]*)<', page)


def _requests(response) -> list[str]:
    """The requests shown, each with its funding, matches and candidates (with their scores and reasons)."""
    return re.findall(r'<article class="board-request".*?</article>', text(response))


def test_the_best_candidates_are_kept_until_the_data_changes(
    client_for, coordinator, isu_staff, focal_point, donor, lao_request, offers, django_assert_num_queries
):
    client = client_for(coordinator)
    first = client.get(BOARD)
    assert _candidates(text(first)) == ["Lao clearance partnership", "Asia clearance window", "Survey experts"]
    # Read again, kept: no offer's facts are read, and the page is the same for another reader (the ISU).
    assert _requests(_board_queries(client, django_assert_num_queries, BOARD_QUERIES)) == _requests(first)
    isu_page = _board_queries(client_for(isu_staff), django_assert_num_queries, BOARD_QUERIES_ISU)
    assert _requests(isu_page) == _requests(first)
    # A new offer as good as the best (the newer first) and Norway's delivery to Laos (5 more points for each of
    # its offers) show once committed (the data's version moves).
    make_offer(donor, norway(donor), title="Lao survey and clearance", states=["LAO"], budget_max=Decimal(250000))
    earlier = make_request(focal_point, title="Earlier survey", status=RequestStatus.CLOSED)
    make_match(earlier, offers["regional"], coordinator, status=MatchStatus.DELIVERED)
    data_committed()
    page = text(_board_queries(client_for(coordinator), django_assert_num_queries, BOARD_QUERIES + CHOOSING))
    assert _candidates(page) == ["Lao survey and clearance", "Lao clearance partnership", "Asia clearance window"]
    assert re.sub(r"<[^>]+>", "", page).count("Score: 100/100") == 2
    assert page.count("<li>has delivered assistance to this State before</li>") == 3


def test_the_board_shows_the_first_candidates_of_the_full_ranking(client_for, isu_staff):
    """The board's three are the request page's first three, with the same scores and reasons, at volume."""
    volume.build(requests=60, offers=120)
    client = client_for(isu_staff)
    articles = _requests(client.get(BOARD))
    assert len(articles) == 25
    for article in articles[:10]:
        pk = re.search(r'id="request-(\d+)-title"', article).group(1)
        full = text(client.get(reverse("assistance:board_request", args=[pk])))
        rows = re.findall(r'<tr id="offer-\d+".*?</tr>', full)[:3]
        shown = re.findall(r'<li class="candidate.*?</ul>', article)
        assert len(shown) == len(rows) == 3
        for candidate, row in zip(shown, rows, strict=True):
            title = re.search(r'<span class="candidate-offer">([^<]*)<', candidate).group(1)
            assert title in row
            score = re.search(r"Score: </span>([\d.]+)<", candidate).group(1)
            assert re.search(rf">{re.escape(score)}<", row), (title, score)
            for reason in re.findall(r"<li>([^<]*)</li>", candidate):
                assert reason in row


# --- One request ----------------------------------------------------------------------------------------
def test_a_request_shows_every_candidate_ranked_with_a_prefilled_form(client_for, coordinator, lao_request, offers):
    make_match(lao_request, offers["regional"], coordinator, amount=Decimal(50000), currency="USD", status="accepted")
    response = client_for(coordinator).get(reverse("assistance:board_request", args=[lao_request.pk]))
    assert response.status_code == 200
    page = text(response)
    ranked = re.findall(r'<tr id="offer-(\d+)"', page)
    # 95, 69 (area, region, amount, period), 60 (area, amount, period), 25 (kind, period): withdrawn ones left out.
    assert [int(pk) for pk in ranked] == [offers[k].pk for k in ("best", "regional", "gichd", "other_area")]
    # The proposed offer is marked and links to its match; the others carry a form prefilled with the gap.
    match = Match.objects.get()
    assert reverse("assistance:match_detail", args=[match.pk]) in page
    best_row = re.search(r'<tr id="offer-{}".*?</tr>'.format(offers["best"].pk), page).group(0)
    assert 'name="amount" size="12" value="200000"' in best_row
    assert 'name="currency" size="4" maxlength="3" autocapitalize="characters" value="USD"' in best_row
    assert reverse("assistance:match_propose", args=[lao_request.pk]) in best_row
    assert '200,000 <abbr class="currency" title="US Dollar">USD</abbr>' in page  # still to find
    assert "How candidates are ranked" in page


def test_a_closed_request_shows_no_propose_form(client_for, coordinator, focal_point, offers):
    closed = make_request(focal_point, status=RequestStatus.CLOSED)
    page = text(client_for(coordinator).get(reverse("assistance:board_request", args=[closed.pk])))
    assert "no match can be proposed for it" in page
    assert 'name="amount"' not in page


def test_a_coordinator_of_another_area_gets_404_even_on_a_public_request(client_for, focal_point, offers):
    public = make_request(focal_point, is_public=True)
    outsider = make_user(Role.COORDINATOR, areas=["victim-assistance"], email="va@example.org")
    assert client_for(outsider).get(reverse("assistance:board_request", args=[public.pk])).status_code == 404
    assert client_for(outsider).get(reverse("assistance:board_request", args=[999999])).status_code == 404


def test_the_isu_opens_any_request(client_for, isu_staff, focal_point):
    request = make_request(focal_point, area="victim-assistance")
    assert client_for(isu_staff).get(reverse("assistance:board_request", args=[request.pk])).status_code == 200


def test_one_request_runs_a_fixed_number_of_queries_whatever_the_offers(
    client_for, coordinator, lao_request, offers, django_assert_num_queries
):
    url = reverse("assistance:board_request", args=[lao_request.pk])
    _board_queries(client_for(coordinator), django_assert_num_queries, REQUEST_QUERIES, url)
    data = volume.build(requests=100, offers=150)
    for offer in data["offers"][:20]:
        make_match(lao_request, offer, coordinator, status=MatchStatus.PROPOSED)
    response = _board_queries(client_for(coordinator), django_assert_num_queries, REQUEST_QUERIES, url)
    assert text(response).count('<tr id="offer-') == AssistanceOffer.objects.filter(status="active").count()


# --- Tasks --------------------------------------------------------------------------------------------
def test_coordinators_see_the_open_tasks_of_their_areas(client_for, coordinator, focal_point):
    mine = make_request(focal_point, title="Survey nobody funds")
    other = make_request(focal_point, title="Centre nobody funds", area="victim-assistance")
    CoordinatorTask.objects.create(request=mine, kind=TaskKind.NO_OFFER)
    CoordinatorTask.objects.create(request=other, kind=TaskKind.NO_OFFER)
    page = text(client_for(coordinator).get(BOARD))
    panel = re.search(r'<section class="panel board-tasks".*?</section>', page).group(0)
    assert "1 open task" in panel
    assert "Survey nobody funds" in panel and "Open request with no offer" in panel
    assert "Centre nobody funds" not in panel


def test_a_coordinator_marks_a_task_done_with_a_note(client_for, coordinator, focal_point):
    request = make_request(focal_point, title="Survey nobody funds")
    task = CoordinatorTask.objects.create(request=request, kind=TaskKind.NO_OFFER)
    client = client_for(coordinator)
    url = reverse("assistance:task_done", args=[task.pk])

    response = client.post(url, {"note": "  "})
    assert response.status_code == 400
    assert "Say what was done about this request." in text(response)
    task.refresh_from_db()
    assert task.done_at is None

    response = client.post(url, {"note": "Raised with two donors at the intersessional meeting."}, follow=True)
    assert response.redirect_chain[-1][0] == BOARD
    assert "marked done" in text(response)
    assert "board-tasks" not in text(response)
    task.refresh_from_db()
    assert task.done_by == coordinator and task.note.startswith("Raised with two donors")
    entry = AuditEntry.objects.get(action="assistance.task.done")
    assert entry.actor == coordinator and entry.object_id == str(task.pk)
    assert entry.changes["note"] == ["", "Raised with two donors at the intersessional meeting."]

    again = client.post(url, {"note": "Twice."}, follow=True)
    assert "already marked done" in text(again)


def test_tasks_of_other_areas_are_404_and_others_get_403(client_for, coordinator, focal_point, donor):
    request = make_request(focal_point, area="victim-assistance")
    task = CoordinatorTask.objects.create(request=request, kind=TaskKind.NO_OFFER)
    url = reverse("assistance:task_done", args=[task.pk])
    assert client_for(coordinator).post(url, {"note": "Not mine."}).status_code == 404
    assert client_for(focal_point).post(url, {"note": "Not mine."}).status_code == 403
    assert client_for(None).post(url, {"note": "Not mine."}).status_code == 302
    assert client_for(coordinator).get(url).status_code == 405
    task.refresh_from_db()
    assert task.done_at is None
