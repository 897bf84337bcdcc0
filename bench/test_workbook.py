"""Benchmarks of the Excel round-trip of a large Article 7 report: every form filled, 500 table rows.

Target: an upload of the full workbook (parse, check every cell, compute the preview) under 2 s.
"""

import copy

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from reporting import services
from reporting.content import content_changes
from reporting.models import ReportKind, WorkbookUpload
from reporting.workbook.download import build_workbook
from reporting.workbook.merge import merge_tables
from reporting.workbook.preview import build_preview
from reporting.workbook.read import read_workbook
from tests.reporting.builders import full_content

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def big_report(focal_point):
    report = services.start_report(
        state=focal_point.state, kind=ReportKind.INITIAL, period_year=None, actor=focal_point
    )
    content = full_content(report.format_version.spec, rows=500)
    return services.save_draft(report=report, content=content, base_revision=report.revision, actor=focal_point)


@pytest.fixture
def full_workbook_for_empty_tables(big_report, focal_point):
    """The workbook of the full report, and the report with its tables emptied since: uploading it
    adds all 500 rows, the largest preview there is."""
    data = build_workbook(big_report)
    content = copy.deepcopy(big_report.draft)
    for form in content["forms"].values():
        form["tables"] = {key: [] for key in form["tables"]}
    report = services.save_draft(
        report=big_report, content=content, base_revision=big_report.revision, actor=focal_point
    )
    return report, data


def test_bench_download_500_rows(benchmark, big_report, client_for, focal_point):
    client = client_for(focal_point)

    def download():
        response = client.get(f"/reporting/{big_report.pk}/workbook.xlsx")
        assert response.status_code == 200
        return len(response.content)

    assert benchmark(download) > 0


def test_bench_read_and_preview_500_rows(benchmark, full_workbook_for_empty_tables):
    """Parse and check every cell, merge into the draft, list the changes, build the preview."""
    report, data = full_workbook_for_empty_tables
    spec = report.format_version.spec

    def read():
        parsed = read_workbook(report, name="tables.xlsx", data=data)
        content = merge_tables(spec, report.draft, parsed)
        changes = content_changes(report.draft, content)
        item = WorkbookUpload(report=report, content=content, changes=changes)
        return build_preview(spec, item)

    preview = benchmark(read)
    assert sum(len(t.added) for f in preview for t in f.tables) == 500


def test_bench_upload_and_open_preview_through_the_pages(
    benchmark, full_workbook_for_empty_tables, client_for, focal_point
):
    """What the focal point waits for: the POST of the file (every check, the upload stored) and the
    preview page listing 500 added rows."""
    report, data = full_workbook_for_empty_tables
    client = client_for(focal_point)

    def upload():
        response = client.post(
            f"/reporting/{report.pk}/workbook/",
            {"file": SimpleUploadedFile("tables.xlsx", data, content_type=XLSX)},
        )
        assert response.status_code == 302, response.status_code
        page = client.get(response["Location"])
        assert page.status_code == 200
        return page

    page = benchmark(upload)
    assert "500 rows added" in page.content.decode()
