"""Assistance offer pages, as the donor's focal point, lesser roles (coordinator, ISU, a focal
point), outsiders (another donor) and the public see them."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role, ThematicArea
from assistance.models import AssistanceOffer, Donor, OfferStatus
from assistance.services import matching, offers
from audit.models import AuditEntry
from parties.models import State
from tests.assistance.test_request_views import file_request, html, text, url
from tests.factories import make_user
from tests.progress.builders import data_committed

pytestmark = pytest.mark.django_db
D = dt.date

# Queries of the list page, whatever the number of rows: session, user, count, the page of offers
# (with donor and State), their areas (one prefetch), the areas of the filter form. The public has
# no session nor user to load.
LIST_QUERIES = {"donor": 6, "coordinator": 6, "focal_point": 6, "public": 4}


@pytest.fixture
def areas(reference_data):
    return {a.code: a for a in ThematicArea.objects.all()}


@pytest.fixture
def gichd_user(reference_data):
    return make_user(Role.DONOR, organization="GICHD", email="donor.gichd@example.org")


def register(actor, area_map, **kw):
    fields = {
        "title": "Clearance fund 2027",
        "areas": [area_map["clearance-rre"]],
        "kinds": ["financial", "technical"],
        "period_start": D(2027, 1, 1),
        "period_end": D(2028, 12, 31),
        "regions": ["Asia"],
        "budget_min": Decimal("50000"),
        "budget_max": Decimal("2000000"),
        "currency": "NOK",
        "conditions": "Co-funding of 10%.",
    }
    return offers.create_offer(actor=actor, **(fields | kw))


@pytest.fixture
def restricted_offer(donor, areas):
    return register(donor, areas)


@pytest.fixture
def public_offer(gichd_user, areas):
    return register(gichd_user, areas, title="Geneva survey capacity", is_public=True, currency="CHF")


def form_data(area_map, **kw):
    data = {
        "title": "Victim assistance capacity",
        "areas": [str(area_map["victim-assistance"].pk), str(area_map["clearance-rre"].pk)],
        "kinds": ["technical", "material"],
        "regions": ["Asia", "Africa"],
        "states": [str(State.objects.get(iso3="LAO").pk)],
        "budget_min": "10000",
        "budget_max": "250000.50",
        "currency": "nok",
        "period_start": "2027-01-01",
        "period_end": "2027-12-31",
        "conditions": "Reporting twice a year.",
        "visibility": "restricted",
    }
    data.update(kw)
    return {k: v for k, v in data.items() if v is not None}


# --- Registering ----------------------------------------------------------------------------------
def test_a_donor_registers_an_offer_and_its_donor_is_created_audited(client_for, donor, areas):
    assert not Donor.objects.exists()
    client = client_for(donor)
    page = html(client.get(url("offer_new")))
    assert "csrfmiddlewaretoken" in page and 'list="currency-codes"' in page
    response = client.post(url("offer_new"), form_data(areas))
    offer = AssistanceOffer.objects.get()
    assert response.status_code == 302 and response["Location"] == url("offer_detail", offer.pk)
    assert offer.donor == Donor.objects.get(state__iso3="NOR")
    assert offer.kinds == ["technical", "material"] and offer.regions == ["Africa", "Asia"]
    assert set(offer.areas.values_list("code", flat=True)) == {"victim-assistance", "clearance-rre"}
    assert list(offer.states.values_list("iso3", flat=True)) == ["LAO"]
    assert (offer.budget_min, offer.budget_max, offer.currency, offer.is_public) == (
        Decimal("10000"),
        Decimal("250000.50"),
        "NOK",
        False,
    )
    assert AuditEntry.objects.filter(action="assistance.donor.created", actor=donor).count() == 1
    entry = AuditEntry.objects.get(action="assistance.offer.created")
    assert entry.actor == donor and entry.changes["budget_max"] == [None, "250000.50"]
    # A second offer reuses the donor.
    client.post(url("offer_new"), form_data(areas, title="Second"))
    assert Donor.objects.count() == 1 and AssistanceOffer.objects.count() == 2


def test_an_organizations_focal_point_offers_for_the_organization(client_for, gichd_user, areas):
    client_for(gichd_user).post(url("offer_new"), form_data(areas))
    assert AssistanceOffer.objects.get().donor == Donor.objects.get(organization="GICHD")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"budget_min": "-1"}, "budget_min", "An amount cannot be negative."),
        ({"budget_max": "99999999999"}, "budget_max", "larger than any assistance on record"),
        ({"budget_min": "300000"}, "budget_max", "The upper end of the budget is below the lower end."),
        ({"currency": "ABC"}, "currency", "“ABC” is not an ISO 4217 currency code"),
        ({"currency": ""}, "currency", "Give the currency of the amount."),
        ({"period_end": "2026-06-30"}, "period_end", "The period ends before it starts."),
        ({"areas": None}, "areas", "Choose at least one thematic area."),
        ({"kinds": None}, "kinds", "Choose technical, material or financial assistance, or several."),
        ({"regions": ["Atlantis"]}, "regions", "Select a valid choice"),
    ],
)
def test_bad_input_is_refused_and_keeps_what_was_typed(client_for, donor, areas, changes, field, message):
    response = client_for(donor).post(url("offer_new"), form_data(areas, **changes))
    assert response.status_code == 400
    page = html(response)
    assert message in text(response) and "There is a problem" in page
    assert 'value="Victim assistance capacity"' in page and "Reporting twice a year." in page
    assert not AssistanceOffer.objects.exists() and not Donor.objects.exists()
    # No user-made change (the reference data load leaves system entries, with no actor).
    assert not AuditEntry.objects.filter(action__startswith="assistance.", actor__isnull=False).exists()


def test_only_donor_focal_points_register_offers(client_for, focal_point, coordinator, isu_staff, areas):
    for someone in (focal_point, coordinator, isu_staff):
        client = client_for(someone)
        assert client.get(url("offer_new")).status_code == 403
        assert client.post(url("offer_new"), form_data(areas)).status_code == 403
    response = client_for(None).get(url("offer_new"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    assert not AssistanceOffer.objects.exists()


def test_offer_forms_need_the_csrf_token(donor, areas):
    client = Client(enforce_csrf_checks=True)
    client.force_login(donor)
    assert client.post(url("offer_new"), form_data(areas)).status_code == 403


# --- List --------------------------------------------------------------------------------------------
def test_who_sees_which_offers(
    client_for, donor, gichd_user, focal_point, coordinator, isu_staff, restricted_offer, public_offer
):
    page = text(client_for(None).get(url("offer_list")))
    assert "Geneva survey capacity" in page and "Clearance fund 2027" not in page
    page = text(client_for(donor).get(url("offer_list")))
    assert "Clearance fund 2027" in page and "Your offer · Restricted" in page and "Register an offer" in page
    assert "Geneva survey capacity" not in page  # a donor starts from their own offers
    page = text(client_for(donor).get(url("offer_list"), {"scope": "all"}))
    assert "Clearance fund 2027" in page and "Geneva survey capacity" in page
    page = text(client_for(gichd_user).get(url("offer_list")))
    assert "Clearance fund 2027" not in page
    for reader in (coordinator, isu_staff):
        page = text(client_for(reader).get(url("offer_list")))
        assert "Clearance fund 2027" in page and "Geneva survey capacity" in page
        assert "Register an offer" not in page
    page = text(client_for(focal_point).get(url("offer_list")))
    assert "Clearance fund 2027" not in page and "Geneva survey capacity" in page
    assert "50,000 NOK – 2,000,000 NOK" in text(client_for(donor).get(url("offer_list")))


def test_the_list_filters_by_status_area_and_kind(client_for, donor, areas, restricted_offer):
    material = register(donor, areas, title="Detectors", kinds=["material"], areas=[areas["stockpile-destruction"]])
    offers.withdraw_offer(actor=donor, offer=material, reason="Stock given away.")
    client = client_for(donor)
    page = text(client.get(url("offer_list"), {"status": "withdrawn"}))
    assert "Detectors" in page and "Clearance fund 2027" not in page
    page = text(client.get(url("offer_list"), {"kind": "financial"}))
    assert "Detectors" not in page and "Clearance fund 2027" in page
    page = text(client.get(url("offer_list"), {"area": areas["stockpile-destruction"].pk}))
    assert "Detectors" in page and "Clearance fund 2027" not in page
    assert client.get(url("offer_list"), {"kind": "moral"}).status_code == 400


@pytest.mark.parametrize("persona", ["donor", "coordinator", "focal_point", "public"])
def test_the_list_makes_the_same_number_of_queries_for_few_and_many_rows(request, client_for, persona, donor, areas):
    user = None if persona == "public" else request.getfixturevalue(persona)
    client = client_for(user)
    for n in range(2):
        register(donor, areas, title=f"Few {n}", is_public=True)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url("offer_list")).status_code == 200
    for n in range(40):
        register(donor, areas, title=f"Many {n}", is_public=True, areas=list(areas.values())[: 1 + n % 4])
    with CaptureQueriesContext(connection) as many:
        response = client.get(url("offer_list"))
    assert "Many 39" in text(response)
    assert len(few) == len(many) == LIST_QUERIES[persona], [q["sql"] for q in many.captured_queries]


def test_the_list_query_count_is_pinned_at_volume(client_for, coordinator, django_assert_num_queries):
    from tests.assistance.volume import build

    build(requests=20, offers=260)
    client = client_for(coordinator)
    with django_assert_num_queries(LIST_QUERIES["coordinator"]):
        response = client.get(url("offer_list"), {"page": 3})
    assert "260 offers" in text(response) and "Page 3 of 6" in text(response)


def test_the_public_list_is_kept_for_every_anonymous_reader_until_the_data_changes(
    settings, client_for, donor, areas, restricted_offer, public_offer
):
    """The public offer list is the same for every anonymous reader, so it is rendered once per change of the public
    data (``@public_page``, as the request list); a signed-in reader always gets their own list."""
    settings.CCM_PAGE_CACHE_SECONDS = 600  # the tests' settings turn the page cache off
    first = Client().get(url("offer_list"), {"kind": "technical"})
    assert first.status_code == 200
    with CaptureQueriesContext(connection) as repeat:
        again = Client().get(url("offer_list"), {"kind": "technical"})
    assert len(repeat) == 0, [q["sql"] for q in repeat.captured_queries]
    page = text(again)
    assert "Geneva survey capacity" in page and "Clearance fund 2027" not in page
    assert "Register an offer" not in page and "Your offer" not in page
    # A signed-in donor gets their own list, and their list is never shown to the public.
    mine = text(client_for(donor).get(url("offer_list"), {"scope": "all", "kind": "technical"}))
    assert "Your offer · Restricted" in mine and "Register an offer" in mine
    page = text(Client().get(url("offer_list"), {"scope": "all", "kind": "technical"}))
    assert "Clearance fund 2027" not in page and "Your offer" not in page
    # A new public offer shows on the next request once committed (the data's version moves).
    register(donor, areas, title="Technical advisers 2027", is_public=True)
    data_committed()
    assert "Technical advisers 2027" in text(Client().get(url("offer_list"), {"kind": "technical"}))


def test_a_public_offers_page_is_kept_for_every_anonymous_reader_until_the_data_changes(
    settings, client_for, donor, restricted_offer, public_offer
):
    """An offer's page is the same for every anonymous reader (``@public_page``, as a request's page): a repeat
    reads nothing; a restricted offer is never kept nor shown; its donor always gets their own page."""
    settings.CCM_PAGE_CACHE_SECONDS = 600  # the tests' settings turn the page cache off
    first = Client().get(url("offer_detail", public_offer.pk))
    assert first.status_code == 200
    with CaptureQueriesContext(connection) as repeat:
        again = Client().get(url("offer_detail", public_offer.pk))
    assert len(repeat) == 0, [q["sql"] for q in repeat.captured_queries]
    assert text(again) == text(first) and "Geneva survey capacity" in text(again)
    assert Client().get(url("offer_detail", restricted_offer.pk)).status_code != 200
    assert client_for(donor).get(url("offer_detail", restricted_offer.pk)).status_code == 200
    public_offer.title = "Geneva survey capacity, extended"
    public_offer.save()
    data_committed()
    assert "Geneva survey capacity, extended" in text(Client().get(url("offer_detail", public_offer.pk)))


# --- An offer's page ----------------------------------------------------------------------------------
def test_the_donor_sees_the_offer_and_its_matches(
    client_for, donor, focal_point, other_focal_point, coordinator, areas, restricted_offer
):
    lao = file_request(focal_point, areas["clearance-rre"], title="Survey in Xieng Khouang")
    match = matching.propose_match(
        actor=coordinator, request=lao, offer=restricted_offer, amount=Decimal("40000"), currency="NOK"
    )
    response = client_for(donor).get(url("offer_detail", restricted_offer.pk))
    assert response.status_code == 200
    page = text(response)
    for label, value in [
        ("Donor", "Norway"),
        ("Thematic areas", "Clearance and risk reduction education"),
        ("Kinds of assistance", "Technical, Financial"),
        ("Regions of interest", "Asia"),
        ("States of interest", "Any State"),
        ("Budget", "50,000 NOK – 2,000,000 NOK"),
        ("Period", "1 January 2027 – 31 December 2028"),
        ("Conditions", "Co-funding of 10%."),
    ]:
        assert re.search(re.escape(label) + r"\s+" + re.escape(value), page), label
    assert "Survey in Xieng Khouang" in page and "40,000 NOK" in page
    assert f'href="/assistance/matches/{match.pk}/"' in html(response)
    assert url("offer_edit", restricted_offer.pk) in html(response)
    # The requesting State now sees the offer, with the match on its own request only.
    other = file_request(other_focal_point, areas["clearance-rre"], title="Australian request")
    matching.propose_match(actor=coordinator, request=other, offer=restricted_offer, amount=None, currency="")
    page = text(client_for(focal_point).get(url("offer_detail", restricted_offer.pk)))
    assert "Survey in Xieng Khouang" in page and "Australian request" not in page
    assert url("offer_edit", restricted_offer.pk) not in page


def test_a_coordinator_reads_but_cannot_change_an_offer(client_for, coordinator, isu_staff, restricted_offer):
    for reader in (coordinator, isu_staff):
        client = client_for(reader)
        response = client.get(url("offer_detail", restricted_offer.pk))
        assert response.status_code == 200 and url("offer_edit", restricted_offer.pk) not in html(response)
        assert client.get(url("offer_edit", restricted_offer.pk)).status_code == 403
        assert client.post(url("offer_withdraw", restricted_offer.pk), {"reason": "No."}).status_code == 403
    assert AssistanceOffer.objects.get().status == OfferStatus.ACTIVE


@pytest.mark.parametrize("outsider", ["gichd_user", "focal_point", "other_focal_point"])
def test_outsiders_get_404_on_a_restricted_offer(request, client_for, outsider, restricted_offer):
    client = client_for(request.getfixturevalue(outsider))
    for name in ("offer_detail", "offer_edit"):
        assert client.get(url(name, restricted_offer.pk)).status_code == 404
    assert client.post(url("offer_withdraw", restricted_offer.pk), {"reason": "x"}).status_code == 404


def test_the_public_reads_a_public_offer_and_is_asked_to_sign_in_for_others(
    client_for, donor, public_offer, restricted_offer
):
    client = client_for(None)
    response = client.get(url("offer_detail", public_offer.pk))
    assert response.status_code == 200 and "Geneva survey capacity" in text(response)
    assert "Matches with requests" not in text(response)
    for pk in (restricted_offer.pk, 999999):
        response = client.get(url("offer_detail", pk))
        assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    # Another donor reads a public offer but cannot change it.
    client = client_for(donor)
    assert client.get(url("offer_detail", public_offer.pk)).status_code == 200
    assert client.get(url("offer_edit", public_offer.pk)).status_code == 403


# --- Changing and withdrawing ---------------------------------------------------------------------------
def test_the_donor_changes_an_offer_and_the_change_is_audited(client_for, donor, areas, restricted_offer):
    client = client_for(donor)
    page = html(client.get(url("offer_edit", restricted_offer.pk)))
    assert 'value="Clearance fund 2027"' in page and 'value="2000000.00"' in page
    response = client.post(
        url("offer_edit", restricted_offer.pk),
        form_data(areas, title="Clearance fund 2027", budget_max="3000000", visibility="public"),
    )
    assert response.status_code == 302
    restricted_offer.refresh_from_db()
    assert restricted_offer.budget_max == Decimal("3000000") and restricted_offer.is_public
    entry = AuditEntry.objects.get(action="assistance.offer.changed")
    assert entry.actor == donor
    assert entry.changes["budget_max"] == ["2000000.00", "3000000"]
    assert entry.changes["is_public"] == [False, True]
    assert entry.changes["kinds"] == [["technical", "financial"], ["technical", "material"]]
    assert "title" not in entry.changes


def test_a_rejected_change_writes_nothing(client_for, donor, areas, restricted_offer):
    response = client_for(donor).post(
        url("offer_edit", restricted_offer.pk), form_data(areas, budget_min="500000", budget_max="1000")
    )
    assert response.status_code == 400
    assert "The upper end of the budget is below the lower end." in text(response)
    restricted_offer.refresh_from_db()
    assert restricted_offer.budget_max == Decimal("2000000")
    assert not AuditEntry.objects.filter(action="assistance.offer.changed").exists()


def test_withdrawing_needs_a_reason_and_is_audited(client_for, donor, restricted_offer):
    client = client_for(donor)
    assert client.get(url("offer_withdraw", restricted_offer.pk)).status_code == 405
    response = client.post(url("offer_withdraw", restricted_offer.pk), {"reason": ""})
    assert response.status_code == 400 and "Say why the offer is withdrawn." in text(response)
    assert AssistanceOffer.objects.get().status == OfferStatus.ACTIVE
    response = client.post(url("offer_withdraw", restricted_offer.pk), {"reason": "Budget reallocated."})
    assert response.status_code == 302
    assert AssistanceOffer.objects.get().status == OfferStatus.WITHDRAWN
    entry = AuditEntry.objects.get(action="assistance.offer.withdrawn")
    assert entry.changes == {"status": ["active", "withdrawn"]} and entry.context == {"reason": "Budget reallocated."}
    response = client.get(url("offer_edit", restricted_offer.pk), follow=True)
    assert "This offer is withdrawn: it can no longer be changed." in text(response)
    page = client.get(url("offer_detail", restricted_offer.pk))
    assert url("offer_edit", restricted_offer.pk) not in html(page)
    assert "Withdrawn by the donor on" in text(page) and "Budget reallocated." in text(page)
