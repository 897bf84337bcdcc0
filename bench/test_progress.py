"""Benchmarks of the "progress to date" dashboard at realistic volume: every State in the registry,
fifteen years of published annual updates (2011–2025) for every State Party with small Form B and
Form F content (about 1,500 reports), two Art. 9 records per State Party and four country coalitions.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/ccm_h7 CCM_VAR_DIR=/tmp/h7-var .venv/bin/pytest
bench/test_progress.py --benchmark-enable --benchmark-only -p no:cacheprovider

Target: under 300 ms for the whole page (treaty figures, Art. 7 rates and charts). The dashboards are timed cold
(each round right after a change of the data: everything read and computed) and warm (the data did not change:
the figures, charts and universalization table come from the cache, ``progress.cached``). Query counts are
asserted alongside the timings (and kept in each benchmark's extra_info) so a slow page cannot hide
an N+1; the counts are those pinned in tests/progress/test_dashboard_views.py.
"""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assistance.models import Coalition
from parties.models import MeasuresStatus, NationalMeasures, State
from progress import selectors
from progress.models import Audience
from tests.progress.builders import bulk_reports, data_committed
from tests.progress.test_dashboard_views import (
    DASHBOARD_JSON_QUERIES,
    DASHBOARD_QUERIES,
    DEADLINE_QUERIES,
    FIGURE_QUERIES,
    ISU_QUERIES,
    RATES_QUERIES,
    TREATY_QUERIES,
)

pytestmark = pytest.mark.django_db

AS_OF = "2026-02-03"
ROUNDS = 7


@pytest.fixture
def volume(isu_staff):
    # The bench's own Art. 9 records and coalitions only (the reference data's real ones are set aside for the
    # test), so the figures below are known.
    NationalMeasures.objects.all().delete()
    Coalition.objects.all().delete()
    parties = list(State.objects.filter(deposit_date__isnull=False).order_by("iso3"))
    NationalMeasures.objects.bulk_create(
        NationalMeasures(state=s, status=status, effective_from=dt.date(2012 + n, 6, 1), source="bench")
        for s in parties
        for n, status in enumerate([MeasuresStatus.IN_PROGRESS, MeasuresStatus.ADOPTED])
    )
    Coalition.objects.bulk_create(
        Coalition(state=State.objects.get(iso3=iso3), formed_on=dt.date(2018 + n, 9, 1), source="bench")
        for n, iso3 in enumerate(["LAO", "LBN", "IRQ", "TCD"])
    )
    reports = bulk_reports(years=range(2011, 2026), actor=isu_staff)
    assert reports > 1500
    return {"reports": reports}


def _get(client, url, params, *, queries):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    if queries is not None:
        assert len(ctx.captured_queries) == queries, [q["sql"][:200] for q in ctx.captured_queries]
    return response


def _run(benchmark, client, url, params, *, queries):
    """Cold: each round right after a change of the data, so nothing kept for the old data serves it."""
    benchmark.extra_info["queries"] = queries
    _get(client, url, params, queries=None)  # the session and content types, read once per process
    return benchmark.pedantic(
        _get, args=(client, url, params), kwargs={"queries": queries}, setup=data_committed, rounds=ROUNDS
    )


def _warm(benchmark, client, url, params, *, queries):
    """Warm: the data did not change since the last request (the figures and charts come from the cache)."""
    benchmark.extra_info["queries"] = queries
    _get(client, url, params, queries=None)
    return benchmark(_get, client, url, params, queries=queries)


@pytest.mark.parametrize("run", [_run, _warm], ids=["cold", "warm"])
def test_bench_dashboard_html(benchmark, client, volume, run):
    response = run(benchmark, client, "/progress/", {"as_of": AS_OF}, queries=DASHBOARD_QUERIES if run is _run else 0)
    assert "States Parties that completed stockpile destruction" in response.content.decode()


@pytest.mark.parametrize("run", [_run, _warm], ids=["cold", "warm"])
def test_bench_dashboard_today_html(benchmark, client, volume, run):
    run(benchmark, client, "/progress/", {}, queries=DASHBOARD_QUERIES if run is _run else 0)


@pytest.mark.parametrize("run", [_run, _warm], ids=["cold", "warm"])
def test_bench_dashboard_json(benchmark, client, volume, run):
    queries = DASHBOARD_JSON_QUERIES if run is _run else 0
    response = run(benchmark, client, "/progress/", {"as_of": AS_OF, "format": "json"}, queries=queries)
    figures = {f["key"]: f for f in response.json()["figures"]}
    assert figures["states-parties"]["numerator"] == 112
    assert figures["art9-adopted"]["numerator"] == 112  # the latest record of every State Party


@pytest.mark.parametrize("run", [_run, _warm], ids=["cold", "warm"])
def test_bench_isu_dashboard_html(benchmark, client_for, isu_staff, volume, run):
    client = client_for(isu_staff)  # signed in with the authenticator code, as staff must be
    queries = ISU_QUERIES + (DASHBOARD_QUERIES if run is _run else 0)
    run(benchmark, client, "/isu/progress/", {"as_of": AS_OF}, queries=queries)


def test_bench_figure_page_art3(benchmark, client, volume):
    response = _run(
        benchmark, client, "/progress/art3-completed/", {"as_of": AS_OF}, queries=FIGURE_QUERIES + DEADLINE_QUERIES
    )
    # As tests/progress/test_dashboard_views.py counts it: with Norway's (2010) and Peru's (2023) completions.
    assert '<span class="progress-count">(39)</span>' in response.content.decode()


def test_bench_figure_json_states_parties(benchmark, client, volume):
    response = _run(
        benchmark, client, "/progress/states-parties/", {"as_of": AS_OF, "format": "json"}, queries=FIGURE_QUERIES
    )
    assert len(response.json()["states"]) == 112


def test_bench_build_only(benchmark, volume):
    """The figures alone (treaty figures and Art. 7 rates), without rendering or charts."""

    def build():
        with CaptureQueriesContext(connection) as ctx:
            board = selectors.build(as_of=dt.date.fromisoformat(AS_OF), audience=Audience.PUBLIC)
        assert len(ctx.captured_queries) == TREATY_QUERIES + RATES_QUERIES
        return board

    benchmark.extra_info["queries"] = TREATY_QUERIES + RATES_QUERIES
    assert benchmark(build).figure("coalitions").numerator == 4
