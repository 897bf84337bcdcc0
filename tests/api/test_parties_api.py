"""The registry in the open-data API: States as of any day, their profiles, meetings, obligations and extension
requests (``api/routers/states.py``, ``meetings.py``, ``obligations.py``), on the real reference data."""

import datetime as dt
import re
from collections import defaultdict

import pytest

from parties import selectors

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 29)
API = "/api/v1"
LISTS = ["/states", "/obligations", "/obligations/extensions", "/meetings"]
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")


@pytest.fixture(autouse=True)
def _today(set_today):
    set_today(TODAY)


def get(client, path, params=None, status=200, **extra):
    response = client.get(API + path, params or {}, **extra)
    assert response.status_code == status, response.content
    return response.json()


def every(client, path, params=None):
    """Every result of a list, following its ``next`` links."""
    page = get(client, path, {**(params or {}), "page_size": 500})
    assert page["next"] is None
    return page["results"]


def by_iso3(results):
    return {row["iso3"]: row for row in results}


# --- States ---------------------------------------------------------------------------------------------------------


def test_a_state_in_the_list_has_its_status_treaty_dates_links_and_sources(client):
    lao = by_iso3(get(client, "/states", {"region": "Asia"})["results"])["LAO"]
    assert lao == {
        "iso3": "LAO",
        "name": "Lao People's Democratic Republic",
        "region": {"code": "Asia", "label": "Asia"},
        "status": {"code": "state_party", "label": "State Party"},
        "signed_on": "2008-12-03",
        "deposit": {"type": {"code": "ratification", "label": "Ratification"}, "date": "2009-03-18"},
        "entry_into_force_on": "2010-08-01",
        "url": "http://testserver/api/v1/states/LAO",
        "page_url": "http://testserver/states/LAO/",
        "sources": {
            "treaty_dates": lao["sources"]["treaty_dates"],
            "crosscheck": "UNTC snapshot only",
            "entry_into_force": lao["sources"]["entry_into_force"],
        },
    }
    assert "UNTC MTDSG XXVI-6" in lao["sources"]["treaty_dates"]
    assert "Art. 17" in lao["sources"]["entry_into_force"]
    assert get(client, "/states/LAO")["iso3"] == "LAO"
    assert client.get(lao["page_url"]).status_code == 200


def test_the_list_holds_the_same_states_and_facts_as_the_page(client):
    api = every(client, "/states", {"as_of": "2026-11-29"})
    page = client.get("/states/", {"as_of": "2026-11-29", "format": "json"}).json()["states"]
    assert [s["iso3"] for s in api] == [s["iso3"] for s in page]
    assert len(api) == 125
    for ours, theirs in zip(api, page, strict=True):
        assert ours["status"]["code"] == theirs["status"]
        assert ours["signed_on"] == theirs["signature_date"]
        assert (ours["deposit"] or {}).get("date") == theirs["deposit_date"]
        assert ours["entry_into_force_on"] == theirs["entry_into_force"]


def test_as_of_a_past_day_a_state_that_joined_later_is_a_signatory_or_absent(client):
    states = by_iso3(every(client, "/states", {"as_of": "2010-08-01"}))
    assert len(states) == 108
    assert "VUT" not in states  # acceded in 2025
    australia = states["AUS"]  # signed in 2008, ratified in 2012
    assert australia["status"] == {"code": "signatory", "label": "Signatory"}
    assert australia["signed_on"] == "2008-12-03"
    assert australia["deposit"] is None and australia["entry_into_force_on"] is None
    assert australia["url"] == "http://testserver/api/v1/states/AUS?as_of=2010-08-01"
    assert australia["page_url"] == "http://testserver/states/AUS/?as_of=2010-08-01"
    assert states["LTU"]["status"]["code"] == "signatory"
    later = by_iso3(every(client, "/states", {"as_of": "2025-03-06"}))
    assert later["LTU"]["status"] == {"code": "withdrawn", "label": "Withdrawn"}
    assert later["AUS"]["deposit"]["date"] == "2012-10-08"


def test_the_list_filters_by_status_region_and_name_or_code(client):
    signatories = every(client, "/states", {"status": "signatory", "region": "Africa"})
    codes = {s["iso3"] for s in signatories}
    assert {"AGO", "KEN"} <= codes and "TCD" not in codes
    assert {(s["status"]["code"], s["region"]["code"]) for s in signatories} == {("signatory", "Africa")}
    assert [s["iso3"] for s in every(client, "/states", {"q": "lao"})] == ["LAO"]
    assert [s["iso3"] for s in every(client, "/states", {"q": "norw"})] == ["NOR"]
    assert every(client, "/states", {"q": "Atlantis"}) == []


def test_totals_are_the_registry_s_and_count_the_states_listed(client):
    totals = get(client, "/states/totals", {"as_of": "2010-08-01"})
    expected = selectors.membership_totals(dt.date(2010, 8, 1))
    assert totals["state_party"] == expected["state_party"] == 38
    assert totals["participants"] == 108
    assert sum(r["state_parties"] for r in totals["parties_by_region"]) == 38
    assert {r["region"]["code"]: r["state_parties"] for r in totals["parties_by_region"]} == expected[
        "parties_by_region"
    ]
    listed = client.get(totals["states_url"]).json()
    assert listed["count"] == totals["participants"]


# --- One State ------------------------------------------------------------------------------------------------------


def test_a_state_s_profile_gives_its_obligations_with_deadlines_extensions_and_sources(client):
    lao = get(client, "/states/LAO")
    assert lao["as_of"] == "2026-11-29"
    assert lao["status"]["code"] == "state_party" and lao["bound_by_obligations"] is True
    assert lao["initial_report_due"] == "2011-01-28"
    assert lao["notes"] is None  # no ISU notes: null, never ""
    art3, art4 = lao["obligations"]
    assert art3["article"] == 3 and art3["recorded"] is False and art3["treaty_deadline"] == "2018-08-01"
    assert art3["status"] is None and art3["original_deadline"] is None and art3["extensions"] == []
    assert art4["kind"] == "clearance"
    assert art4["original_deadline"] == {"date": "2020-08-01", "precision": "day"}
    assert art4["deadline_in_force"] == {"date": "2025-08-01", "precision": "day"}
    assert art4["deadline_set_by"]["meeting"]["code"] == "9MSP"
    assert art4["deadline_set_by"]["decided"] == {"date": "2019-09", "precision": "month"}  # no invented day
    assert art4["status"]["code"] == "open" and art4["deadline_passed"] is True
    assert "clusterconvention.org" in art4["source"]
    first, second = art4["extensions"]
    assert first["stage"]["code"] == "granted"
    assert first["submitted"] == {"date": "2019-02-26", "precision": "day"}
    assert first["filing_window"]["verdict"]["code"] == "late" and first["filing_window"]["due"] == "2018-12-02"
    assert first["granted_until"] == {"date": "2025-08-01", "precision": "day"}
    assert first["requested_until"] is None  # no source gives it: null
    assert second["stage"]["code"] == "no_outcome" and second["meeting"]["code"] == "12MSP"
    assert client.get(second["meeting"]["url"]).json()["code"] == "12MSP"


def test_sources_that_date_a_completion_only_to_a_month_are_given_so(client):
    norway = get(client, "/states/NOR", {"as_of": "2015-01-01"})
    art3, art4 = norway["obligations"]
    assert [s["completed"] for s in art3["completion_statements"]] == [{"date": "2010-07-16", "precision": "day"}]
    assert art3["status"]["code"] == "completed" and art3["completed_from"] == "2010-07-16"
    assert art4["completion_statements"][0]["completed"] == {"date": "2013-09", "precision": "month"}
    assert art4["completed_from"] == "2013-09-30"  # the first day it is certain, not a day the source gave
    assert norway["national_measures"] is None  # recorded from August 2015
    assert art3["source"] is None and art3["notes"] is None  # written today: on today's view only
    today = get(client, "/states/NOR")
    assert today["national_measures"]["status"]["code"] == "adopted"
    assert today["national_measures"]["effective"] == {"date": "2015-08-10", "precision": "day"}
    assert today["obligations"][0]["source"]


def test_a_profile_as_of_a_past_day_leaves_out_later_facts(client):
    bulgaria = get(client, "/states/BGR", {"as_of": "2020-06-01"})
    art3 = bulgaria["obligations"][0]
    assert art3["deadline_in_force"] == {"date": "2021-04-01", "precision": "day"}
    assert [e["stage"]["code"] for e in art3["extensions"]] == ["granted"]
    assert art3["completion_statements"] == [] and art3["status"]["code"] == "open"
    assert bulgaria["national_measures"] is None
    before = get(client, "/states/AUS", {"as_of": "2012-01-01"})  # ratified on 8 October 2012
    assert before["status"]["code"] == "signatory"
    assert before["deposit"] is None and before["entry_into_force_on"] is None
    assert before["initial_report_due"] is None and before["obligations"] == []
    not_yet = get(client, "/states/VUT", {"as_of": "2020-01-01"})  # acceded in 2025
    assert not_yet["status"] is None and not_yet["signed_on"] is None and not_yet["deposit"] is None
    withdrawn = get(client, "/states/LTU", {"as_of": "2025-03-06"})
    assert withdrawn["status"]["code"] == "withdrawn" and withdrawn["withdrawal_effective_on"] == "2025-03-06"


def test_a_lowercase_code_answers_for_the_upper_case_one(client):
    assert get(client, "/states/lao") == get(client, "/states/LAO")


def test_unknown_codes_are_404_problems(client):
    problem = get(client, "/states/XXX", status=404)
    assert "XXX" in problem["detail"]
    assert "XXX" in get(client, "/states/xxx", status=404)["detail"]
    assert "99MSP" in get(client, "/meetings/99MSP", status=404)["detail"]


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/states/TOOLONG", {}),
        ("/states/L4O", {}),
        ("/states", {"as_of": "2024-02-30"}),
        ("/states", {"as_of": "not a date"}),
        ("/states", {"as_of": "20240203"}),
        ("/states", {"as_of": "0"}),
        ("/states", {"as_of": ""}),
        ("/states", {"as_of": "2100-01-01"}),
        ("/states", {"region": "Atlantis"}),
        ("/states", {"status": "member"}),
        ("/states", {"q": "x" * 81}),
        ("/states", {"page": 0}),
        ("/states", {"page_size": 100_000}),
        ("/states/totals", {"as_of": "2024-13-01"}),
        ("/states/LAO", {"as_of": "2024-02-30"}),
        ("/meetings", {"kind": "conference"}),
        ("/meetings/9MSP!", {}),
        ("/obligations", {"state": "LA"}),
        ("/obligations", {"article": 5}),
        ("/obligations", {"as_of": "yesterday"}),
        ("/obligations/extensions", {"stage": "approved"}),
        ("/obligations/extensions", {"meeting": "9 MSP"}),
    ],
)
def test_bad_dates_codes_and_filters_are_422_problems(client, path, params):
    problem = get(client, path, params, status=422)
    assert problem["detail"]


@pytest.mark.parametrize(
    "path", ["/states", "/states/totals", "/states/LAO", "/obligations", "/obligations/extensions"]
)
def test_a_day_outside_the_record_is_refused_with_the_reason(client, path):
    problem = get(client, path, {"as_of": "2008-12-02"}, status=422)
    assert "2008-12-03" in str(problem["detail"])
    get(client, path, {"as_of": "2008-12-03"})
    get(client, path, {"as_of": "2099-12-31"})
    problem = get(client, path, {"as_of": "9999-12-31"}, status=422)
    assert "2099-12-31" in str(problem["detail"])


# --- Meetings ---------------------------------------------------------------------------------------------------------


def test_meetings_in_order_with_their_dates_sources_and_links(client):
    meetings = every(client, "/meetings")
    assert [m["code"] for m in meetings][:3] == ["1MSP", "2MSP", "3MSP"]
    assert meetings[0] == {
        "code": "1MSP",
        "name": "First Meeting of States Parties",
        "kind": {"code": "msp", "label": "Meeting of States Parties (Art. 11)"},
        "start_date": {"date": "2010-11-09", "precision": "day"},
        "end_date": "2010-11-12",
        "place": "Vientiane",
        "extension_requests_due": {"date": "2010-02-09", "precision": "day"},
        "notes": "Vientiane Action Plan adopted",
        "source": "stopclustermunitions.org (1MSP page)",
        "url": "http://testserver/api/v1/meetings/1MSP",
        "page_url": "http://testserver/meetings/",
        "extension_requests_url": "http://testserver/api/v1/obligations/extensions?meeting=1MSP",
    }
    eleventh = get(client, "/meetings/11msp")
    assert eleventh["extension_requests_due"] == {"date": "2022-12-11", "precision": "day"}
    assert {m["kind"]["code"] for m in every(client, "/meetings", {"kind": "rc"})} == {"rc"}
    ninth = client.get(get(client, "/meetings/9MSP")["extension_requests_url"]).json()["results"]
    assert {e["state"]["iso3"] for e in ninth} == {"BGR", "DEU", "LAO"}
    assert {e["meeting"]["code"] for e in ninth} == {"9MSP"}


def test_a_meeting_known_only_by_its_month_gets_no_invented_day(client):
    response = client.get(API + "/meetings/3RC")
    third = response.json()
    assert third["start_date"] == {"date": "2026-09", "precision": "month"}
    assert third["extension_requests_due"] == {"date": "2025-12", "precision": "month"}
    assert third["end_date"] is None and third["place"] is None  # not recorded: null
    assert b"2026-09-01" not in response.content and b"2025-12-01" not in response.content


# --- Obligations and extensions -------------------------------------------------------------------------------------


def test_obligations_as_of_a_day_with_the_deadline_then_in_force(client):
    then = every(client, "/obligations", {"as_of": "2020-06-01", "state": "bgr"})
    assert len(then) == 1
    art3 = then[0]
    assert art3["state"] == {"iso3": "BGR", "name": "Bulgaria"}
    assert art3["state_url"] == "http://testserver/api/v1/states/BGR?as_of=2020-06-01"
    assert (art3["article"], art3["kind"]) == (3, "stockpile_destruction")
    assert art3["original_deadline"] == {"date": "2019-10-01", "precision": "day"}
    assert art3["confidence"] == {"code": "partly unverified", "label": "Partly unverified"}
    assert art3["deadline_in_force"] == {"date": "2021-04-01", "precision": "day"}
    assert art3["deadline_set_by"]["meeting"]["code"] == "9MSP"
    assert art3["status"]["code"] == "open" and art3["completed_from"] is None
    assert art3["source"] is None and art3["notes"] is None
    extensions = client.get(art3["extensions_url"]).json()["results"]
    assert [e["stage"]["code"] for e in extensions] == ["granted"]
    now = every(client, "/obligations", {"state": "BGR"})[0]
    assert now["status"]["code"] == "completed" and now["completed_from"] == "2023-06-30"
    assert now["deadline_in_force"] == {"date": "2023-12-31", "precision": "day"}
    assert "the-monitor.org" in now["source"]


def test_obligations_of_states_not_yet_parties_are_not_listed(client):
    assert every(client, "/obligations", {"as_of": "2011-01-01", "state": "BGR"}) == []  # deposit April 2011
    early = every(client, "/obligations", {"as_of": "2011-01-01"})
    late = every(client, "/obligations")
    assert 0 < len(early) < len(late) == 64
    norway = every(client, "/obligations", {"state": "NOR"})
    assert [o["article"] for o in norway] == [3, 4]
    assert [o["article"] for o in every(client, "/obligations", {"state": "NOR", "article": 4})] == [4]


def test_an_extension_is_listed_once_filed_and_its_outcome_once_decided(client):
    def lao(as_of):
        return every(client, "/obligations/extensions", {"state": "LAO"} | ({"as_of": as_of} if as_of else {}))

    assert lao("2019-02-25") == []  # submitted on 26 February 2019
    (pending,) = lao("2019-03-01")
    assert pending["stage"]["code"] == "pending"
    assert pending["submitted"] == {"date": "2019-02-26", "precision": "day"}
    assert pending["decided"] is None and pending["granted_until"] is None and pending["in_force_from"] is None
    assert pending["source"] is None and pending["notes"] is None
    (granted,) = lao("2019-09-04")  # the 9th Meeting's last day; decided "September 2019"
    assert granted["stage"]["code"] == "granted"
    assert granted["decided"] == {"date": "2019-09", "precision": "month"}
    assert granted["in_force_from"] == "2019-09-04"
    assert granted["granted_until"] == {"date": "2025-08-01", "precision": "day"}
    assert "clusterconvention.org" in granted["source"] and granted["notes"] is None
    today = lao(None)  # no as_of: today
    assert [e["stage"]["code"] for e in today] == ["granted", "no_outcome"]
    assert today[0]["notes"]  # the ISU's notes, on today's view
    assert today[0]["state"] == {"iso3": "LAO", "name": "Lao People's Democratic Republic"}
    assert today[0]["kind"] == "clearance"


def test_extensions_filter_by_article_meeting_and_stage(client):
    granted = every(client, "/obligations/extensions", {"stage": "granted", "article": 3})
    assert granted and {(e["stage"]["code"], e["article"]) for e in granted} == {("granted", 3)}
    assert {e["meeting"]["code"] for e in every(client, "/obligations/extensions", {"meeting": "9msp"})} == {"9MSP"}


FACTS = (
    "article",
    "kind",
    "label",
    "original_deadline",
    "deadline_in_force",
    "deadline_set_by",
    "hostilities_ended_on",
    "status",
    "completed_from",
    "deadline_passed",
    "confidence",
    "source",
    "notes",
)
DAYS = ["2010-08-01", "2019-03-01", "2019-09-03", "2019-09-04", "2021-03-01", "2024-01-01", None]


@pytest.mark.parametrize("as_of", DAYS)
def test_the_lists_say_what_each_state_s_profile_says(client, as_of):
    """The lists are built from the models' methods, the profile from ``parties.selectors.state_profile``:
    every obligation and every request, State by State, must read the same in both."""
    params = {"as_of": as_of} if as_of else {}
    obligations = every(client, "/obligations", params)
    extensions = defaultdict(list)
    for extension in every(client, "/obligations/extensions", params):
        extensions[(extension["state"]["iso3"], extension["article"])].append(extension)
    profiles = {}
    for listed in obligations:
        iso3 = listed["state"]["iso3"]
        profile = profiles.get(iso3) or profiles.setdefault(iso3, get(client, f"/states/{iso3}", params))
        shown = next(o for o in profile["obligations"] if o["article"] == listed["article"])
        assert {k: listed[k] for k in FACTS} == {k: shown[k] for k in FACTS}, (iso3, listed["article"])
        requests = [
            {k: v for k, v in e.items() if k not in ("state", "state_url", "article", "kind")}
            for e in extensions.pop((iso3, listed["article"]), [])
        ]
        assert requests == shown["extensions"], (iso3, listed["article"])
    assert extensions == {}  # every request listed belongs to an obligation listed


# --- What every list shares ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", LISTS)
def test_pages_link_absolutely_to_their_neighbours_with_the_filters_kept(client, path):
    seen, url, pages = [], f"http://testserver{API}{path}?page_size=5&as_of=2026-11-29", 0
    first = client.get(url).json()
    while url:
        page = client.get(url).json()
        assert page["count"] == first["count"]
        if page["next"]:
            assert page["next"].startswith("http://testserver/api/v1/") and "as_of=2026-11-29" in page["next"]
            assert client.get(page["next"]).json()["previous"].startswith("http://testserver/api/v1/")
        seen += page["results"]
        url, pages = page["next"], pages + 1
    assert len(seen) == first["count"] > 5 and pages == -(-first["count"] // 5)
    assert first["previous"] is None
    assert seen == every(client, path, {"as_of": "2026-11-29"})


def test_links_are_built_from_the_host_asked(client):
    lao = get(client, "/states/LAO", HTTP_HOST="localhost")
    assert lao["url"].startswith("http://localhost/api/v1/") and lao["page_url"].startswith("http://localhost/")
    page = get(client, "/meetings", {"page_size": 2}, HTTP_HOST="localhost")
    assert page["next"].startswith("http://localhost/api/v1/meetings?")


# States 2 (count, page); obligations 4 (count, page, extensions with their meetings, completion records);
# extension requests 1 (every request with its State and meeting: filtered on dates in Python); meetings 2.
QUERIES = {"/states": 2, "/obligations": 4, "/obligations/extensions": 1, "/meetings": 2}


@pytest.mark.parametrize("path", LISTS)
def test_a_list_costs_the_same_queries_whatever_the_page_size(client, django_assert_max_num_queries, path):
    with django_assert_max_num_queries(QUERIES[path]):
        few = get(client, path, {"page_size": 5})
    with django_assert_max_num_queries(QUERIES[path]):
        many = get(client, path, {"page_size": 200})
    assert len(few["results"]) == 5 < len(many["results"]) == many["count"]


def test_a_profile_costs_the_same_queries_whatever_its_obligations(client, django_assert_max_num_queries):
    # The State, its obligations, their extensions (with meetings), completion records, Art. 9 records.
    for code in ("AGO", "AUS", "LAO", "BGR", "NOR"):
        with django_assert_max_num_queries(5):
            get(client, f"/states/{code}")
    with django_assert_max_num_queries(1):
        get(client, "/states/totals")
    with django_assert_max_num_queries(1):
        get(client, "/meetings/9MSP")


# --- The public's data only -----------------------------------------------------------------------------------------

EVERY_ANSWER = [
    *(path + "?page_size=500" for path in LISTS),
    "/states/totals",
    "/states/LAO",
    "/states/AUS",
    "/states/NOR",
    "/states/BGR?as_of=2020-06-01",
    "/meetings/3RC",
]


@pytest.mark.parametrize("path", EVERY_ANSWER)
def test_no_answer_holds_personal_data_and_everyone_reads_the_same(
    client_for, focal_point, other_focal_point, donor, isu_staff, path
):
    public = client_for(None).get(API + path)
    assert public.status_code == 200
    text = public.content.decode()
    assert EMAIL.search(text) is None
    for user in (focal_point, other_focal_point, donor, isu_staff):
        assert user.email not in text and user.full_name not in text
    assert client_for(isu_staff).get(API + path).json() == public.json()
