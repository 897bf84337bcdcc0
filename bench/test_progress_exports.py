"""Benchmarks of the dashboard's exports with the real reference data (all 125 States, the obligations of
fixtures/*.csv) and realistic volume: fifteen years of published annual updates (2011–2025) for every
State Party (about 1,500 reports), two Art. 9 records per State Party and four country coalitions.

Run: CCM_VAR_DIR=/tmp/h9-var .venv/bin/pytest bench/test_progress_exports.py --benchmark-enable
--benchmark-only -p no:cacheprovider (add DATABASE_URL=postgres://postgres@127.0.0.1:5432/ccm_h9 for
PostgreSQL).

Targets: the XLSX and CSV downloads under 300 ms (figures, ~2,500 State rows); the whole PDF render in
the worker (claim, count, lay out, write, store) under 2 s. Query counts are asserted alongside the
timings, so a slow export cannot hide an N+1; they are those pinned in tests/progress/test_exports.py.
"""

import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook
from pypdf import PdfReader

from assistance.models import Coalition
from ccm_portal.core.models import RenderStatus
from parties.models import MeasuresStatus, NationalMeasures, State
from progress import exports
from progress.models import Audience, DashboardPdf
from tests.progress.builders import bulk_reports
from tests.progress.test_exports import EXPORT_QUERIES

pytestmark = pytest.mark.django_db

AS_OF = "2026-02-03"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def volume(isu_staff):
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


def _get(client, url, params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    assert len(ctx.captured_queries) == EXPORT_QUERIES, [q["sql"][:200] for q in ctx.captured_queries]
    return response


def test_bench_export_xlsx(benchmark, client, volume):
    benchmark.extra_info["queries"] = EXPORT_QUERIES
    response = benchmark(_get, client, "/progress/export.xlsx", {"as_of": AS_OF})
    book = load_workbook(io.BytesIO(response.content))
    figures = {row[0]: row for row in book["Figures"].iter_rows(min_row=2, values_only=True)}
    assert figures["states-parties"][3] == 112
    assert figures["annual-reports-submitted"][3] > 100  # the published updates for 2024
    benchmark.extra_info.update(size=len(response.content), state_rows=book["States"].max_row - 1)


def test_bench_export_csv(benchmark, client, volume):
    benchmark.extra_info["queries"] = EXPORT_QUERIES
    response = benchmark(_get, client, "/progress/export.csv", {"as_of": AS_OF})
    assert b"states-parties" in response.content
    benchmark.extra_info["size"] = len(response.content)


def test_bench_pdf_whole_render(benchmark, volume, django_capture_on_commit_callbacks):
    """What the worker does: claim the row, count the figures, lay out, write, store, mark ready."""
    with django_capture_on_commit_callbacks():  # queue it, without running the render yet
        pdf = exports.ensure(as_of=dt.date.fromisoformat(AS_OF), audience=Audience.ISU)

    def requeue():
        DashboardPdf.objects.filter(pk=pdf.pk).update(status=RenderStatus.QUEUED, progress=0)

    result = benchmark.pedantic(exports.render, args=(pdf.pk,), setup=requeue, rounds=5, iterations=1)
    assert result.status == RenderStatus.READY
    with result.file.open("rb") as handle:
        assert len(PdfReader(handle).pages) == 1
    benchmark.extra_info["size"] = result.size


def test_bench_pdf_phase_layout_and_write(benchmark, volume):
    """WeasyPrint alone (template, layout, writing), the figures counted beforehand."""
    board = exports.current_dashboard(as_of=dt.date.fromisoformat(AS_OF), audience=Audience.ISU)
    rendered = benchmark(exports.render_pdf, board)
    assert rendered.pages == 1
