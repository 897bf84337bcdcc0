"""Workbook uploads are bounded before they cost: a bomb (hundreds of thousands of rows in a few
megabytes) is refused with a clear message and nothing written; the rows read are the rows in the
sheet, whatever its <dimension> tag claims; uploads are rate-limited per user."""

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import AuditEntry
from reporting.models import WorkbookUpload
from reporting.workbook import download, layout, read
from tests.reporting.conftest import fill_minimal
from tests.reporting.test_workbook import (
    refused,
    rows_of,
    save,
    stock_rows,
    upload,
    with_stock,  # noqa: F401  (fixture)
)
from tests.reporting.workbook_bombs import bomb, stock_rows_xml, with_sheet_rows

pytestmark = pytest.mark.django_db


def nothing_written(report, draft_before):
    assert not WorkbookUpload.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="reporting.workbook").exists()
    report.refresh_from_db()
    assert report.draft == draft_before


def test_a_sheet_claiming_three_rows_has_all_its_rows_read(with_stock):  # noqa: F811
    """The <dimension> tag says A1:E3 (one data row, five columns); the sheet holds six rows of data
    and the id column F. Every row is read, with its id."""
    data = with_sheet_rows(
        download.build_workbook(with_stock),
        title="B stockpile",
        rows_xml=stock_rows_xml(layout.FIRST_DATA_ROW, 6),
        dimension="A1:E3",
    )
    parsed = read.read_workbook(with_stock, name="tables.xlsx", data=data)
    rows = parsed.rows[("B", "stockpile")]
    assert [(r["type"], r["munitions"], r["submunitions"]) for r in rows] == [
        (f"Type {n}", str(n), "88") for n in range(layout.FIRST_DATA_ROW, layout.FIRST_DATA_ROW + 6)
    ]


def test_a_lying_dimension_tag_keeps_the_row_ids_beyond_it(with_stock, focal_point):  # noqa: F811
    """The portal's own workbook of three rows with a tag claiming columns A to C only: the hidden id
    column is still read, so the three rows keep their ids (none is dropped and re-added)."""
    data = download.build_workbook(with_stock)
    data = with_sheet_rows(data, title="B stockpile", rows_xml="", dimension="A1:C3", keep_rows=5)
    uploaded = upload(with_stock, data, focal_point)
    assert not uploaded.upload.changes


def test_a_bomb_of_rows_is_refused_with_a_clear_message_and_nothing_written(with_stock, focal_point):  # noqa: F811
    before = with_stock.draft
    data = bomb(with_stock, rows=60_000, cells=1)  # small once zipped, within the byte bounds
    assert len(data) < 1024 * 1024
    with pytest.raises(read.WorkbookRefused) as caught:
        upload(with_stock, data, focal_point)
    assert caught.value.messages == [f"Sheet “B stockpile” has more than {read.MAX_ROWS} rows."]
    nothing_written(with_stock, before)


def test_a_bomb_too_large_once_unpacked_is_refused_before_it_is_read(with_stock, focal_point):  # noqa: F811
    before = with_stock.draft
    data = bomb(with_stock, rows=200_000, cells=5)  # ~35 MB of sheet XML in a few hundred kB
    with pytest.raises(read.WorkbookRefused) as caught:
        upload(with_stock, data, focal_point)
    [message] = caught.value.messages
    assert message.startswith("“tables.xlsx” holds far more than a report's tables (at most 10000 rows a sheet)")
    nothing_written(with_stock, before)


def test_a_sheet_going_on_past_the_last_row_read_is_refused(with_stock, monkeypatch):  # noqa: F811
    monkeypatch.setattr(read, "MAX_SHEET_ROWS", 50)
    data = with_sheet_rows(
        download.build_workbook(with_stock), title="B stockpile", rows_xml='<row r="51"><c r="A51"><v>1</v></c></row>'
    )
    assert refused(with_stock, data) == [
        "Sheet “B stockpile” goes on past row 50; a report's table has at most 10000 rows. "
        "Delete the rows below the data and upload again."
    ]


def test_a_value_far_right_of_any_table_is_refused(with_stock):  # noqa: F811
    data = with_sheet_rows(
        download.build_workbook(with_stock),
        title="B stockpile",
        rows_xml='<row r="3"><c r="XFD3"><v>1</v></c></row>',
    )
    assert refused(with_stock, data) == ["Sheet “B stockpile”, row 3: a value in column XFD, far right of any table."]


def test_uploads_are_rate_limited_per_user(client_for, focal_point, initial_report, settings):
    cache.clear()
    settings.CCM_RATE_LIMITS = {**settings.CCM_RATE_LIMITS, "workbook_upload_user": "2/h/user"}
    report = save(initial_report, fill_minimal(initial_report, form_b_stock=stock_rows(1)), focal_point)
    client = client_for(focal_point)
    url = f"/reporting/{report.pk}/workbook/"
    data = download.build_workbook(report)
    for _ in range(2):
        response = client.post(url, {"file": SimpleUploadedFile("tables.xlsx", data)})
        assert response.status_code == 302
    response = client.post(url, {"file": SimpleUploadedFile("tables.xlsx", data)})
    assert response.status_code == 429
    assert "each person may upload a limited number each hour" in response.content.decode()
    assert WorkbookUpload.objects.count() == 2
    assert len(rows_of(report, "B", "stockpile")) == 1
    assert client.get(url).status_code == 200  # the page itself is not counted
