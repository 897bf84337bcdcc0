"""Benchmarks of the reconciliation with Article 7 Form I: 40 States × 8 years of accepted annual reports, each
Form I with assistance given to three States and an organization and received from one State (1,600 rows).

Run with `make bench`. Query counts are asserted alongside the timings (the counts pinned in
tests/assistance/test_reconciliation.py): the page reads one year (the latest by default) from the Form I rows
copied beside each version, never the versions' content, and a reader after the first reads the figures kept
until the data changes (assistance.cached).
"""

import pytest

from assistance.reconciliation import Scope, reconcile
from bench.conftest import counted_get
from parties.models import State
from tests.assistance.test_reconciliation import (
    KEPT_PAGE_QUERIES,
    PAGE,
    PAGE_QUERIES,
    accepted_report,
    given,
    received,
)

pytestmark = pytest.mark.django_db
YEARS = range(2017, 2025)


@pytest.fixture
def form_i_volume(reference_data, isu_staff):
    states = list(State.objects.order_by("iso3")[:40])
    for n, state in enumerate(states):
        partners = [states[(n + k) % len(states)].name for k in (1, 2, 3)]
        for year in YEARS:
            accepted_report(
                state.iso3,
                year,
                *(given(partner, str(1000 + year)) for partner in partners),
                given("UNMAS", "50"),
                received(states[n - 1].iso3, "2000"),
            )
    reconcile(user=isu_staff, scope=Scope(None))  # every version's Form I copied, as after the first readers


def test_bench_reconciliation_first_reader_after_a_change(benchmark, form_i_volume, isu_staff, client_for):
    client = client_for(isu_staff)
    response = benchmark(counted_get, client, PAGE, {}, PAGE_QUERIES, first=True)
    page = response.content.decode()
    assert "The latest year with data, 2024, is shown" in page and "Page 1 of 3" in page  # 120 lines


def test_bench_reconciliation_kept(benchmark, form_i_volume, isu_staff, client_for):
    client = client_for(isu_staff)
    benchmark(counted_get, client, PAGE, {}, KEPT_PAGE_QUERIES, first=False)


def test_bench_reconciliation_every_year_first_reader(benchmark, form_i_volume, isu_staff, client_for):
    client = client_for(isu_staff)
    response = benchmark(counted_get, client, PAGE, {"year": "all", "list": "unresolved"}, PAGE_QUERIES, first=True)
    assert "(320)" in response.content.decode()  # UNMAS, every State, every year
