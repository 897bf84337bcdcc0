"""Report documents in a real browser: the focal point downloads the Excel workbook of a draft, fills
it offline (openpyxl stands in for Excel), uploads it, is shown a workbook with one bad cell refused
by sheet, row and column, uploads the good one, previews and applies it, and sees the new rows; then
asks for the draft's PDF, watches it being made and downloads it; the public reads a published
version at its citable address and downloads its PDF."""

import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from reporting import services
from reporting.models import ReportKind
from tests.factories import PASSWORD
from tests.reporting.conftest import fill_minimal

from .test_invitation_flow import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STOCK = [{"_id": "s1", "type": "BLU-26", "munitions": "10", "submunitions": "3000", "qualifier": "exact"}]


@pytest.fixture
def draft_2025(focal_point, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    report = services.start_report(state=focal_point.state, kind=ReportKind.ANNUAL, period_year=2025, actor=focal_point)
    content = fill_minimal(report, form_b_stock=STOCK)
    return services.save_draft(report=report, content=content, base_revision=report.revision, actor=focal_point)


def workbook_from(download, edit) -> bytes:
    with open(download.path(), "rb") as file:  # Playwright saves downloads without an extension
        book = load_workbook(io.BytesIO(file.read()))
    edit(book["B stockpile"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(page, report, name, data):
    page.goto(f"/reporting/{report.pk}/workbook/")
    page.set_input_files("input[type=file]", files=[{"name": name, "mimeType": XLSX, "buffer": data}])
    with page.expect_navigation():
        page.get_by_role("button", name="Check the workbook").click()


def test_workbook_round_trip_and_draft_pdf(page, focal_point, draft_2025):
    report = draft_2025
    sign_in(page, focal_point.email, PASSWORD)
    page.wait_for_url("**/me/")
    page.goto(f"/reporting/{report.pk}/")
    with page.expect_download() as info:
        page.get_by_role("link", name="Download workbook").click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")

    # One cell with a wrong type: refused, naming sheet, row and column; the draft is unchanged.
    def bad(sheet):
        sheet.append(["BLU-63", "12x", 40, None, None, None])

    upload(page, report, "stock.xlsx", workbook_from(download, bad))
    text = page.inner_text("main")
    assert "B stockpile" in text and "row 4" in text and "12x" in text
    revision = report.revision
    report.refresh_from_db()
    assert report.revision == revision

    # The good workbook: previewed, applied, and the report shows the new rows.
    def good(sheet):
        sheet.append(["BLU-63", 12, 40, None, None, None])

    upload(page, report, "stock.xlsx", workbook_from(download, good))
    assert "1 row added" in page.inner_text("main")
    with page.expect_navigation():
        page.get_by_role("button", name="Apply these changes to the draft").click()
    page.goto(f"/reporting/{report.pk}/forms/B/")
    assert page.locator("input[value='BLU-63']").count() == 1

    # The draft's PDF for the national approver: progress, then the download.
    page.goto(f"/reporting/{report.pk}/")
    with page.expect_navigation():
        page.get_by_role("button", name="PDF of the draft, for sign-off").click()
    link = page.get_by_role("link", name="Download LAO-2025-draft.pdf")
    link.wait_for(timeout=60_000)
    with page.expect_download() as info:
        link.click()
    text = "\n".join(p.extract_text() for p in PdfReader(info.value.path()).pages)
    assert "DRAFT" in text and "BLU-63" in text and "Lao People's Democratic Republic" in text


def test_the_public_reads_a_published_version_and_downloads_its_pdf(page, focal_point, isu_staff, draft_2025):
    report = draft_2025
    services.set_visibility(report=report, visibility="public", actor=focal_point)
    services.submit_report(report=report, actor=focal_point)
    services.start_review(report=report, actor=isu_staff)
    services.accept_report(report=report, actor=isu_staff)
    services.publish_report(report=report, actor=isu_staff)

    page.goto("/reports/?state=LAO")
    assert "Lao People's Democratic Republic" in page.inner_text("main")
    page.goto("/reports/LAO/2025/v1/")
    main = page.inner_text("main")
    assert "/reports/LAO/2025/v1/" in main  # cite this
    with page.expect_navigation():
        page.get_by_role("link", name="PDF", exact=True).click()
    # The PDF is made on request (accepting the version changed what it shows): the progress page
    # offers it when ready.
    link = page.get_by_role("link", name="Download LAO-2025-v1.pdf")
    link.wait_for(timeout=60_000)
    with page.expect_download() as info:
        link.click()
    text = "\n".join(p.extract_text() for p in PdfReader(info.value.path()).pages)
    assert "Article 7 report 2025 — version 1" in text and "BLU-26" in text
