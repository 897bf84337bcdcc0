"""Universalization by UN sub-region (M49) and ISU region, as of any date, checked against figures computed
here straight from fixtures/states.csv and fixtures/m49_areas.csv (not through the portal's code)."""

import csv
import datetime as dt
from collections import defaultdict
from pathlib import Path

import pytest

from parties import universalization
from parties.models import DepositType, Region, State

pytestmark = pytest.mark.django_db

D = dt.date.fromisoformat
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
DATES = ["2008-12-03", "2010-01-01", "2010-08-01", "2014-09-01", "2014-09-02", "2015-06-18", "2020-11-24"]
NON_MEMBERS = {"VAT", "PSE", "COK", "NIU"}  # take part in the Convention's world without being UN members


def _rows(name: str) -> list[dict[str, str]]:
    with (FIXTURES / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


REGISTRY = _rows("states.csv")
M49 = _rows("m49_areas.csv")


def expected_status(row: dict[str, str], day: dt.date) -> str:
    def on(column: str) -> bool:
        return bool(row[column]) and D(row[column]) <= day

    if on("withdrawal_effective_date"):
        return "withdrawn"
    if on("deposit_date"):
        return "state_party"
    if on("signature_date"):
        return "signatory"
    return "outside"


def expected(day: dt.date) -> tuple[dict[str, dict[str, set[str]]], dict[str, dict[str, set[str]]]]:
    """By M49 area and by ISU region: status → ISO3 codes on ``day``."""
    status = {row["iso3"]: expected_status(row, day) for row in REGISTRY}
    areas: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for row in M49:
        areas[row["intermediate_region"] or row["subregion"]][status.get(row["iso3"], "outside")].add(row["iso3"])
    regions: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for row in REGISTRY:
        if status[row["iso3"]] != "outside":
            regions[row["region"]][status[row["iso3"]]].add(row["iso3"])
    return areas, regions


# --- The M49 file ------------------------------------------------------------------------------------------
def test_the_m49_file_holds_every_un_member_and_the_four_other_states_once():
    codes = [row["iso3"] for row in M49]
    assert len(codes) == len(set(codes)) == 193 + len(NON_MEMBERS)
    assert set(codes) >= NON_MEMBERS
    assert len({row["m49_code"] for row in M49}) == len(M49)
    assert all(len(row["m49_code"]) == 3 and row["m49_code"].isdigit() for row in M49)
    assert {row["region"] for row in M49} == {"Africa", "Americas", "Asia", "Europe", "Oceania"}
    assert all(row["source"].startswith("UN Statistics Division") for row in M49)


def test_every_state_of_the_registry_is_in_the_m49_file_under_the_same_code():
    m49 = {row["iso3"] for row in M49}
    assert {row["iso3"] for row in REGISTRY} - m49 == set()
    assert len(REGISTRY) == 125


def test_central_america_is_the_eight_states_of_m49_mexico_included():
    central = {row["iso3"] for row in M49 if row["intermediate_region"] == "Central America"}
    assert central == {"BLZ", "CRI", "SLV", "GTM", "HND", "MEX", "NIC", "PAN"}
    by_code = {row["iso3"]: row for row in M49}
    assert by_code["MEX"]["m49_code"] == "484" and by_code["MEX"]["subregion"] == "Latin America and the Caribbean"
    assert by_code["CYP"]["subregion"] == "Western Asia"  # the ISU counts Cyprus in Europe; M49 does not
    assert by_code["PSE"]["m49_code"] == "275" and by_code["VAT"]["subregion"] == "Southern Europe"


def test_every_area_has_a_translatable_label_and_the_module_reads_the_same_file():
    areas = {row["intermediate_region"] or row["subregion"] for row in M49}
    assert areas == set(universalization.AREA_LABELS)
    assert len(areas) == 22
    loaded = universalization.m49()
    assert set(loaded) == {row["iso3"] for row in M49}
    assert loaded["HND"].area == "Central America" and loaded["USA"].area == "Northern America"


# --- Counts as of a date ------------------------------------------------------------------------------------
@pytest.mark.parametrize("day", [*DATES, dt.date.today().isoformat()])
def test_areas_and_regions_match_the_files_on_each_date(day):
    areas, regions = expected(D(day))
    view = universalization.overview(D(day))
    assert {a.key for a in view.areas} == set(areas)
    for area in view.areas:
        want = areas[area.key]
        for status in ("state_party", "signatory", "withdrawn", "outside"):
            assert set(area.states[status]) == want.get(status, set()), (area.key, status)
        assert area.total == sum(len(codes) for codes in want.values())
        assert area.cluster_munition_free == (area.total == len(want.get("state_party", set())))
    for region in view.regions:
        assert region.outside is None  # States outside the Convention have no ISU region
        for status in ("state_party", "signatory", "withdrawn"):
            assert set(region.states[status]) == regions[region.key].get(status, set()), (region.key, status)
    assert {r.key for r in view.regions} == set(Region.values)
    assert view.unplaced == ()
    # Every State of the M49 list is counted once, in one area.
    assert sum(a.total for a in view.areas) == len(M49)


def test_on_the_day_of_signature_only_the_four_states_that_also_ratified_that_day_are_parties():
    view = universalization.overview(D("2008-12-03"))
    parties = {c for a in view.areas for c in a.states["state_party"]}
    assert parties == {r["iso3"] for r in REGISTRY if r["deposit_date"] == "2008-12-03"}
    assert parties == {"IRL", "NOR", "SLE", "VAT"}
    assert view.free_areas == ()


def test_central_america_becomes_entirely_parties_on_the_day_of_its_last_deposit():
    central = [r for r in REGISTRY if r["iso3"] in {"BLZ", "CRI", "SLV", "GTM", "HND", "MEX", "NIC", "PAN"}]
    assert len(central) == 8 and all(r["deposit_date"] for r in central)
    last = max(D(r["deposit_date"]) for r in central)
    before = universalization.overview(last - dt.timedelta(days=1)).area("Central America")
    assert not before.cluster_munition_free and before.parties == 7
    on = universalization.overview(last)
    area = on.area("Central America")
    assert area.cluster_munition_free and area.parties == area.total == 8
    assert area.complete_since == last
    assert "Central America" in {a.key for a in on.free_areas}


def test_a_withdrawal_counts_from_the_day_it_takes_effect_and_keeps_northern_europe_incomplete():
    lithuania = next(r for r in REGISTRY if r["iso3"] == "LTU")
    effective = D(lithuania["withdrawal_effective_date"])
    before = universalization.overview(effective - dt.timedelta(days=1)).area("Northern Europe")
    after = universalization.overview(effective).area("Northern Europe")
    assert "LTU" in before.states["state_party"] and "LTU" not in before.states["withdrawn"]
    assert after.states["withdrawn"] == ("LTU",) and after.parties == before.parties - 1
    assert not after.cluster_munition_free
    europe = next(r for r in universalization.overview(effective).regions if r.key == Region.EUROPE)
    assert "LTU" in europe.states["withdrawn"]


def test_a_state_counts_in_nothing_before_it_signs_or_joins():
    vanuatu = next(r for r in REGISTRY if r["iso3"] == "VUT")
    deposit = D(vanuatu["deposit_date"])
    day_before = universalization.overview(deposit - dt.timedelta(days=1))
    assert "VUT" in day_before.area("Melanesia").states["outside"]
    pacific = next(r for r in day_before.regions if r.key == Region.PACIFIC)
    assert "VUT" not in {c for codes in pacific.states.values() for c in codes}
    assert "VUT" in universalization.overview(deposit).area("Melanesia").states["state_party"]


def test_a_registry_state_missing_from_the_m49_file_is_named_not_dropped():
    State.objects.create(
        iso3="XKX",
        name="Nowhere",
        region=Region.EUROPE,
        deposit_date=D("2012-01-01"),
        deposit_type=DepositType.ACCESSION,
        source="test",
    )
    view = universalization.overview(D("2013-01-01"))
    assert view.unplaced == ("XKX",)
    assert "XKX" in next(r for r in view.regions if r.key == Region.EUROPE).states["state_party"]


# --- The State page's summary -------------------------------------------------------------------------------
def test_state_summary_gives_the_area_and_its_parties_on_the_date():
    summary = universalization.state_summary("PAN", D("2014-09-01"))
    assert (summary["area"], summary["m49_code"], summary["m49_region"]) == ("Central America", "591", "Americas")
    assert (summary["states_parties"], summary["outside"], summary["total"]) == (7, 1, 8)
    assert summary["cluster_munition_free"] is False and summary["cluster_munition_free_since"] is None
    later = universalization.state_summary("PAN", D("2014-09-02"))
    assert later["cluster_munition_free"] is True and later["cluster_munition_free_since"] == D("2014-09-02")
    assert "BLZ" in {s["iso3"] for s in later["states_parties_list"]}
    assert universalization.state_summary("XKX", D("2014-09-02")) is None


# --- Bounded queries ----------------------------------------------------------------------------------------
def test_one_query_whatever_the_number_of_states(django_assert_num_queries):
    with django_assert_num_queries(1):
        universalization.overview(D("2020-11-24"))
    with django_assert_num_queries(1):
        universalization.state_summary("BLZ", D("2020-11-24"))
    states = list(State.objects.with_status(D("2020-11-24")))  # as the dashboard has them already
    with django_assert_num_queries(0):
        given = universalization.overview(D("2020-11-24"), states)
    assert given == universalization.overview(D("2020-11-24"))
    # Every M49 State outside the Convention joins the registry (72 more rows): still one query.
    registry = {r["iso3"] for r in REGISTRY}
    State.objects.bulk_create(
        State(
            iso3=row["iso3"],
            name=row["name"],
            region=Region.ASIA,
            deposit_date=D("2019-01-01"),
            deposit_type=DepositType.ACCESSION,
            source="test",
        )
        for row in M49
        if row["iso3"] not in registry
    )
    with django_assert_num_queries(1):
        view = universalization.overview(D("2020-11-24"))
    day = D("2020-11-24")
    assert sum(a.outside for a in view.areas) == sum(expected_status(r, day) == "outside" for r in REGISTRY)
    assert "USA" in view.area("Northern America").states["state_party"]
