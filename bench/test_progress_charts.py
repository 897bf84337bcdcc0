"""Benchmarks of the dashboard's reporting rates and charts at realistic volume: every State Party with an
initial report and fifteen annual updates (2011–2025), each accepted and published, with a small Form B
stockpile and Form F areas table; one in ten corrected once (a superseded version 1 and an accepted
version 2), one in seven restricted, one in nine a nil report.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/ccm_h8 CCM_VAR_DIR=/tmp/h8-var .venv/bin/pytest
bench/test_progress_charts.py --benchmark-enable --benchmark-only -p no:cacheprovider. Query counts are
asserted alongside the timings (and kept in each benchmark's extra_info) so a slow part cannot hide an N+1.
"""

import datetime as dt

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from parties.models import State
from progress import cached, reporting_rates, trends
from progress.models import Audience
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
from tests.progress.test_dashboard_views import CHARTS_QUERIES, RATES_QUERIES
from tests.progress.test_reporting_rates import content_with

pytestmark = pytest.mark.django_db

YEARS = range(2011, 2026)
AS_OF = dt.date(2026, 6, 1)
# The counts tests/progress/test_dashboard_views.py pins (and explains), so the two never drift apart.
FIGURES_QUERIES = RATES_QUERIES
OPEN_OBLIGATIONS = 14


@pytest.fixture
def volume(isu_staff):
    ReportingRules.current()
    format_version = FormatVersion.objects.get(is_current=True)
    states = list(State.objects.exclude(deposit_date=None).order_by("iso3"))
    reports = Report.objects.bulk_create(
        Report(
            state=state,
            kind=ReportKind.ANNUAL if year else ReportKind.INITIAL,
            period_year=year,
            format_version=format_version,
            status=ReportStatus.PUBLISHED,
            visibility=Visibility.RESTRICTED if (s + (year or 0)) % 7 == 0 else Visibility.PUBLIC,
            is_nil=bool(year) and (s + year) % 9 == 0,
            created_by=isu_staff,
            updated_by=isu_staff,
        )
        for s, state in enumerate(states)
        for year in (None, *YEARS)
    )

    def content(report, shift=0):
        if report.is_nil:
            return content_with()
        left = max(0, 2030 - (report.period_year or 2010)) + shift
        return content_with(stock=[left * 100, left * 50, 7], areas=[left * 100_000, left * 25_000, "1500.5"])

    def submitted_on(report):
        if report.kind == ReportKind.INITIAL:
            return report.state.initial_report_due - dt.timedelta(days=report.state_id % 40 - 10)
        return dt.date(report.period_year + 1, 4, 30) + dt.timedelta(days=report.state_id % 60 - 30)

    def version(report, number, **fields):
        at = timezone.make_aware(dt.datetime.combine(submitted_on(report), dt.time(10))) + dt.timedelta(days=number)
        return ReportVersion(
            report=report,
            number=number,
            format_version=format_version,
            is_nil=report.is_nil,
            visibility=report.visibility,
            submitted_by=isu_staff,
            submitted_at=at,
            submitted_on=timezone.localdate(at),
            decided_by=isu_staff,
            decided_at=at + dt.timedelta(days=2),
            published_at=at + dt.timedelta(days=3),
            **fields,
        )

    corrections = {
        v.report_id: v
        for v in ReportVersion.objects.bulk_create(
            version(r, 2, content=content(r, shift=-1), outcome=VersionOutcome.ACCEPTED, correction_note="Form B")
            for i, r in enumerate(reports)
            if i % 10 == 0
        )
    }
    ReportVersion.objects.bulk_create(
        version(
            r,
            1,
            content=content(r),
            outcome=VersionOutcome.SUPERSEDED if r.pk in corrections else VersionOutcome.ACCEPTED,
            superseded_by=corrections.get(r.pk),
        )
        for r in reports
    )
    return {"states": len(states), "reports": len(reports), "versions": len(reports) + len(corrections)}


def _counted(function, queries):
    with CaptureQueriesContext(connection) as ctx:
        result = function()
    assert len(ctx.captured_queries) == queries, [q["sql"][:200] for q in ctx.captured_queries]
    return result


def _figures(audience=Audience.PUBLIC):
    return reporting_rates.figures(as_of=AS_OF, audience=audience)


def _charts(audience=Audience.PUBLIC):
    return trends.charts_context(as_of=AS_OF, audience=audience)


def test_bench_reporting_rate_figures(benchmark, volume):
    benchmark.extra_info |= volume | {"queries": FIGURES_QUERIES}
    found = {f.key: f for f in benchmark(_counted, _figures, FIGURES_QUERIES)}
    assert found["initial-reports-submitted"].numerator == 111
    assert found["annual-reports-submitted"].denominator == 111


@pytest.mark.parametrize("audience", Audience.values)
def test_bench_charts_context(benchmark, volume, audience):
    benchmark.extra_info |= volume | {"queries": CHARTS_QUERIES}
    context = benchmark(_counted, lambda: _charts(audience), CHARTS_QUERIES)
    panels = context["obligation_panels"]
    # The Art. 3/4 obligations still open on 1 June 2026 in the public record (completions count from their
    # dated statements since the record became time-true: 14, where 24 were open before it held them).
    assert len(panels) == len(context["obligations"]) == OPEN_OBLIGATIONS
    assert all(len(t.points) >= 10 for t in panels)
    assert len(context["data"]["annual_reports"]) == 16  # 2010 (no reports: all missing) to 2025


@pytest.mark.parametrize("audience", Audience.values)
def test_bench_figures_charts_and_partial(benchmark, volume, audience):
    """Everything this part adds to the dashboard: the figures, the charts and their HTML."""
    benchmark.extra_info |= volume | {"queries": FIGURES_QUERIES + CHARTS_QUERIES}

    def everything():
        _figures(audience)
        return render_to_string("progress/_charts.html", {"charts": _charts(audience)})

    html = benchmark(_counted, everything, FIGURES_QUERIES + CHARTS_QUERIES)
    assert html.count('role="img"') == 2 + OPEN_OBLIGATIONS
    benchmark.extra_info["html_bytes"] = len(html)


@pytest.mark.parametrize("audience", Audience.values)
def test_bench_charts_kept(benchmark, volume, audience):
    """The charts as the dashboard reads them while the data does not change: from the cache, no query."""
    cached.charts(as_of=AS_OF, audience=audience)
    benchmark.extra_info |= volume | {"queries": 0}
    context = benchmark(_counted, lambda: cached.charts(as_of=AS_OF, audience=audience), 0)
    assert len(context["obligation_panels"]) == OPEN_OBLIGATIONS
