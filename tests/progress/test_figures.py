"""The "progress to date" treaty figures, counted from the real registry (all 125 States and the
obligations of fixtures/*.csv, loaded in the test database) for dates before, on and after each event
that moves them: a deposit, an entry into force, a withdrawal, a completion."""

import datetime as dt

import pytest

from assistance.models import Coalition
from parties.dates import Precision
from parties.models import (
    Confidence,
    MeasuresStatus,
    NationalMeasures,
    Obligation,
    Region,
    State,
)
from parties.selectors import membership_totals
from progress import membership, selectors
from progress.models import Audience
from progress.types import Figure

pytestmark = pytest.mark.django_db

D = dt.date.fromisoformat


def figures(day: str) -> dict[str, Figure]:
    return {f.key: f for f in membership.figures(as_of=D(day), audience=Audience.PUBLIC)}


# --- Membership ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("as_of", "parties", "signatories", "source"),
    [
        ("2018-08-01", 103, 17, "Monitor 2018"),
        ("2019-07-31", 106, 14, "Monitor 2019"),
        ("2022-08-01", 110, 13, "Monitor 2022"),
        ("2023-12-31", 112, 12, "Wikipedia, Dec 2023"),
        ("2026-02-03", 112, 12, "UNTC status at 3 Feb 2026 (Vanuatu in, Lithuania out)"),
    ],
)
def test_published_totals_come_out_of_the_figures(as_of, parties, signatories, source):
    found = figures(as_of)
    assert (found["states-parties"].numerator, found["signatories"].numerator) == (parties, signatories), source


@pytest.mark.parametrize("as_of", ["2008-12-03", "2010-08-01", "2018-08-01", "2025-03-06", "2026-11-29"])
def test_membership_figures_agree_with_the_registry_totals(as_of):
    totals = membership_totals(D(as_of))
    found = figures(as_of)
    assert found["states-parties"].numerator == totals["state_party"]
    assert found["signatories"].numerator == totals["signatory"]
    assert found["withdrawals"].numerator == totals["withdrawn"]
    assert found["states-parties"].breakdown == totals["parties_by_region"]
    assert set(found["states-parties"].breakdown) == set(Region.values)
    assert len(found["states-parties"].states) == found["states-parties"].numerator
    assert found["states-parties"].denominator is None and found["states-parties"].share is None


def test_a_deposit_counts_from_its_day_and_entry_into_force_six_months_later():
    # Vanuatu acceded on 5 Sep 2025; the Convention entered into force for it on 1 Mar 2026 (Art. 17).
    before, on = figures("2025-09-04"), figures("2025-09-05")
    assert "VUT" not in before["states-parties"].states
    assert "VUT" in on["states-parties"].states
    assert on["states-parties"].numerator == before["states-parties"].numerator + 1
    assert "VUT" in on["in-force"].out_of and "VUT" not in on["in-force"].states
    last_day, eif = figures("2026-02-28")["in-force"], figures("2026-03-01")["in-force"]
    assert "VUT" not in last_day.states and "VUT" in eif.states
    assert (last_day.numerator, last_day.denominator) == (111, 112)
    assert (eif.numerator, eif.denominator) == (112, 112)
    assert eif.share == 1


def test_a_withdrawal_counts_from_the_day_it_takes_effect():
    # Lithuania notified on 6 Sep 2024; its withdrawal took effect on 6 Mar 2025 (Art. 20).
    before, on = figures("2025-03-05"), figures("2025-03-06")
    assert "LTU" in before["states-parties"].states and "LTU" in before["in-force"].states
    assert "LTU" not in before["withdrawals"].states
    assert "LTU" not in on["states-parties"].states and "LTU" not in on["in-force"].out_of
    assert on["withdrawals"].states == ("LTU",)
    assert on["states-parties"].numerator == before["states-parties"].numerator - 1
    assert on["withdrawals"].breakdown["Europe"] == 1


def test_before_the_convention_opened_nobody_is_counted():
    found = figures("2008-12-02")
    assert all(found[key].numerator == 0 for key in ("states-parties", "signatories", "in-force", "withdrawals"))
    assert found["in-force"].denominator == 0 and found["in-force"].share is None


# --- Art. 3 and Art. 4 --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("key", "as_of", "numerator", "denominator"),
    [
        # Every source's statement counts (art3/art4_completions.csv beside obligations.csv); the States behind
        # each number are checked against the CSV files in tests/parties/test_time_true.py.
        ("art3-completed", "2010-08-01", 1, 13),  # Norway: 16 July 2010 (Monitor 2012)
        ("art3-completed", "2018-08-01", 33, 41),
        ("art3-completed", "2023-12-31", 39, 42),
        ("art4-completed", "2018-08-01", 6, 21),
        ("art4-completed", "2022-08-01", 10, 21),
        ("art4-completed", "2026-02-03", 11, 22),
    ],
)
def test_completion_counts_from_the_recorded_obligations(key, as_of, numerator, denominator):
    found = figures(as_of)[key]
    assert (found.numerator, found.denominator) == (numerator, denominator)
    assert set(found.states) <= set(found.out_of)
    assert sum(found.breakdown.values()) == found.numerator
    assert set(found.breakdown) == set(Confidence.values)


@pytest.mark.parametrize(
    ("iso3", "key", "day_before", "day_counted"),
    [
        ("DNK", "art3-completed", "2014-03-19", "2014-03-20"),  # exact day
        ("HRV", "art3-completed", "2018-07-30", "2018-07-31"),  # "July 2018": counted from its last day
        ("ZAF", "art3-completed", "2023-12-30", "2023-12-31"),  # "2023": counted from 31 December
        ("AUT", "art3-completed", "2018-07-30", "2018-07-31"),  # only "completed by 31 Jul 2018"
        ("HRV", "art4-completed", "2020-07-09", "2020-07-10"),
        ("MNE", "art4-completed", "2020-07-30", "2020-07-31"),  # "July 2020"
    ],
)
def test_a_completion_counts_once_its_date_has_certainly_passed(iso3, key, day_before, day_counted):
    before, counted = figures(day_before)[key], figures(day_counted)[key]
    assert iso3 in before.out_of and iso3 not in before.states
    assert iso3 in counted.states
    assert counted.numerator > before.numerator  # 27 States are known only as "completed by 31 Jul 2018"
    assert counted.denominator == before.denominator


def test_a_completion_within_its_month_is_shown_but_not_yet_counted():
    found = figures("2018-07-15")["art3-completed"]
    facts = membership.load(D("2018-07-15"), deadlines=True)
    counted, others = membership.rows(found, facts)
    croatia = next(r for r in others if r["iso3"] == "HRV")
    assert croatia["status"] == "completion_uncertain"
    assert (croatia["date"], croatia["precision"], croatia["precision_label"]) == ("2018-07", "month", "Month only")
    assert croatia["confidence"] == "confirmed"
    assert "HRV" not in {r["iso3"] for r in counted}


def test_an_obligation_counts_from_entry_into_force():
    # Nigeria deposited on 28 Feb 2023; its Art. 3 obligation runs from 1 Aug 2023.
    assert "NGA" not in figures("2023-07-31")["art3-completed"].out_of
    after = figures("2023-08-01")["art3-completed"]
    assert "NGA" in after.out_of and "NGA" not in after.states


def test_a_state_that_withdraws_leaves_both_counts_of_completion():
    lithuania = State.objects.get(iso3="LTU")
    Obligation.objects.create(
        state=lithuania,
        article=3,
        completed_on=D("2015-06-01"),
        completed_precision=Precision.MONTH,
        confidence=Confidence.CONFIRMED,
        source="test",
    )
    before, after = figures("2025-03-05")["art3-completed"], figures("2025-03-06")["art3-completed"]
    assert "LTU" in before.states
    assert "LTU" not in after.out_of
    assert (after.numerator, after.denominator) == (before.numerator - 1, before.denominator - 1)


def test_rows_of_a_completion_give_the_date_its_precision_confidence_and_the_deadline_of_the_others():
    found = figures("2018-08-01")["art3-completed"]
    counted, others = membership.rows(found, membership.load(D("2018-08-01"), deadlines=True))
    assert len(counted) == 33 and len(others) == 8
    croatia = next(r for r in counted if r["iso3"] == "HRV")
    assert croatia["url"] == "/states/HRV/?as_of=2018-08-01"
    assert (croatia["date"], croatia["date_display"], croatia["status"]) == ("2018-07", "July 2018", "completed")
    assert croatia["source"].startswith("ccm3.pronk.se")
    austria = next(r for r in counted if r["iso3"] == "AUT")
    assert (austria["date"], austria["date_label"]) == ("2018-07-31", "Completed at the latest by")
    peru = next(r for r in others if r["iso3"] == "PER")
    # The extension to 1 Apr 2024 was decided in February 2021 (Second Review Conference): not yet in force.
    assert (peru["status"], peru["date"], peru["date_label"]) == ("open", "2021-03-01", "Deadline in force on the date")
    assert [r["name"] for r in counted] == sorted(r["name"] for r in counted)


# --- Art. 9 -------------------------------------------------------------------------------------------
def record(iso3: str, status: str, day: str, source: str = "Art. 7 report, Form A") -> NationalMeasures:
    return NationalMeasures.objects.create(
        state=State.objects.get(iso3=iso3), status=status, effective_from=D(day), source=source
    )


@pytest.fixture
def art9_records():
    NationalMeasures.objects.all().delete()  # the reference records (national_measures.csv): start from none
    record("FRA", MeasuresStatus.ADOPTED, "2010-07-20", "Loi n° 2010-819")
    record("NZL", MeasuresStatus.ADOPTED, "2009-12-17")  # before its deposit on 22 Dec 2009
    record("NOR", MeasuresStatus.IN_PROGRESS, "2011-01-01")
    record("NOR", MeasuresStatus.ADOPTED, "2012-09-10")
    record("LAO", MeasuresStatus.EXISTING_LAW, "2012-04-30")
    record("PER", MeasuresStatus.NONE_KNOWN, "2014-04-30")
    record("LTU", MeasuresStatus.ADOPTED, "2011-03-24")
    record("AGO", MeasuresStatus.IN_PROGRESS, "2015-01-01")  # a signatory: not counted
    record("VUT", MeasuresStatus.IN_PROGRESS, "2025-09-05")  # the day it joined


def art9(day: str) -> dict[str, Figure]:
    return {key: f for key, f in figures(day).items() if key.startswith("art9-")}


def test_art9_statuses_and_no_information_add_up_to_the_states_parties(art9_records):
    for day in ("2009-12-16", "2011-06-30", "2012-09-10", "2025-03-06", "2025-09-05", "2026-02-03"):
        found = art9(day)
        parties = figures(day)["states-parties"]
        assert sum(f.numerator for f in found.values()) == parties.numerator, day
        assert all(f.denominator == parties.numerator and f.out_of == parties.states for f in found.values())
        codes = [code for f in found.values() for code in f.states]
        assert sorted(codes) == sorted(parties.states), day  # each State Party counted exactly once


@pytest.mark.parametrize(
    ("day", "adopted", "existing_law", "in_progress", "none_known"),
    [
        ("2009-12-16", set(), set(), set(), set()),
        ("2009-12-21", set(), set(), set(), set()),  # New Zealand's record is in effect, it is not yet a Party
        ("2009-12-22", {"NZL"}, set(), set(), set()),
        ("2011-06-30", {"NZL", "FRA", "LTU"}, set(), {"NOR"}, set()),
        ("2012-09-09", {"NZL", "FRA", "LTU"}, {"LAO"}, {"NOR"}, set()),
        ("2012-09-10", {"NZL", "FRA", "LTU", "NOR"}, {"LAO"}, set(), set()),  # the latest record wins
        ("2025-03-06", {"NZL", "FRA", "NOR"}, {"LAO"}, set(), {"PER"}),  # Lithuania withdrew
        ("2025-09-05", {"NZL", "FRA", "NOR"}, {"LAO"}, {"VUT"}, {"PER"}),
    ],
)
def test_art9_status_of_each_state_party_on_a_day(art9_records, day, adopted, existing_law, in_progress, none_known):
    found = art9(day)
    assert set(found["art9-adopted"].states) == adopted
    assert set(found["art9-existing-law"].states) == existing_law
    assert set(found["art9-in-progress"].states) == in_progress
    assert set(found["art9-none-known"].states) == none_known
    assert "AGO" not in {code for f in found.values() for code in f.states}


def test_art9_rows_give_the_status_its_day_and_source(art9_records):
    found = art9("2013-01-01")["art9-adopted"]
    counted, others = membership.rows(found, membership.load(D("2013-01-01")))
    france = next(r for r in counted if r["iso3"] == "FRA")
    assert (france["status"], france["date"], france["source"]) == ("adopted", "2010-07-20", "Loi n° 2010-819")
    assert france["status_label"] == "Specific measures adopted"
    laos = next(r for r in others if r["iso3"] == "LAO")
    assert laos["status"] == "existing_law"
    unknown = art9("2013-01-01")["art9-no-information"]
    counted, _others = membership.rows(unknown, membership.load(D("2013-01-01")))
    assert next(r for r in counted if r["iso3"] == "CHE")["note"] == "No Art. 9 record in effect."


# --- Art. 6 country coalitions --------------------------------------------------------------------------
def test_coalitions_count_from_the_day_they_were_formed():
    Coalition.objects.create(state=State.objects.get(iso3="LAO"), formed_on=D("2019-09-04"), source="ISU")
    Coalition.objects.create(state=State.objects.get(iso3="IRQ"), formed_on=D("2023-09-11"), source="ISU")
    assert figures("2019-09-03")["coalitions"].states == ("BWA",)
    on = figures("2019-09-04")["coalitions"]
    assert (on.numerator, on.states, on.denominator) == (2, ("BWA", "LAO"), None)
    later = figures("2024-01-01")["coalitions"]
    # Botswana's comes from the reference data (established by 18 September 2018).
    assert later.states == ("BWA", "IRQ", "LAO")
    assert later.breakdown["Asia"] == 1 and later.breakdown["Middle East"] == 1
    counted, others = membership.rows(later, membership.load(D("2024-01-01")))
    assert [r["iso3"] for r in counted] == ["BWA", "IRQ", "LAO"]  # by name: Botswana, Iraq, Lao PDR
    assert counted[1]["date"] == "2023-09-11" and counted[1]["note"] == "0 partners"
    assert others == []


# --- Bounded queries ------------------------------------------------------------------------------------
def test_loading_the_facts_takes_six_queries_whatever_the_number_of_records(django_assert_num_queries):
    # States, obligations, their completion records (every source's statement), Art. 9 records, coalitions,
    # the published Art. 9 totals.
    with django_assert_num_queries(6):
        membership.figures(as_of=D("2026-02-03"), audience=Audience.PUBLIC)
    states = list(State.objects.filter(deposit_date__isnull=False))
    NationalMeasures.objects.all().delete()  # the reference records: each State's latest is then "none known"
    NationalMeasures.objects.bulk_create(
        NationalMeasures(state=s, status=status, effective_from=D(f"20{11 + n}-01-01"), source="test")
        for s in states
        for n, status in enumerate(MeasuresStatus.values)
    )
    taken = set(Coalition.objects.values_list("state_id", flat=True))  # the reference data's (Botswana's)
    free = [s for s in states if s.pk not in taken]
    Coalition.objects.bulk_create(Coalition(state=s, formed_on=D("2020-01-01"), source="test") for s in free[:40])
    with django_assert_num_queries(6):
        found = {f.key: f for f in membership.figures(as_of=D("2026-02-03"), audience=Audience.PUBLIC)}
    assert found["coalitions"].numerator == 40 + len(taken)
    assert found["art9-none-known"].numerator == 112
    with django_assert_num_queries(7):  # the figure page also reads the extensions with their meetings
        facts = membership.load(D("2026-02-03"), deadlines=True)
        membership.rows(found["art4-completed"], facts)


# --- The dashboard as a whole ---------------------------------------------------------------------------
def test_the_dashboard_orders_sections_by_article_and_keeps_every_treaty_figure():
    board = selectors.build(as_of=D("2026-02-03"), audience=Audience.PUBLIC)
    sections = [key for key, _figures in board.sections()]
    assert sections[:5] == ["membership", "universalization", "stockpile_destruction", "clearance", "cooperation"]
    assert sections[-1] == "national_implementation"
    assert set(membership.KEYS) <= {f.key for f in board.figures}
    assert board.figure("states-parties").numerator == 112
    with pytest.raises(KeyError):
        board.figure("nothing-like-this")


def test_the_public_never_gets_a_restricted_figure():
    common = {"section": "x", "label": "x", "numerator": 1, "definition": "x", "source": "x", "states": ("AUS",)}
    shown, hidden = Figure(key="shown", **common), Figure(key="hidden", restricted=True, **common)
    assert selectors.for_audience([shown, hidden], Audience.PUBLIC) == [shown]
    assert selectors.for_audience([shown, hidden], Audience.ISU) == [shown, hidden]


def test_every_figure_says_what_it_counts_and_where_from():
    for found in membership.figures(as_of=D("2026-02-03"), audience=Audience.ISU):
        assert found.definition and found.source and found.label, found.key
        if found.denominator is not None:
            assert len(found.out_of) == found.denominator, found.key
        assert len(found.states) == found.numerator, found.key


def test_rows_of_membership_figures_give_the_date_that_put_each_state_there():
    State.objects.filter(iso3="LTU").update(withdrawal_notified_on=D("2024-09-06"))
    day = "2026-02-03"
    facts = membership.load(D(day))
    found = figures(day)
    parties, _none = membership.rows(found["states-parties"], facts)
    chad = next(r for r in parties if r["iso3"] == "TCD")
    assert (chad["date"], chad["date_label"], chad["note"]) == ("2013-03-26", "Deposit of instrument", "Ratification")
    assert chad["date_display"] == "26 March 2013" and chad["url"] == "/states/TCD/?as_of=2026-02-03"
    in_force, not_yet = membership.rows(found["in-force"], facts)
    assert [(r["iso3"], r["date"], r["date_label"]) for r in not_yet] == [("VUT", "2026-03-01", "Enters into force")]
    assert next(r for r in in_force if r["iso3"] == "TCD")["date"] == "2013-09-01"
    signatories, _none = membership.rows(found["signatories"], facts)
    assert next(r for r in signatories if r["iso3"] == "AGO")["date"] == "2008-12-03"
    (lithuania,), _none = membership.rows(found["withdrawals"], facts)
    assert (lithuania["date"], lithuania["note"]) == ("2025-03-06", "Notified on 6 September 2024.")
