"""Benchmarks of the public archive of Article 7 reports at realistic volume: every State (125) with
fifteen years of published annual updates (1,875 reports), one in ten corrected once (a superseded
version 1 and an accepted version 2), one in seven restricted, one in nine a nil report. Each version
holds a modest report (20 table rows over the forms, every narrative written) and, as every version does, the
summary of its forms' choices that the lists filter and show (``ReportVersion.form_choices``).

Run: CCM_VAR_DIR=/tmp/h6-var .venv/bin/pytest bench/test_archive.py --benchmark-enable --benchmark-only
-p no:cacheprovider (PostgreSQL when DATABASE_URL points at it). Query counts are asserted alongside the
timings (and kept in each benchmark's extra_info) so a slow page cannot hide an N+1.
"""

import datetime as dt
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from parties.models import State
from reporting import formats
from reporting.models import (
    FormatVersion,
    Report,
    ReportKind,
    ReportStatus,
    ReportVersion,
    VersionOutcome,
    Visibility,
)
from tests.reporting.builders import full_content

pytestmark = pytest.mark.django_db

YEARS = range(2010, 2025)
ARCHIVE_QUERIES = 3  # formats, count, page (the public: no session)
VERSION_QUERIES = 2  # the version with its report, State and format; the report's versions
DOWNLOAD_QUERIES = 1
EXPORT_QUERIES = 4  # session, user (the second factor is read from the session), formats, every version


@pytest.fixture
def volume(isu_staff):
    """Bulk-created published reports: the services are timed elsewhere (bench/test_reports.py)."""
    format_version = FormatVersion.objects.get(is_current=True)
    spec = format_version.spec
    content = formats.validate(spec, full_content(spec, rows=20), initial=False, period_year=2020).cleaned
    corrected = formats.validate(spec, full_content(spec, rows=21), initial=False, period_year=2020).cleaned
    states = list(State.objects.order_by("iso3"))
    assert len(states) == 125
    now = timezone.now()
    reports = Report.objects.bulk_create(
        Report(
            state=state,
            kind=ReportKind.ANNUAL,
            period_year=year,
            format_version=format_version,
            status=ReportStatus.PUBLISHED,
            visibility=Visibility.RESTRICTED if (s + year) % 7 == 0 else Visibility.PUBLIC,
            is_nil=(s + year) % 9 == 0,
            created_by=isu_staff,
            updated_by=isu_staff,
            sent_to_unoda_on=dt.date(year + 1, 4, 20),
        )
        for s, state in enumerate(states)
        for year in YEARS
    )
    submitted = now - dt.timedelta(days=30)

    def version(report, number, **fields):
        return ReportVersion(
            report=report,
            number=number,
            format_version=format_version,
            is_nil=report.is_nil,
            visibility=report.visibility,
            submitted_by=isu_staff,
            submitted_at=submitted + dt.timedelta(days=number),
            submitted_on=timezone.localdate(submitted + dt.timedelta(days=number)),
            decided_by=isu_staff,
            decided_at=submitted + dt.timedelta(days=number + 2),
            published_at=submitted + dt.timedelta(days=number + 3),
            **fields,
        )

    # Corrections first, so that the versions they supersede can point at them.
    corrections = {
        v.report_id: v
        for v in ReportVersion.objects.bulk_create(
            version(r, 2, content=corrected, outcome=VersionOutcome.ACCEPTED, correction_note="corrects Form B totals")
            for i, r in enumerate(reports)
            if i % 10 == 0
        )
    }
    ReportVersion.objects.bulk_create(
        version(
            r,
            1,
            content=content,
            outcome=VersionOutcome.SUPERSEDED if r.pk in corrections else VersionOutcome.ACCEPTED,
            superseded_by=corrections.get(r.pk),
        )
        for r in reports
    )
    assert ReportVersion.objects.count() == len(reports) + len(corrections)
    # Made in bulk, each version still keeps what lists filter and show of its forms (ReportVersion.form_choices).
    assert not ReportVersion.objects.filter(form_choices={}).exists()
    if connection.vendor == "postgresql":
        # A database that holds these rows has their statistics (autovacuum analyses a table after such a load);
        # rows made inside the test's transaction would otherwise be planned as an empty table's.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE reporting_report, reporting_reportversion")
    return {"reports": len(reports), "versions": len(reports) + len(corrections)}


def _get(client, url, params=None, *, queries):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200, response.status_code
    assert len(ctx.captured_queries) == queries, [q["sql"][:200] for q in ctx.captured_queries]
    return response


def _run(benchmark, client, url, params=None, *, queries):
    benchmark.extra_info["queries"] = queries
    return benchmark(_get, client, url, params, queries=queries)


def test_bench_archive_first_page(benchmark, client, volume):
    response = _run(benchmark, client, "/reports/", queries=ARCHIVE_QUERIES)
    assert response.content.decode().count('<th scope="row">') == 50


def test_bench_archive_json_first_page(benchmark, client, volume):
    response = _run(benchmark, client, "/reports/", {"format": "json"}, queries=ARCHIVE_QUERIES)
    assert len(response.json()["reports"]) == 50


def test_bench_archive_region_and_year(benchmark, client, volume):
    response = _run(benchmark, client, "/reports/", {"region": "Europe", "period": "2020"}, queries=ARCHIVE_QUERIES)
    assert "reports" in response.content.decode()


def test_bench_archive_form_filter(benchmark, client, volume):
    _run(benchmark, client, "/reports/", {"form": "B", "changed": "on", "page": "20"}, queries=ARCHIVE_QUERIES)


def test_bench_version_page(benchmark, client, volume):
    iso3, period = _public_corrected()
    _run(benchmark, client, f"/reports/{iso3}/{period}/v1/", queries=VERSION_QUERIES)


def test_bench_version_json(benchmark, client, volume):
    iso3, period = _public_corrected()
    _run(benchmark, client, f"/reports/{iso3}/{period}/v2/report.json", queries=DOWNLOAD_QUERIES)


def test_bench_version_csv(benchmark, client, volume):
    iso3, period = _public_corrected()
    _run(benchmark, client, f"/reports/{iso3}/{period}/v2/report.csv", queries=DOWNLOAD_QUERIES)


def test_bench_isu_export_everything_xlsx(benchmark, client_for, isu_staff, volume):
    client = client_for(isu_staff)  # signed in with the authenticator code, as staff must be
    response = _run(benchmark, client, "/isu/reports/export.xlsx", queries=EXPORT_QUERIES)
    rows = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True).active.max_row
    assert rows == volume["versions"] + 1  # ISU staff read restricted reports too; plus the header
    benchmark.extra_info["rows"] = volume["versions"]


def _public_corrected():
    version = (
        ReportVersion.objects.filter(number=2, visibility=Visibility.PUBLIC)
        .select_related("report__state")
        .order_by("report__state__iso3", "report__period_year")
        .first()
    )
    return version.report.state.iso3, version.report.period_slug
