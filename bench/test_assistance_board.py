"""Benchmarks of the matching board with 2,000 requests and 500 offers (tests/assistance/volume.py).

Run with `make bench` (PostgreSQL when DATABASE_URL points at it). Query counts are asserted
alongside the timings so that a slow page cannot hide an N+1: the ranking runs in Python over
offer facts loaded once, whatever the number of requests and offers.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role, ThematicArea
from assistance.models import AssistanceRequest, RequestStatus
from tests.assistance import volume
from tests.factories import make_user

pytestmark = pytest.mark.django_db

BOARD_QUERIES = 13  # as pinned in tests/assistance/test_board.py
BOARD_QUERIES_ISU = 12
REQUEST_QUERIES = 10


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


def test_bench_board_as_a_coordinator_of_every_area(benchmark, volume_data, client_for, every_area_coordinator):
    client = client_for(every_area_coordinator)
    response = benchmark(_get, client, reverse("assistance:board"), BOARD_QUERIES)
    assert response.content.decode().count('<article class="board-request"') == 25


def test_bench_board_as_isu_last_page_filtered(benchmark, volume_data, client_for, isu_staff):
    client = client_for(isu_staff)
    benchmark(_get, client, reverse("assistance:board"), BOARD_QUERIES_ISU, {"kind": "financial", "page": "last"})


def test_bench_board_request_with_every_candidate(benchmark, volume_data, client_for, every_area_coordinator):
    request = AssistanceRequest.objects.filter(status=RequestStatus.OPEN).order_by("pk").first()
    client = client_for(every_area_coordinator)
    url = reverse("assistance:board_request", args=[request.pk])
    response = benchmark(_get, client, url, REQUEST_QUERIES)
    assert response.content.decode().count('<tr id="offer-') == 500
