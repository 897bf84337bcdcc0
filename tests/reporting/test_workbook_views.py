"""The workbook pages: download, upload, preview, apply, discard — for the State's focal point, the
ISU, other roles and outsiders."""

import html as html_lib
import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import AuditEntry
from reporting import services
from reporting.models import ReportStatus, WorkbookUpload, WorkbookUploadStatus
from reporting.services.workbook import upload_workbook
from reporting.workbook.download import build_workbook
from tests.reporting.conftest import fill_minimal

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- Helpers -------------------------------------------------------------------------------------
def stock_rows(n):
    return [
        {"_id": f"s{i}", "type": f"Type {i}", "munitions": str(10 + i), "submunitions": "100", "qualifier": "exact"}
        for i in range(n)
    ]


def save(report, content, actor):
    report.refresh_from_db()
    return services.save_draft(report=report, content=content, base_revision=report.revision, actor=actor)


def page_text(response):
    return html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


def urls(report, upload_pk=0):
    return {
        "download": reverse("reporting:workbook_download", args=[report.pk]),
        "upload": reverse("reporting:workbook_upload", args=[report.pk]),
        "preview": reverse("reporting:workbook_preview", args=[report.pk, upload_pk]),
        "apply": reverse("reporting:workbook_apply", args=[report.pk, upload_pk]),
        "discard": reverse("reporting:workbook_discard", args=[report.pk, upload_pk]),
    }


def download(client, report, **params):
    response = client.get(urls(report)["download"], params)
    assert response.status_code == 200, response.status_code
    return response


def edit_bytes(data, edit):
    book = load_workbook(io.BytesIO(data))
    edit(book)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def post_file(client, report, data, name="tables.xlsx"):
    return client.post(urls(report)["upload"], {"file": SimpleUploadedFile(name, data, content_type=XLSX)})


def snapshot(report):
    report.refresh_from_db()
    return report.revision, report.draft


@pytest.fixture
def with_stock(initial_report, focal_point):
    return save(initial_report, fill_minimal(initial_report, form_b_stock=stock_rows(3)), focal_point)


def uploaded(report, actor, edit=None):
    data = build_workbook(report)
    if edit is not None:
        data = edit_bytes(data, edit)
    return upload_workbook(report=report, uploaded=SimpleUploadedFile("tables.xlsx", data), actor=actor).upload


# --- Done: download, edit, upload, preview, apply --------------------------------------------------
def test_download_edit_upload_preview_and_apply(client_for, focal_point, with_stock):
    report = with_stock
    client = client_for(focal_point)
    response = download(client, report)
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == f'attachment; filename="ccm-article7-LAO-initial-r{report.revision}.xlsx"'
    assert "no-store" in response["Cache-Control"]

    def edit(book):
        sheet = book["B stockpile"]
        sheet["B4"] = 42  # Type 1: 11 → 42
        sheet.append(["Type A-12", 7, 140, "at least", "Lot 7", None])
        sheet.append(["Type B-3", 2, 60, None, None, None])

    response = post_file(client, report, edit_bytes(response.content, edit))
    item = WorkbookUpload.objects.get()
    assert response.status_code == 302 and response["Location"] == urls(report, item.pk)["preview"]
    assert snapshot(report)[1]["forms"]["B"]["tables"]["stockpile"] == stock_rows(3)  # nothing applied yet

    preview = client.get(response["Location"])
    text = page_text(preview)
    assert preview.status_code == 200
    assert "2 rows added" in text and "1 row changed" in text and "0 rows removed" in text
    assert "Type A-12" in text and "at least" in text and "Lot 7" in text and "Type B-3" in text
    assert "Type 1 sheet row 4 Cluster munitions: before: 11 → now: 42" in text
    assert "Apply these changes to the draft" in text

    response = client.post(urls(report, item.pk)["apply"])
    assert response.status_code == 302 and response["Location"] == report.get_absolute_url()
    draft = snapshot(report)[1]
    rows = draft["forms"]["B"]["tables"]["stockpile"]
    assert [(r["type"], r["munitions"], r["submunitions"], r["qualifier"]) for r in rows] == [
        ("Type 0", "10", "100", "exact"),
        ("Type 1", "42", "100", "exact"),
        ("Type 2", "12", "100", "exact"),
        ("Type A-12", "7", "140", "at_least"),
        ("Type B-3", "2", "60", ""),
    ]
    assert "was applied to the draft" in page_text(client.get(report.get_absolute_url()))
    form_page = client.get(reverse("reporting:report_form", args=[report.pk, "B"]))
    assert form_page.status_code == 200
    assert 'value="Type A-12"' in form_page.content.decode() and 'value="Type B-3"' in form_page.content.decode()
    assert "Form B is complete." in page_text(form_page)
    item.refresh_from_db()
    assert item.status == WorkbookUploadStatus.APPLIED
    assert AuditEntry.objects.filter(action="reporting.workbook.applied", object_id=str(report.pk)).count() == 1


def test_a_wrong_type_in_one_cell_is_refused_naming_it_and_nothing_changes(client_for, focal_point, with_stock):
    report = with_stock
    client = client_for(focal_point)
    before = snapshot(report)
    entries = AuditEntry.objects.count()

    def edit(book):
        book["B stockpile"]["B5"] = "12x"

    response = post_file(client, report, edit_bytes(download(client, report).content, edit))
    assert response.status_code == 400
    text = page_text(response)
    assert "The workbook was not accepted: 1 problem" in text and "Nothing was saved." in text
    assert "Sheet “B stockpile”, row 5, column B “Cluster munitions”: “12x” is not a whole number." in text
    assert snapshot(report) == before
    assert not WorkbookUpload.objects.exists() and AuditEntry.objects.count() == entries


def _with_macros(data):
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(buffer, "w") as archive:
        for item in source.infolist():
            archive.writestr(item, source.read(item))
        archive.writestr("xl/vbaProject.bin", b"\x00")
    return buffer.getvalue()


def _meta(key, value):
    def edit(book):
        for row in book["_meta"].iter_rows():
            if row[0].value == key:
                row[1].value = value

    return edit


def _formula(book):
    book["F areas"]["B3"] = "=2*1000"


@pytest.mark.parametrize(
    ("name", "make", "message"),
    [
        ("tables.csv", lambda data: b"Type,Cluster munitions\nA,1\n", "“tables.csv” is not an Excel workbook (.xlsx)."),
        ("tables.xlsx", lambda data: b"Type,Cluster munitions\nA,1\n", "“tables.xlsx” is not a valid Excel workbook"),
        ("tables.xlsm", _with_macros, "Workbooks with macros (.xlsm) are not accepted."),
        ("tables.xlsx", _with_macros, "The workbook contains macros, which are not accepted."),
        ("tables.xlsx", lambda data: edit_bytes(data, _meta("format", "2022")), "for the reporting format “2022”"),
        ("tables.xlsx", lambda data: edit_bytes(data, _meta("report", "999999")), "belongs to another report"),
        ("tables.xlsx", lambda data: edit_bytes(data, _formula), "Sheet “F areas”, cell B3: a formula (“=2*1000”)."),
    ],
)
def test_bad_files_are_refused_with_a_clear_message_and_nothing_written(
    client_for, focal_point, with_stock, name, make, message
):
    report = with_stock
    client = client_for(focal_point)
    data = make(download(client, report).content)
    before, entries = snapshot(report), AuditEntry.objects.count()
    response = post_file(client, report, data, name=name)
    assert response.status_code == 400
    assert message in page_text(response)
    assert snapshot(report) == before and AuditEntry.objects.count() == entries
    assert not WorkbookUpload.objects.exists()


@override_settings(CCM_WORKBOOK_MAX_MB=0.001)
def test_a_file_over_the_size_limit_is_refused(client_for, focal_point, with_stock):
    client = client_for(focal_point)
    response = post_file(client, with_stock, download(client, with_stock).content)
    assert response.status_code == 400
    assert "workbooks up to 0.001 MB are accepted" in page_text(response)
    assert not WorkbookUpload.objects.exists()


def test_no_file_is_refused(client_for, focal_point, with_stock):
    response = client_for(focal_point).post(urls(with_stock)["upload"], {})
    assert response.status_code == 400 and "Choose the workbook to upload." in page_text(response)


def test_an_unchanged_workbook_previews_as_nothing_changes(client_for, focal_point, with_stock):
    client = client_for(focal_point)
    response = post_file(client, with_stock, download(client, with_stock).content)
    text = page_text(client.get(response["Location"]))
    assert "Nothing changes: the workbook holds the same rows as the draft." in text
    assert "Apply these changes" not in text and "Close without changes" in text


def test_a_workbook_older_than_the_draft_says_so(client_for, focal_point, with_stock):
    client = client_for(focal_point)
    data = download(client, with_stock).content
    content = with_stock.draft
    content["forms"]["B"]["narratives"]["programme"] = "Edited in the browser."
    save(with_stock, content, focal_point)
    response = post_file(client, with_stock, data)
    assert "The draft was saved after this workbook was downloaded" in page_text(client.get(response["Location"]))


def test_apply_after_someone_saved_marks_the_upload_outdated_and_asks_to_upload_again(
    client_for, focal_point, with_stock
):
    client = client_for(focal_point)

    def edit(book):
        book["B stockpile"]["C3"] = 1

    item = uploaded(with_stock, focal_point, edit)
    content = with_stock.draft
    content["forms"]["B"]["narratives"]["programme"] = "Saved in the browser meanwhile."
    save(with_stock, content, focal_point)
    preview = page_text(client.get(urls(with_stock, item.pk)["preview"]))
    assert "This preview is out of date" in preview and "Apply these changes" not in preview
    response = client.post(urls(with_stock, item.pk)["apply"], follow=True)
    text = page_text(response)
    assert "this preview is out of date and nothing was applied. Upload the workbook again" in text
    assert "Upload the workbook again" in text
    item.refresh_from_db()
    assert item.status == WorkbookUploadStatus.OUTDATED
    assert snapshot(with_stock)[1]["forms"]["B"]["tables"]["stockpile"][0]["submunitions"] == "100"


def test_discard_leaves_the_draft_as_it_is(client_for, focal_point, with_stock):
    client = client_for(focal_point)

    def edit(book):
        book["B stockpile"].delete_rows(3)

    item = uploaded(with_stock, focal_point, edit)
    assert "1 row removed" in page_text(client.get(urls(with_stock, item.pk)["preview"]))
    before = snapshot(with_stock)
    response = client.post(urls(with_stock, item.pk)["discard"], follow=True)
    assert "The upload was discarded; the draft is unchanged." in page_text(response)
    item.refresh_from_db()
    assert item.status == WorkbookUploadStatus.DISCARDED and snapshot(with_stock) == before
    response = client.post(urls(with_stock, item.pk)["apply"], follow=True)
    assert "This upload is already discarded." in page_text(response)


def test_actions_are_post_only(client_for, focal_point, with_stock):
    item = uploaded(with_stock, focal_point)
    client = client_for(focal_point)
    for name in ("apply", "discard"):
        assert client.get(urls(with_stock, item.pk)[name]).status_code == 405
    assert client.post(urls(with_stock)["download"]).status_code == 405


# --- Access ------------------------------------------------------------------------------------------
def test_download_is_for_the_states_focal_points_and_the_isu(
    client_for, focal_point, other_focal_point, coordinator, donor, isu_staff, with_stock
):
    url = urls(with_stock)["download"]
    assert client_for(focal_point).get(url).status_code == 200
    assert client_for(isu_staff).get(url).status_code == 200
    for outsider in (other_focal_point, coordinator, donor):
        assert client_for(outsider).get(url).status_code == 404
    response = client_for(None).get(url)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_upload_and_preview_are_for_the_states_focal_points(
    client_for, focal_point, other_focal_point, coordinator, donor, isu_staff, with_stock
):
    item = uploaded(with_stock, focal_point)
    pages = urls(with_stock, item.pk)
    assert client_for(focal_point).get(pages["upload"]).status_code == 200
    assert client_for(focal_point).get(pages["preview"]).status_code == 200
    data = build_workbook(with_stock)
    isu = client_for(isu_staff)
    assert isu.get(pages["upload"]).status_code == 403
    assert post_file(isu, with_stock, data).status_code == 403
    assert isu.get(pages["preview"]).status_code == 403
    assert isu.post(pages["apply"]).status_code == 403 and isu.post(pages["discard"]).status_code == 403
    for outsider in (other_focal_point, coordinator, donor):
        client = client_for(outsider)
        assert client.get(pages["upload"]).status_code == 404
        assert post_file(client, with_stock, data).status_code == 404
        for name in ("preview",):
            assert client.get(pages[name]).status_code == 404
        for name in ("apply", "discard"):
            assert client.post(pages[name]).status_code == 404
    item.refresh_from_db()
    assert item.status == WorkbookUploadStatus.PREVIEWED and WorkbookUpload.objects.count() == 1


def test_an_upload_of_another_report_is_not_found(client_for, focal_point, other_focal_point, with_stock):
    aus = services.start_report(
        state=other_focal_point.state, kind="initial", period_year=None, actor=other_focal_point
    )
    theirs = uploaded(aus, other_focal_point)
    client = client_for(focal_point)
    assert client.get(urls(with_stock, theirs.pk)["preview"]).status_code == 404
    assert client.post(urls(with_stock, theirs.pk)["apply"]).status_code == 404
    # The workbook of another State's report is refused by its _meta sheet.
    response = post_file(client, with_stock, build_workbook(aus))
    assert response.status_code == 400 and "belongs to another report" in page_text(response)


def test_a_submitted_report_may_be_downloaded_but_not_uploaded_to(client_for, focal_point, isu_staff, with_stock):
    services.set_visibility(report=with_stock, visibility="public", actor=focal_point)
    services.submit_report(report=with_stock, actor=focal_point)
    with_stock.refresh_from_db()
    assert with_stock.status == ReportStatus.SUBMITTED
    client = client_for(focal_point)
    assert client.get(urls(with_stock)["download"]).status_code == 200
    assert client.get(urls(with_stock)["upload"]).status_code == 403
    assert post_file(client, with_stock, build_workbook(with_stock)).status_code == 403
    assert client_for(isu_staff).get(urls(with_stock)["download"]).status_code == 200


def test_links_partial_offers_what_each_role_may_do(with_stock):
    from django.template.loader import render_to_string

    owner = render_to_string("reporting/workbook/_links.html", {"report": with_stock, "mode": "owner"})
    assert "Download workbook" in owner and "Upload workbook" in owner and "?blank=1" in owner
    reviewer = render_to_string("reporting/workbook/_links.html", {"report": with_stock, "mode": "reviewer"})
    assert "Download workbook" in reviewer and "Upload workbook" not in reviewer
    assert render_to_string("reporting/workbook/_links.html", {"report": with_stock, "mode": "reader"}).strip() == ""


# --- Query counts --------------------------------------------------------------------------------------
# Download: session, user, the report (with its State and format). Upload: session, user, the report,
# then the upload and its audit entry in one savepoint (+2). Neither grows with rows.
DOWNLOAD_QUERIES = 3
UPLOAD_QUERIES = 7
PREVIEW_QUERIES = 4  # session, user, report, the upload with its uploader


@pytest.mark.parametrize("rows", [5, 500])
def test_download_upload_and_preview_run_a_fixed_number_of_queries(
    client_for, focal_point, initial_report, rows, django_assert_num_queries
):
    report = save(initial_report, fill_minimal(initial_report, form_b_stock=stock_rows(rows)), focal_point)
    client = client_for(focal_point)
    with django_assert_num_queries(DOWNLOAD_QUERIES):
        data = download(client, report).content

    def edit(book):
        book["B stockpile"]["B3"] = 1
        book["B stockpile"].append(["Type new", 1, 1, None, None, None])

    data = edit_bytes(data, edit)
    with django_assert_num_queries(UPLOAD_QUERIES):
        response = post_file(client, report, data)
    assert response.status_code == 302
    with django_assert_num_queries(PREVIEW_QUERIES):
        assert client.get(response["Location"]).status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        assert client.post(urls(report, WorkbookUpload.objects.get().pk)["apply"]).status_code == 302
    assert len(snapshot(report)[1]["forms"]["B"]["tables"]["stockpile"]) == rows + 1
    assert len(ctx.captured_queries) < 25
