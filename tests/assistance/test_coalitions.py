"""Country coalitions: the public list, a coalition's page for its members, and its meetings."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Role
from assistance.models import CoalitionMeeting, Donor, MatchStatus
from assistance.services import coalitions
from audit.models import AuditEntry
from tests.assistance.test_overview import donor_for, make_coalition, make_match, make_offer, make_request
from tests.assistance.volume import build
from tests.factories import make_user

pytestmark = pytest.mark.django_db
D = dt.date

LIST = "/assistance/coalitions/"
PAGE = "/assistance/coalitions/LAO/"
ADD_MEETING = "/assistance/coalitions/LAO/meetings/new/"

# Session and user; the coalition; its partners, the requests the reader may see, their funding,
# the partners' matches, the meetings. A coordinator's visible requests and the ISU's cost the same.
PAGE_QUERIES = 8
LIST_QUERIES = 1  # the coalitions with their partner counts (the public opens no page)


@pytest.fixture
def coalition(reference_data):
    """Laos and its partners Norway and a foundation; Germany funds Laos too, outside the coalition."""
    return make_coalition(partners=[donor_for("NOR"), donor_for(organization="Mine Action Fund")])


@pytest.fixture
def lao_needs(coalition):
    clearance = make_request(amount="100000", title="Survey of Xieng Khouang")
    victims = make_request(area="victim-assistance", amount="40000", title="Rehabilitation centre")
    make_match(clearance, make_offer(donor_for("NOR"), title="Norwegian clearance fund"), amount="30000")
    make_match(
        clearance,
        make_offer(donor_for(organization="Mine Action Fund"), title="Foundation grant"),
        amount="20000",
        status=MatchStatus.DELIVERED,
    )
    make_match(clearance, make_offer(donor_for("DEU"), title="German fund"), amount="10000")
    make_match(
        victims, make_offer(donor_for("NOR"), title="Norwegian VA fund"), amount="5000", status=MatchStatus.DECLINED
    )
    CoalitionMeeting.objects.create(
        coalition=coalition, date=D(2025, 3, 4), title="Partners' meeting", place="Vientiane", summary="Priorities."
    )
    return {"clearance": clearance, "victims": victims}


# --- The public list ------------------------------------------------------------------------------
def test_the_public_list_shows_state_formed_on_partners_and_source(coalition, client_for):
    make_coalition("IRQ", partners=[donor_for("NOR")], formed_on=D(2023, 5, 2), source="")
    response = client_for(None).get(LIST)
    assert response.status_code == 200
    rows = list(response.context["coalitions"])
    # Botswana's comes from the reference data: known only to exist by 18 September 2018, with an NGO.
    assert [(c.state.iso3, c.partner_count) for c in rows] == [("BWA", 0), ("IRQ", 1), ("LAO", 2)]
    page = response.content.decode()
    assert 'by <time datetime="2018-09-18">18 Sep 2018</time>' in page
    assert "Norwegian People&#x27;s Aid (NGO, not a State)" in page
    assert "ISU press release, 20 Sept 2021" in page and "Not recorded" in page
    assert 'datetime="2021-09-20"' in page
    assert PAGE not in page  # the public may not open a coalition's page


def test_the_public_list_has_a_json_twin(coalition, client_for):
    data = client_for(None).get(LIST, {"format": "json"}).json()
    assert data["coalitions"][0] | {"source": ""} == {
        "state": "BWA",
        "state_name": "Botswana",
        "formed_on": None,
        "formed_precision": None,
        "established_by": "2018-09-18",
        "partners": 0,
        "partner_names": "Norwegian People's Aid (NGO, not a State)",
        "source": "",
    }
    assert data == {
        "coalitions": [
            data["coalitions"][0],
            {
                "state": "LAO",
                "state_name": "Lao People's Democratic Republic",
                "formed_on": "2021-09-20",
                "formed_precision": "day",
                "established_by": None,
                "partners": 2,
                "partner_names": "",
                "source": "ISU press release, 20 Sept 2021",
            },
        ]
    }


def test_members_see_a_link_to_their_coalition_only(coalition, focal_point, other_focal_point, client_for):
    make_coalition("AUS", partners=[])
    page = client_for(focal_point).get(LIST).content.decode()
    assert PAGE in page and "/assistance/coalitions/AUS/" not in page


def test_list_query_count_does_not_grow_with_coalitions(reference_data, client_for, django_assert_num_queries):
    for iso3 in ("LAO", "IRQ", "AFG", "LBN", "TCD"):
        make_coalition(iso3, partners=[donor_for("NOR"), donor_for("DEU")])
    client = client_for(None)
    with django_assert_num_queries(LIST_QUERIES):
        assert client.get(LIST).status_code == 200


# --- A coalition's page ---------------------------------------------------------------------------
@pytest.mark.parametrize("who", ["focal_point", "isu_staff", "coordinator", "donor"])
def test_members_open_the_coalition_page(who, request, lao_needs, client_for):
    user = request.getfixturevalue(who)
    response = client_for(user).get(PAGE)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Country coalition for Lao People&#x27;s Democratic Republic" in page
    assert "Partners&#x27; meeting" in page and "Vientiane" in page
    assert "Mine Action Fund" in page and "Norway" in page


def test_the_page_shows_requests_with_funding_and_partners_pledges(lao_needs, focal_point, client_for):
    response = client_for(focal_point).get(PAGE)
    page = response.context["page"]
    clearance = next(r for r in page.requests if r.pk == lao_needs["clearance"].pk)
    # Germany's match counts in the funding (it funds the request) but is no partner's pledge; the
    # 20,000 delivered were pledged too.
    assert (clearance.funding.pledged, clearance.funding.delivered, clearance.funding.gap) == (
        Decimal("60000"),
        Decimal("20000"),
        Decimal("40000"),
    )
    assert sorted((str(m.offer.donor), m.amount, m.status) for m in page.pledges) == [
        ("Mine Action Fund", Decimal("20000.00"), MatchStatus.DELIVERED),
        ("Norway", Decimal("30000.00"), MatchStatus.ACCEPTED),
    ]  # the declined match is left out
    html = response.content.decode()
    assert "Survey of Xieng Khouang" in html and "Rehabilitation centre" in html
    assert reverse("assistance:request_detail", args=[lao_needs["clearance"].pk]) in html
    assert "German fund" not in html


def test_a_coordinator_sees_only_the_requests_they_may_read(lao_needs, coordinator, client_for):
    page = client_for(coordinator).get(PAGE).content.decode()
    assert "Survey of Xieng Khouang" in page  # clearance: the coordinator's area
    assert "Rehabilitation centre" not in page  # restricted, another area


def test_a_partner_donor_sees_only_the_requests_shared_with_or_matched_to_them(lao_needs, donor, client_for):
    make_request(amount="9000", title="Not shared with Norway")
    shared = make_request(amount="8000", title="Shared with Norway")
    shared.shared_with.add(donor_for("NOR"))
    page = client_for(donor).get(PAGE).content.decode()
    assert "Survey of Xieng Khouang" in page  # matched to Norway's offer
    assert "Rehabilitation centre" in page  # matched too (declined): Norway saw it
    assert "Shared with Norway" in page
    assert "Not shared with Norway" not in page


@pytest.mark.parametrize("who", ["other_focal_point", "outside_donor"])
def test_outsiders_get_404(who, request, coalition, client_for):
    if who == "outside_donor":
        user = make_user(Role.DONOR, iso3="DEU", email="donor.deu@example.org")
    else:
        user = request.getfixturevalue(who)
    client = client_for(user)
    assert client.get(PAGE).status_code == 404
    assert client.post(ADD_MEETING, {"date": "2026-01-10", "title": "Intrusion"}).status_code == 404
    assert not CoalitionMeeting.objects.exists()


def test_the_public_is_asked_to_sign_in(coalition, client_for):
    response = client_for(None).get(PAGE)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_unknown_coalition_is_404(coalition, isu_staff, client_for):
    assert client_for(isu_staff).get("/assistance/coalitions/XXX/").status_code == 404


@pytest.mark.parametrize("requests", [10, 100])
def test_page_query_count_does_not_grow_with_rows(
    requests, coalition, isu_staff, coordinator, client_for, django_assert_num_queries
):
    volume = build(requests=requests, offers=max(requests // 4, 2))
    coalition.partners.add(*Donor.objects.all())
    for n in range(requests // 5):  # Laos's own requests, each matched to a partner's offer
        lao_request = make_request(amount=str(1000 * (n + 1)), title=f"Lao request {n}")
        make_match(lao_request, volume["offers"][n % len(volume["offers"])], amount="500")
    for n in range(5):
        CoalitionMeeting.objects.create(coalition=coalition, date=D(2025, 1, n + 1), title=f"Meeting {n}")
    for user in (isu_staff, coordinator):
        client = client_for(user)
        with django_assert_num_queries(PAGE_QUERIES):
            response = client.get(PAGE)
        assert response.status_code == 200
    assert len(response.context["page"].requests) >= requests // 5
    assert len(response.context["page"].pledges) >= requests // 5


# --- Recording a meeting --------------------------------------------------------------------------
@pytest.mark.parametrize("who", ["coordinator", "isu_staff"])
def test_coordinators_and_the_isu_record_a_meeting(who, request, coalition, client_for):
    user = request.getfixturevalue(who)
    client = client_for(user)
    response = client.post(
        ADD_MEETING,
        {"date": "2026-02-12", "title": " Annual partners' meeting ", "place": "Geneva", "summary": "Survey plan."},
    )
    assert response.status_code == 302
    assert response["Location"] == f"{PAGE}#meetings"
    meeting = CoalitionMeeting.objects.get()
    assert (meeting.coalition, meeting.date, meeting.title, meeting.place) == (
        coalition,
        D(2026, 2, 12),
        "Annual partners' meeting",
        "Geneva",
    )
    entry = AuditEntry.objects.for_object(meeting).get()
    assert entry.action == "assistance.coalition.meeting_added" and entry.actor == user
    assert entry.changes["title"] == [None, "Annual partners' meeting"]
    assert entry.context == {"coalition": "LAO"}
    page = client.get(response["Location"]).content.decode()
    assert "Annual partners&#x27; meeting" in page and "recorded" in page


@pytest.mark.parametrize("who", ["focal_point", "donor"])
def test_members_who_are_not_coordinators_may_not_record_meetings(who, request, coalition, client_for):
    user = request.getfixturevalue(who)
    client = client_for(user)
    assert 'action="/assistance/coalitions/LAO/meetings/new/"' not in client.get(PAGE).content.decode()
    assert client.post(ADD_MEETING, {"date": "2026-02-12", "title": "Ours"}).status_code == 403
    assert not CoalitionMeeting.objects.exists()


def test_a_meeting_without_title_or_date_is_refused_and_keeps_what_was_typed(coalition, coordinator, client_for):
    response = client_for(coordinator).post(
        ADD_MEETING, {"date": "12/02/2026x", "title": "  ", "place": "Vientiane", "summary": "Kept text"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Give the meeting a title." in page and "Give a real date." in page
    assert 'value="Vientiane"' in page and "Kept text" in page and 'value="12/02/2026x"' in page
    assert not CoalitionMeeting.objects.exists()


def test_the_public_cannot_record_a_meeting(coalition, client_for):
    response = client_for(None).post(ADD_MEETING, {"date": "2026-02-12", "title": "Anonymous"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not CoalitionMeeting.objects.exists()


def test_recording_a_meeting_is_post_only(coalition, coordinator, client_for):
    assert client_for(coordinator).get(ADD_MEETING).status_code == 405


def test_the_service_refuses_others_and_checks_its_input(coalition, focal_point, coordinator):
    from django.core.exceptions import PermissionDenied, ValidationError

    with pytest.raises(PermissionDenied):
        coalitions.add_meeting(actor=focal_point, coalition=coalition, date=D(2026, 1, 1), title="Ours")
    with pytest.raises(ValidationError) as error:
        coalitions.add_meeting(actor=coordinator, coalition=coalition, date=None, title="x" * 201, place="y" * 201)
    assert set(error.value.message_dict) == {"date", "title", "place"}
    assert not CoalitionMeeting.objects.exists()
