"""Every spreadsheet the portal writes, download by download: text someone typed that a spreadsheet
would evaluate (a leading =, +, -, @, tab or carriage return) comes out quoted with an apostrophe in
CSV (and in the XLSX made from the same rows), otherwise unchanged; the report workbook keeps the text
as typed in string cells, never formulas; numbers stay numbers."""

import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from ccm_portal.core.spreadsheets import csv_bytes, spreadsheet_safe
from parties.models import State
from reporting import services
from reporting.models import ReportingRecord, ReportKind
from tests.reporting.conftest import fill_minimal
from tests.reporting.test_archive import corrected, published, stock

pytestmark = pytest.mark.django_db

EVIL = [
    '=HYPERLINK("http://x","y")',
    "=cmd|' /C calc'!A0",
    "\t=1+1",
    "+1",
    "@SUM(A1)",
    "-2+3",
    "\r=1",
]


def safe(value):
    return "'" + value


def csv_cells(body: bytes) -> list[str]:
    text = body.decode("utf-8").lstrip("\ufeff")
    return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]


def xlsx_cells(body: bytes) -> list:
    book = openpyxl.load_workbook(io.BytesIO(body))
    return [cell for ws in book.worksheets for row in ws.iter_rows() for cell in row]


def xlsx_texts(cells) -> list:
    """The cells' values, a carriage return read back as a line feed (XML keeps line ends so)."""
    return [cell.value.replace("\r", "\n") if isinstance(cell.value, str) else cell.value for cell in cells]


def exported_cells(body: bytes, fmt: str) -> list[str]:
    """The text of every cell of an exported CSV or XLSX; an XLSX must hold no formula cell."""
    if fmt == "csv":
        return csv_cells(body)
    typed = xlsx_cells(body)
    assert all(cell.data_type != "f" for cell in typed)
    return xlsx_texts(typed)


def in_xlsx(value: str) -> str:
    return value.replace("\r", "\n")


# --- The one helper -----------------------------------------------------------------------------------
@pytest.mark.parametrize("value", EVIL)
def test_formula_leading_text_is_quoted_and_otherwise_unchanged(value):
    assert spreadsheet_safe(value) == safe(value)
    assert csv_cells(csv_bytes([[value]])) == [safe(value)]


@pytest.mark.parametrize("value", ["Art. 3 = stockpiles", "", "'already quoted", "1,500 ha", -3, 2.5, None])
def test_anything_else_is_left_alone_and_numbers_stay_numbers(value):
    assert spreadsheet_safe(value) == value


def test_a_negative_number_the_portal_writes_is_not_quoted():
    assert csv_cells(csv_bytes([[-3, "-3", None]])) == ["-3", "'-3", ""]


# --- The public report.csv --------------------------------------------------------------------------
def test_the_public_report_csv_quotes_formulas_typed_in_narratives_and_tables(client_for, focal_point, isu_staff):
    def evil(content):
        content["forms"]["A"]["narratives"]["summary"] = EVIL[0]
        rows = stock(len(EVIL))
        for row, value in zip(rows, EVIL, strict=True):
            row["type"] = value
            row["lot_numbers"] = value
        content["forms"]["B"]["tables"]["stockpile"] = rows

    report = published(focal_point, isu_staff, kind=ReportKind.INITIAL, rows=len(EVIL), tweak=evil)
    version = report.versions.get(number=1)
    stored = [row["type"] for row in version.content["forms"]["B"]["tables"]["stockpile"]]
    assert all(value.lstrip("\t\r")[:1] in "=+-@" for value in stored)
    url = reverse("reporting:archive_version_csv", args=["LAO", "initial", 1])
    rows = list(csv.DictReader(io.StringIO(client_for(None).get(url).content.decode("utf-8"), newline="")))
    typed = [r["value"] for r in rows if r["table"] == "stockpile" and r["column"] in ("type", "lot_numbers")]
    assert typed == [safe(v) for v in stored for _column in (1, 2)]
    summary = next(r for r in rows if r["table"] == "narrative" and r["column"] == "summary")
    assert summary["value"] == safe(version.content["forms"]["A"]["narratives"]["summary"])
    munitions = [r["value"] for r in rows if r["table"] == "stockpile" and r["column"] == "munitions"]
    assert munitions == [str(1500 + i) for i in range(len(EVIL))]  # numbers as they are


# --- The ISU's export of the archive (CSV and XLSX) --------------------------------------------------
@pytest.mark.parametrize("value", EVIL)
def test_the_isu_export_quotes_a_correction_note_and_a_state_name_in_csv_and_xlsx(
    client_for, focal_point, isu_staff, value
):
    report = published(focal_point, isu_staff, kind=ReportKind.INITIAL, rows=1)
    corrected(report, focal_point, isu_staff, note=value, munitions=3)
    State.objects.filter(iso3="LAO").update(name=value)  # as the ISU may type it in the admin
    stored = report.versions.get(number=2).correction_note
    client = client_for(isu_staff)
    body = client.get(reverse("reporting:archive_export") + "?format=csv").content
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8"), newline="")))
    assert [r["What this version corrects"] for r in rows] == ["", safe(stored)]
    assert [r["State"] for r in rows] == [safe(value)] * 2
    typed = xlsx_cells(client.get(reverse("reporting:archive_export")).content)
    assert all(cell.data_type != "f" for cell in typed)
    cells = xlsx_texts(typed)
    assert in_xlsx(safe(stored)) in cells
    assert cells.count(in_xlsx(safe(value))) >= 2 and in_xlsx(value) not in cells


# --- The progress dashboard (CSV and XLSX) -----------------------------------------------------------
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_progress_exports_quote_state_names_set_in_the_admin(client, reference_data, fmt):
    codes = ["LAO", "AUS", "NOR", "FRA", "DEU", "JPN", "GBR"]
    for code, name in zip(codes, EVIL, strict=True):
        State.objects.filter(iso3=code).update(name=name)
    body = client.get(reverse("progress:export_figures", args=[fmt])).content
    cells = exported_cells(body, fmt)
    for name in EVIL:
        name = name if fmt == "csv" else in_xlsx(name)
        assert safe(name) in cells
        assert name not in cells


# --- Admin exports through django-import-export ------------------------------------------------------
def admin_export(client, path, fmt):
    form = client.get(f"{path}export/").context["form"]
    columns = {name: "on" for name, field in form.fields.items() if getattr(field, "is_selectable_field", False)}
    index = next(value for value, label in form.fields["format"].choices if label.lower() == fmt)
    response = client.post(f"{path}export/", {"format": index, "resource": "0", **columns})
    assert response.status_code == 200
    return response.content


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_admin_exports_of_the_registry_quote_formulas(client_for, isu_staff, fmt):
    codes = ["LAO", "AUS", "NOR", "FRA", "DEU", "JPN", "GBR"]
    for code, name in zip(codes, EVIL, strict=True):
        State.objects.filter(iso3=code).update(name=name)
    body = admin_export(client_for(isu_staff), "/admin/parties/state/", fmt)
    cells = exported_cells(body, fmt)
    for name in EVIL:
        name = name if fmt == "csv" else in_xlsx(name)
        assert safe(name) in cells
        assert name not in cells


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_admin_exports_of_received_reports_quote_formulas(client_for, isu_staff, fmt):
    lao = State.objects.get(iso3="LAO")
    for year, note in enumerate(EVIL, start=2011):
        ReportingRecord.objects.create(
            state=lao,
            kind=ReportKind.ANNUAL,
            period_year=year,
            submitted_on=f"{year + 1}-04-30",
            source=note,
            notes=note,
        )
    body = admin_export(client_for(isu_staff), "/admin/reporting/reportingrecord/", fmt)
    cells = csv_cells(body) if fmt == "csv" else xlsx_texts(xlsx_cells(body))
    for note in EVIL:
        note = note if fmt == "csv" else in_xlsx(note)
        assert cells.count(safe(note)) == 2
        assert note not in cells


# --- The report workbook (XLSX written with openpyxl) -----------------------------------------------
def test_the_report_workbook_keeps_typed_text_as_text_cells(client_for, focal_point):
    initial_report = services.start_report(
        state=focal_point.state, kind=ReportKind.INITIAL, period_year=None, actor=focal_point
    )
    rows = stock(len(EVIL))
    for row, value in zip(rows, EVIL, strict=True):
        row["type"] = value
    content = fill_minimal(initial_report, form_b_stock=rows)
    report = services.save_draft(
        report=initial_report, content=content, base_revision=initial_report.revision, actor=focal_point
    )
    stored = [row["type"] for row in report.draft["forms"]["B"]["tables"]["stockpile"]]
    body = client_for(focal_point).get(reverse("reporting:workbook_download", args=[report.pk])).content
    cells = xlsx_cells(body)
    assert all(cell.data_type != "f" for cell in cells)
    texts = {cell.value for cell in cells if cell.data_type == "s"}
    assert {value.strip() for value in stored} <= texts  # the workbook gives text cells trimmed, as it reads them
