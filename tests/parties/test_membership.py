"""Status and counts are answered from the dates, as of any day."""

import datetime as dt

import pytest

from parties.models import MembershipStatus, Obligation, ObligationStatus, State
from parties.selectors import membership_totals

pytestmark = pytest.mark.django_db

D = dt.date.fromisoformat


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
def test_published_totals_come_out_of_the_data(as_of, parties, signatories, source):
    totals = membership_totals(D(as_of))
    assert (totals["state_party"], totals["signatory"]) == (parties, signatories), source


def test_all_125_participants_today_with_one_withdrawn():
    totals = membership_totals(D("2026-11-29"))
    assert totals["participants"] == 125
    assert totals["withdrawn"] == 1
    assert sum(totals["parties_by_region"].values()) == totals["state_party"]


def test_before_the_convention_opened_nobody_participates():
    assert membership_totals(D("2008-12-02"))["participants"] == 0
    # On the opening day in Oslo, 94 States signed and 4 deposited at once.
    opening = membership_totals(D("2008-12-03"))
    assert opening["participants"] == opening["state_party"] + opening["signatory"]
    assert opening["state_party"] == 4


@pytest.mark.parametrize(
    ("iso3", "day", "expected"),
    [
        ("LTU", "2011-03-23", MembershipStatus.SIGNATORY),
        ("LTU", "2011-03-24", MembershipStatus.STATE_PARTY),  # deposit day
        ("LTU", "2025-03-05", MembershipStatus.STATE_PARTY),  # notified, not yet effective
        ("LTU", "2025-03-06", MembershipStatus.WITHDRAWN),  # Art. 20: six months after notification
        ("VUT", "2025-09-04", None),
        ("VUT", "2025-09-05", MembershipStatus.STATE_PARTY),  # counts from deposit, before its EIF
        ("TCD", "2013-03-26", MembershipStatus.STATE_PARTY),
        ("AGO", "2026-11-29", MembershipStatus.SIGNATORY),
    ],
)
def test_status_of_a_state_on_a_day(iso3, day, expected):
    state = State.objects.get(iso3=iso3)
    assert state.status_on(D(day)) == expected
    annotated = State.objects.with_status(D(day)).get(iso3=iso3)
    assert (annotated.status or None) == expected


def test_obligations_run_from_entry_into_force_not_deposit():
    vanuatu = State.objects.get(iso3="VUT")
    assert not vanuatu.is_bound_on(D("2026-02-28"))
    assert vanuatu.is_bound_on(D("2026-03-01"))
    lithuania = State.objects.get(iso3="LTU")
    assert lithuania.is_bound_on(D("2025-03-05"))
    assert not lithuania.is_bound_on(D("2025-03-06"))


@pytest.mark.parametrize(
    ("iso3", "article", "day", "expected"),
    [
        # Croatia: stockpile destroyed in July 2018 (month precision).
        ("HRV", 3, "2018-06-30", ObligationStatus.OPEN),
        ("HRV", 3, "2018-07-15", ObligationStatus.COMPLETION_UNCERTAIN),
        ("HRV", 3, "2018-08-01", ObligationStatus.COMPLETED),
        # Slovakia: completed in 2023, year only.
        ("SVK", 3, "2022-12-31", ObligationStatus.OPEN),
        ("SVK", 3, "2023-06-01", ObligationStatus.COMPLETION_UNCERTAIN),
        ("SVK", 3, "2024-01-01", ObligationStatus.COMPLETED),
        # Austria: only a bound ("no stocks by 31 July 2018").
        ("AUT", 3, "2018-07-30", ObligationStatus.OPEN),
        ("AUT", 3, "2018-07-31", ObligationStatus.COMPLETED),
        # Nigeria: not yet bound before its entry into force.
        ("NGA", 3, "2023-01-01", ObligationStatus.NOT_YET_BOUND),
    ],
)
def test_obligation_status_respects_date_precision(iso3, article, day, expected):
    obligation = Obligation.objects.with_related().get(state__iso3=iso3, article=article)
    assert obligation.status_on(D(day)) == expected


def test_a_granted_extension_moves_the_deadline_and_a_request_does_not():
    # Bulgaria's three Art. 3 extensions (9th Meeting, Second Review Conference, 10th Meeting): the last one
    # granted is in force today.
    bulgaria = Obligation.objects.with_related().get(state__iso3="BGR", article=3)
    assert bulgaria.original_deadline == D("2019-10-01")
    assert bulgaria.current_deadline == D("2023-12-31")
    # Germany's second Art. 4 request (to 2030) went to the 12th Meeting; no outcome is recorded, so the
    # deadline granted at the 9th Meeting stays in force.
    germany = Obligation.objects.with_related().get(state__iso3="DEU", article=4)
    assert germany.original_deadline == D("2020-08-01")
    assert germany.current_deadline == D("2025-08-01")
    assert {e.status for e in germany.extensions.all()} == {"granted", "requested"}
