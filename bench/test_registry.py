"""Benchmarks of the public registry pages and the reference-data import.

Run with `make bench` (PostgreSQL when DATABASE_URL points at it). Query counts are
asserted alongside the timings so a slow page cannot hide an N+1.
"""

import io

import pytest
import tablib
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ccm_portal.core.imports import import_all_or_nothing
from parties.resources import ObligationResource, StateResource

pytestmark = pytest.mark.django_db


def _get(client, url, params=None, queries=None):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    if queries is not None:
        assert len(ctx.captured_queries) == queries
    return response


def test_bench_state_list_all_125(benchmark, client):
    benchmark(_get, client, "/states/", None, 2)


def test_bench_state_list_json(benchmark, client):
    benchmark(_get, client, "/states/", {"format": "json"}, 2)


# The State page as tests/parties/test_views.py pins and explains it: the registry's facts, the sections the apps
# above add (reports, calendar), the UN sub-region and the country coalition (HTML only).
PROFILE_QUERIES = 15
PROFILE_JSON_QUERIES = PROFILE_QUERIES - 1


def test_bench_state_profile_with_extension(benchmark, client):
    benchmark(_get, client, "/states/BGR/", None, PROFILE_QUERIES)


def test_bench_state_profile_json_as_of(benchmark, client):
    benchmark(_get, client, "/states/DEU/", {"format": "json", "as_of": "2019-01-01"}, PROFILE_JSON_QUERIES)


def test_bench_reload_reference_data_unchanged(benchmark):
    benchmark.pedantic(call_command, args=("load_reference_data",), kwargs={"stdout": io.StringIO()}, rounds=3)


def test_bench_export_then_dry_run_import_states_and_obligations(benchmark, isu_staff):
    states = StateResource().export().export("csv")
    obligations = ObligationResource().export().export("csv")

    def round_trip():
        for resource, text in ((StateResource(), states), (ObligationResource(), obligations)):
            outcome = import_all_or_nothing(
                resource, tablib.Dataset().load(text, format="csv"), file_label="x.csv", actor=isu_staff, dry_run=True
            )
            assert outcome.ok, outcome.errors

    benchmark.pedantic(round_trip, rounds=3)
