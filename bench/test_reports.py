"""Benchmarks of a large Article 7 report: every form filled, 500 table rows.

`make bench` with DATABASE_URL pointing at PostgreSQL gives the figures in the issue note.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reporting import services
from reporting.content import validation_for
from reporting.models import ReportKind
from tests.reporting.builders import full_content

pytestmark = pytest.mark.django_db


@pytest.fixture
def big_report(focal_point):
    report = services.start_report(
        state=focal_point.state, kind=ReportKind.INITIAL, period_year=None, actor=focal_point
    )
    content = full_content(report.format_version.spec, rows=500)
    return services.save_draft(report=report, content=content, base_revision=report.revision, actor=focal_point)


def test_bench_validate_500_rows(benchmark, big_report):
    result = benchmark(validation_for, big_report)
    assert result.complete


def test_bench_save_500_rows_one_cell_changed(benchmark, big_report, focal_point):
    state = {"report": big_report, "n": 0}

    def save():
        report = state["report"]
        content = report.draft
        state["n"] += 1
        content["forms"]["B"]["tables"]["stockpile"][0]["munitions"] = str(state["n"])
        with CaptureQueriesContext(connection) as ctx:
            state["report"] = services.save_draft(
                report=report, content=content, base_revision=report.revision, actor=focal_point
            )
        return len(ctx.captured_queries)

    queries = benchmark(save)
    assert queries <= 10


def test_bench_open_report_overview(benchmark, big_report, client_for, focal_point):
    client = client_for(focal_point)

    def open_page():
        assert client.get(f"/reporting/{big_report.pk}/").status_code == 200

    benchmark(open_page)


def test_bench_open_form_b_editor(benchmark, big_report, client_for, focal_point):
    client = client_for(focal_point)

    def open_page():
        assert client.get(f"/reporting/{big_report.pk}/forms/B/").status_code == 200

    benchmark(open_page)


def test_bench_save_form_b_through_the_page(benchmark, big_report, client_for, focal_point):
    """The whole POST of the Form B editor: parse every cell, merge, validate the report, save, redirect."""
    client = client_for(focal_point)
    page = client.get(f"/reporting/{big_report.pk}/forms/B/")
    data = {}
    html = page.content.decode()
    import re

    for name, value in re.findall(r'name="(t-[^"]+|n-[^"]+|revision)"\s+value="([^"]*)"', html):
        data.setdefault(name, []).append(value)
    state = {"n": 0}

    def save():
        state["n"] += 1
        big_report.refresh_from_db()
        payload = {k: v if len(v) > 1 else v[0] for k, v in data.items()}
        payload["revision"] = str(big_report.revision)
        payload["save"] = "1"
        response = client.post(f"/reporting/{big_report.pk}/forms/B/", payload)
        assert response.status_code == 302, response.status_code

    benchmark(save)
