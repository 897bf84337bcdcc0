"""Benchmarks of the assistance overview with realistic volumes: 2,000 requests, 500 offers and their
matches (tests/assistance/volume.py), plus 20 public requests and 10 country coalitions.

Run with `make bench` (PostgreSQL when DATABASE_URL points at it). Query counts are asserted
alongside the timings so a slow page cannot hide an N+1; they are the counts pinned in
tests/assistance/test_overview.py.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assistance.models import AssistanceRequest, Donor
from tests.assistance.test_overview import (
    FULL_QUERIES_COORDINATOR,
    FULL_QUERIES_ISU,
    PUBLIC_QUERIES,
    make_coalition,
)
from tests.assistance.volume import build

pytestmark = pytest.mark.django_db


@pytest.fixture
def volume(reference_data):
    data = build(requests=2000, offers=500)
    public = AssistanceRequest.objects.order_by("pk").values("pk")[:20]
    AssistanceRequest.objects.filter(pk__in=public).update(is_public=True)
    donors = list(Donor.objects.all())
    for n, iso3 in enumerate(("LAO", "IRQ", "AFG", "LBN", "TCD", "SOM", "BIH", "COL", "MOZ", "GNB")):
        make_coalition(iso3, partners=donors[n : n + 4])
    return data


# The bench renders templates as production does: no response.context, so assertions read the page.
def _get(client, url, params, queries):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    assert len(ctx.captured_queries) == queries, len(ctx.captured_queries)
    return response


def test_bench_public_overview_2000_requests(benchmark, volume, client_for):
    client = client_for(None)
    response = benchmark(_get, client, "/assistance/", {}, PUBLIC_QUERIES)
    assert '<dd class="stat-value">1800</dd>' in response.content.decode()  # 10% of the requests are closed


def test_bench_public_overview_json_2000_requests(benchmark, volume, client_for):
    client = client_for(None)
    response = benchmark(_get, client, "/assistance/", {"format": "json"}, PUBLIC_QUERIES)
    assert response.json()["open_requests"] == 1800


def test_bench_full_overview_isu_2000_requests(benchmark, volume, isu_staff, client_for):
    client = client_for(isu_staff)
    response = benchmark(_get, client, "/assistance/overview/", {}, FULL_QUERIES_ISU)
    assert response.content.decode().count('class="table-wrap gap-table"') == 3  # USD, EUR, NOK


def test_bench_full_overview_isu_filtered(benchmark, volume, isu_staff, client_for):
    client = client_for(isu_staff)
    benchmark(_get, client, "/assistance/overview/", {"region": "Africa", "currency": "USD"}, FULL_QUERIES_ISU)


def test_bench_full_overview_coordinator_2000_requests(benchmark, volume, coordinator, client_for):
    client = client_for(coordinator)
    response = benchmark(_get, client, "/assistance/overview/", {}, FULL_QUERIES_COORDINATOR)
    assert 'class="table-wrap gap-table"' in response.content.decode()
