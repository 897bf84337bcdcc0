"""The charts draw each version's Form B stockpile and Form F areas from the totals the version keeps
(``ReportVersion.form_totals``, written when it is made), never from its content: the same figures the content
gives, for versions made one by one and in bulk, for each audience and date; a version without its summary draws
nothing, so a summary missing or wrong would show."""

import datetime as dt
from decimal import Decimal

import pytest

from parties.models import Article, State
from progress import trends
from progress.models import Audience
from reporting.models import ReportVersion, VersionOutcome
from reporting.models.reports import form_total
from tests.progress.builders import bulk_reports
from tests.progress.test_reporting_rates import content_with, make_report

pytestmark = pytest.mark.django_db

D = dt.date.fromisoformat
DAYS = ["2024-06-01", "2025-09-01", "2026-06-01"]


def totals_in_content(content) -> dict[str, Decimal | None]:
    """Form B's stockpile and Form F's areas summed from the content itself, as the charts read them before."""
    forms = content["forms"]
    return {
        "B": form_total(forms["B"].get("choice"), forms["B"].get("tables", {}).get("stockpile"), "munitions"),
        "F": form_total(forms["F"].get("choice"), forms["F"].get("tables", {}).get("areas"), "area"),
    }


def points_from_content(as_of: dt.date, audience: str) -> dict[tuple[str, int], tuple]:
    """Each open obligation's points with every version in force read from its content."""
    found = {}
    for trend in trends.obligation_trends(as_of=as_of, audience=audience):
        state = State.objects.get(iso3=trend.iso3)
        rows = trends.versions_in_force([state.pk], as_of=as_of, audience=audience)
        for row in rows:
            content = ReportVersion.objects.get(report_id=row["report_id"], number=row["number"]).content
            row["totals"] = {code: str(t) for code, t in totals_in_content(content).items() if t is not None}
        found[(trend.iso3, trend.article)] = tuple(trends.yearly_totals(rows, trend.article, state.entry_into_force))
    return found


def chart_points(as_of: dt.date, audience: str) -> dict[tuple[str, int], tuple]:
    context = trends.charts_context(as_of=as_of, audience=audience)
    drawn = {(o["iso3"], o["article"]): o["points"] for o in context["data"]["obligations"]}
    points = {(t.iso3, t.article): t.points for t in context["obligations"]}
    assert drawn == {key: [[year, str(value)] for year, value in p] for key, p in points.items()}
    return points


@pytest.fixture
def varied(isu_staff):
    """Nigeria (Art. 3) and Lao PDR (Art. 4) with every kind of Form B and F: rows, decimals, text, empty cells,
    unchanged with and without rows, not applicable, unanswered; a correction; a version still pending."""

    def content(*, stock=None, areas=None, **choices):
        """``content_with``, the cells given as they are (text, empty, ``None``)."""
        made = content_with(stock=[0] * len(stock) if stock else stock, areas=areas, **choices)
        for row, value in zip(made["forms"]["B"]["tables"].get("stockpile", []), stock or [], strict=False):
            row["munitions"] = value
        return made

    def annual(iso3, year, outcome=VersionOutcome.ACCEPTED, report=None, **cells):
        day = D(f"{year + 1}-04-01")
        return make_report(
            iso3,
            isu_staff,
            year=year,
            submitted_on=day,
            published_on=day if outcome == VersionOutcome.ACCEPTED else None,
            outcome=outcome,
            report=report,
            content=content(**cells),
        )

    day = D("2024-01-15")
    make_report("NGA", isu_staff, submitted_on=day, published_on=day, content=content(stock=[600, "400", None]))
    report, _v = annual("NGA", 2024, stock=[500, "299.5", ""])
    annual("NGA", 2024, report=report, stock=[480])  # a correction
    annual("NGA", 2025, b_choice="unchanged")  # no rows: the year before
    annual("LAO", 2021, areas=[3_000_000, "1000000.25"])
    annual("LAO", 2022, b_choice="unchanged", areas=["abc", 2_500_000])
    annual("LAO", 2023, f_choice="unchanged", areas=[2_000_000])
    annual("LAO", 2024)  # Form F not applicable: none left
    annual("LAO", 2025, outcome=VersionOutcome.PENDING, areas=[9])


@pytest.mark.parametrize("audience", Audience.values)
@pytest.mark.parametrize("day", DAYS)
def test_the_charts_draw_the_figures_the_content_gives(varied, audience, day):
    drawn = chart_points(D(day), audience)
    assert drawn == points_from_content(D(day), audience)
    assert any(drawn.values())


def test_the_figures_of_the_varied_reports(varied):
    drawn = chart_points(D("2026-06-01"), Audience.ISU)
    assert drawn[("NGA", Article.STOCKPILE_DESTRUCTION)] == ((2023, 1000), (2024, 480), (2025, 480))
    assert drawn[("LAO", Article.CLEARANCE)] == (
        (2021, Decimal("4.00000025")),
        (2022, Decimal("2.5")),
        (2023, 2),
        (2024, 0),
    )


@pytest.mark.parametrize("audience", Audience.values)
def test_versions_made_in_bulk_draw_the_figures_their_content_gives(isu_staff, audience):
    bulk_reports(years=range(2019, 2026), actor=isu_staff)
    drawn = chart_points(D("2026-06-01"), audience)
    assert drawn == points_from_content(D("2026-06-01"), audience)
    assert sum(len(points) for points in drawn.values()) > 50


def test_the_charts_read_the_summary_not_the_content(varied):
    """Without its summary a version draws nothing (its content is all there): the charts read only the summary."""
    assert chart_points(D("2026-06-01"), Audience.ISU)[("NGA", Article.STOCKPILE_DESTRUCTION)]
    ReportVersion.objects.update(form_totals={})
    drawn = chart_points(D("2026-06-01"), Audience.ISU)
    assert not any(drawn.values())
    assert points_from_content(D("2026-06-01"), Audience.ISU)[("NGA", Article.STOCKPILE_DESTRUCTION)]
