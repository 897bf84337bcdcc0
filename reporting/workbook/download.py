"""The workbook a focal point downloads: the report's tables, one sheet each, pre-filled with the draft
(or empty), with a note under each heading, drop-downs and checks on the cells, and an About sheet.

It is written with openpyxl directly: tablib's xlsx export has no notes row, no hidden columns or
sheets and no data validation. Where each thing sits is in ``reporting.workbook.layout``.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from ccm_portal.core import clock
from reporting.formats import Column, FormatDefinition, clean_cell, currencies, parse_number
from reporting.models import Report
from reporting.workbook.layout import (
    ABOUT_SHEET,
    FIRST_DATA_ROW,
    HEADER_ROW,
    ID_HEADER,
    LISTS_SHEET,
    MARKER,
    META_SHEET,
    NOTES_ROW,
    VERSION,
    TableSheet,
    table_sheets,
    yes_no,
)

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="0B2D4D")
_NOTE_FONT = Font(italic=True, color="4A5565", size=9)
_NOTE_FILL = PatternFill("solid", fgColor="FFF2D5")
_WRAP_TOP = Alignment(wrap_text=True, vertical="top")


def file_name(report: Report, *, blank: bool = False) -> str:
    suffix = "blank" if blank else f"r{report.revision}"
    return f"ccm-article7-{report.state.iso3}-{report.period_slug}-{suffix}.xlsx"


def column_note(column: Column) -> str:
    """What row 2 says of a column: the kind of value, its unit or options, required or not."""
    kind = column.type
    if kind in {"text", "longtext"}:
        note = _("Text, at most %(n)s characters.") % {"n": column.max_length} if column.max_length else _("Text.")
    elif kind == "email":
        note = _("An e-mail address.")
    elif kind == "integer":
        if column.min is not None and column.max is not None:
            note = _("A whole number from %(min)s to %(max)s.") % {"min": column.min, "max": column.max}
        elif column.min is not None:
            note = _("A whole number, %(min)s or more.") % {"min": column.min}
        else:
            note = _("A whole number.")
    elif kind == "area":
        note = _("An area in square metres, or with its unit: “1500 m2”, “30 ha”, “2.5 km2”. Stored in m².")
    elif kind == "money":
        note = _("An amount, at most two decimals; give its currency in the currency column.")
    elif kind == "currency":
        note = _("An ISO 4217 currency code, e.g. EUR, USD, JPY (choose from the list).")
    elif kind == "date":
        note = _("A date, e.g. 2024-05-31.")
    elif kind == "boolean":
        note = _("Yes or No.")
    elif kind in {"choice", "qualifier"}:
        note = _("One of: %(options)s.") % {"options": "; ".join(label for _value, label in column.choices)}
    else:
        note = ""
    parts = [note, column.help, _("Required.") if column.required else _("Optional.")]
    return " ".join(part for part in parts if part)


def _excel_value(column: Column, value: Any) -> Any:
    """A draft value as the workbook shows it: numbers as numbers, dates as dates, choices by label.
    Whatever does not parse is written as it was typed, to be corrected in the workbook."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    kind = column.type
    text = str(value).strip()
    if kind == "boolean":
        if isinstance(value, bool):
            return yes_no()[0 if value else 1]
        try:
            return yes_no()[0 if clean_cell(column, text) else 1]
        except ValueError:
            return text
    if kind in {"choice", "qualifier"}:
        return dict(column.choices).get(text, text)
    if kind == "date":
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            return text
    if kind in {"integer", "money", "area"}:
        try:
            number = parse_number(text)
        except ValueError:
            return text  # e.g. an area with its unit, "30 ha"
        if kind == "integer" and number == number.to_integral():
            return int(number)
        return number if kind != "integer" else text
    return text


@dataclass
class _Lists:
    """Lists for drop-downs, one column each on a hidden sheet (an inline list is limited to 255
    characters, too short for currencies)."""

    sheet: Any
    ranges: dict[tuple[str, ...], str] = field(default_factory=dict)

    def range_for(self, values: tuple[str, ...]) -> str:
        if values not in self.ranges:
            letter = get_column_letter(len(self.ranges) + 1)
            for row, value in enumerate(values, start=1):
                self.sheet.cell(row=row, column=len(self.ranges) + 1, value=value).data_type = "s"
            self.ranges[values] = f"{quote_sheetname(LISTS_SHEET)}!${letter}$1:${letter}${len(values)}"
        return self.ranges[values]


def _validation(column: Column, lists: _Lists) -> DataValidation | None:
    kind = column.type
    common = {"allow_blank": True, "showErrorMessage": True, "errorTitle": column.label[:32]}
    if kind in {"choice", "qualifier"}:
        values = tuple(label for _value, label in column.choices)
        return DataValidation(
            type="list", formula1=lists.range_for(values), error=_("Choose a value from the list."), **common
        )
    if kind == "boolean":
        return DataValidation(type="list", formula1=lists.range_for(yes_no()), error=_("Choose Yes or No."), **common)
    if kind == "currency":
        return DataValidation(
            type="list",
            formula1=lists.range_for(tuple(sorted(currencies()))),
            error=_("Choose an ISO 4217 currency code from the list."),
            **common,
        )
    if kind == "integer":
        low = column.min if column.min is not None else 0
        if column.max is not None:
            return DataValidation(
                type="whole",
                operator="between",
                formula1=str(low),
                formula2=str(column.max),
                error=column_note(column),
                **common,
            )
        return DataValidation(
            type="whole", operator="greaterThanOrEqual", formula1=str(low), error=column_note(column), **common
        )
    if kind == "money":
        return DataValidation(
            type="decimal", operator="greaterThanOrEqual", formula1="0", error=column_note(column), **common
        )
    if kind == "date":
        # Date serial 1 is 1900-01-01: any real date passes, text does not.
        return DataValidation(type="date", operator="greaterThan", formula1="1", error=column_note(column), **common)
    return None


_WIDTHS = {"integer": 14, "money": 16, "currency": 11, "date": 13, "boolean": 10, "area": 18, "qualifier": 18}


def _write_table(ws: Any, sheet: TableSheet, rows: list[dict[str, Any]], lists: _Lists) -> None:
    columns = sheet.table.columns
    id_column = len(columns) + 1
    for index, column in enumerate(columns, start=1):
        header = ws.cell(row=HEADER_ROW, column=index, value=column.label)
        header.font, header.fill, header.alignment = _HEADER_FONT, _HEADER_FILL, _WRAP_TOP
        note = ws.cell(row=NOTES_ROW, column=index, value=column_note(column))
        note.font, note.fill, note.alignment = _NOTE_FONT, _NOTE_FILL, _WRAP_TOP
        letter = get_column_letter(index)
        width = _WIDTHS.get(column.type, 40 if (column.max_length or 0) >= 300 else 28)
        ws.column_dimensions[letter].width = width
        validation = _validation(column, lists)
        if validation is not None:
            validation.add(f"{letter}{FIRST_DATA_ROW}:{letter}1048576")
            ws.add_data_validation(validation)
    ws.cell(row=HEADER_ROW, column=id_column, value=ID_HEADER)
    ws.cell(row=NOTES_ROW, column=id_column, value=_("Row id: leave as it is; empty for a new row."))
    ws.column_dimensions[get_column_letter(id_column)].hidden = True
    ws.row_dimensions[NOTES_ROW].height = 60
    ws.freeze_panes = ws.cell(row=FIRST_DATA_ROW, column=1)
    for number, row in enumerate(rows, start=FIRST_DATA_ROW):
        for index, column in enumerate(columns, start=1):
            value = _excel_value(column, row.get(column.key))
            if value is None:
                continue
            cell = ws.cell(row=number, column=index, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # text starting with "=" stays text, never a formula
            elif column.type == "date":
                cell.number_format = "yyyy-mm-dd"
            elif column.type == "money":
                cell.number_format = "#,##0.00"
            elif column.type == "integer" and not (column.min or 0) > 1000:  # years stay ungrouped
                cell.number_format = "#,##0"
        ws.cell(row=number, column=id_column, value=str(row.get("_id") or "")).data_type = "s"


def _write_about(ws: Any, report: Report, spec: FormatDefinition, *, blank: bool, sheets: list[TableSheet]) -> None:
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 90
    ws["A1"] = _("Article 7 transparency report: tables")
    ws["A1"].font = Font(bold=True, size=14)
    facts = [
        (_("State"), report.state.local_name),
        (_("Report"), str(_("Initial report")) if report.is_initial else str(report.period_year)),
        (_("Format"), f"{spec.code} — {spec.name}"),
        (_("Report id"), str(report.pk)),
        (_("Draft revision"), _("empty workbook") if blank else str(report.revision)),
        (_("Made on"), timezone.localtime(clock.now()).strftime("%Y-%m-%d %H:%M")),
    ]
    row = 3
    for label, value in facts:
        ws.cell(row=row, column=1, value=label).font = Font(bold=True)
        ws.cell(row=row, column=2, value=value).data_type = "s"
        row += 1
    row += 1
    ws.cell(row=row, column=1, value=_("How to fill it in")).font = Font(bold=True, size=12)
    steps = [
        _(
            "Each sheet is one table of the forms. Row 1 holds the column headings, row 2 explains each column; "
            "type the data from row 3 down."
        ),
        _(
            "To add a row, type it below the last one. To remove a row, delete the whole row. Rows left empty are "
            "ignored."
        ),
        _(
            "Do not rename, add or remove sheets, and do not change the headings: the portal reads the workbook by "
            "them. Leave the hidden “id” column as it is; it matches rows with the draft."
        ),
        _("Type values only: formulas and macros are refused. Save as an Excel workbook (.xlsx)."),
        _("Areas may be given in m², ha or km² (“30 ha”); amounts need a currency code (EUR, USD…)."),
        _(
            "The cover page, the narratives and whether each form changed stay in the portal: they are not in this "
            "workbook and an upload leaves them as they are."
        ),
        _(
            "Upload the workbook on the report's page. Every cell is checked first; you then see what will change "
            "and confirm. Nothing is saved before you confirm."
        ),
    ]
    for number, step in enumerate(steps, start=1):
        row += 1
        ws.cell(row=row, column=1, value=str(number)).alignment = Alignment(horizontal="right", vertical="top")
        ws.cell(row=row, column=2, value=step).alignment = _WRAP_TOP
    row += 2
    ws.cell(row=row, column=1, value=_("Sheets")).font = Font(bold=True, size=12)
    for sheet in sheets:
        row += 1
        ws.cell(row=row, column=1, value=sheet.name)
        title = _("Form %(code)s: %(title)s") % {"code": sheet.form.code, "title": sheet.form.title}
        ws.cell(row=row, column=2, value=f"{title} — {sheet.table.label}").alignment = _WRAP_TOP


def build_workbook(report: Report, *, blank: bool = False, forms: frozenset[str] | None = None) -> bytes:
    """The .xlsx of the report's tables, pre-filled with the draft unless ``blank``; only those of ``forms`` when
    given (a national contributor's), which the workbook records so that it is read back the same."""
    spec = report.format_version.spec
    sheets = [sheet for sheet in table_sheets(spec) if forms is None or sheet.form.code in forms]
    book = Workbook()
    about = book.active
    about.title = ABOUT_SHEET
    # Sheets in the order people read them: About, the tables, then the hidden ones.
    tables = [book.create_sheet(sheet.name) for sheet in sheets]
    lists = _Lists(book.create_sheet(LISTS_SHEET))
    meta = book.create_sheet(META_SHEET)
    drafts = (report.draft or {}).get("forms") or {}
    for ws, sheet in zip(tables, sheets, strict=True):
        rows = [] if blank else ((drafts.get(sheet.form.code) or {}).get("tables") or {}).get(sheet.table.key) or []
        _write_table(ws, sheet, rows, lists)
    _write_about(about, report, spec, blank=blank, sheets=sheets)
    for key, value in (
        ("marker", MARKER),
        ("version", VERSION),
        ("format", spec.code),
        ("report", str(report.pk)),
        ("state", report.state.iso3),
        ("period", report.period_slug),
        ("revision", str(report.revision)),
        ("blank", "1" if blank else "0"),
        # Written in the downloader's language: read back in it, whoever uploads it (``read``).
        ("language", translation.get_language() or "en"),
    ):
        meta.append([key, value])
    if forms is not None:
        meta.append(["forms", ",".join(sorted(forms))])
    lists.sheet.sheet_state = "hidden"
    meta.sheet_state = "veryHidden"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
