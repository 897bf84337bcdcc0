"""Universalization on the dashboard (/progress/ and its JSON twin) and on the State pages, as of several
dates, against figures computed here from fixtures/states.csv and fixtures/m49_areas.csv."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from parties.models import DepositType, Region, State
from progress import selectors, universalization
from progress.models import Audience
from tests.parties.test_universalization import M49, REGISTRY, expected
from tests.progress.builders import data_committed

pytestmark = pytest.mark.django_db

D = dt.date.fromisoformat
DATES = ["2010-08-01", "2014-09-01", "2015-06-18", "2020-11-24", timezone.localdate().isoformat()]
CENTRAL_AMERICA = {"BLZ", "CRI", "SLV", "GTM", "HND", "MEX", "NIC", "PAN"}
LAST_CENTRAL_DEPOSIT = max(D(r["deposit_date"]) for r in REGISTRY if r["iso3"] in CENTRAL_AMERICA)


def free_areas(day: str) -> dict[str, int]:
    areas, _regions = expected(D(day))
    return {
        key: len(by_status["state_party"])
        for key, by_status in areas.items()
        if set(by_status) == {"state_party"}  # every State of the area a Party
    }


def area_cells(html: str, area: str) -> dict[str, str]:
    row = re.search(rf'<tr[^>]*data-area="{re.escape(area)}">(.*?)</tr>', html, re.S)
    assert row, area
    return dict(re.findall(r'data-status="(\w+)">(\d+)<', row.group(1)))


# --- The figure ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("day", DATES)
def test_the_cluster_munition_free_sub_regions_figure_matches_the_files(day):
    board = selectors.build(as_of=D(day), audience=Audience.PUBLIC)
    figure = board.figure(universalization.FREE_AREAS)
    want = free_areas(day)
    assert figure.section == "universalization"
    assert (figure.numerator, figure.denominator) == (len(want), 22)
    assert figure.breakdown == want
    assert len(figure.states) == sum(want.values())
    assert figure.definition and "M49" in figure.source


def test_central_america_counts_from_the_day_of_its_last_deposit_not_before():
    before = selectors.build(as_of=LAST_CENTRAL_DEPOSIT - dt.timedelta(days=1), audience=Audience.PUBLIC)
    on = selectors.build(as_of=LAST_CENTRAL_DEPOSIT, audience=Audience.PUBLIC)
    assert "Central America" not in before.figure(universalization.FREE_AREAS).breakdown
    assert on.figure(universalization.FREE_AREAS).breakdown["Central America"] == 8
    assert set(on.figure(universalization.FREE_AREAS).states) >= CENTRAL_AMERICA


def test_the_figure_costs_no_query_of_its_own(django_assert_num_queries):
    from progress import membership

    facts = membership.load(D("2020-11-24"))
    with django_assert_num_queries(0):
        universalization.figures(as_of=D("2020-11-24"), audience=Audience.PUBLIC, facts=facts)


# --- The dashboard page and its JSON twin -------------------------------------------------------------------
@pytest.mark.parametrize("day", DATES)
def test_dashboard_table_and_json_show_each_area_on_the_date(client, day):
    areas, regions = expected(D(day))
    html = client.get("/progress/", {"as_of": day}).content.decode()
    assert 'id="section-universalization"' in html and "Universalization" in html
    assert "UN Statistics Division" in html  # the source beside the figures
    for key, by_status in areas.items():
        cells = area_cells(html, key)
        assert cells == {
            s: str(len(by_status.get(s, ()))) for s in ("state_party", "signatory", "withdrawn", "outside")
        }
    data = client.get("/progress/", {"as_of": day, "format": "json"}).json()
    table = data["universalization"]
    for row in table["areas"]:
        by_status = areas[row["key"]]
        assert row["states_parties"] == len(by_status.get("state_party", ()))
        assert row["signatories"] == len(by_status.get("signatory", ()))
        assert row["withdrawn"] == len(by_status.get("withdrawn", ()))
        assert row["outside"] == len(by_status.get("outside", ()))
        assert {s["iso3"] for s in row["states"]["outside"]} == by_status.get("outside", set())
        assert row["cluster_munition_free"] == (row["key"] in free_areas(day))
    for row in table["regions"]:
        assert row["outside"] is None
        assert row["states_parties"] == len(regions[row["key"]].get("state_party", ()))
        assert row["signatories"] == len(regions[row["key"]].get("signatory", ()))
    assert sum(r["total"] for r in table["areas"]) == len(M49)
    figure = next(f for f in data["figures"] if f["key"] == universalization.FREE_AREAS)
    assert figure["numerator"] == len(free_areas(day)) and figure["section_label"] == "Universalization"


def test_nothing_after_the_date_shows(client):
    day = (LAST_CENTRAL_DEPOSIT - dt.timedelta(days=1)).isoformat()
    data = client.get("/progress/", {"as_of": day, "format": "json"}).json()
    central = next(r for r in data["universalization"]["areas"] if r["key"] == "Central America")
    assert central["cluster_munition_free"] is False and central["cluster_munition_free_since"] is None
    assert [s["iso3"] for s in central["states"]["outside"]] == ["BLZ"]  # Belize acceded without signing
    html = client.get("/progress/", {"as_of": day}).content.decode()
    assert LAST_CENTRAL_DEPOSIT.strftime("%-d %B %Y") not in html
    html = client.get("/progress/", {"as_of": LAST_CENTRAL_DEPOSIT.isoformat()}).content.decode()
    row = re.search(r'<tr[^>]*data-area="Central America">(.*?)</tr>', html, re.S).group(1)
    assert (
        f'<time datetime="{LAST_CENTRAL_DEPOSIT.isoformat()}">{LAST_CENTRAL_DEPOSIT.strftime("%-d %B %Y")}</time>'
        in row
    )
    # South Sudan (2023) and Vanuatu (2025) are outside on 2020-11-24, in HTML and JSON.
    data = client.get("/progress/", {"as_of": "2020-11-24", "format": "json"}).json()
    outside = {s["iso3"] for r in data["universalization"]["areas"] for s in r["states"]["outside"]}
    parties = {s["iso3"] for r in data["universalization"]["areas"] for s in r["states"]["state_party"]}
    assert {"SSD", "VUT"} <= outside and not {"SSD", "VUT"} & parties


def test_the_figure_page_lists_the_states_of_the_free_sub_regions(client):
    day = LAST_CENTRAL_DEPOSIT.isoformat()
    data = client.get(f"/progress/{universalization.FREE_AREAS}/", {"as_of": day, "format": "json"}).json()
    assert {s["iso3"] for s in data["states"]} >= CENTRAL_AMERICA


def test_dashboard_queries_do_not_grow_with_states(client, django_assert_num_queries):
    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/progress/", {"as_of": "2026-02-03", "format": "json"}).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    registry = {r["iso3"] for r in REGISTRY}
    State.objects.bulk_create(
        State(
            iso3=row["iso3"],
            name=row["name"],
            region=Region.AFRICA,
            deposit_date=D("2019-01-01"),
            deposit_type=DepositType.ACCESSION,
            source="test",
        )
        for row in M49
        if row["iso3"] not in registry
    )
    data_committed()  # as the commit of those writes would
    assert count() == few
    with django_assert_num_queries(1):
        universalization.table(D("2026-02-03"))


# --- The State page -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("day", DATES)
def test_state_page_and_json_give_the_sub_region_on_the_date(client, day):
    areas, _regions = expected(D(day))
    for iso3, area in (("PAN", "Central America"), ("LTU", "Northern Europe"), ("AUS", "Australia and New Zealand")):
        by_status = areas[area]
        parties, total = len(by_status.get("state_party", ())), sum(len(c) for c in by_status.values())
        data = client.get(f"/states/{iso3}/", {"as_of": day, "format": "json"}).json()["subregion"]
        assert (data["area"], data["states_parties"], data["total"]) == (area, parties, total)
        assert data["outside"] == len(by_status.get("outside", ()))
        assert data["cluster_munition_free"] == (parties == total)
        html = client.get(f"/states/{iso3}/", {"as_of": day}).content.decode()
        assert f"<strong>{parties}</strong> of its {total} States" in html
        assert "UN Statistics Division" in html
        assert ("Every State of the sub-region has been a State Party since" in html) == (parties == total)


def test_state_page_says_central_america_is_free_only_from_its_last_deposit(client):
    before = (LAST_CENTRAL_DEPOSIT - dt.timedelta(days=1)).isoformat()
    html = client.get("/states/MEX/", {"as_of": before}).content.decode()
    assert "<strong>7</strong> of its 8 States" in html
    assert "not every State of the sub-region was a State Party" in html
    html = client.get("/states/MEX/", {"as_of": LAST_CENTRAL_DEPOSIT.isoformat()}).content.decode()
    assert "<strong>8</strong> of its 8 States" in html
    since = LAST_CENTRAL_DEPOSIT.strftime("%-d %B %Y")
    assert f"Every State of the sub-region has been a State Party since {since}." in html
    data = client.get("/states/MEX/", {"as_of": LAST_CENTRAL_DEPOSIT.isoformat(), "format": "json"}).json()
    assert data["subregion"]["cluster_munition_free_since"] == LAST_CENTRAL_DEPOSIT.isoformat()
