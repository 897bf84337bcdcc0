"""Bad input to assistance requests and matches gets a clear error and writes nothing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import ThematicArea
from assistance.models import AssistanceOffer, AssistanceRequest, Donor, RequestStatus
from assistance.services import matching, requests

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def clearance(reference_data):
    return ThematicArea.objects.get(code="clearance-rre")


def request_for(focal_point, clearance, **kw):
    fields = {
        "area": clearance,
        "kind": "financial",
        "title": "Survey in two provinces",
        "description": "Non-technical survey.",
        "period_start": D(2027, 1, 1),
        "period_end": D(2027, 12, 31),
        "amount": Decimal("250000"),
        "currency": "usd",
    }
    return requests.create_request(actor=focal_point, **(fields | kw))


def test_a_focal_point_files_a_request_for_their_state(focal_point, clearance):
    request = request_for(focal_point, clearance)
    assert request.state == focal_point.state and request.currency == "USD"


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"amount": Decimal("-1")}, "amount", "negative"),
        ({"amount": Decimal("99999999999")}, "amount", "larger than any assistance"),
        ({"currency": "XYZ"}, "currency", "ISO 4217"),
        ({"currency": ""}, "currency", "currency of the amount"),
        ({"period_end": D(2026, 12, 31)}, "period_end", "ends before it starts"),
        ({"kind": "moral"}, "kind", "technical, material or financial"),
    ],
)
def test_bad_requests_are_refused_with_a_clear_message(focal_point, clearance, fields, field, message):
    with pytest.raises(ValidationError) as error:
        request_for(focal_point, clearance, **fields)
    assert message in " ".join(error.value.message_dict[field])
    assert not AssistanceRequest.objects.exists()


def test_only_focal_points_file_requests(coordinator, donor, clearance):
    for someone in (coordinator, donor):
        with pytest.raises(PermissionDenied):
            request_for(someone, clearance)


def test_a_closed_request_cannot_be_matched(focal_point, coordinator, donor, clearance):
    request = request_for(focal_point, clearance)
    funder = Donor.objects.create(state=donor.state)
    offer = AssistanceOffer.objects.create(
        donor=funder, title="Clearance fund", period_start=D(2026, 1, 1), period_end=D(2028, 1, 1), created_by=donor
    )
    match = matching.propose_match(
        actor=coordinator, request=request, offer=offer, amount=Decimal(1000), currency="USD"
    )
    assert match.status == "proposed"
    AssistanceRequest.objects.filter(pk=request.pk).update(status=RequestStatus.CLOSED)
    other = AssistanceOffer.objects.create(
        donor=funder, title="Second fund", period_start=D(2026, 1, 1), period_end=D(2028, 1, 1), created_by=donor
    )
    with pytest.raises(ValidationError, match="cannot be matched"):
        matching.propose_match(actor=coordinator, request=request, offer=other, amount=None, currency="")


def test_a_coordinator_of_another_area_cannot_match(focal_point, clearance, donor, reference_data):
    from tests.factories import make_user

    outsider = make_user("coordinator", areas=["victim-assistance"], email="va@example.org")
    request = request_for(focal_point, clearance)
    funder = Donor.objects.create(organization="GICHD")
    offer = AssistanceOffer.objects.create(
        donor=funder, title="Fund", period_start=D(2026, 1, 1), period_end=D(2028, 1, 1), created_by=donor
    )
    with pytest.raises(PermissionDenied):
        matching.propose_match(actor=outsider, request=request, offer=offer, amount=None, currency="")


def test_a_match_is_decided_by_both_sides_then_committed_and_delivered_and_the_gap_shrinks(
    focal_point, coordinator, donor, clearance, django_assert_num_queries
):
    from assistance.models import Match, MatchStatus
    from assistance.selectors.funding import funding
    from audit.models import AuditEntry

    request = request_for(focal_point, clearance)  # 250,000 USD
    funder = Donor.objects.create(state=donor.state)
    offers = [
        AssistanceOffer.objects.create(
            donor=funder, title=f"Fund {n}", period_start=D(2026, 1, 1), period_end=D(2028, 1, 1), created_by=donor
        )
        for n in range(3)
    ]
    first = matching.propose_match(
        actor=coordinator, request=request, offer=offers[0], amount=Decimal(100000), currency="USD"
    )
    second = matching.propose_match(
        actor=coordinator, request=request, offer=offers[1], amount=Decimal(50000), currency="USD"
    )
    euros = matching.propose_match(
        actor=coordinator, request=request, offer=offers[2], amount=Decimal(9000), currency="EUR"
    )
    with pytest.raises(ValidationError):
        matching.decide_match(actor=donor, match=second, accept=False)  # a decline needs a reason
    matching.decide_match(actor=donor, match=second, accept=False, reason="Budget spent this year.")
    for match in (first, euros):
        matching.decide_match(actor=donor, match=match, accept=True)
        matching.decide_match(actor=focal_point, match=match, accept=True)
    with pytest.raises(PermissionDenied):
        matching.advance_match(actor=focal_point, match=first)
    matching.advance_match(actor=donor, match=first)
    with django_assert_num_queries(1):
        money = funding([request])[request.pk]
    # Committed money was pledged first: it counts in both.
    assert (money.pledged, money.committed, money.delivered, money.gap) == (
        Decimal(100000),
        Decimal(100000),
        0,
        Decimal(150000),
    )
    assert money.other_currencies == {"EUR": Decimal(9000)}
    matching.advance_match(actor=donor, match=first)
    assert Match.objects.get(pk=first.pk).status == MatchStatus.DELIVERED
    assert Match.objects.get(pk=second.pk).status == MatchStatus.DECLINED
    assert funding([request])[request.pk].delivered == Decimal(100000)
    assert AuditEntry.objects.filter(action="assistance.match.donor_declined").get().context == {
        "reason": "Budget spent this year."
    }
