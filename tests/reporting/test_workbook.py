"""The Excel workbook of a report's tables: what the download holds, how an upload is checked, read
and merged into the draft, and how it is applied (through save_draft) or discarded."""

import datetime as dt
import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from openpyxl import load_workbook

from audit.models import AuditEntry
from reporting import formats, services
from reporting.content import choice_suggestions, content_changes, validation_for
from reporting.editor import ROW_ID
from reporting.formats import Choice
from reporting.models import ReportKind, ReportStatus, WorkbookUpload, WorkbookUploadStatus
from reporting.services.workbook import apply_upload, discard_upload, upload_workbook
from reporting.workbook import download, layout, merge, read
from reporting.workbook.preview import build_preview
from tests.reporting.builders import full_content
from tests.reporting.conftest import fill_minimal

pytestmark = pytest.mark.django_db


# --- Helpers -------------------------------------------------------------------------------------
def stock_rows(n):
    return [
        {"_id": f"s{i}", "type": f"Type {i}", "munitions": str(10 + i), "submunitions": "100", "qualifier": "exact"}
        for i in range(n)
    ]


def save(report, content, actor):
    report.refresh_from_db()
    return services.save_draft(report=report, content=content, base_revision=report.revision, actor=actor)


def book_of(data):
    return load_workbook(io.BytesIO(data))


def bytes_of(book):
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def edited(report, edit, *, blank=False):
    """The report's workbook, changed by ``edit(book)``, as bytes."""
    book = book_of(download.build_workbook(report, blank=blank))
    edit(book)
    return bytes_of(book)


def refused(report, data, name="tables.xlsx"):
    with pytest.raises(read.WorkbookRefused) as caught:
        read.read_workbook(report, name=name, data=data)
    return caught.value.messages


def upload(report, data, actor, name="tables.xlsx"):
    report.refresh_from_db()
    return upload_workbook(report=report, uploaded=SimpleUploadedFile(name, data), actor=actor)


def rows_of(report, code, key):
    report.refresh_from_db()
    return report.draft["forms"][code]["tables"][key]


@pytest.fixture
def with_stock(initial_report, focal_point):
    return save(initial_report, fill_minimal(initial_report, form_b_stock=stock_rows(3)), focal_point)


# --- The download -------------------------------------------------------------------------------------
def test_the_workbook_has_an_about_sheet_one_sheet_per_table_and_hidden_meta(with_stock):
    report = with_stock
    book = book_of(download.build_workbook(report))
    spec = report.format_version.spec
    names = [s.name for s in layout.table_sheets(spec)]
    assert book.sheetnames == ["About", *names, "_lists", "_meta"]
    assert len(names) == sum(len(f.tables) for f in spec.forms) == len(set(names))
    assert all(len(name) <= 31 for name in names) and "B stockpile" in names
    about = " ".join(str(c) for row in book["About"].iter_rows(values_only=True) for c in row if c)
    assert "Lao People's Democratic Republic" in about and "2010" in about
    assert str(report.pk) in about and "Initial report" in about
    assert book["_meta"].sheet_state == "veryHidden" and book["_lists"].sheet_state == "hidden"
    meta = dict(book["_meta"].iter_rows(values_only=True))
    assert meta == {
        "marker": layout.MARKER,
        "version": layout.VERSION,
        "format": "2010",
        "report": str(report.pk),
        "state": "LAO",
        "period": "initial",
        "revision": str(report.revision),
        "blank": "0",
        "language": "en",  # written in the downloader's language, read back in it
    }


def test_table_sheets_have_headings_notes_a_hidden_id_and_the_draft_from_row_3(with_stock):
    report = with_stock
    sheet = book_of(download.build_workbook(report))["B stockpile"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Type", "Cluster munitions", "Submunitions", "Qualifier", "Lot numbers", "id")
    assert rows[1][1] == "A whole number, 0 or more. Required."
    assert rows[1][3].startswith("One of: exactly; at least;") and rows[1][3].endswith("Optional.")
    assert sheet.column_dimensions["F"].hidden
    assert rows[2] == ("Type 0", 10, 100, "exactly", None, "s0")  # numbers as numbers, qualifiers by label
    assert [r[5] for r in rows[2:]] == ["s0", "s1", "s2"]
    assert sheet.freeze_panes == "A3"


def test_list_whole_number_and_date_columns_carry_data_validation(with_stock):
    book = book_of(download.build_workbook(with_stock))
    kinds = {
        (dv.type, dv.operator, str(dv.sqref).split(":")[0]): dv.formula1
        for dv in book["B stockpile"].data_validations.dataValidation
    }
    assert kinds[("whole", "greaterThanOrEqual", "B3")] == "0"
    assert kinds[("list", None, "D3")].startswith("'_lists'!$")
    measures = {str(dv.sqref).split(":")[0]: dv.type for dv in book["A measures"].data_validations.dataValidation}
    assert measures == {"A3": "list", "C3": "date", "D3": "list"}
    # The currency list is long: it sits on the hidden sheet, like every list.
    national = {str(dv.sqref).split(":")[0]: dv for dv in book["I national"].data_validations.dataValidation}
    assert national["D3"].type == "list" and national["C3"].type == "decimal"
    column = national["D3"].formula1.split("!")[1].split(":")[0].replace("$", "")[:-1]
    listed = [row[0].value for row in book["_lists"][f"{column}1:{column}300"] if row[0].value]
    assert "EUR" in listed and len(listed) == len(formats.currencies())
    years = {str(dv.sqref).split(":")[0]: dv for dv in book["H victims"].data_validations.dataValidation}
    assert (years["A3"].operator, years["A3"].formula1, years["A3"].formula2) == ("between", "1960", "2100")


def test_blank_workbook_has_no_rows_and_says_so(with_stock):
    book = book_of(download.build_workbook(with_stock, blank=True))
    assert book["B stockpile"].max_row == 2
    assert dict(book["_meta"].iter_rows(values_only=True))["blank"] == "1"
    assert download.file_name(with_stock, blank=True) == "ccm-article7-LAO-initial-blank.xlsx"


def test_text_that_looks_like_a_formula_is_written_as_text(initial_report, focal_point):
    content = fill_minimal(initial_report, form_b_stock=[{"_id": "s0", "type": "=1+1", "munitions": "1"}])
    report = save(initial_report, content, focal_point)
    cell = book_of(download.build_workbook(report))["B stockpile"]["A3"]
    assert (cell.value, cell.data_type) == ("=1+1", "s")


# --- Reading: a round trip ---------------------------------------------------------------------------
def test_a_round_trip_without_edits_changes_nothing(initial_report, focal_point):
    report = save(initial_report, full_content(initial_report.format_version.spec, rows=120), focal_point)
    parsed = read.read_workbook(report, name="x.xlsx", data=download.build_workbook(report))
    merged = merge.merge_tables(report.format_version.spec, report.draft, parsed)
    assert content_changes(report.draft, merged) == {}
    assert merged == report.draft


def test_cells_mean_what_they_mean_in_the_browser(initial_report, focal_point):
    report = initial_report

    def edit(book):
        areas = book["F areas"]
        areas.append(["Village 1", "30 ha", "at least", "Confirmed hazardous area", None, 12, None, "Yes"])
        areas.append(["Village 2", 2500, "approximately", "suspected", None, None, "1970s", True])
        areas.append(["Village 3", "2.5 km2", None, "confirmed", None, None, None, "no"])
        national = book["I national"]
        national.append(["Art. 4 clearance", "financial", "1,500.50", "eur", "Clearance budget"])
        measures = book["A measures"]
        measures.append(["Legislation", "Law No. 12", dt.datetime(2012, 5, 1), "in force"])
        measures.append(["regulation", "Decree 7", "2013-01-31", None])

    parsed = read.read_workbook(report, name="x.xlsx", data=edited(report, edit))
    merged = merge.merge_tables(report.format_version.spec, report.draft, parsed)
    areas = merged["forms"]["F"]["tables"]["areas"]
    strip = [{k: v for k, v in row.items() if k != "_id"} for row in areas]
    assert strip[0] == {
        "location": "Village 1",
        "area": "30 ha",  # kept as typed, like the browser; validate() stores 300000 m²
        "qualifier": "at_least",
        "status": "confirmed",
        "remnant_type": "",
        "remnant_quantity": "12",
        "used_when": "",
        "mixed_hazard": True,
    }
    assert (strip[1]["area"], strip[1]["status"], strip[1]["used_when"], strip[1]["mixed_hazard"]) == (
        "2500",
        "suspected",
        "1970s",
        True,
    )
    assert strip[2]["mixed_hazard"] is False
    assert merged["forms"]["I"]["tables"]["national"][0] | {"_id": ""} == {
        "_id": "",
        "article": "4",
        "kind": "financial",
        "amount": "1,500.50",
        "currency": "EUR",
        "description": "Clearance budget",
    }
    measures = merged["forms"]["A"]["tables"]["measures"]
    assert [(m["kind"], m["adopted_on"], m["status"]) for m in measures] == [
        ("legislation", "2012-05-01", "in_force"),
        ("regulation", "2013-01-31", ""),
    ]
    cleaned = formats.validate(report.format_version.spec, merged, initial=True, period_year=None)
    assert not [path for path in cleaned.errors if ".tables." in path]
    assert [r["area"] for r in cleaned.cleaned["forms"]["F"]["tables"]["areas"]] == ["300000", "2500", "2500000"]
    assert cleaned.cleaned["forms"]["I"]["tables"]["national"][0]["amount"] == "1500.50"


def test_rows_keep_their_ids_new_and_copied_rows_get_new_ones_and_deleted_rows_go(with_stock):
    report = with_stock

    def edit(book):
        sheet = book["B stockpile"]
        sheet["B4"] = 99  # s1's munitions
        sheet.delete_rows(5)  # s2
        sheet.append(["Type new", 1, 2, None, None, None])
        sheet.append(["Type 0 copy", 3, 4, None, None, "s0"])  # copied with its id

    parsed = read.read_workbook(report, name="x.xlsx", data=edited(report, edit))
    rows = merge.merge_tables(report.format_version.spec, report.draft, parsed)["forms"]["B"]["tables"]["stockpile"]
    ids = [r["_id"] for r in rows]
    assert ids[:2] == ["s0", "s1"] and len(ids) == 4 == len(set(ids)) and "s2" not in ids
    assert rows[1]["munitions"] == "99" and rows[0]["munitions"] == "10"
    assert all(ROW_ID.match(i) for i in ids)


def test_cover_narratives_and_choices_are_left_as_they_are(with_stock):
    report = with_stock

    def edit(book):
        book["B stockpile"].delete_rows(3, 3)

    parsed = read.read_workbook(report, name="x.xlsx", data=edited(report, edit))
    merged = merge.merge_tables(report.format_version.spec, report.draft, parsed)
    changes = content_changes(report.draft, merged)
    assert set(changes) == {f"forms.B.tables.stockpile.s{i}" for i in range(3)}
    assert merged["cover"] == report.draft["cover"]
    assert merged["forms"]["B"]["choice"] == Choice.CHANGED
    assert merged["forms"]["A"] == report.draft["forms"]["A"]


# --- Reading: refusals ---------------------------------------------------------------------------------
def test_every_bad_cell_is_named_with_sheet_row_and_column(with_stock):
    report = with_stock

    def edit(book):
        stock = book["B stockpile"]
        stock["B4"] = "12x"
        stock.append(["Type 9", -3, None, "roughly", "x" * 501, None])
        book["A measures"].append(["Legislation", "Law", "31/02/2023", None])
        book["I national"].append(["3", "financial", "100.123", None, None])
        book["F areas"].append(["Village", "12 acres", None, "confirmed", None, None, None, "maybe"])

    messages = refused(report, edited(report, edit))
    assert messages == [
        "Sheet “A measures”, row 4, column C “Adopted on”: “31/02/2023”: Enter a date as YYYY-MM-DD.",
        "Sheet “B stockpile”, row 4, column B “Cluster munitions”: “12x” is not a whole number.",
        "Sheet “B stockpile”, row 6, column B “Cluster munitions”: “-3”: Must be at least 0.",
        "Sheet “B stockpile”, row 6, column C “Submunitions”: Required: fill it in, or delete the whole row.",
        "Sheet “B stockpile”, row 6, column D “Qualifier”: “roughly” is not one of: exactly; at least; more than; "
        "approximately; up to / nearly; estimated.",
        "Sheet “B stockpile”, row 6, column E “Lot numbers”: At most 500 characters (this has 501).",
        "Sheet “F areas”, row 3, column B “Size”: “12 acres”: Enter an area such as “15000”, “1.5 ha” or “2.5 km2”.",
        "Sheet “F areas”, row 3, column H “Also mines or other explosive remnants”: “maybe”: Answer yes or no.",
        "Sheet “I national”, row 3, column C “Amount”: “100.123”: Use at most two decimal places.",
        "Sheet “I national”, row 3, column D “Currency”: Give the currency of the amount.",
    ]


def test_a_value_outside_the_headed_columns_is_named(with_stock):
    def edit(book):
        book["B stockpile"]["H4"] = "stray"

    assert refused(with_stock, edited(with_stock, edit)) == [
        "Sheet “B stockpile”, row 4, column H: a value in a column without a heading: move it or delete it."
    ]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("tables.csv", b"Type,Cluster munitions\n", "“tables.csv” is not an Excel workbook (.xlsx)."),
        ("tables.xls", b"\xd0\xcf\x11\xe0", "“tables.xls” is not an Excel workbook (.xlsx)."),
        ("tables.xlsm", b"PK", "Workbooks with macros (.xlsm) are not accepted."),
        ("tables.xlsx", b"Type,Cluster munitions\n", "“tables.xlsx” is not a valid Excel workbook"),
    ],
)
def test_files_that_are_not_xlsx_are_refused(with_stock, name, data, message):
    assert refused(with_stock, data, name=name)[0].startswith(message)


def test_a_zip_that_is_not_a_workbook_or_holds_macros_is_refused(with_stock):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    assert "not a valid Excel workbook" in refused(with_stock, buffer.getvalue())[0]
    data = download.build_workbook(with_stock)
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(buffer, "w") as archive:
        for item in source.infolist():
            archive.writestr(item, source.read(item))
        archive.writestr("xl/vbaProject.bin", b"\x00macro")
    assert refused(with_stock, buffer.getvalue()) == [
        "The workbook contains macros, which are not accepted. Save it as .xlsx without macros."
    ]


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("format", "2022", "This workbook is for the reporting format “2022”; this report uses “2010”."),
        ("report", "999999", "This workbook belongs to another report (report 999999, LAO)."),
        ("state", "AUS", "belongs to another report"),
        ("marker", "something else", "This is not a workbook downloaded from the portal."),
        ("version", "0", "made by an older version of the portal"),
    ],
)
def test_a_workbook_for_another_report_state_or_format_is_refused(with_stock, key, value, message):
    def edit(book):
        meta = book["_meta"]
        for row in meta.iter_rows():
            if row[0].value == key:
                row[1].value = value

    messages = refused(with_stock, edited(with_stock, edit))
    assert len(messages) == 1 and message in messages[0]


def test_a_workbook_without_its_meta_sheet_is_refused(with_stock):
    def edit(book):
        del book["_meta"]

    assert "not a workbook downloaded from the portal" in refused(with_stock, edited(with_stock, edit))[0]


def test_formulas_are_refused_naming_each_cell(with_stock):
    def edit(book):
        book["B stockpile"]["B4"] = "=SUM(B3:B3)"
        book["F areas"]["B3"] = "=1+1"

    assert refused(with_stock, edited(with_stock, edit)) == [
        "Sheet “B stockpile”, cell B4: a formula (“=SUM(B3:B3)”). Only values are accepted: replace formulas by "
        "their values (copy, then paste values) and upload again.",
        "Sheet “F areas”, cell B3: a formula (“=1+1”). Only values are accepted: replace formulas by their values "
        "(copy, then paste values) and upload again.",
    ]


def test_unknown_or_missing_sheets_and_headings_are_refused(with_stock):
    def edit(book):
        book.create_sheet("Notes")
        del book["C types"]
        book["B stockpile"]["B1"] = "Munitions"
        book["B stockpile"]["G1"] = "Type"
        book["F areas"]["B1"] = None

    messages = refused(with_stock, edited(with_stock, edit))
    assert messages == [
        "Unknown sheet “Notes”: remove it, or copy its rows into the right sheet.",
        "The sheet “C types” is missing. Do not rename or delete sheets.",
    ]

    def headings_only(book):
        book["B stockpile"]["B1"] = "Munitions"
        book["B stockpile"]["G1"] = "Type"
        book["F areas"]["B1"] = None

    assert refused(with_stock, edited(with_stock, headings_only)) == [
        "Sheet “B stockpile”, cell B1: unknown heading “Munitions”.",
        "Sheet “B stockpile”, cell G1: the heading “Type” appears twice.",
        "Sheet “B stockpile”: the column “Cluster munitions” is missing.",
        "Sheet “F areas”: the column “Size” is missing.",
    ]


def test_a_sheet_with_too_many_rows_is_refused(with_stock, monkeypatch):
    monkeypatch.setattr(read, "MAX_ROWS", 2)
    assert refused(with_stock, download.build_workbook(with_stock)) == ["Sheet “B stockpile” has more than 2 rows."]


def test_columns_may_be_moved(with_stock):
    def edit(book):
        sheet = book["B stockpile"]
        sheet.move_range("A1:A5", cols=6)  # Type to column G
        sheet["A3"] = None

    parsed = read.read_workbook(with_stock, name="x.xlsx", data=edited(with_stock, edit))
    assert [r["type"] for r in parsed.rows[("B", "stockpile")]] == ["Type 0", "Type 1", "Type 2"]


def test_a_workbook_downloaded_before_the_area_headings_were_relabelled_still_uploads(with_stock):
    """The area columns lost their "(m²)" (areas show as typed); a workbook headed "Size (m²)" still reads."""

    def edit(book):
        sheet = book["F areas"]
        heading = next(c for c in sheet[1] if c.value == "Size")
        heading.value = "Size (m²)"
        sheet.cell(row=3, column=1, value="North")
        sheet.cell(row=3, column=heading.column, value="41.30 km2")
        status = next(c for c in sheet[1] if c.value == "Status")
        sheet.cell(row=3, column=status.column, value="Confirmed")

    parsed = read.read_workbook(with_stock, name="x.xlsx", data=edited(with_stock, edit))
    assert [r["location"] for r in parsed.rows[("F", "areas")]] == ["North"]
    assert parsed.rows[("F", "areas")][0]["area"] == "41.30 km2"


# --- Upload, apply, discard ------------------------------------------------------------------------------
def test_upload_keeps_the_checked_draft_for_the_preview_and_writes_nothing_else(with_stock, focal_point):
    report = with_stock
    revision, draft = report.revision, report.draft

    def edit(book):
        book["B stockpile"]["C3"] = 250
        book["B stockpile"].append(["Type new", 5, 50, "at least", None, None])

    uploaded = upload(report, edited(report, edit), focal_point)
    item = uploaded.upload
    assert (item.status, item.base_revision, item.name, item.size) == (
        WorkbookUploadStatus.PREVIEWED,
        revision,
        "tables.xlsx",
        item.size,
    )
    assert len(item.sha256) == 64 and not uploaded.draft_changed_since
    new_id = item.content["forms"]["B"]["tables"]["stockpile"][3]["_id"]
    assert item.changes == {
        "forms.B.tables.stockpile.s0.submunitions": ["100", "250"],
        f"forms.B.tables.stockpile.{new_id}": [
            None,
            {
                "_id": new_id,
                "type": "Type new",
                "munitions": "5",
                "submunitions": "50",
                "qualifier": "at_least",
                "lot_numbers": "",
            },
        ],
    }
    report.refresh_from_db()
    assert (report.revision, report.draft) == (revision, draft)
    entry = AuditEntry.objects.filter(action="reporting.workbook.uploaded").get()
    assert entry.context["sha256"] == item.sha256 and entry.context["file"] == "tables.xlsx"

    preview = build_preview(report.format_version.spec, item)
    assert [f.code for f in preview] == ["B"]
    table = preview[0].tables[0]
    assert (table.sheet, len(table.added), len(table.removed), len(table.changed)) == ("B stockpile", 1, 0, 1)
    assert table.added[0].excel_row == 6 and table.added[0].cells[3] == {
        "label": "Qualifier",
        "before": "",
        "after": "at least",
    }
    assert table.changed[0].label == "Type 0" and table.changed[0].excel_row == 3
    assert table.changed[0].cells == [{"label": "Submunitions", "before": "100", "after": "250"}]


def test_preview_says_when_rows_go_to_a_form_marked_not_applicable(with_stock, focal_point):
    def edit(book):
        book["F areas"].append(["Village", 100, None, "confirmed", None, None, None, None])

    item = upload(with_stock, edited(with_stock, edit), focal_point).upload
    (form,) = build_preview(with_stock.format_version.spec, item)
    assert form.code == "F" and form.note.startswith("The cover page says Form F does not apply.")
    assert [(r.excel_row, r.label) for r in form.tables[0].added] == [(3, "Village")]


def test_apply_saves_through_save_draft_and_records_the_file(with_stock, focal_point):
    report = with_stock

    def edit(book):
        book["B stockpile"]["C3"] = 250

    item = upload(report, edited(report, edit), focal_point).upload
    report = apply_upload(upload=item, actor=focal_point)
    assert rows_of(report, "B", "stockpile")[0]["submunitions"] == "250"
    item.refresh_from_db()
    assert item.status == WorkbookUploadStatus.APPLIED and item.decided_at
    saved = AuditEntry.objects.filter(action="reporting.report.saved").latest("pk")
    assert saved.changes == {"forms.B.tables.stockpile.s0.submunitions": ["100", "250"]}
    applied = AuditEntry.objects.filter(action="reporting.workbook.applied").get()
    assert applied.actor == focal_point and applied.context | {"revision": 0} == {
        "upload": item.pk,
        "file": "tables.xlsx",
        "sha256": item.sha256,
        "size": item.size,
        "revision": 0,
        "changes": 1,
    }
    with pytest.raises(services.InvalidTransition):
        apply_upload(upload=item, actor=focal_point)


def test_apply_keeps_the_forms_choice_and_suggests_changed(focal_point, isu_staff, lao):
    """A report started from last year's: a form whose rows change through the workbook keeps the choice
    the focal point has (issue 12: detection never overrules); the editor suggests "Changed"."""
    first = services.start_report(state=lao, kind=ReportKind.ANNUAL, period_year=2023, actor=focal_point)
    save(first, fill_minimal(first, form_b_stock=stock_rows(2)), focal_point)
    services.set_visibility(report=first, visibility="public", actor=focal_point)
    services.submit_report(report=first, actor=focal_point)
    services.start_review(report=first, actor=isu_staff)
    services.accept_report(report=first, actor=isu_staff)
    report = services.start_report(
        state=lao, kind=ReportKind.ANNUAL, period_year=2024, actor=focal_point, from_last_year=True
    )
    assert report.draft["forms"]["B"]["choice"] == Choice.UNCHANGED

    def edit(book):
        book["B stockpile"]["B3"] = 5

    item = upload(report, edited(report, edit), focal_point).upload
    report = apply_upload(upload=item, actor=focal_point)
    assert report.draft["forms"]["B"]["choice"] == Choice.UNCHANGED
    assert report.draft["forms"]["A"]["choice"] == Choice.UNCHANGED
    suggestions = choice_suggestions(report, validation_for(report).cleaned)
    assert list(suggestions) == ["B"] and "choose “Changed”" in suggestions["B"]


def test_apply_after_the_draft_changed_marks_the_upload_outdated(with_stock, focal_point):
    report = with_stock

    def edit(book):
        book["B stockpile"]["C3"] = 250

    item = upload(report, edited(report, edit), focal_point).upload
    content = report.draft
    content["forms"]["B"]["narratives"]["programme"] = "Saved in the browser meanwhile."
    report = save(report, content, focal_point)
    with pytest.raises(services.EditConflict):
        apply_upload(upload=item, actor=focal_point)
    item.refresh_from_db()
    assert item.status == WorkbookUploadStatus.OUTDATED
    assert AuditEntry.objects.filter(action="reporting.workbook.outdated").count() == 1
    assert rows_of(report, "B", "stockpile")[0]["submunitions"] == "100"
    assert not AuditEntry.objects.filter(action="reporting.workbook.applied").exists()


def test_discard(with_stock, focal_point, other_focal_point):
    item = upload(with_stock, download.build_workbook(with_stock), focal_point).upload
    with pytest.raises(PermissionDenied):
        discard_upload(upload=item, actor=other_focal_point)
    discard_upload(upload=item, actor=focal_point)
    item.refresh_from_db()
    assert item.status == WorkbookUploadStatus.DISCARDED
    assert AuditEntry.objects.filter(action="reporting.workbook.discarded").count() == 1
    with pytest.raises(services.InvalidTransition):
        apply_upload(upload=item, actor=focal_point)


def test_upload_is_for_the_states_focal_points_while_the_report_is_editable(
    with_stock, focal_point, other_focal_point, isu_staff
):
    data = download.build_workbook(with_stock)
    for outsider in (other_focal_point, isu_staff):
        with pytest.raises(PermissionDenied):
            upload(with_stock, data, outsider)
    services.set_visibility(report=with_stock, visibility="public", actor=focal_point)
    services.submit_report(report=with_stock, actor=focal_point)
    with_stock.refresh_from_db()
    assert with_stock.status == ReportStatus.SUBMITTED
    with pytest.raises(services.InvalidTransition):
        upload(with_stock, data, focal_point)
    assert not WorkbookUpload.objects.exists()


@override_settings(CCM_WORKBOOK_MAX_MB=0.001)
def test_a_file_over_the_size_limit_is_refused_before_it_is_read(with_stock, focal_point):
    with pytest.raises(read.WorkbookRefused) as caught:
        upload(with_stock, download.build_workbook(with_stock), focal_point)
    assert caught.value.messages[0].startswith("The file is ")
    assert caught.value.messages[0].endswith("workbooks up to 0.001 MB are accepted.")
    assert not WorkbookUpload.objects.exists()


def test_held_workbooks_are_purged_after_the_set_number_of_days(with_stock, focal_point, settings):
    from django.utils import timezone

    from reporting.tasks import purge_workbook_uploads

    settings.CCM_WORKBOOK_UPLOADS_KEEP_DAYS = 30
    old = upload(with_stock, download.build_workbook(with_stock), focal_point).upload
    WorkbookUpload.objects.filter(pk=old.pk).update(uploaded_at=timezone.now() - dt.timedelta(days=31))
    recent = upload(with_stock, download.build_workbook(with_stock), focal_point).upload
    assert purge_workbook_uploads() == 1
    assert list(WorkbookUpload.objects.values_list("pk", flat=True)) == [recent.pk]
    assert AuditEntry.objects.filter(action="reporting.workbook.uploaded").count() == 2  # the trail stays
