"""The dashboard's charts as data: the completion projection (pure), the yearly Form B/F totals of the
report in force for each audience, States Parties by region over time and reporting rates by year."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.test.utils import CaptureQueriesContext

from parties.models import Article, State
from parties.selectors import membership_totals
from progress import trends
from progress.models import Audience
from progress.trends import Projection, ProjectionStatus, project_completion, risk_key
from reporting.models import ReportingRules, VersionOutcome, Visibility
from reporting.models.reports import form_total
from tests.progress.test_reporting_rates import content_with, make_report

D = dt.date.fromisoformat
# States, reporting rules, submission dates, received reports, obligations + State, extensions, versions.
CHARTS_QUERIES = 8  # States, obligations, extensions, completion records, versions, …
DEADLINE = D("2028-08-01")


def points(*pairs):
    return [(year, Decimal(value)) for year, value in pairs]


# --- Projection: plain cases -------------------------------------------------------------------------------------
def test_steady_decrease_gives_the_exact_year():
    projection = project_completion(points((2020, 300), (2021, 200), (2022, 100)), DEADLINE)
    assert projection.status == ProjectionStatus.PROJECTED
    assert projection.rate == 100
    assert projection.date == D("2023-12-31")
    assert projection.year == 2023
    assert not projection.late
    assert projection.margin_days == (D("2023-12-31") - DEADLINE).days


def test_a_projection_past_the_deadline_is_flagged():
    projection = project_completion(points((2020, 1000), (2021, 900), (2022, 800)), D("2024-04-01"))
    assert projection.year == 2030  # 800 left at 100 a year: eight more years after 2022
    assert projection.late
    assert trends.projection_summary(projection).startswith("At this rate, 2030; deadline")


def test_part_of_a_year_lands_inside_that_year():
    projection = project_completion(points((2020, 250), (2021, 150)), DEADLINE)  # 1.5 years at 100 a year
    assert projection.year == 2023
    assert D("2023-06-30") <= projection.date <= D("2023-07-03")


def test_the_rate_is_the_mean_decrease_over_the_last_three_changes():
    # The big drop in 2016 lies outside the window: (100 − 70) / 3 years = 10 a year, 7 years to go.
    projection = project_completion(points((2015, 1000), (2016, 100), (2017, 90), (2018, 80), (2019, 70)), DEADLINE)
    assert projection.rate == 10
    assert projection.year == 2026


def test_gaps_between_reports_count_as_the_years_they_span():
    projection = project_completion(points((2022, 100), (2018, 300)), DEADLINE)  # unsorted on purpose
    assert projection.rate == 50
    assert projection.year == 2024


@pytest.mark.parametrize("series", [((2020, 100), (2021, 150)), ((2020, 100), (2021, 100))])
def test_an_increase_or_a_flat_line_gives_no_projection(series):
    projection = project_completion(points(*series), DEADLINE)
    assert projection.status == ProjectionStatus.NOT_DECREASING
    assert projection.date is None and not projection.late
    assert trends.projection_summary(projection).startswith("Not decreasing: no projection")


@pytest.mark.parametrize("series", [(), ((2020, 100),)])
def test_fewer_than_two_points_give_no_projection(series):
    projection = project_completion(points(*series), DEADLINE)
    assert projection.status == ProjectionStatus.TOO_FEW_POINTS
    assert projection.date is None


@pytest.mark.parametrize(
    ("series", "year"),
    [(((2020, 100), (2021, 0), (2022, 0)), 2021), (((2019, 0),), 2019), (((2018, 0), (2019, 5), (2020, 0)), 2020)],
)
def test_already_zero_is_completed(series, year):
    projection = project_completion(points(*series), DEADLINE)
    assert projection.status == ProjectionStatus.COMPLETED
    assert projection.year == year
    assert not projection.late


def test_a_trickle_is_capped_a_century_ahead():
    projection = project_completion(points((2020, 1_000_000), (2021, 999_999)), DEADLINE)
    assert projection.capped and projection.late
    assert projection.year == 2021 + trends.MAX_PROJECTION_YEARS
    assert "not before" in trends.projection_summary(projection)


def test_risk_order():
    late = Projection(ProjectionStatus.PROJECTED, DEADLINE, rate=Decimal(1), date=D("2031-12-31"))
    later = Projection(ProjectionStatus.PROJECTED, DEADLINE, rate=Decimal(1), date=D("2035-12-31"))
    in_time = Projection(ProjectionStatus.PROJECTED, DEADLINE, rate=Decimal(1), date=D("2026-12-31"))
    flat = Projection(ProjectionStatus.NOT_DECREASING, DEADLINE, rate=Decimal(0))
    unknown = Projection(ProjectionStatus.TOO_FEW_POINTS, DEADLINE)
    done = Projection(ProjectionStatus.COMPLETED, DEADLINE, date=D("2020-12-31"))
    ordered = sorted([done, in_time, unknown, late, flat, later], key=risk_key)
    assert ordered == [flat, later, late, unknown, in_time, done]


@pytest.mark.parametrize(
    ("choice", "rows", "expected"),
    [
        ("not_applicable", [], Decimal(0)),
        ("changed", [{"munitions": 5}, {"munitions": "7"}, {"munitions": None}], Decimal(12)),
        ("changed", [], Decimal(0)),
        ("unchanged", [{"munitions": 3}], Decimal(3)),
        ("unchanged", [], None),
        ("", [{"munitions": 3}], None),
        (None, None, None),
    ],
)
def test_form_totals(choice, rows, expected):
    assert form_total(choice, rows, "munitions") == expected


# --- Context from reports ----------------------------------------------------------------------------------------


def context(as_of, audience=Audience.PUBLIC):
    return trends.charts_context(as_of=D(as_of), audience=audience)


def trend(ctx, iso3, article):
    return next(t for t in ctx["obligations"] if t.iso3 == iso3 and t.article == article)


def published_annual(iso3, actor, year, **content):
    day = D(f"{year + 1}-04-01")
    return make_report(iso3, actor, year=year, submitted_on=day, published_on=day, content=content_with(**content))


@pytest.mark.django_db
def test_stockpile_series_from_form_b_with_projection(isu_staff):
    """Nigeria: Art. 3 deadline 1 Aug 2031; initial report for 2023 (entry into force), then 2024 and 2025."""
    day = D("2024-01-15")
    make_report("NGA", isu_staff, submitted_on=day, published_on=day, content=content_with(stock=[600, 400]))
    published_annual("NGA", isu_staff, 2024, stock=[500, 300])
    published_annual("NGA", isu_staff, 2025, stock=[400, 200])
    found = trend(context("2026-06-01"), "NGA", Article.STOCKPILE_DESTRUCTION)
    assert found.points == ((2023, 1000), (2024, 800), (2025, 600))
    assert found.deadline == D("2031-08-01")
    assert found.projection.year == 2028  # 600 left at 200 a year
    assert not found.projection.late
    assert found.summary == "At this rate, 2028; deadline Aug. 1, 2031"
    assert found.latest == "600 cluster munitions at the end of 2025"


@pytest.mark.django_db
def test_contaminated_area_in_km2_and_flagged_past_the_deadline(isu_staff):
    """Lao PDR: Art. 4 deadline 1 Aug 2020 in the registry, still open."""
    published_annual("LAO", isu_staff, 2022, areas=[3_000_000, 1_000_000])
    published_annual("LAO", isu_staff, 2023, areas=["3500000"])
    published_annual("LAO", isu_staff, 2024, areas=["3000000"])
    ctx = context("2026-06-01")
    found = trend(ctx, "LAO", Article.CLEARANCE)
    assert found.points == ((2022, 4), (2023, Decimal("3.5")), (2024, 3))
    assert found.projection.rate == Decimal("0.5")
    assert found.projection.year == 2030
    assert found.projection.late
    assert ctx["obligations"][0].iso3 == "LAO"  # the riskiest first
    assert ctx["obligations_late"] == 1


@pytest.mark.django_db
def test_forms_not_applicable_unchanged_and_unanswered(isu_staff):
    published_annual("NGA", isu_staff, 2023, stock=[100])
    published_annual("NGA", isu_staff, 2024, b_choice="unchanged")  # no rows: same as 2023
    published_annual("NGA", isu_staff, 2025)  # Form B not applicable: holds none
    found = trend(context("2026-06-01"), "NGA", Article.STOCKPILE_DESTRUCTION)
    assert found.points == ((2023, 100), (2024, 100), (2025, 0))
    assert found.projection.status == ProjectionStatus.COMPLETED


@pytest.mark.django_db
def test_the_report_in_force_on_the_date(isu_staff):
    """A correction counts from its acceptance (ISU) or its publication (public); a report not yet
    accepted or published by the date does not count."""
    report, _v1 = published_annual("NGA", isu_staff, 2024, stock=[500])
    make_report(
        "NGA",
        isu_staff,
        year=2024,
        submitted_on=D("2025-09-01"),
        decided_on=D("2025-09-10"),
        content=content_with(stock=[450]),
        report=report,
    )  # accepted 10 Sep 2025, not published
    pending = {"outcome": VersionOutcome.PENDING, "content": content_with(stock=[1])}
    make_report("NGA", isu_staff, year=2025, submitted_on=D("2026-04-01"), **pending)
    nga = Article.STOCKPILE_DESTRUCTION
    assert trend(context("2025-09-09", Audience.ISU), "NGA", nga).points == ((2024, 500),)
    assert trend(context("2025-09-10", Audience.ISU), "NGA", nga).points == ((2024, 450),)
    assert trend(context("2026-06-01", Audience.PUBLIC), "NGA", nga).points == ((2024, 500),)
    assert trend(context("2025-04-01", Audience.PUBLIC), "NGA", nga).points == ((2024, 500),)
    assert trend(context("2025-03-31", Audience.PUBLIC), "NGA", nga).points == ()


@pytest.mark.django_db
def test_public_charts_never_use_restricted_versions(isu_staff):
    """South Sudan (Art. 4 open): one accepted, published report restricted to States Parties."""
    day = D("2025-04-01")
    make_report(
        "SSD",
        isu_staff,
        year=2024,
        submitted_on=day,
        published_on=day,
        visibility=Visibility.RESTRICTED,
        content=content_with(areas=[987_654_321]),
    )
    public, isu = context("2026-06-01", Audience.PUBLIC), context("2026-06-01", Audience.ISU)
    assert trend(public, "SSD", Article.CLEARANCE).points == ()
    assert trend(isu, "SSD", Article.CLEARANCE).points == ((2024, Decimal("987.654321")),)
    public_ssd = next(o for o in public["data"]["obligations"] if o["iso3"] == "SSD")
    isu_ssd = next(o for o in isu["data"]["obligations"] if o["iso3"] == "SSD")
    assert public_ssd["points"] == [] and isu_ssd["points"] == [[2024, "987.654321"]]
    assert "987.65" not in repr(public) and "987.65" in repr(isu)
    assert public["is_public"] and not isu["is_public"]


@pytest.mark.django_db
def test_only_open_obligations_are_drawn(reference_data):
    ctx = context("2026-06-01")
    found = {(t.iso3, t.article) for t in ctx["obligations"]}
    assert ("NGA", Article.STOCKPILE_DESTRUCTION) in found
    assert ("SSD", Article.CLEARANCE) in found
    assert ("HRV", Article.CLEARANCE) not in found  # completed 10 Jul 2020
    before_entry_into_force = context("2023-07-31")["obligations"]
    assert ("NGA", Article.STOCKPILE_DESTRUCTION) not in {(t.iso3, t.article) for t in before_entry_into_force}


# --- States Parties by region ------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_states_parties_by_region_match_the_published_totals(reference_data):
    ctx = context("2018-08-01")
    rows = ctx["data"]["parties_by_region"]
    assert rows[0]["date"] == D("2008-12-31") and rows[0]["total"] == 4  # four deposits at Oslo on 3 Dec 2008
    assert rows[-1]["date"] == D("2018-08-01") and rows[-1]["total"] == 103  # Monitor 2018
    assert sum(rows[-1]["regions"].values()) == 103
    assert len(rows) == 11  # end of 2008 … end of 2017, then the date
    table = ctx["membership"].table
    assert table.rows[-1][0] == "Aug. 1, 2018" and table.rows[-1][-1] == "103"
    assert ctx["membership"].title.startswith("States Parties by region, 2008 to")


@pytest.mark.django_db
@pytest.mark.parametrize("day", ["2008-12-03", "2010-08-01", "2019-07-31", "2025-03-06", "2026-02-03"])
def test_states_parties_by_region_agree_with_the_registry_totals(reference_data, day):
    counts = trends.parties_by_region(State.objects.all(), [D(day)])
    assert {region: values[0] for region, values in counts.items()} == membership_totals(D(day))["parties_by_region"]


@pytest.mark.django_db
def test_withdrawal_leaves_the_count(reference_data):
    points = [D("2025-03-05"), D("2025-03-06")]
    counts = trends.parties_by_region(State.objects.all(), points)
    assert counts["Europe"][0] - counts["Europe"][1] == 1  # Lithuania


@pytest.mark.django_db
def test_no_membership_chart_before_signature_opened(reference_data):
    ctx = context("2008-12-02")
    assert ctx["membership"] is None and ctx["reporting"] is None


# --- Reporting rates by year -------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_reporting_chart_by_year(isu_staff):
    make_report("LAO", isu_staff, year=2010, submitted_on=D("2011-04-30"))
    make_report("DEU", isu_staff, year=2010, submitted_on=D("2011-06-01"))
    make_report("NOR", isu_staff, year=2011, submitted_on=D("2012-04-01"), nil=True)
    ctx = context("2026-06-01")
    rows = {row["year"]: row for row in ctx["data"]["annual_reports"]}
    assert list(rows) == list(range(2010, 2026))
    assert rows[2010]["on_time"] == rows[2010]["late"] == 1
    assert rows[2010]["due"] == D("2011-04-30")
    assert rows[2011]["nil"] == 1
    assert rows[2025]["expected"] == rows[2025]["not_submitted"] == 111
    table = {row[0]: row for row in ctx["reporting"].table.rows}
    # Before the portal was the complete record, an update nobody recorded has no record: not "missing".
    assert table["2010"] == ("2010", "37", "1", "1", "0", "0", "0", "35")
    assert ctx["reporting"].table.columns == (
        "Year covered",
        "Expected",
        "Submitted on time",
        "Submitted late",
        "Submitted, date unknown",
        "Nil report",
        "Not submitted",
        "No record",
    )


# --- Queries -----------------------------------------------------------------------------------------------------
def _queries(as_of, audience):
    with CaptureQueriesContext(connection) as ctx:
        trends.charts_context(as_of=as_of, audience=audience)
    return len(ctx.captured_queries)


@pytest.mark.django_db
@pytest.mark.parametrize("audience", Audience.values)
def test_query_count_does_not_grow_with_states_or_years(isu_staff, audience):
    ReportingRules.current()
    few = _queries(D("2026-06-01"), audience)
    for iso3 in ("NGA", "LAO", "SSD", "PER", "DEU", "IRQ", "LBN", "COL"):
        for year in range(2012, 2026):
            published_annual(iso3, isu_staff, year, stock=[1000 - year], areas=[100_000 - year])
    many = _queries(D("2026-06-01"), audience)
    assert few == many == _queries(D("2016-06-01"), audience) == CHARTS_QUERIES


@pytest.mark.django_db
def test_the_data_behind_the_charts_is_plain_json(isu_staff):
    published_annual("NGA", isu_staff, 2024, stock=[500])
    data = json.loads(json.dumps(context("2026-06-01")["data"], cls=DjangoJSONEncoder))
    nga = next(o for o in data["obligations"] if o["iso3"] == "NGA")
    assert nga == {
        "iso3": "NGA",
        "article": 3,
        "deadline": "2031-08-01",
        "unit": "munitions",
        "points": [[2024, "500"]],
        "projection": {
            "status": "too_few_points",
            "date": None,
            "rate_per_year": None,
            "capped": False,
            "after_deadline": False,
        },
    }
    assert data["parties_by_region"][-1] == {
        "date": "2026-06-01",
        "regions": {"Africa": 36, "Americas": 25, "Asia": 6, "Europe": 33, "Middle East": 3, "Pacific": 9},
        "total": 112,
    }


def test_each_trend_reads_the_deadline_in_force_on_the_day_in_its_precision(db):
    """Chad's second interim extension, granted at the 12th Meeting 'to October 2026' (month only), holds
    from the meeting's last day (13 September 2024); before, the first one (1 October 2024) is in force."""

    def chad(day: str) -> trends.ObligationTrend:
        found = trends.obligation_trends(as_of=D(day), audience=Audience.PUBLIC)
        return next(t for t in found if t.iso3 == "TCD" and t.article == Article.CLEARANCE)

    before, after = chad("2024-09-12"), chad("2024-09-13")
    assert before.deadline == D("2024-10-01")
    assert "October 2026" not in before.chart.desc and "October 2026" not in str(before.chart.svg)
    assert after.deadline == D("2026-10-31")  # passed only once the month is over
    assert "deadline October 2026" in after.chart.desc  # the month the source gives, never a day
    assert "Deadline: October 2026" in str(after.chart.svg)
    germany = next(
        t
        for t in trends.obligation_trends(as_of=D("2018-11-12"), audience=Audience.PUBLIC)
        if t.iso3 == "DEU" and t.article == Article.CLEARANCE
    )
    assert germany.deadline == D("2020-08-01")  # the 9th Meeting's extension to 2025 came in 2019
