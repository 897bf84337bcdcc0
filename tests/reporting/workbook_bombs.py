"""Hostile report workbooks, made cheaply: the portal's own workbook for a report with one table
sheet's XML written directly (no openpyxl row by row), so that a 380,000-row bomb takes a fraction of
a second to build. Used by the workbook tests and by ``bench/test_workbook_bomb.py``."""

from __future__ import annotations

import io
import re
import zipfile
from xml.etree import ElementTree

from reporting.workbook import download, layout

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def sheet_part(archive: zipfile.ZipFile, title: str) -> str:
    """The zip member holding the sheet called ``title``."""
    # The portal's own workbook, made by the test: trusted XML.
    book = ElementTree.fromstring(archive.read("xl/workbook.xml"))  # noqa: S314
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))  # noqa: S314
    targets = {rel.get("Id"): rel.get("Target") for rel in rels.iter(f"{RELS}Relationship")}
    for sheet in book.iter(f"{MAIN}sheet"):
        if sheet.get("name") == title:
            target = targets[sheet.get(REL_ID)]
            return target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    raise KeyError(title)


def stock_rows_xml(first: int, count: int) -> str:
    """``count`` data rows of the "B stockpile" sheet from row ``first``, each cell with its address,
    as a spreadsheet program writes them: the type, the munitions and submunitions."""
    row = (
        '<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>Type {n}</t></is></c>'
        '<c r="B{n}"><v>{n}</v></c><c r="C{n}"><v>88</v></c></row>'
    )
    return "".join(row.format(n=n) for n in range(first, first + count))


def identical_rows_xml(count: int, *, cells: int) -> str:
    """``count`` identical rows of ``cells`` cells without addresses (allowed by the format: each row
    and cell follows the previous one), so the zip compresses them to almost nothing."""
    if cells == 1:  # the most compact: one number a row
        return "<row><c><v>1500</v></c></row>" * count
    values = ['<c t="inlineStr"><is><t>M77 grenade</t></is></c>', "<c><v>1500</v></c>", "<c><v>88</v></c>"]
    values += ['<c t="inlineStr"><is><t>lot 7</t></is></c>'] * max(0, cells - len(values))
    return ("<row>" + "".join(values[:cells]) + "</row>") * count


def with_sheet_rows(
    data: bytes, *, title: str, rows_xml: str, dimension: str | None = None, keep_rows: int = 2
) -> bytes:
    """``data`` (an .xlsx) with the sheet ``title``'s rows after its first ``keep_rows`` replaced by
    ``rows_xml``; ``dimension`` replaces the sheet's ``<dimension>`` tag (which may then lie)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    part = sheet_part(source, title)
    xml = source.read(part).decode("utf-8")
    numbers = "|".join(str(n) for n in range(1, keep_rows + 1))
    kept = "".join(re.findall(rf'<row r="(?:{numbers})".*?</row>', xml))
    xml = re.sub(r"<sheetData>.*</sheetData>|<sheetData/>", lambda _m: f"<sheetData>{kept}{rows_xml}</sheetData>", xml)
    if dimension is not None:
        xml = re.sub(r'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{dimension}"/>', xml)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as target:
        for item in source.infolist():
            body = xml.encode("utf-8") if item.filename == part else source.read(item)
            target.writestr(item.filename, body)
    return buffer.getvalue()


def bomb(report, *, rows: int = 380_000, cells: int = 5) -> bytes:
    """The report's own workbook with ``rows`` more rows of ``cells`` cells in "B stockpile", its
    dimension tag still claiming three rows (the issue's bomb: 380,000 rows in a few megabytes)."""
    return with_sheet_rows(
        download.build_workbook(report),
        title="B stockpile",
        rows_xml=identical_rows_xml(rows, cells=cells),
        dimension="A1:F3",
        keep_rows=layout.FIRST_DATA_ROW - 1,
    )
