"""Benchmarks of the open-data API on the archive's volume (bench/test_archive.py: 125 States, fifteen years of
published reports, 2,063 versions), beside the floor (/healthz, one query) measured in the same run: a list and a
version at full volume, and the conditional GET a harvester makes when nothing changed (304, no query at all).

Run: .venv/bin/pytest bench/test_api.py --benchmark-enable --benchmark-only -p no:cacheprovider
(PostgreSQL when DATABASE_URL points at it). Query counts are asserted alongside the timings.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.test_archive import volume  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db

LIST_QUERIES = 3  # formats, count, page
VERSION_QUERIES = 1  # the version with its report, State and format


def _get(client, url, *, queries, status=200, **headers):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **headers)
    assert response.status_code == status, response.status_code
    assert len(ctx.captured_queries) == queries, [q["sql"][:200] for q in ctx.captured_queries]
    return response


def _run(benchmark, client, url, *, queries, status=200, **headers):
    benchmark.extra_info["queries"] = queries
    return benchmark(_get, client, url, queries=queries, status=status, **headers)


def test_bench_floor_healthz(benchmark, client, volume):  # noqa: F811
    _run(benchmark, client, "/healthz", queries=1)


def test_bench_api_reports_first_page(benchmark, client, volume):  # noqa: F811
    response = _run(benchmark, client, "/api/v1/reports", queries=LIST_QUERIES)
    assert len(response.json()["results"]) == 50


def test_bench_api_reports_every_version_of_a_year(benchmark, client, volume):  # noqa: F811
    response = _run(
        benchmark, client, "/api/v1/reports?all_versions=true&period=2020&page_size=200", queries=LIST_QUERIES
    )
    assert response.json()["count"] > 100


def test_bench_api_one_version(benchmark, client, volume):  # noqa: F811
    url = client.get("/api/v1/reports?state=LAO").json()["results"][0]["url"]
    response = _run(benchmark, client, url, queries=VERSION_QUERIES)
    assert response.json()["content"]["forms"]


def test_bench_api_reports_not_modified(benchmark, client, volume):  # noqa: F811
    etag = client.get("/api/v1/reports")["ETag"]
    response = _run(benchmark, client, "/api/v1/reports", queries=0, status=304, HTTP_IF_NONE_MATCH=etag)
    assert response.content == b""
