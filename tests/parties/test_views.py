"""The public registry pages and their JSON twins."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from parties.models import State

pytestmark = pytest.mark.django_db

PERSONAS = ["anonymous", "focal_point", "coordinator", "donor", "isu_staff"]


@pytest.fixture
def persona_client(request, client_for):
    name = request.param
    user = None if name == "anonymous" else request.getfixturevalue(name)
    return client_for(user)


@pytest.mark.parametrize("persona_client", PERSONAS, indirect=True)
def test_everyone_reads_the_list_of_states(persona_client):
    response = persona_client.get("/states/", {"as_of": "2026-11-29"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Chad" in html and "Vanuatu" in html and "Lithuania" in html
    assert len(response.context["states"]) == 125


@pytest.mark.parametrize("persona_client", PERSONAS, indirect=True)
def test_everyone_reads_a_state_profile(persona_client):
    response = persona_client.get("/states/TCD/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Chad" in html
    assert "1 September 2013" in html or "Sept. 1, 2013" in html or "2013-09-01" in html


def test_list_filters_by_status_and_region(client):
    response = client.get("/states/", {"status": "signatory", "region": "Africa", "as_of": "2026-11-29"})
    names = [s.name for s in response.context["states"]]
    assert "Angola" in names and "Kenya" in names
    assert "Chad" not in names  # a State Party
    assert all(s.region == "Africa" for s in response.context["states"])


def test_list_as_of_a_past_date_shows_who_was_there_then(client):
    response = client.get("/states/", {"as_of": "2010-08-01", "format": "json"})
    data = response.json()
    codes = {s["iso3"] for s in data["states"]}
    assert "VUT" not in codes  # acceded in 2025
    assert next(s for s in data["states"] if s["iso3"] == "LTU")["status"] == "signatory"
    assert data["totals"]["state_party"] == 38


def test_json_twin_of_the_list_holds_the_same_facts(client):
    html = client.get("/states/", {"region": "Pacific", "as_of": "2026-11-29"})
    data = client.get("/states/", {"region": "Pacific", "as_of": "2026-11-29", "format": "json"}).json()
    assert [s["iso3"] for s in data["states"]] == [s.iso3 for s in html.context["states"]]
    assert data["count"] == len(data["states"]) == 9
    vanuatu = next(s for s in data["states"] if s["iso3"] == "VUT")
    assert vanuatu == {
        "iso3": "VUT",
        "name": "Vanuatu",
        "region": "Pacific",
        "status": "state_party",
        "signature_date": None,
        "deposit_date": "2025-09-05",
        "deposit_type": "accession",
        "entry_into_force": "2026-03-01",
        "url": "/states/VUT/",
    }
    assert "UN Treaty Collection" in data["source"]


def test_profile_json_gives_dates_deadlines_extensions_and_sources(client):
    data = client.get("/states/BGR/", {"format": "json", "as_of": "2020-06-01"}).json()
    assert data["entry_into_force"] == "2011-10-01"
    assert data["initial_report_due"] == "2012-03-29"
    art3 = next(o for o in data["obligations"] if o["article"] == 3)
    assert art3["original_deadline"] == "2019-10-01"
    assert art3["deadline_as_of"] == "2021-04-01"  # the 9th Meeting's extension, in force since September 2019
    assert "current_deadline" not in art3  # a later fact: only on today's view
    assert [e["stage"] for e in art3["extensions"]] == ["granted"]
    assert "the-monitor.org" in art3["extensions"][0]["source"]
    assert art3["completion_statements"] == []  # completed in 2023
    assert art3["confidence"] == "partly unverified"
    assert art3["source"] is None and art3["notes"] is None  # written today: on today's view
    art4 = next(o for o in data["obligations"] if o["article"] == 4)
    assert art4 == {"article": 4, "label": art4["label"], "recorded": False, "treaty_deadline": "2021-10-01"}
    assert data["reports"] == []
    assert "UNTC" in data["source"]
    today = client.get("/states/BGR/", {"format": "json"}).json()
    art3 = next(o for o in today["obligations"] if o["article"] == 3)
    assert art3["current_deadline"] == art3["deadline_as_of"] == "2023-12-31"
    assert "the-monitor.org" in art3["source"]
    assert {s["completed"]["date"] for s in art3["completion_statements"]} == {"2023", "2023-06"}


def test_profile_shows_uncertainty_and_source_where_the_date_is_shown(client):
    html = client.get("/states/SVK/", {"as_of": "2026-11-29"}).content.decode()
    assert "2023" in html
    assert "(year only)" in html.lower()
    assert "Confirmed" in html
    html = client.get("/states/GIN/").content.decode()
    assert "Disputed" in html


def test_profile_as_of_before_withdrawal_and_after(client):
    before = client.get("/states/LTU/", {"as_of": "2025-03-05", "format": "json"}).json()
    after = client.get("/states/LTU/", {"as_of": "2025-03-06", "format": "json"}).json()
    assert before["status"] == "state_party" and before["bound_by_obligations"] is True
    assert after["status"] == "withdrawn" and after["bound_by_obligations"] is False
    assert after["withdrawal_effective_on"] == "2025-03-06"


def test_unknown_state_is_404_not_500(client):
    assert client.get("/states/XXX/").status_code == 404
    assert client.get("/states/TOOLONG/").status_code == 404
    assert client.get("/states/XXX/", {"format": "json"}).status_code == 404


def test_lowercase_code_redirects_to_the_citable_url(client):
    response = client.get("/states/tcd/", {"as_of": "2020-01-01"})
    assert response.status_code == 301
    assert response["Location"] == "/states/TCD/?as_of=2020-01-01"


@pytest.mark.parametrize("url", ["/states/", "/states/TCD/"])
def test_bad_as_of_is_a_clear_error_that_keeps_the_input(client, url):
    response = client.get(url, {"as_of": "2024-02-30"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter a valid date" in html
    assert 'value="2024-02-30"' in html
    data = client.get(url, {"as_of": "not a date", "format": "json"})
    assert data.status_code == 400
    assert "as_of" in data.json()["errors"]


def test_as_of_before_the_convention_opened_is_refused(client):
    response = client.get("/states/", {"as_of": "2008-01-01", "format": "json"})
    assert response.status_code == 400
    assert "2008-12-03" in response.json()["errors"]["as_of"][0]


def test_unknown_filter_value_is_refused(client):
    response = client.get("/states/", {"region": "Atlantis", "format": "json"})
    assert response.status_code == 400
    assert "region" in response.json()["errors"]


def _queries(client, url, params):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params).status_code == 200
    return len(ctx.captured_queries)


def test_list_query_count_does_not_grow_with_rows(client):
    few = _queries(client, "/states/", {"region": "Middle East"})
    all_rows = _queries(client, "/states/", {})
    json_rows = _queries(client, "/states/", {"format": "json"})
    assert few == all_rows == 2
    assert json_rows == 2


def test_profile_query_count_does_not_grow_with_obligations_or_extensions(client):
    without = _queries(client, "/states/AGO/", {})  # signatory, no obligations
    with_many = _queries(client, "/states/BGR/", {})  # obligation with an extension
    # State, obligations, extensions (with meetings), completion records, Art. 9 records, published reports;
    # then the obligation calendar (deadlines.calendar.load): obligations, extensions, completion records,
    # reports, reports received outside the portal, meetings, reporting rules. A State the Convention has not
    # entered into force for (AGO) has no calendar to load. Plus one for the State's UN sub-region
    # (parties.universalization), and one for its country coalition ({% coalition_for %},
    # assistance/templatetags/coalitions.py). The same on a past day.
    assert without <= with_many == _queries(client, "/states/BGR/", {"as_of": "2019-01-01"}) == 13 + 1 + 1


def test_meetings_list_shows_extension_request_deadlines(client):
    data = client.get("/meetings/", {"format": "json"}).json()
    eleventh = next(m for m in data["meetings"] if m["code"] == "11MSP")
    assert eleventh["extension_requests_due"] == "2022-12-11"
    assert client.get("/meetings/").status_code == 200


def test_a_meeting_known_by_its_month_shows_months_never_an_invented_day(client):
    """The Third Review Conference is known to open in September 2026: its first day and the last day to file an
    extension request (nine months before) are shown to the month, not as the 1st."""
    third = next(m for m in client.get("/meetings/", {"format": "json"}).json()["meetings"] if m["code"] == "3RC")
    assert third["extension_requests_due"] == "2025-12"
    page = client.get("/meetings/").content.decode()
    row = page[page.index("Third Review Conference") :]
    row = row[: row.index("</tr>")]
    assert '<time datetime="2026-09">' in row and '<time datetime="2025-12">' in row
    assert "2026-09-01" not in row and "2025-12-01" not in row


def test_home_page_shows_current_totals(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response.context["totals"]["participants"] == State.objects.participants(dt.date.today()).count()


@pytest.mark.parametrize("persona_client", PERSONAS, indirect=True)
@pytest.mark.parametrize("url", ["/", "/meetings/", "/states/?format=json", "/states/LAO/?format=json"])
def test_public_pages_are_the_same_for_every_persona(persona_client, url):
    from django.test import Client

    assert persona_client.get(url).status_code == 200
    if "json" in url:
        # Signed-in users get exactly the public facts, nothing more.
        assert persona_client.get(url).json() == Client().get(url).json()


def test_the_state_page_shows_the_art9_status_in_effect_on_the_date_with_its_source(client):
    from parties.models import MeasuresStatus, NationalMeasures

    bulgaria = State.objects.get(iso3="BGR")
    NationalMeasures.objects.filter(state=bulgaria).delete()  # the reference record (Monitor 2023)
    NationalMeasures.objects.create(
        state=bulgaria, status=MeasuresStatus.IN_PROGRESS, effective_from=dt.date(2012, 1, 1), source="Form A, 2012"
    )
    NationalMeasures.objects.create(
        state=bulgaria, status=MeasuresStatus.ADOPTED, effective_from=dt.date(2020, 3, 1), source="Law of 1 March 2020"
    )
    assert client.get("/states/BGR/", {"format": "json"}).json()["national_measures"]["status"] == "adopted"
    then = client.get("/states/BGR/", {"format": "json", "as_of": "2015-01-01"}).json()["national_measures"]
    assert (then["status"], then["source"]) == ("in_progress", "Form A, 2012")
    page = client.get("/states/BGR/").content.decode()
    assert "Specific measures adopted" in page and "Law of 1 March 2020" in page
    assert client.get("/states/BGR/", {"format": "json", "as_of": "2011-01-01"}).json()["national_measures"] is None
