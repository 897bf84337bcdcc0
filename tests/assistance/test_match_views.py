"""Proposing a match from the board, and the match page: who sees it, the donor's and the State's
answers, commitment and delivery, the history. Bad input is refused with a clear message and what
was typed is kept."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Role
from assistance.models import Decision, Donor, Match, MatchStatus, OfferStatus, RequestStatus
from audit.models import AuditEntry
from tests.assistance.test_board import make_offer, make_request, norway, text
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def lao_request(focal_point):
    return make_request(focal_point)


@pytest.fixture
def offer(donor):
    return make_offer(donor, norway(donor), title="Lao clearance partnership", states=["LAO"])


@pytest.fixture
def match(lao_request, offer, coordinator):
    return Match.objects.create(
        request=lao_request, offer=offer, amount=Decimal(100000), currency="USD", proposed_by=coordinator
    )


def propose(client, request, offer, **data):
    return client.post(reverse("assistance:match_propose", args=[request.pk]), {"offer": offer.pk, **data})


def detail(match):
    return reverse("assistance:match_detail", args=[match.pk])


# --- Proposing ---------------------------------------------------------------------------------------------
def test_a_coordinator_proposes_a_match_and_lands_on_it(client_for, coordinator, lao_request, offer):
    client = client_for(coordinator)
    response = propose(client, lao_request, offer, amount="120000.50", currency="usd")
    match = Match.objects.get()
    assert response.status_code == 302 and response["Location"] == detail(match)
    assert (match.amount, match.currency, match.status) == (Decimal("120000.50"), "USD", MatchStatus.PROPOSED)
    assert match.proposed_by == coordinator
    entry = AuditEntry.objects.get(action="assistance.match.proposed")
    assert entry.actor == coordinator and entry.changes["amount"] == [None, "120000.50"]
    page = text(client.get(detail(match)))
    assert "Match proposed. The donor’s and the State’s focal points are told by e-mail." in page


def test_the_isu_proposes_in_any_area(client_for, isu_staff, focal_point, donor):
    request = make_request(focal_point, area="victim-assistance")
    offer = make_offer(donor, norway(donor), areas=["victim-assistance"])
    assert propose(client_for(isu_staff), request, offer, amount="", currency="").status_code == 302
    assert Match.objects.get().amount is None


def test_a_closed_request_is_refused_with_a_clear_message(client_for, coordinator, lao_request, offer):
    page = client_for(coordinator).get(reverse("assistance:board_request", args=[lao_request.pk]))
    assert 'name="amount"' in page.content.decode()  # the page was loaded while the request was open
    AssistanceRequest = type(lao_request)
    AssistanceRequest.objects.filter(pk=lao_request.pk).update(status=RequestStatus.CLOSED)
    response = propose(client_for(coordinator), lao_request, offer, amount="1000", currency="USD")
    assert response.status_code == 400
    assert "This request is Closed: it cannot be matched." in text(response)
    assert not Match.objects.exists()


def test_a_duplicate_proposal_is_refused(client_for, coordinator, match, lao_request, offer):
    response = propose(client_for(coordinator), lao_request, offer, amount="5000", currency="USD")
    assert response.status_code == 400
    assert "This offer is already proposed for this request." in text(response)
    assert Match.objects.count() == 1


@pytest.mark.parametrize(
    ("amount", "currency", "field", "message"),
    [
        ("12,5x", "USD", "amount", "Enter the amount as a number"),
        ("-10", "USD", "amount", "An amount cannot be negative."),
        ("99999999999", "USD", "amount", "larger than any assistance on record"),
        ("1000.555", "USD", "amount", "Give at most two decimals."),
        ("1000", "XYZ", "currency", "is not an ISO 4217 currency code"),
        ("1000", "", "currency", "Give the currency of the amount."),
    ],
)
def test_bad_money_is_refused_next_to_the_field_and_what_was_typed_is_kept(
    client_for, coordinator, lao_request, offer, amount, currency, field, message
):
    response = propose(client_for(coordinator), lao_request, offer, amount=amount, currency=currency)
    assert response.status_code == 400
    page = text(response)
    assert "The match was not proposed" in page
    row = re.search(rf'<tr id="offer-{offer.pk}".*?</tr>', page).group(0)
    error = re.search(rf'<ul class="errorlist" id="propose-{offer.pk}-{field}_error">(.*?)</ul>', row)
    assert error and message in error.group(1)
    assert f'aria-describedby="propose-{offer.pk}-{field}_error"' in row
    assert f'value="{amount}"' in row and f'value="{currency}"' in row
    assert f'href="#propose-{offer.pk}-{field}"' in page  # the summary links to the field
    assert not Match.objects.exists()


def test_an_unreadable_amount_and_a_bad_currency_are_reported_together(client_for, coordinator, lao_request, offer):
    response = propose(client_for(coordinator), lao_request, offer, amount="ten thousand", currency="ZZZ")
    assert response.status_code == 400
    summary = re.search(r'<div class="error-summary".*?</div>', text(response)).group(0)
    assert "Enter the amount as a number" in summary
    assert "“ZZZ” is not an ISO 4217 currency code" in summary


def test_a_withdrawn_or_unknown_offer_cannot_be_proposed(client_for, coordinator, lao_request, offer):
    offer.status = OfferStatus.WITHDRAWN
    offer.save()
    response = propose(client_for(coordinator), lao_request, offer, amount="1000", currency="USD")
    assert response.status_code == 400
    assert "This offer was withdrawn by its donor" in text(response)
    response = client_for(coordinator).post(
        reverse("assistance:match_propose", args=[lao_request.pk]), {"offer": 999999, "amount": "1"}
    )
    assert response.status_code == 400
    assert "This offer does not exist." in text(response)
    assert not Match.objects.exists()


def test_only_coordinators_of_the_area_propose(client_for, focal_point, donor, lao_request, offer):
    outsider = make_user(Role.COORDINATOR, areas=["victim-assistance"], email="va@example.org")
    assert propose(client_for(outsider), lao_request, offer, amount="1", currency="USD").status_code == 404
    assert propose(client_for(focal_point), lao_request, offer, amount="1", currency="USD").status_code == 403
    assert propose(client_for(donor), lao_request, offer, amount="1", currency="USD").status_code == 403
    assert propose(client_for(None), lao_request, offer, amount="1", currency="USD").status_code == 302
    assert not Match.objects.exists()


# --- Who sees a match ----------------------------------------------------------------------------------------
def test_both_sides_the_coordinator_and_the_isu_see_the_match(
    client_for, focal_point, donor, coordinator, isu_staff, match
):
    colleague = make_user(Role.DONOR, iso3="NOR", email="second.nor@example.org")
    for user in (focal_point, donor, colleague, coordinator, isu_staff):
        response = client_for(user).get(detail(match))
        assert response.status_code == 200, user
        page = text(response)
        assert "Survey in two provinces" in page and "Lao clearance partnership" in page
        assert "100,000 USD" in page
        assert f'href="{reverse("assistance:request_detail", args=[match.request_id])}"' in page
        assert f'href="{reverse("assistance:offer_detail", args=[match.offer_id])}"' in page


def test_outsiders_get_404_and_the_public_signs_in(client_for, other_focal_point, match):
    other_donor = make_user(Role.DONOR, organization="GICHD", email="gichd@example.org")
    other_coordinator = make_user(Role.COORDINATOR, areas=["victim-assistance"], email="va@example.org")
    for user in (other_focal_point, other_donor, other_coordinator):
        assert client_for(user).get(detail(match)).status_code == 404, user
    response = client_for(None).get(detail(match))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_an_organization_donor_sees_its_match(client_for, focal_point, coordinator, lao_request):
    gichd = Donor.objects.create(organization="GICHD")
    person = make_user(Role.DONOR, organization="gichd", email="gichd@example.org")
    offer = make_offer(person, gichd, title="Survey experts")
    match = Match.objects.create(request=lao_request, offer=offer, proposed_by=coordinator)
    assert client_for(person).get(detail(match)).status_code == 200


# --- Deciding ------------------------------------------------------------------------------------------------
def decide(client, match, **data):
    return client.post(reverse("assistance:match_decide", args=[match.pk]), data)


def test_each_side_answers_and_the_match_is_accepted_when_both_accept(client_for, focal_point, donor, match):
    donor_page = text(client_for(donor).get(detail(match)))
    assert "Your answer for the donor" in donor_page
    response = decide(client_for(donor), match, decision="accept", reason="")
    assert response.status_code == 302 and response["Location"] == detail(match)
    match.refresh_from_db()
    assert (match.donor_decision, match.state_decision, match.status) == ("accepted", "pending", "proposed")
    assert "Your answer" not in text(client_for(donor).get(detail(match)))  # answered already

    assert "Your answer for the State" in text(client_for(focal_point).get(detail(match)))
    decide(client_for(focal_point), match, decision="accept")
    match.refresh_from_db()
    assert match.status == MatchStatus.ACCEPTED
    page = text(client_for(focal_point).get(detail(match)))
    assert "Accepted by the donor" in page and "Accepted by the State" in page  # the history


def test_a_decline_needs_a_reason_and_keeps_what_was_chosen(client_for, focal_point, match):
    response = decide(client_for(focal_point), match, decision="decline", reason="   ")
    assert response.status_code == 400
    page = text(response)
    assert "Say why the match is declined." in page
    assert re.search(r'value="decline"[^>]*checked', page)
    match.refresh_from_db()
    assert match.state_decision == Decision.PENDING

    decide(client_for(focal_point), match, decision="decline", reason="The survey is funded by the budget.")
    match.refresh_from_db()
    assert (match.status, match.state_reason) == (MatchStatus.DECLINED, "The survey is funded by the budget.")
    page = text(client_for(focal_point).get(detail(match)))
    assert "Declined by the State" in page and "The survey is funded by the budget." in page


def test_a_missing_answer_is_refused(client_for, donor, match):
    response = decide(client_for(donor), match, reason="")
    assert response.status_code == 400
    assert "Choose to accept or decline." in text(response)


def test_a_decided_match_cannot_be_answered_again(client_for, focal_point, donor, match):
    decide(client_for(donor), match, decision="decline", reason="No budget left.")
    response = decide(client_for(focal_point), match, decision="accept")
    assert response.status_code == 400
    assert "This match was already decided." in text(response)


def test_coordinators_see_but_do_not_answer(client_for, coordinator, isu_staff, match):
    assert "Your answer" not in text(client_for(coordinator).get(detail(match)))
    assert decide(client_for(coordinator), match, decision="accept").status_code == 403
    assert decide(client_for(isu_staff), match, decision="accept").status_code == 403


def test_outsiders_cannot_answer(client_for, other_focal_point, match):
    assert decide(client_for(other_focal_point), match, decision="accept").status_code == 404
    assert decide(client_for(None), match, decision="accept").status_code == 302
    match.refresh_from_db()
    assert match.status == MatchStatus.PROPOSED


# --- Commitment and delivery ---------------------------------------------------------------------------------
def advance(client, match):
    return client.post(reverse("assistance:match_advance", args=[match.pk]), follow=True)


def test_the_donor_records_commitment_then_delivery(client_for, focal_point, donor, match):
    response = advance(client_for(donor), match)
    assert "Only an accepted match can be committed" in text(response)
    Match.objects.filter(pk=match.pk).update(
        status=MatchStatus.ACCEPTED, donor_decision=Decision.ACCEPTED, state_decision=Decision.ACCEPTED
    )
    assert "Record the commitment" in text(client_for(donor).get(detail(match)))
    assert "Record the commitment" not in text(client_for(focal_point).get(detail(match)))
    assert "Commitment recorded." in text(advance(client_for(donor), match))
    assert "Delivery recorded." in text(advance(client_for(donor), match))
    match.refresh_from_db()
    assert match.status == MatchStatus.DELIVERED
    page = text(client_for(focal_point).get(detail(match)))
    assert "Committed by the donor" in page and "Delivered by the donor" in page
    assert list(AuditEntry.objects.for_object(match).order_by("id").values_list("action", flat=True)) == [
        "assistance.match.committed",
        "assistance.match.delivered",
    ]


def test_only_the_donor_advances(client_for, focal_point, coordinator, other_focal_point, match):
    Match.objects.filter(pk=match.pk).update(status=MatchStatus.ACCEPTED)
    url = reverse("assistance:match_advance", args=[match.pk])
    assert client_for(focal_point).post(url).status_code == 403
    assert client_for(coordinator).post(url).status_code == 403
    assert client_for(other_focal_point).post(url).status_code == 404
    assert client_for(focal_point).get(url).status_code == 405
    match.refresh_from_db()
    assert match.status == MatchStatus.ACCEPTED
