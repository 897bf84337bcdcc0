"""Benchmarks of the matching board with 2,000 requests and 500 offers (tests/assistance/volume.py).

Run with `make bench` (PostgreSQL when DATABASE_URL points at it). Query counts are asserted
alongside the timings so that a slow page cannot hide an N+1: the ranking runs in Python over
offer facts loaded once, whatever the number of requests and offers. The board keeps each request's best
candidates until the data changes (``assistance.cached.best_offers``): "cold" is the first reader after a change
(every active offer scored for each request on the page), "warm" any reader after that.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role, ThematicArea
from assistance.models import AssistanceRequest, RequestStatus
from tests.assistance import volume
from tests.factories import make_user
from tests.progress.builders import data_committed

pytestmark = pytest.mark.django_db

# As pinned in tests/assistance/test_board.py: warm, the offers shown are read in one query; cold, the facts of
# every active offer are read first (four queries: offers, their areas, their States, deliveries).
BOARD_QUERIES = 10
BOARD_QUERIES_ISU = 9
CHOOSING = 4
REQUEST_QUERIES = 10
ROUNDS = 10


@pytest.fixture
def volume_data(reference_data):
    return volume.build(requests=2000, offers=500)


@pytest.fixture
def every_area_coordinator(reference_data):
    codes = list(ThematicArea.objects.values_list("code", flat=True))
    return make_user(Role.COORDINATOR, areas=codes, email="every.area@example.org")


def _get(client, url, queries, params=None):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    assert len(ctx.captured_queries) == queries, [q["sql"] for q in ctx.captured_queries]
    return response


def _cold(benchmark, client, url, queries, params=None):
    """Each round right after a change of the data: the best candidates are chosen again."""
    _get(client, url, queries + CHOOSING, params)
    return benchmark.pedantic(_get, args=(client, url, queries + CHOOSING, params), setup=data_committed, rounds=ROUNDS)


def _warm(benchmark, client, url, queries, params=None):
    """The data did not change since the last request: the best candidates are kept."""
    _get(client, url, queries + CHOOSING, params)
    return benchmark(_get, client, url, queries, params)


@pytest.mark.parametrize("run", [_cold, _warm], ids=["cold", "warm"])
def test_bench_board_as_a_coordinator_of_every_area(benchmark, volume_data, client_for, every_area_coordinator, run):
    client = client_for(every_area_coordinator)
    response = run(benchmark, client, reverse("assistance:board"), BOARD_QUERIES)
    assert response.content.decode().count('<article class="board-request"') == 25
    assert response.content.decode().count('<li class="candidate') == 75


@pytest.mark.parametrize("run", [_cold, _warm], ids=["cold", "warm"])
def test_bench_board_as_isu_last_page_filtered(benchmark, volume_data, client_for, isu_staff, run):
    client = client_for(isu_staff)
    run(benchmark, client, reverse("assistance:board"), BOARD_QUERIES_ISU, {"kind": "financial", "page": "last"})


def test_bench_board_request_with_every_candidate(benchmark, volume_data, client_for, every_area_coordinator):
    request = AssistanceRequest.objects.filter(status=RequestStatus.OPEN).order_by("pk").first()
    client = client_for(every_area_coordinator)
    url = reverse("assistance:board_request", args=[request.pk])
    response = benchmark(_get, client, url, REQUEST_QUERIES)
    assert response.content.decode().count('<tr id="offer-') == 500
