"""Benchmarks of the assistance overview with realistic volumes: 2,000 requests, 500 offers and their
matches (tests/assistance/volume.py), plus 20 public requests and 10 country coalitions.

Run with `make bench` (PostgreSQL when DATABASE_URL points at it). Query counts are asserted
alongside the timings so a slow page cannot hide an N+1; they are the counts pinned in
tests/assistance/test_overview.py. The figures are kept until the data changes (assistance.cached): each page is
read once before it is timed, so what is timed is a reader after the first (the `_first` benchmarks time the first
reader after a change: the data's version moved before every round).
"""

import pytest

from assistance.models import AssistanceRequest, Donor
from bench.conftest import counted_get
from tests.assistance.test_overview import (
    FULL_QUERIES_COORDINATOR_KEPT,
    FULL_QUERIES_ISU_KEPT,
    PUBLIC_QUERIES,
    PUBLIC_QUERIES_KEPT,
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


def test_bench_public_overview_first_reader_2000_requests(benchmark, volume, client_for):
    client = client_for(None)
    response = benchmark(counted_get, client, "/assistance/", {}, PUBLIC_QUERIES, first=True)
    assert '<dd class="stat-value">1800</dd>' in response.content.decode()


def test_bench_public_overview_2000_requests(benchmark, volume, client_for):
    client = client_for(None)
    response = benchmark(counted_get, client, "/assistance/", {}, PUBLIC_QUERIES_KEPT)
    assert '<dd class="stat-value">1800</dd>' in response.content.decode()  # 10% of the requests are closed


def test_bench_public_overview_json_2000_requests(benchmark, volume, client_for):
    client = client_for(None)
    response = benchmark(counted_get, client, "/assistance/", {"format": "json"}, PUBLIC_QUERIES_KEPT)
    assert response.json()["open_requests"] == 1800


def test_bench_full_overview_isu_2000_requests(benchmark, volume, isu_staff, client_for):
    client = client_for(isu_staff)
    response = benchmark(counted_get, client, "/assistance/overview/", {}, FULL_QUERIES_ISU_KEPT)
    assert response.content.decode().count('class="table-wrap gap-table"') == 3  # USD, EUR, NOK


def test_bench_full_overview_isu_filtered(benchmark, volume, isu_staff, client_for):
    client = client_for(isu_staff)
    filters = {"region": "Africa", "currency": "USD"}
    benchmark(counted_get, client, "/assistance/overview/", filters, FULL_QUERIES_ISU_KEPT)


def test_bench_full_overview_coordinator_2000_requests(benchmark, volume, coordinator, client_for):
    client = client_for(coordinator)
    response = benchmark(counted_get, client, "/assistance/overview/", {}, FULL_QUERIES_COORDINATOR_KEPT)
    assert 'class="table-wrap gap-table"' in response.content.decode()
