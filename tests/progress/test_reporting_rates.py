"""Article 7 reporting rates as of a date: initial reports and annual updates, on time, late, nil, not
submitted or with no record, counted from the real registry (every State, with Lithuania's withdrawal), the
loaded reporting history (``fixtures/article7_reporting.csv``) and reports built for the test."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from parties import rules as treaty_rules
from parties.models import State
from progress import reporting_rates
from progress.models import Audience
from reporting import periods
from reporting.models import (
    FormatVersion,
    Report,
    ReportingRules,
    ReportKind,
    ReportStatus,
    ReportVersion,
    VersionOutcome,
    Visibility,
)
from tests.reporting.test_archive import accepted, focal_for, submitted

pytestmark = pytest.mark.django_db

D = dt.date.fromisoformat
# The States, the versions submitted by the date, the reporting records, the reporting rules, the published totals.
FIGURES_QUERIES = 5


# --- Building reports directly (dates under the test's control) ----------------------------------------
def content_with(*, stock=None, areas=None, b_choice=None, f_choice=None):
    """A cleaned report document with Form B stockpile rows (munitions per row) and Form F areas (m²)."""
    spec = FormatVersion.objects.get(is_current=True).spec
    content = spec.empty_content()
    for form in spec.forms:
        content["forms"][form.code].update(choice="not_applicable", na_statement=form.nil_statement)
    if stock is not None or b_choice:
        content["forms"]["B"].update(choice=b_choice or "changed", na_statement="")
        content["forms"]["B"]["tables"]["stockpile"] = [
            {"_id": f"s{i}", "type": f"M{i}", "munitions": n, "submunitions": n * 10, "qualifier": None}
            for i, n in enumerate(stock or [])
        ]
    if areas is not None or f_choice:
        content["forms"]["F"].update(choice=f_choice or "changed", na_statement="")
        content["forms"]["F"]["tables"]["areas"] = [
            {"_id": f"a{i}", "location": f"Province {i}", "area": str(a), "status": "confirmed"}
            for i, a in enumerate(areas or [])
        ]
    return content


def at_noon(day):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


def make_report(
    iso3,
    actor,
    *,
    year=None,
    submitted_on,
    nil=False,
    visibility=Visibility.PUBLIC,
    outcome=VersionOutcome.ACCEPTED,
    decided_on=None,
    published_on=None,
    content=None,
    report=None,
):
    """A report of ``iso3`` (initial when ``year`` is None) with one more version, submitted on a given day.
    Accepted versions are decided ``decided_on`` (default: a week after submission); published ones are
    published ``published_on`` when given."""
    state = State.objects.get(iso3=iso3)
    format_version = FormatVersion.objects.get(is_current=True)
    if report is None:
        report = Report.objects.create(
            state=state,
            kind=ReportKind.INITIAL if year is None else ReportKind.ANNUAL,
            period_year=year,
            format_version=format_version,
            status=ReportStatus.PUBLISHED if published_on else ReportStatus.SUBMITTED,
            visibility=visibility,
            is_nil=nil,
            created_by=actor,
            updated_by=actor,
        )
    number = (report.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    decided = outcome in (VersionOutcome.ACCEPTED, VersionOutcome.SUPERSEDED)
    version = ReportVersion.objects.create(
        report=report,
        number=number,
        content=content or content_with(),
        format_version=format_version,
        is_nil=nil,
        visibility=visibility,
        submitted_by=actor,
        submitted_at=at_noon(submitted_on),
        outcome=outcome,
        decided_by=actor if decided else None,
        decided_at=at_noon(decided_on or submitted_on + dt.timedelta(days=7)) if decided else None,
        published_at=at_noon(published_on) if published_on else None,
    )
    if decided and number > 1:
        report.versions.filter(number__lt=number, outcome=VersionOutcome.ACCEPTED).update(
            outcome=VersionOutcome.SUPERSEDED
        )
    return report, version


def figures(as_of):
    return {f.key: f for f in reporting_rates.figures(as_of=D(as_of), audience=Audience.PUBLIC)}


def test_latest_reporting_year_is_the_one_whose_30_april_has_come():
    assert treaty_rules.latest_annual_year_due(D("2026-06-01")) == 2025
    assert treaty_rules.latest_annual_year_due(D("2026-04-30")) == 2025
    assert treaty_rules.latest_annual_year_due(D("2026-04-29")) == 2024


# --- Initial reports ---------------------------------------------------------------------------------------
def test_initial_report_counted_from_its_due_date(isu_staff):
    """Nigeria: entry into force 1 Aug 2023, initial report due 28 Jan 2024 (180 days)."""
    assert State.objects.get(iso3="NGA").initial_report_due == D("2024-01-28")
    # Due before the portal was the complete record (1 January 2026) and no source speaks of it: no record.
    before = figures("2024-01-27")["initial-reports-no-record"]
    on = figures("2024-01-28")["initial-reports-no-record"]
    assert "NGA" not in before.out_of
    assert "NGA" in on.out_of and "NGA" in on.states
    assert on.denominator == before.denominator + 1


def test_initial_report_on_time_on_the_due_date(isu_staff):
    make_report("NGA", isu_staff, submitted_on=D("2024-01-28"))
    found = figures("2024-06-01")
    assert "NGA" in found["initial-reports-on-time"].states
    assert "NGA" in found["initial-reports-submitted"].states
    assert "NGA" not in found["initial-reports-late"].states + found["initial-reports-no-record"].states


def test_a_late_initial_report_has_no_record_until_it_comes_then_late(isu_staff):
    make_report("NGA", isu_staff, submitted_on=D("2024-03-01"), outcome=VersionOutcome.PENDING)
    before = figures("2024-02-29")
    assert "NGA" in before["initial-reports-no-record"].states
    assert "NGA" not in before["initial-reports-not-submitted"].states
    after = figures("2024-03-01")
    assert "NGA" in after["initial-reports-late"].states
    assert "NGA" not in after["initial-reports-on-time"].states


def test_the_first_version_dates_the_submission_even_if_recalled_or_corrected(isu_staff):
    report, _v1 = make_report("NGA", isu_staff, submitted_on=D("2024-01-20"), outcome=VersionOutcome.RECALLED)
    make_report("NGA", isu_staff, submitted_on=D("2024-02-15"), report=report)
    assert "NGA" in figures("2024-06-01")["initial-reports-on-time"].states


def test_a_restricted_report_counts_as_submitted_for_the_public_too(isu_staff):
    make_report("NGA", isu_staff, submitted_on=D("2024-01-10"), visibility=Visibility.RESTRICTED)
    public = reporting_rates.figures(as_of=D("2024-06-01"), audience=Audience.PUBLIC)
    isu = reporting_rates.figures(as_of=D("2024-06-01"), audience=Audience.ISU)
    assert public == isu
    assert "NGA" in {f.key: f for f in public}["initial-reports-on-time"].states


def test_initial_counts_add_up_and_break_down_by_region(isu_staff):
    before = figures("2026-06-01")
    # Not named in the ISU's complete lists of late initial reports: submitted, date unknown.
    assert {"LAO", "AUS"} <= set(before["initial-reports-timing-unknown"].states)
    make_report("LAO", isu_staff, submitted_on=D("2011-01-20"))
    make_report("AUS", isu_staff, submitted_on=D("2014-01-05"))  # due 28 Sep 2013: late
    found = figures("2026-06-01")
    parts = (
        "initial-reports-on-time",
        "initial-reports-late",
        "initial-reports-timing-unknown",
        "initial-reports-not-submitted",
        "initial-reports-no-record",
    )
    # Every State Party on 1 June 2026 but Vanuatu (due 28 Aug 2026); Lithuania had withdrawn.
    assert found["initial-reports-no-record"].denominator == 111
    assert sum(found[key].numerator for key in parts) == 111
    # The portal's dates now say on time and late; the same reports are still counted once.
    assert "LAO" in found["initial-reports-on-time"].states
    assert "AUS" in found["initial-reports-late"].states
    assert {"LAO", "AUS"}.isdisjoint(found["initial-reports-timing-unknown"].states)
    assert (
        found["initial-reports-on-time"].breakdown["Asia"]
        == before["initial-reports-on-time"].breakdown.get("Asia", 0) + 1
    )
    assert found["initial-reports-submitted"].numerator == before["initial-reports-submitted"].numerator
    assert "VUT" not in found["initial-reports-no-record"].out_of


def test_a_state_that_withdrew_no_longer_counts(isu_staff):
    """Lithuania's withdrawal took effect on 6 March 2025."""
    make_report("LTU", isu_staff, submitted_on=D("2012-02-01"))
    assert "LTU" in figures("2025-03-05")["initial-reports-on-time"].states
    after = figures("2025-03-06")["initial-reports-on-time"]
    assert "LTU" not in after.states and "LTU" not in after.out_of


# --- Annual updates ------------------------------------------------------------------------------------------
def test_annual_figures_for_the_latest_year_due(isu_staff):
    make_report("LAO", isu_staff, year=2025, submitted_on=D("2026-04-30"))
    make_report("AUS", isu_staff, year=2025, submitted_on=D("2026-05-10"))
    make_report("DEU", isu_staff, year=2025, submitted_on=D("2026-03-01"), nil=True)
    make_report("NOR", isu_staff, year=2024, submitted_on=D("2025-04-01"))  # another year
    found = figures("2026-06-01")
    on_time, late = found["annual-reports-on-time"], found["annual-reports-late"]
    # Due 30 April 2026, after the portal became the complete record: not in the portal is not submitted.
    nil, missing = found["annual-reports-nil"], found["annual-reports-not-submitted"]
    assert "2025" in on_time.label
    assert on_time.states == ("LAO",)
    assert late.states == ("AUS",)
    assert nil.states == ("DEU",)
    assert "NOR" in missing.states
    assert found["annual-reports-submitted"].numerator == 3
    # Vanuatu (entry into force 1 Mar 2026) owes its first update for 2026; Lithuania had withdrawn.
    assert on_time.denominator == 111
    assert {"VUT", "LTU"}.isdisjoint(on_time.out_of)
    assert on_time.numerator + late.numerator + nil.numerator + missing.numerator == 111


def test_the_submission_day_is_the_portals_local_day(isu_staff):
    """Geneva time: 21:30 UTC on 30 April is 23:30 in Geneva (on time); 22:30 UTC is 00:30 on 1 May (late)."""
    _report, lao = make_report("LAO", isu_staff, year=2025, submitted_on=D("2026-04-30"))
    _report, aus = make_report("AUS", isu_staff, year=2025, submitted_on=D("2026-04-30"))
    for version, moment in (
        (lao, dt.datetime(2026, 4, 30, 21, 30, tzinfo=dt.UTC)),
        (aus, dt.datetime(2026, 4, 30, 22, 30, tzinfo=dt.UTC)),
    ):
        version.submitted_at, version.submitted_on = moment, None
        version.save()  # the submission day is computed from the moment, in the portal's time zone
    found = figures("2026-06-01")
    assert found["annual-reports-on-time"].states == ("LAO",)
    assert found["annual-reports-late"].states == ("AUS",)
    assert "AUS" in figures("2026-04-30")["annual-reports-not-submitted"].states  # not yet in on 30 April, Geneva


def test_before_30_april_the_previous_year_is_shown(isu_staff):
    make_report("LAO", isu_staff, year=2025, submitted_on=D("2026-04-01"))
    found = figures("2026-04-29")
    assert "2024" in found["annual-reports-on-time"].label
    assert "LAO" not in found["annual-reports-on-time"].states


def test_a_state_that_withdrew_before_the_due_date_owes_no_update():
    data = reporting_rates.load(D("2026-06-01"))
    by_year = {o.year: o for o in reporting_rates.annual_outcomes(data)}
    assert "LTU" in by_year[2023].states()  # due 30 Apr 2024, bound then
    assert "LTU" not in by_year[2024].states()  # due 30 Apr 2025: withdrawal effective 6 Mar 2025


def test_first_annual_update_follows_the_isu_rule(reference_data):
    """Nigeria: entry into force 1 Aug 2023, initial report due 28 Jan 2024."""
    rules = ReportingRules.current()
    rules.first_annual_period = ReportingRules.FirstAnnual.YEAR_OF_ENTRY_INTO_FORCE
    rules.save()
    assert "NGA" in figures("2024-06-01")["annual-reports-no-record"].out_of  # the 2023 update
    rules.first_annual_period = ReportingRules.FirstAnnual.YEAR_AFTER_INITIAL_DUE
    rules.save()
    found = figures("2024-06-01")["annual-reports-no-record"]
    assert "NGA" not in found.out_of
    assert "after the initial report was due" in found.definition


@pytest.mark.parametrize("rule", ReportingRules.FirstAnnual.values)
def test_first_annual_year_agrees_with_the_reporting_services(reference_data, rule):
    ReportingRules.objects.filter(pk=1).update(first_annual_period=rule)
    today = D("2026-11-29")
    for state in State.objects.exclude(deposit_date=None):
        expected = periods.expected_annual_years(state, today=today)
        first = reporting_rates.first_annual_year(state, rule)
        assert (expected[0] if expected else None) == (first if first and first <= today.year - 1 else None), state.iso3


def test_nil_is_the_latest_version_submitted_by_the_date(isu_staff):
    report, _v = make_report("LAO", isu_staff, year=2025, submitted_on=D("2026-04-01"), nil=True)
    make_report("LAO", isu_staff, year=2025, submitted_on=D("2026-07-01"), report=report)
    assert figures("2026-06-01")["annual-reports-nil"].states == ("LAO",)
    assert figures("2026-08-01")["annual-reports-on-time"].states == ("LAO",)


def test_definitions_state_the_rules(reference_data):
    found = figures("2026-06-01")
    assert "on or before the due date" in found["annual-reports-on-time"].definition
    assert "a source says it was submitted" in found["initial-reports-on-time"].definition
    assert "No record" in found["initial-reports-no-record"].definition
    assert "Restricted reports count" in found["annual-reports-nil"].definition
    assert all(f.source and f.section == "transparency" for f in found.values())
    assert all(not f.restricted for f in found.values())


def test_no_annual_figures_before_the_first_update_was_due(reference_data):
    found = figures("2011-04-29")
    assert not any(key.startswith("annual-") for key in found)
    assert found["initial-reports-no-record"].denominator > 0  # due from 28 Jan 2011


def test_reports_made_through_the_services_count(focal_point, isu_staff):
    report = accepted(submitted(focal_for("LAO"), kind=ReportKind.INITIAL), isu_staff)
    assert report.versions.count() == 1
    assert "LAO" in figures(timezone.localdate().isoformat())["initial-reports-late"].states


# --- Queries ----------------------------------------------------------------------------------------------------
def _queries(as_of):
    with CaptureQueriesContext(connection) as ctx:
        reporting_rates.figures(as_of=as_of, audience=Audience.PUBLIC)
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_reports_or_years(isu_staff):
    ReportingRules.current()
    few = _queries(D("2026-06-01"))
    for iso3 in ("LAO", "AUS", "DEU", "NOR", "NGA", "CHL"):
        make_report(iso3, isu_staff, submitted_on=D("2024-01-01"))
        for year in range(2015, 2026):
            make_report(iso3, isu_staff, year=year, submitted_on=D(f"{year + 1}-04-{10 + year % 20:02d}"))
    assert few == _queries(D("2026-06-01")) == _queries(D("2019-06-01")) == FIGURES_QUERIES
