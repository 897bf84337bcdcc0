"""The treaty's date rules, checked against every row of the real data."""

import csv
import datetime as dt
from pathlib import Path

import pytest

from parties import rules
from parties.dates import PartialDate, Precision

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
STATES = list(csv.DictReader((FIXTURES / "states.csv").open(encoding="utf-8")))
OBLIGATIONS = list(csv.DictReader((FIXTURES / "obligations.csv").open(encoding="utf-8")))
EIF_BY_ISO3 = {row["iso3"]: row["entry_into_force_date"] for row in STATES}


def d(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


@pytest.mark.parametrize(
    ("deposit", "expected"),
    [
        ("2013-03-26", "2013-09-01"),  # Chad (ISU)
        ("2020-09-15", "2021-03-01"),  # Saint Lucia (ISU)
        ("2020-08-06", "2021-02-01"),  # Niue (ISU)
        ("2010-02-16", "2010-08-01"),  # the thirtieth instrument (Burkina Faso, Moldova)
        ("2008-12-03", "2010-08-01"),  # deposited at signature in Oslo
        ("2010-02-17", "2010-08-01"),  # first deposit after the thirtieth: 1st of Feb + 6 months
        ("2010-03-01", "2010-09-01"),
        ("2025-09-05", "2026-03-01"),  # Vanuatu
        ("2011-07-31", "2012-01-01"),  # across a year end
    ],
)
def test_entry_into_force_follows_article_17(deposit, expected):
    assert rules.entry_into_force(d(deposit)) == d(expected)


def test_no_deposit_means_no_entry_into_force():
    assert rules.entry_into_force(None) is None
    assert rules.initial_report_due(None) is None


@pytest.mark.parametrize("row", STATES, ids=[r["iso3"] for r in STATES])
def test_every_state_entry_into_force_and_initial_report_match_the_data(row):
    eif = rules.entry_into_force(d(row["deposit_date"]))
    assert eif == d(row["entry_into_force_date"])
    assert rules.initial_report_due(eif) == d(row["initial_report_due"])


def test_exactly_thirty_instruments_share_the_convention_entry_into_force():
    first = [r for r in STATES if r["deposit_date"] and d(r["deposit_date"]) <= rules.THIRTIETH_DEPOSIT_DATE]
    assert len(first) == 30
    assert {r["entry_into_force_date"] for r in first} == {"2010-08-01"}


@pytest.mark.parametrize("row", OBLIGATIONS, ids=[f"{r['iso3']}-art{r['article']}" for r in OBLIGATIONS])
def test_every_original_deadline_in_the_data_follows_articles_3_and_4(row):
    eif = d(EIF_BY_ISO3[row["iso3"]])
    if row["article"] == "3":
        assert rules.stockpile_destruction_deadline(eif) == d(row["original_deadline"])
    else:
        assert rules.clearance_deadline(eif) == d(row["original_deadline"])


def test_clearance_of_new_contamination_runs_from_the_end_of_hostilities():
    # Art. 4(1)(b)
    assert rules.clearance_deadline(dt.date(2010, 8, 1), dt.date(2017, 12, 9)) == dt.date(2027, 12, 9)


def test_lithuania_withdrawal_takes_effect_six_months_after_notification():
    assert rules.withdrawal_effective(dt.date(2024, 9, 6)) == dt.date(2025, 3, 6)
    lithuania = next(r for r in STATES if r["iso3"] == "LTU")
    assert lithuania["withdrawal_effective_date"] == "2025-03-06"


def test_month_arithmetic_clamps_to_the_end_of_short_months():
    assert rules.add_months(dt.date(2023, 8, 31), 6) == dt.date(2024, 2, 29)
    assert rules.add_years(dt.date(2012, 2, 29), 8) == dt.date(2020, 2, 29)
    assert rules.add_years(dt.date(2012, 2, 29), 1) == dt.date(2013, 2, 28)


def test_extension_requests_are_due_nine_months_before_the_meeting():
    # 11MSP opened on 11 September 2023.
    assert rules.extension_request_due(dt.date(2023, 9, 11)) == dt.date(2022, 12, 11)


def test_a_single_extension_is_at_most_four_years_for_stockpiles_and_five_for_clearance():
    deadline = dt.date(2019, 10, 1)
    assert rules.longest_extension_end(3, deadline) == dt.date(2023, 10, 1)
    assert rules.longest_extension_end(4, deadline) == dt.date(2024, 10, 1)


@pytest.mark.parametrize(
    ("text", "precision", "start", "end", "shown"),
    [
        ("2023", Precision.YEAR, "2023-01-01", "2023-12-31", "2023"),
        ("2018-07", Precision.MONTH, "2018-07-01", "2018-07-31", "2018-07"),
        ("2024-02", Precision.MONTH, "2024-02-01", "2024-02-29", "2024-02"),
        ("2020-07-10", Precision.DAY, "2020-07-10", "2020-07-10", "2020-07-10"),
    ],
)
def test_partial_dates_keep_their_precision(text, precision, start, end, shown):
    value = PartialDate.parse(text)
    assert value.precision == precision
    assert value.start == d(start)
    assert value.end == d(end)
    assert value.isoformat() == shown


@pytest.mark.parametrize("text", ["", "23", "2023-7", "2023/07", "July 2023", "2023-13", "2023-02-30"])
def test_malformed_partial_dates_are_refused(text):
    with pytest.raises(ValueError):
        PartialDate.parse(text)
