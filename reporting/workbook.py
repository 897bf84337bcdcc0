"""The Excel round-trip of an Article 7 report: download the forms' tables as a workbook, fill it
offline, upload it, see what will change, apply it to the draft.

The workbook holds the TABLES only (one sheet per table of the format); the cover page, the
narratives and each form's "changed / unchanged / not applicable" stay in the portal. Row 1 of a
table sheet holds the column headings, row 2 explains each column, data starts on row 3; a hidden
``id`` column matches rows back to the draft. A hidden ``_meta`` sheet names the report, the
State, the format and the draft revision the workbook was made from.

An upload is checked in full before anything is written: the file (an .xlsx by name and by
content, no macros, not too large), the ``_meta`` sheet (this report, this State, this format),
no formulas anywhere, the sheets and headings, then every cell. Every problem is listed with its
sheet, row and column; a file with any problem writes nothing. A good file becomes a
``WorkbookUpload`` holding the draft as it will be, shown as a preview; applying it goes through
``services.save_draft`` like every other edit (audit down to the cell, edit conflicts, the forms'
changed flags).

Where django-import-export fits, and where it does not:

* Reading: each table sheet is read through a non-model ``import_export.resources.Resource``
  (``TableResource``) built from the format's columns: one ``Field`` per column, whose widget
  parses the cell with the browser editor's own parser (``reporting.formats.clean_cell``: areas
  with units, money, currencies, dates, qualifiers), and ``StrictChoiceWidget`` from
  ``ccm_portal.core.imports`` for choices. So a cell means the same in the workbook as in the browser.
  ``import_data`` runs every row and gathers every bad cell with its row number
  (``Result.invalid_rows``) instead of stopping at the first; each dataset row number is mapped
  back to its Excel row (empty rows are skipped), so ``collect_failed_rows`` is not needed.
* It is called with ``dry_run=False, use_transactions=False``: the resource never touches the
  database (``save_instance`` only collects the parsed row in memory), and a dry run would wrap
  each row in a savepoint, one query per row for nothing to roll back.
* Writing: table rows are entries in the draft JSON, not model instances. Merging them into the
  draft (keeping row ids, keeping a cell as it was typed in the browser when the workbook means
  the same) is done by hand below; ``ccm_portal.core.imports.import_all_or_nothing`` (which saves
  model instances row by row) does not apply.
* Text that starts with "=" is refused like a formula, even when stored as text: the brief asks
  for it, and it keeps formula-looking text out of the draft (and of later exports).
* The download is written with openpyxl directly: tablib's xlsx export has no notes row, no
  hidden columns or sheets and no data validation.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import io
import warnings
import zipfile
from collections import OrderedDict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import PurePath
from typing import Any

import tablib
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from import_export import fields, instance_loaders, resources, widgets
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from accounts import permissions
from audit import services as audit
from ccm_portal.core import zips
from ccm_portal.core.imports import StrictChoiceWidget
from reporting import services
from reporting.diff import display_value
from reporting.formats import (
    Choice,
    Column,
    FormatDefinition,
    FormDef,
    Table,
    clean_cell,
    currencies,
    new_row_id,
    parse_number,
)
from reporting.forms import ROW_ID
from reporting.models import Report, WorkbookUpload, WorkbookUploadStatus

MARKER = "ccm-portal-article7-workbook"
VERSION = "1"
ABOUT_SHEET, META_SHEET, LISTS_SHEET = "About", "_meta", "_lists"
ID_HEADER = "id"
HEADER_ROW, NOTES_ROW, FIRST_DATA_ROW = 1, 2, 3
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Bounds checked before anything is unpacked (``ccm_portal.core.zips``): a workbook of a few megabytes
# unpacks to a few dozen; more is a zip bomb, not a report. A sheet of 10,000 rows of a report's
# table is a few megabytes of XML.
MAX_UNPACKED_BYTES = 60 * 1024 * 1024
MAX_PART_BYTES = 20 * 1024 * 1024
MAX_MEMBERS = 1000
# The largest reports have a few hundred rows in a table; far more is a mistake (or an attack).
# Reading stops as soon as a sheet holds more rows with values than this, or goes on past
# MAX_SHEET_ROWS rows (empty ones included), or has a value past column MAX_COLUMNS.
MAX_ROWS = 10_000
MAX_SHEET_ROWS = 5 * MAX_ROWS
MAX_COLUMNS = 100

_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="0B2D4D")
_NOTE_FONT = Font(italic=True, color="4A5565", size=9)
_NOTE_FILL = PatternFill("solid", fgColor="FFF2D5")
_WRAP_TOP = Alignment(wrap_text=True, vertical="top")


class WorkbookRefused(Exception):
    """The upload was refused; ``messages`` says every reason. Nothing was written."""

    def __init__(self, messages: list[str]):
        self.messages = messages
        super().__init__("; ".join(messages))


@dataclass(frozen=True)
class TableSheet:
    form: FormDef
    table: Table
    name: str


def table_sheets(spec: FormatDefinition) -> list[TableSheet]:
    """One sheet per table, named "<form code> <table key>" (at most 31 characters, unique)."""
    out: list[TableSheet] = []
    taken = {ABOUT_SHEET.casefold(), META_SHEET, LISTS_SHEET}
    for form in spec.forms:
        for table in form.tables:
            base = f"{form.code} {table.key.replace('_', ' ')}"[:31]
            name, n = base, 2
            while name.casefold() in taken:  # Excel compares sheet names case-insensitively
                suffix = f" {n}"
                name, n = base[: 31 - len(suffix)] + suffix, n + 1
            taken.add(name.casefold())
            out.append(TableSheet(form=form, table=table, name=name))
    return out


def file_name(report: Report, *, blank: bool = False) -> str:
    suffix = "blank" if blank else f"r{report.revision}"
    return f"ccm-article7-{report.state.iso3}-{report.period_slug}-{suffix}.xlsx"


# --- Download ------------------------------------------------------------------------------------
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


def _yes_no() -> tuple[str, str]:
    return _("Yes"), _("No")


def _excel_value(column: Column, value: Any) -> Any:
    """A draft value as the workbook shows it: numbers as numbers, dates as dates, choices by label.
    Whatever does not parse is written as it was typed, to be corrected in the workbook."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    kind = column.type
    text = str(value).strip()
    if kind == "boolean":
        if isinstance(value, bool):
            return _yes_no()[0 if value else 1]
        try:
            return _yes_no()[0 if clean_cell(column, text) else 1]
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
        return DataValidation(type="list", formula1=lists.range_for(_yes_no()), error=_("Choose Yes or No."), **common)
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
        (_("State"), report.state.name),
        (_("Report"), str(_("Initial report")) if report.is_initial else str(report.period_year)),
        (_("Format"), f"{spec.code} — {spec.name}"),
        (_("Report id"), str(report.pk)),
        (_("Draft revision"), _("empty workbook") if blank else str(report.revision)),
        (_("Made on"), timezone.localtime().strftime("%Y-%m-%d %H:%M")),
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


def build_workbook(report: Report, *, blank: bool = False) -> bytes:
    """The .xlsx of the report's tables, pre-filled with the draft unless ``blank``."""
    spec = report.format_version.spec
    sheets = table_sheets(spec)
    book = Workbook()
    about = book.active
    about.title = ABOUT_SHEET
    # Sheets in the order people read them: About, the tables, then the hidden ones.
    tables = [book.create_sheet(sheet.name) for sheet in sheets]
    lists = _Lists(book.create_sheet(LISTS_SHEET))
    meta = book.create_sheet(META_SHEET)
    forms = (report.draft or {}).get("forms") or {}
    for ws, sheet in zip(tables, sheets, strict=True):
        rows = [] if blank else ((forms.get(sheet.form.code) or {}).get("tables") or {}).get(sheet.table.key) or []
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
    ):
        meta.append([key, value])
    lists.sheet.sheet_state = "hidden"
    meta.sheet_state = "veryHidden"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- Reading an upload -----------------------------------------------------------------------------
def _cell_text(value: Any) -> str:
    """An Excel cell as the text a person would have typed in the browser."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value).replace("\r\n", "\n").strip()


def _quoted(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "…"


class CellWidget(widgets.Widget):
    """One cell of a column: parsed with the editor's parser; returns the draft value (what was
    typed, as the browser keeps it; choices, dates, currencies and yes/no normalised as the
    browser's own inputs do)."""

    def __init__(self, column: Column):
        super().__init__()
        self.column = column
        yes, no = _yes_no()
        self.yes_no = {yes.casefold(): "yes", no.casefold(): "no"}

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        column = self.column
        text = _cell_text(value)
        if column.type == "boolean":
            text = self.yes_no.get(text.casefold(), text)
        if text == "":
            if column.required:
                raise ValueError(_("Required: fill it in, or delete the whole row."))
            return ""
        if column.type == "integer":
            try:
                number = parse_number(text)
            except ValueError:
                number = None
            if number is None or number != number.to_integral():
                raise ValueError(_("“%(value)s” is not a whole number.") % {"value": _quoted(text)})
        try:
            cleaned = clean_cell(column, text)
        except ValueError as error:
            if column.type in {"text", "longtext", "currency"}:
                raise  # the message already names the value or its length
            raise ValueError(_("“%(value)s”: %(error)s") % {"value": _quoted(text), "error": error}) from None
        if column.type in {"boolean", "date", "currency", "choice", "qualifier"}:
            return cleaned
        return text

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return "" if value is None else str(value)


class ChoiceCellWidget(StrictChoiceWidget):
    """A choice given by its label (as the drop-down offers it) or its code, case-insensitively."""

    def __init__(self, column: Column):
        super().__init__(column.choices)
        self.column = column

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        text = _cell_text(value)
        if text == "":
            if self.column.required:
                raise ValueError(_("Required: fill it in, or delete the whole row."))
            return ""
        try:
            code = super().clean(text, row, **kwargs)
        except ValueError:
            labels = "; ".join(label for _value, label in self.column.choices)
            raise ValueError(
                _("“%(value)s” is not one of: %(options)s.") % {"value": _quoted(text), "options": labels}
            ) from None
        return clean_cell(self.column, code)


class RowIdWidget(widgets.Widget):
    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> str:
        # Any id the draft may hold comes back as it is (rows stored with other id shapes keep their
        # id); ``merge_tables`` gives a new id to one that is neither in the draft nor usable.
        text = _cell_text(value)
        return text if len(text) <= 200 else ""


class _ParsedRow:
    """The values of one worksheet row; import-export sets one attribute per column."""

    pk = None

    def __str__(self) -> str:
        return ""


class TableResource(resources.Resource):
    """One table of the format as a non-model resource: validates rows, keeps the parsed values."""

    class Meta:
        instance_loader_class = instance_loaders.BaseInstanceLoader
        force_init_instance = True  # every row is read afresh; matching to the draft is by id, later
        import_id_fields = ()
        skip_diff = True
        use_transactions = False

    def __init__(self, table: Table):
        super().__init__()
        self.table = table
        self.fields = OrderedDict(
            [("_id", fields.Field(attribute="_id", column_name="_id", widget=RowIdWidget()))]
            + [
                (
                    c.key,
                    fields.Field(
                        attribute=c.key,
                        column_name=c.key,
                        widget=ChoiceCellWidget(c) if c.type in {"choice", "qualifier"} else CellWidget(c),
                    ),
                )
                for c in table.columns
            ]
        )
        self.money = next((c for c in table.columns if c.type == "money"), None)
        self.currency = next((c for c in table.columns if c.type == "currency"), None)
        self.rows: list[dict[str, Any]] = []

    def init_instance(self, row: Any = None) -> _ParsedRow:
        return _ParsedRow()

    def import_instance(self, instance: _ParsedRow, row: Any, **kwargs: Any) -> None:
        errors: dict[str, Any] = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        # As in formats.validate: an amount needs its currency.
        if (
            self.money
            and self.currency
            and _cell_text(row.get(self.money.key))
            and not _cell_text(row.get(self.currency.key))
            and self.currency.key not in errors
        ):
            errors[self.currency.key] = [_("Give the currency of the amount.")]
        if errors:
            raise ValidationError(errors)

    def save_instance(self, instance: _ParsedRow, is_create: bool, row: Any, **kwargs: Any) -> None:
        self.rows.append({key: getattr(instance, key) for key in self.fields})


@dataclass
class ParsedWorkbook:
    rows: dict[tuple[str, str], list[dict[str, Any]]]  # (form code, table key) → parsed rows
    revision: int | None  # the draft revision the workbook was made from
    blank: bool


def _check_name(name: str) -> None:
    suffix = PurePath(name).suffix.lower()
    if suffix in {".xlsm", ".xltm", ".xlsb"}:
        message = _("Workbooks with macros (%(kind)s) are not accepted. Save it as .xlsx and upload again.")
        raise WorkbookRefused([message % {"kind": suffix}])
    if suffix != ".xlsx":
        raise WorkbookRefused(
            [_("“%(name)s” is not an Excel workbook (.xlsx). Save it as .xlsx and upload again.") % {"name": name}]
        )


def _check_content(name: str, data: bytes) -> None:
    """An .xlsx is a zip holding ``xl/workbook.xml``; one holding ``vbaProject.bin`` has macros."""
    not_xlsx = WorkbookRefused(
        [_("“%(name)s” is not a valid Excel workbook: the file is damaged or of another kind.") % {"name": name}]
    )
    bounds = zips.ZipBounds(max_members=MAX_MEMBERS, max_unpacked=MAX_UNPACKED_BYTES, max_member=MAX_PART_BYTES)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = zips.check_members(archive, bounds)
    except (zipfile.BadZipFile, ValueError):
        raise not_xlsx from None
    except zips.ZipRefused as refused:
        if refused.reason == "encrypted":
            raise not_xlsx from None
        raise WorkbookRefused(
            [
                _(
                    "“%(name)s” holds far more than a report's tables (at most %(n)s rows a sheet): it was refused "
                    "before being read. Delete the extra rows and sheets, save it again as .xlsx and upload it."
                )
                % {"name": name, "n": MAX_ROWS}
            ]
        ) from None
    names = {info.filename for info in infos}
    if "xl/workbook.xml" not in names:
        raise not_xlsx
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        raise WorkbookRefused(
            [_("The workbook contains macros, which are not accepted. Save it as .xlsx without macros.")]
        )


def _meta_values(values: dict[str, list[tuple[Any, ...]]]) -> dict[str, str]:
    return {_cell_text(row[0]): _cell_text(row[1]) for row in values.get(META_SHEET, []) if len(row) > 1 and row[0]}


def _check_meta(meta: dict[str, str], report: Report, spec: FormatDefinition) -> None:
    if meta.get("marker") != MARKER:
        raise WorkbookRefused(
            [_("This is not a workbook downloaded from the portal. Download this report's workbook and fill it in.")]
        )
    if meta.get("version") != VERSION:
        raise WorkbookRefused([_("This workbook was made by an older version of the portal. Download a new one.")])
    if meta.get("report") != str(report.pk) or meta.get("state") != report.state.iso3:
        raise WorkbookRefused(
            [
                _("This workbook belongs to another report (report %(id)s, %(state)s). Download this report's one.")
                % {"id": meta.get("report") or "?", "state": meta.get("state") or "?"}
            ]
        )
    if meta.get("format") != spec.code:
        message = _("This workbook is for the reporting format “%(theirs)s”; this report uses “%(ours)s”.")
        raise WorkbookRefused(
            [f"{message % {'theirs': meta.get('format') or '?', 'ours': spec.code}} {_('Download a new workbook.')}"]
        )


def _too_many_rows(sheet: str) -> WorkbookRefused:
    return WorkbookRefused([_("Sheet “%(sheet)s” has more than %(n)s rows.") % {"sheet": sheet, "n": MAX_ROWS}])


def _sheet_values(book: Any, tables: set[str]) -> tuple[dict[str, list[tuple[Any, ...]]], list[str]]:
    """Every sheet's values, read once as a stream; and every formula found, named by sheet and cell.

    Reading stops, refusing the workbook, at the first sheet over the bounds (``MAX_ROWS`` rows with
    values in a sheet of ``tables``; ``MAX_SHEET_ROWS`` rows and ``MAX_COLUMNS`` columns in any sheet):
    a bomb costs what a large report costs.
    The rows are those in the sheet, not those its ``<dimension>`` tag claims: read-only mode would
    otherwise stop at the tag's last row (and column), silently dropping the rest."""
    values: dict[str, list[tuple[Any, ...]]] = {}
    formulas: list[str] = []
    for ws in book.worksheets:
        ws.reset_dimensions()
        rows = []
        filled = 0
        for number, row in enumerate(ws.iter_rows(), start=1):
            if number > MAX_SHEET_ROWS:
                raise WorkbookRefused(
                    [
                        _(
                            "Sheet “%(sheet)s” goes on past row %(n)s; a report's table has at most %(max)s rows. "
                            "Delete the rows below the data and upload again."
                        )
                        % {"sheet": ws.title, "n": MAX_SHEET_ROWS, "max": MAX_ROWS}
                    ]
                )
            if len(row) > MAX_COLUMNS:
                raise WorkbookRefused(
                    [
                        _("Sheet “%(sheet)s”, row %(row)s: a value in column %(letter)s, far right of any table.")
                        % {"sheet": ws.title, "row": number, "letter": get_column_letter(len(row))}
                    ]
                )
            out = []
            for cell in row:
                value = cell.value
                if value is not None and (
                    getattr(cell, "data_type", None) == "f" or (isinstance(value, str) and value.startswith("="))
                ):
                    place = {"sheet": ws.title, "cell": f"{get_column_letter(cell.column)}{cell.row}"}
                    formulas.append(
                        _(
                            "Sheet “%(sheet)s”, cell %(cell)s: a formula (“%(formula)s”). Only values are accepted: "
                            "replace formulas by their values (copy, then paste values) and upload again."
                        )
                        % {**place, "formula": _quoted(str(value))}
                    )
                out.append(value)
            if ws.title in tables and number >= FIRST_DATA_ROW and any(v is not None and v != "" for v in out):
                filled += 1
                if filled > MAX_ROWS:
                    raise _too_many_rows(ws.title)
            rows.append(tuple(out))
        values[ws.title] = rows
    return values, formulas


def _headers(sheet: TableSheet, header_row: tuple[Any, ...]) -> tuple[dict[int, str], list[str]]:
    """Column index → column key (``_id`` for the id column), and the problems with the headings."""
    by_label = {name.casefold(): c.key for c in sheet.table.columns for name in (*c.aliases, c.label)}
    by_label[ID_HEADER] = "_id"
    found: dict[int, str] = {}
    problems: list[str] = []
    for index, value in enumerate(header_row):
        text = _cell_text(value)
        if not text:
            continue
        key = by_label.get(" ".join(text.split()).casefold())
        letter = get_column_letter(index + 1)
        if key is None:
            problems.append(
                _("Sheet “%(sheet)s”, cell %(cell)s: unknown heading “%(heading)s”.")
                % {"sheet": sheet.name, "cell": f"{letter}{HEADER_ROW}", "heading": _quoted(text)}
            )
        elif key in found.values():
            problems.append(
                _("Sheet “%(sheet)s”, cell %(cell)s: the heading “%(heading)s” appears twice.")
                % {"sheet": sheet.name, "cell": f"{letter}{HEADER_ROW}", "heading": _quoted(text)}
            )
        else:
            found[index] = key
    for column in [*sheet.table.columns, None]:
        key = column.key if column else "_id"
        if key not in found.values():
            problems.append(
                _("Sheet “%(sheet)s”: the column “%(heading)s” is missing.")
                % {"sheet": sheet.name, "heading": column.label if column else ID_HEADER}
            )
    return found, problems


def _read_table(
    sheet: TableSheet, rows: list[tuple[Any, ...]]
) -> tuple[list[dict[str, Any]], list[tuple[int, int, str]]]:
    """The sheet's data rows parsed; and its problems as (Excel row, column index, message)."""
    found, problems = _headers(sheet, rows[HEADER_ROW - 1] if rows else ())
    if problems:
        raise WorkbookRefused(problems)
    keys = [found[i] for i in sorted(found)]
    positions = {key: index for index, key in found.items()}
    dataset = tablib.Dataset(headers=keys)
    excel_rows: list[int] = []
    errors: list[tuple[int, int, str]] = []
    for number, row in enumerate(rows[FIRST_DATA_ROW - 1 :], start=FIRST_DATA_ROW):
        values = [row[i] if i < len(row) else None for i in sorted(found)]
        stray = [i for i, v in enumerate(row) if i not in found and _cell_text(v)]
        filled = any(_cell_text(v) for i, v in zip(sorted(found), values, strict=True) if found[i] != "_id")
        for index in stray:
            errors.append((number, index, _("a value in a column without a heading: move it or delete it.")))
        if not filled:
            continue  # an empty row (perhaps with its id left behind): no row
        dataset.append(values)
        excel_rows.append(number)
    if len(dataset) > MAX_ROWS:
        raise _too_many_rows(sheet.name)
    resource = TableResource(sheet.table)
    result = resource.import_data(dataset, dry_run=False, raise_errors=False, use_transactions=False)
    if result.base_errors:
        raise result.base_errors[0].error
    for error_row in result.error_rows:  # not a bad cell: a fault of ours, which must not pass as the user's
        raise error_row.errors[0].error
    for invalid in result.invalid_rows:
        for key, messages in invalid.error_dict.items():
            for message in messages:
                errors.append((excel_rows[invalid.number - 1], positions.get(key, 0), message))
    return resource.rows, errors


def _located(sheet: str, row: int, index: int, heading: str, message: str) -> str:
    values = {"sheet": sheet, "row": row, "letter": get_column_letter(index + 1), "column": heading, "message": message}
    if heading:
        return _("Sheet “%(sheet)s”, row %(row)s, column %(letter)s “%(column)s”: %(message)s") % values
    return _("Sheet “%(sheet)s”, row %(row)s, column %(letter)s: %(message)s") % values


def read_workbook(report: Report, *, name: str, data: bytes) -> ParsedWorkbook:
    """Every check of an uploaded workbook, in order; raises ``WorkbookRefused`` listing every
    problem found at the first stage that has any (the file, its origin, formulas, the sheets and
    headings, then every cell)."""
    spec = report.format_version.spec
    _check_name(name)
    _check_content(name, data)
    try:
        with warnings.catch_warnings():
            # openpyxl warns of Excel features it does not keep (extensions, slicers): harmless here.
            warnings.simplefilter("ignore")
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
            try:
                values, formulas = _sheet_values(book, {sheet.name for sheet in table_sheets(spec)})
            finally:
                book.close()
    except WorkbookRefused:
        raise
    except Exception:
        message = _("“%(name)s” could not be read as an Excel workbook. Save it again as .xlsx and upload it.")
        raise WorkbookRefused([message % {"name": name}]) from None
    meta = _meta_values(values)
    _check_meta(meta, report, spec)
    if formulas:
        raise WorkbookRefused(formulas)
    sheets = table_sheets(spec)
    expected = {s.name for s in sheets} | {ABOUT_SHEET, META_SHEET, LISTS_SHEET}
    problems = [
        _("Unknown sheet “%(sheet)s”: remove it, or copy its rows into the right sheet.") % {"sheet": title}
        for title in values
        if title not in expected
    ]
    problems += [
        _("The sheet “%(sheet)s” is missing. Do not rename or delete sheets.") % {"sheet": s.name}
        for s in sheets
        if s.name not in values
    ]
    if problems:
        raise WorkbookRefused(problems)
    parsed: dict[tuple[str, str], list[dict[str, Any]]] = {}
    structure: list[str] = []
    cell_errors: list[str] = []
    for sheet in sheets:
        rows = values[sheet.name]
        try:
            parsed_rows, errors = _read_table(sheet, rows)
        except WorkbookRefused as refused:
            structure += refused.messages
            continue
        parsed[(sheet.form.code, sheet.table.key)] = parsed_rows
        header = rows[HEADER_ROW - 1]
        for number, index, message in sorted(errors):
            heading = _cell_text(header[index]) if index < len(header) else ""
            cell_errors.append(_located(sheet.name, number, index, heading, message))
    if structure or cell_errors:
        raise WorkbookRefused(structure + cell_errors)
    revision = meta.get("revision", "")
    return ParsedWorkbook(
        rows=parsed, revision=int(revision) if revision.isdigit() else None, blank=meta.get("blank") == "1"
    )


# --- From parsed rows to the draft -----------------------------------------------------------------
def _same(column: Column, before: Any, after: Any) -> bool:
    """Whether two cell values mean the same (``"1,500"`` and ``1500``; ``"30 ha"`` and ``300000``)."""
    if before == after:
        return True
    try:
        a, b = clean_cell(column, before), clean_cell(column, after)
    except ValueError:
        return False
    if column.type in {"area", "money"} and a is not None and b is not None:
        return Decimal(a) == Decimal(b)
    return a == b


def merge_tables(spec: FormatDefinition, draft: dict[str, Any], parsed: ParsedWorkbook) -> dict[str, Any]:
    """The draft with every table replaced by the workbook's rows, in the workbook's order.

    A row keeps its id when the workbook carries it (once: a copied row gets a new id); a cell keeps
    the draft's value when the workbook's value means the same, so that a round trip without edits
    changes nothing. Cover page, narratives and choices are left as they are."""
    content = copy.deepcopy(draft or {})
    forms = content.setdefault("forms", {})
    empty = spec.empty_content()["forms"]
    for sheet in table_sheets(spec):
        rows = parsed.rows.get((sheet.form.code, sheet.table.key))
        if rows is None:
            continue
        data = forms.setdefault(sheet.form.code, copy.deepcopy(empty[sheet.form.code]))
        tables = data.setdefault("tables", {})
        existing = {str(r.get("_id")): r for r in tables.get(sheet.table.key) or [] if r.get("_id")}
        used: set[str] = set()
        out = []
        for row in rows:
            row_id = row.get("_id") or ""
            if not row_id or row_id in used or (row_id not in existing and not ROW_ID.match(row_id)):
                row_id = new_row_id()
            used.add(row_id)
            before = existing.get(row_id)
            merged: dict[str, Any] = {"_id": row_id}
            for column in sheet.table.columns:
                value = row.get(column.key, "")
                if before is not None and _same(column, before.get(column.key), value):
                    if column.key in before:  # a key the draft never had stays absent: no change
                        merged[column.key] = before[column.key]
                    continue
                merged[column.key] = value
            out.append(merged)
        tables[sheet.table.key] = out
    return content


# --- Services: upload, apply, discard -----------------------------------------------------------------
def max_bytes() -> int:
    return int(float(getattr(settings, "CCM_WORKBOOK_MAX_MB", 5)) * 1024 * 1024)


def _require_focal_point(actor: Any, report: Report) -> None:
    if not permissions.acts_for_state(actor, report.state) or not permissions.can(
        actor, permissions.Capability.PREPARE_REPORTS
    ):
        raise PermissionDenied


def _require_editor(actor: Any, report: Report) -> None:
    _require_focal_point(actor, report)
    if not report.is_editable:
        raise services.InvalidTransition(
            _("This report is %(status)s and cannot be edited.") % {"status": report.get_status_display().lower()}
        )


@dataclass
class Uploaded:
    upload: WorkbookUpload
    made_from_revision: int | None  # the draft revision the workbook was downloaded at
    blank: bool

    @property
    def draft_changed_since(self) -> bool:
        if self.blank or self.made_from_revision is None:
            return False
        return self.made_from_revision != self.upload.base_revision


def upload_workbook(*, report: Report, uploaded: Any, actor: Any) -> Uploaded:
    """Check an uploaded workbook in full and keep it for the preview. ``uploaded`` is a Django
    ``UploadedFile`` (or any file object with ``name``, ``size`` and ``read``). Raises
    ``WorkbookRefused`` (nothing written) listing every problem."""
    _require_editor(actor, report)
    name = PurePath(str(uploaded.name or "workbook")).name[:200]
    _check_name(name)
    size = uploaded.size if uploaded.size is not None else 0
    if size > max_bytes():
        raise WorkbookRefused([_too_large(size)])
    data = uploaded.read(max_bytes() + 1)
    if len(data) > max_bytes():
        raise WorkbookRefused([_too_large(len(data))])
    parsed = read_workbook(report, name=name, data=data)
    content = merge_tables(report.format_version.spec, report.draft, parsed)
    changes = services.content_changes(report.draft or {}, content)
    digest = hashlib.sha256(data).hexdigest()
    with transaction.atomic():
        upload = WorkbookUpload.objects.create(
            report=report,
            name=name,
            size=len(data),
            sha256=digest,
            base_revision=report.revision,
            content=content,
            changes=changes,
            uploaded_by=actor,
        )
        audit.record(
            actor=actor,
            action="reporting.workbook.uploaded",
            obj=report,
            context={
                "upload": upload.pk,
                "file": name,
                "sha256": digest,
                "size": len(data),
                "made_from_revision": parsed.revision,
                "base_revision": report.revision,
                "changes": len(changes),
            },
        )
    return Uploaded(upload=upload, made_from_revision=parsed.revision, blank=parsed.blank)


def _too_large(size: int) -> str:
    return _("The file is %(size)s; workbooks up to %(limit)s MB are accepted.") % {
        "size": filesizeformat(size),
        "limit": getattr(settings, "CCM_WORKBOOK_MAX_MB", 5),
    }


def _decide(upload: WorkbookUpload, status: str) -> None:
    upload.status = status
    upload.decided_at = timezone.now()
    upload.save(update_fields=["status", "decided_at"])


def apply_upload(*, upload: WorkbookUpload, actor: Any) -> Report:
    """Replace the draft's tables by the upload's, through ``services.save_draft``. When the draft
    changed since the upload was checked, the upload is marked outdated and ``EditConflict`` raised:
    the preview no longer says what would change, so the file must be uploaded again."""
    conflict: services.EditConflict | None = None
    with transaction.atomic():
        upload = WorkbookUpload.objects.select_for_update().select_related("report").get(pk=upload.pk)
        report = upload.report
        _require_editor(actor, report)
        if upload.status != WorkbookUploadStatus.PREVIEWED:
            raise services.InvalidTransition(
                _("This upload is already %(status)s.") % {"status": upload.get_status_display().lower()}
            )
        context = {"upload": upload.pk, "file": upload.name, "sha256": upload.sha256, "size": upload.size}
        try:
            report = services.save_draft(
                report=report, content=copy.deepcopy(upload.content), base_revision=upload.base_revision, actor=actor
            )
        except services.EditConflict as error:
            conflict = error
            _decide(upload, WorkbookUploadStatus.OUTDATED)
            audit.record(
                actor=actor,
                action="reporting.workbook.outdated",
                obj=report,
                changes={"status": [WorkbookUploadStatus.PREVIEWED, WorkbookUploadStatus.OUTDATED]},
                context={**context, "base_revision": upload.base_revision, "revision": error.report.revision},
            )
        else:
            _decide(upload, WorkbookUploadStatus.APPLIED)
            audit.record(
                actor=actor,
                action="reporting.workbook.applied",
                obj=report,
                changes={"status": [WorkbookUploadStatus.PREVIEWED, WorkbookUploadStatus.APPLIED]},
                context={**context, "revision": report.revision, "changes": len(upload.changes)},
            )
    if conflict is not None:
        raise conflict
    return report


@transaction.atomic
def discard_upload(*, upload: WorkbookUpload, actor: Any) -> WorkbookUpload:
    upload = WorkbookUpload.objects.select_for_update().select_related("report__state").get(pk=upload.pk)
    _require_focal_point(actor, upload.report)
    if upload.status != WorkbookUploadStatus.PREVIEWED:
        raise services.InvalidTransition(
            _("This upload is already %(status)s.") % {"status": upload.get_status_display().lower()}
        )
    _decide(upload, WorkbookUploadStatus.DISCARDED)
    audit.record(
        actor=actor,
        action="reporting.workbook.discarded",
        obj=upload.report,
        changes={"status": [WorkbookUploadStatus.PREVIEWED, WorkbookUploadStatus.DISCARDED]},
        context={"upload": upload.pk, "file": upload.name, "sha256": upload.sha256},
    )
    return upload


# --- The preview ------------------------------------------------------------------------------------
@dataclass
class RowPreview:
    excel_row: int | None  # where the row is in the uploaded workbook (None for a removed row)
    label: str
    cells: list[dict[str, str]]  # {"label", "before", "after"}: every column, or only those that change


@dataclass
class TablePreview:
    label: str
    sheet: str
    columns: tuple[Column, ...]
    added: list[RowPreview] = field(default_factory=list)
    removed: list[RowPreview] = field(default_factory=list)
    changed: list[RowPreview] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.added) + len(self.removed) + len(self.changed)


@dataclass
class FormPreview:
    code: str
    title: str
    tables: list[TablePreview]
    note: str = ""


def _row_label(table: Table, row: dict[str, Any]) -> str:
    return display_value(table.row_key, row.get(table.row_key.key)) or _("(no %(column)s)") % {
        "column": table.row_key.label
    }


def build_preview(spec: FormatDefinition, upload: WorkbookUpload) -> list[FormPreview]:
    """What applying the upload changes, form by form and table by table: the rows added, the rows
    removed, and the cells changed in the other rows. Forms without any change are left out."""
    sheets = {(s.form.code, s.table.key): s for s in table_sheets(spec)}
    new_forms = (upload.content or {}).get("forms") or {}
    positions: dict[tuple[str, str], dict[str, int]] = {
        key: {
            str(row.get("_id")): number
            for number, row in enumerate(
                ((new_forms.get(key[0]) or {}).get("tables") or {}).get(key[1]) or [], start=FIRST_DATA_ROW
            )
        }
        for key in sheets
    }
    tables: dict[tuple[str, str], TablePreview] = {}
    changed_rows: dict[tuple[str, str, str], RowPreview] = {}
    for path, (before, after) in (upload.changes or {}).items():
        parts = path.split(".")
        if len(parts) < 5 or parts[0] != "forms" or parts[2] != "tables" or (parts[1], parts[3]) not in sheets:
            continue
        key = (parts[1], parts[3])
        sheet = sheets[key]
        table = tables.setdefault(
            key, TablePreview(label=sheet.table.label, sheet=sheet.name, columns=sheet.table.columns)
        )
        row_id = parts[4]
        if len(parts) == 5:
            row = after if after is not None else before
            cells = [
                {"label": c.label, "before": "", "after": display_value(c, row.get(c.key))} for c in sheet.table.columns
            ]
            if after is None:
                for cell in cells:
                    cell["before"], cell["after"] = cell["after"], ""
            preview = RowPreview(
                excel_row=positions[key].get(row_id) if after is not None else None,
                label=_row_label(sheet.table, row),
                cells=cells,
            )
            (table.added if after is not None else table.removed).append(preview)
            continue
        column = next((c for c in sheet.table.columns if c.key == parts[5]), None)
        if column is None:
            continue
        preview = changed_rows.get((*key, row_id))
        if preview is None:
            new_rows = ((new_forms.get(key[0]) or {}).get("tables") or {}).get(key[1]) or []
            new_row = next((r for r in new_rows if str(r.get("_id")) == row_id), {})
            preview = RowPreview(excel_row=positions[key].get(row_id), label=_row_label(sheet.table, new_row), cells=[])
            changed_rows[(*key, row_id)] = preview
            table.changed.append(preview)
        preview.cells.append(
            {"label": column.label, "before": display_value(column, before), "after": display_value(column, after)}
        )
    out = []
    for form in spec.forms:
        form_tables = [tables[(form.code, t.key)] for t in form.tables if (form.code, t.key) in tables]
        if not form_tables:
            continue
        for table in form_tables:
            table.added.sort(key=lambda r: r.excel_row or 0)
            table.changed.sort(key=lambda r: r.excel_row or 0)
            order = {c.label: i for i, c in enumerate(table.columns)}
            for row in table.changed:
                row.cells.sort(key=lambda cell: order.get(cell["label"], 0))
        note = ""
        if (new_forms.get(form.code) or {}).get("choice") == Choice.NOT_APPLICABLE:
            note = _(
                "The cover page says Form %(code)s does not apply. Its rows are kept, but say on the cover page "
                "that the form changed if they should be reported."
            ) % {"code": form.code}
        out.append(FormPreview(code=form.code, title=form.title, tables=form_tables, note=note))
    return out
