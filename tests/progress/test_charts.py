"""The charts as people and assistive technology get them: well-formed SVG with a title and a description,
a legend, the same numbers in a data table, no script; and the partial the dashboard includes."""

import datetime as dt
import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.template.loader import render_to_string

from parties.models import Article
from progress import charts, trends
from progress.charts import DataTable, Series
from progress.models import Audience
from reporting.models import Visibility
from tests.progress.test_reporting_rates import content_with, make_report
from tests.progress.test_trends import published_annual

D = dt.date.fromisoformat
SVG = "{http://www.w3.org/2000/svg}"
TABLE = DataTable(caption="Numbers", columns=("Year", "Value"), rows=(("2020", "1"),))


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # noqa: S314 — our own markup, parsed to prove it is well-formed
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and title.text
    assert desc is not None and desc.text
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    return root


def svgs(html: str) -> list[str]:
    return re.findall(r"<svg\b[^>]*\brole=\"img\".*?</svg>", html, flags=re.DOTALL)


# --- The chart functions --------------------------------------------------------------------------------------
def test_nice_ticks():
    assert charts.nice_ticks(112) == [0, 25, 50, 75, 100, 125]
    assert charts.nice_ticks(4) == [0, 1, 2, 3, 4]
    assert charts.nice_ticks(0) == [0, 1]
    assert charts.tick_label(2_500_000) == "2.5M"
    assert charts.tick_label(20_000) == "20k"


def test_stacked_area_is_valid_svg_with_one_path_per_series():
    chart = charts.stacked_area(
        chart_id="c1",
        title="States <Parties> & regions",
        desc="Up from 4 to 112.",
        points=[D("2008-12-31"), D("2009-12-31"), D("2010-06-01")],
        point_labels=["2008", "2009", "2010"],
        series=[Series("a", "Africa", "#E69F00", (1, 5, 9)), Series("e", "Europe", "#0072B2", (3, 15, 20))],
        table=TABLE,
    )
    root = parse(chart.svg)
    assert root.find(f"{SVG}title").text == "States <Parties> & regions"
    paths = root.findall(f"{SVG}path")
    assert [p.find(f"{SVG}title").text for p in paths] == ["Africa", "Europe"]
    assert [p.get("fill") for p in paths] == ["#E69F00", "#0072B2"]
    assert [item.label for item in chart.legend] == ["Africa", "Europe"]


def test_stacked_area_with_a_single_point_draws_a_column():
    chart = charts.stacked_area(
        chart_id="c2",
        title="t",
        desc="d",
        points=[D("2008-12-10")],
        point_labels=["2008"],
        series=[Series("a", "Africa", "#000", (4,))],
        table=TABLE,
    )
    assert len(parse(chart.svg).findall(f"{SVG}rect")) == 1


def test_stacked_bars_skip_empty_segments():
    chart = charts.stacked_bars(
        chart_id="c3",
        title="t",
        desc="d",
        categories=["2019", "2020"],
        series=[Series("on", "On time", "#0f0", (3, 0)), Series("missing", "Missing", "#f00", (1, 2))],
        table=TABLE,
    )
    rects = parse(chart.svg).findall(f"{SVG}rect")
    assert [r.find(f"{SVG}title").text for r in rects] == ["2019: On time 3", "2019: Missing 1", "2020: Missing 2"]
    heights = [float(r.get("height")) for r in rects]
    assert heights[0] == pytest.approx(3 * heights[1], rel=0.02)


def test_sparkline_draws_values_projection_and_deadline():
    chart = charts.sparkline(
        chart_id="s1",
        title="Nigeria",
        desc="d",
        points=[(D("2023-12-31"), Decimal(1000)), (D("2024-12-31"), Decimal(800))],
        deadline=D("2031-08-01"),
        projected=D("2028-12-31"),
        table=TABLE,
        deadline_label="Deadline: 1 August 2031",
    )
    root = parse(chart.svg)
    assert len(root.findall(f"{SVG}circle")) == 2
    assert root.find(f"{SVG}polyline") is not None
    lines = root.findall(f"{SVG}line")
    assert any(line.get("stroke-dasharray") for line in lines)  # the projection
    assert any(line.find(f"{SVG}title") is not None for line in lines)  # the deadline, with its date


def test_sparkline_stops_a_far_projection_at_the_panel_edge():
    chart = charts.sparkline(
        chart_id="s2",
        title="t",
        desc="d",
        points=[(D("2020-12-31"), Decimal(10)), (D("2021-12-31"), Decimal(9))],
        deadline=D("2022-08-01"),
        projected=D("2120-12-31"),
        table=TABLE,
        deadline_label="",
    )
    root = parse(chart.svg)
    dashed = next(line for line in root.findall(f"{SVG}line") if line.get("stroke-dasharray"))
    assert float(dashed.get("x2")) <= 260 and float(dashed.get("y2")) < 84 - 18  # above the baseline: not yet zero


def test_sparkline_without_points():
    chart = charts.sparkline(
        chart_id="s3",
        title="t",
        desc="no figures",
        points=[],
        deadline=D("2022-08-01"),
        projected=None,
        table=DataTable("c", ("a", "b"), ()),
        deadline_label="Deadline",
    )
    assert parse(chart.svg).find(f"{SVG}polyline") is None


# --- The partial ------------------------------------------------------------------------------------------------
def render(as_of, audience=Audience.PUBLIC):
    ctx = trends.charts_context(as_of=D(as_of), audience=audience)
    return ctx, render_to_string("progress/_charts.html", {"charts": ctx})


@pytest.fixture
def with_reports(isu_staff):
    for year, stock in ((2023, 900), (2024, 700), (2025, 500)):
        published_annual("NGA", isu_staff, year, stock=[stock])
    for year, area in ((2022, 4_000_000), (2023, 4_100_000)):
        published_annual("LAO", isu_staff, year, areas=[area])


@pytest.mark.django_db
def test_every_chart_renders_valid_svg_with_title_desc_and_a_data_table(with_reports):
    ctx, html = render("2026-06-01")
    found = svgs(html)
    panels = ctx["obligation_panels"]
    assert [t.iso3 for t in panels] == ["LAO", "NGA"]
    assert len(found) == 2 + len(panels)
    ids = set()
    for svg in found:
        root = parse(svg)
        ids.add(root.find(f"{SVG}title").get("id"))
    assert len(ids) == len(found)  # ids unique on the page
    assert "<script" not in html
    assert 'rel="stylesheet"' in html and "progress-charts.css" in html
    # A data table in a <details> for each chart (the two big charts, the panels), and one table listing
    # the open obligations without reported figures.
    assert html.count("<details") == 2 + len(panels)
    assert html.count("<table") == 2 + len(panels) + 1
    assert len(ctx["obligations_unreported"]) == len(ctx["obligations"]) - 2
    assert "Open obligations without figures in a published public report" in html
    assert "Annual updates by reporting year" in html


@pytest.mark.django_db
def test_panels_say_the_projection_and_flag_the_late_ones(with_reports):
    _ctx, html = render("2026-06-01")
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "At this rate, 2028; deadline Aug. 1, 2031" in text  # Nigeria: 500 left at 200 a year
    # Lao PDR: area grew; its deadline in force is the 9th Meeting's extension (its 2024 request has no outcome).
    assert "Not decreasing: no projection; deadline Aug. 1, 2025" in text
    assert "500 cluster munitions at the end of 2025" in text
    assert "This public version uses published public reports only." in text
    # Riskiest first: Lao PDR (not decreasing) before Nigeria (in time).
    assert text.index("Lao People") < text.index("Nigeria")
    assert 'href="/states/NGA/?as_of=2026-06-01"' in html


@pytest.mark.django_db
def test_late_projection_carries_a_badge(isu_staff):
    for year, stock in ((2023, 900), (2024, 850)):
        published_annual("NGA", isu_staff, year, stock=[stock])
    ctx, html = render("2026-06-01")
    nga = next(t for t in ctx["obligations"] if t.iso3 == "NGA" and t.article == Article.STOCKPILE_DESTRUCTION)
    assert nga.projection.late  # 850 at 50 a year: 2041, deadline 2031
    assert html.count("trend-card--late") == 1
    assert "After the deadline" in html


@pytest.mark.django_db
def test_public_page_never_shows_restricted_figures(isu_staff):
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
    _public, public_html = render("2026-06-01", Audience.PUBLIC)
    _isu, isu_html = render("2026-06-01", Audience.ISU)
    assert "987.65" not in public_html
    assert "987.65" in isu_html
    assert "restricted ones included" in isu_html


@pytest.mark.django_db
def test_nothing_rendered_without_charts(reference_data):
    assert render_to_string("progress/_charts.html", {}).strip() == ""


@pytest.mark.django_db
def test_before_the_convention_the_partial_still_renders(reference_data):
    _ctx, html = render("2008-06-01")
    assert svgs(html) == []
    assert "No State Party had an Art. 3 or Art. 4 obligation open on this date." in html


# --- On the dashboard pages ---------------------------------------------------------------------------------
@pytest.fixture
def restricted_and_public(isu_staff):
    """South Sudan: a restricted report (987.65 km²); Nigeria: public reports (900, 700, 500 munitions)."""
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
    for year, stock in ((2023, 900), (2024, 700), (2025, 500)):
        published_annual("NGA", isu_staff, year, stock=[stock])


@pytest.mark.django_db
@pytest.mark.parametrize("persona", [None, "focal_point", "donor"])
def test_the_public_dashboard_draws_the_charts_without_restricted_figures(
    client_for, request, restricted_and_public, persona
):
    user = request.getfixturevalue(persona) if persona else None
    response = client_for(user).get("/progress/", {"as_of": "2026-06-01"})
    assert response.status_code == 200
    html = response.content.decode()
    for svg in svgs(html):
        parse(svg)
    assert len(svgs(html)) >= 3  # by region, by reporting year, Nigeria's panel
    assert "At this rate, 2028; deadline Aug. 1, 2031" in html
    assert "987.65" not in html


@pytest.mark.django_db
def test_the_isu_dashboard_uses_restricted_reports(client_for, isu_staff, restricted_and_public):
    response = client_for(isu_staff).get("/isu/progress/", {"as_of": "2026-06-01"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "987.65" in html
    assert "This ISU version uses every accepted report, restricted ones included." in html
