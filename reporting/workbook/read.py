"""Reading an uploaded workbook: every check, in order, before anything is written.

The file (an .xlsx by name and by content, no macros, not too large, within the unpacking bounds of
``ccm_portal.core.zips``), the ``_meta`` sheet (this report, this State, this format), no formulas
anywhere, the sheets and headings, then every cell (``reporting.workbook.cells``). Every problem is
listed with its sheet, row and column; a file with any problem is refused (``WorkbookRefused``).
What a good file holds comes back as ``ParsedWorkbook``; ``reporting.workbook.merge`` makes the draft
of it, and the upload service keeps it for the preview.

* Text that starts with "=" is refused like a formula, even when stored as text: the brief asks for
  it, and it keeps formula-looking text out of the draft (and of later exports).
* ``import_data`` is called with ``dry_run=False, use_transactions=False``: the resource never touches
  the database, and a dry run would wrap each row in a savepoint, one query per row for nothing to roll
  back. Each dataset row number is mapped back to its Excel row (empty rows are skipped), so
  ``collect_failed_rows`` is not needed.
* The workbook is read in the language its ``_meta`` sheet says it was written in (headings, choices, yes/no),
  whatever the language of the session uploading it; the format's English labels are read too. A workbook that
  does not say its language is read in English, with the yes/no of every language (``layout.reading_words``).
"""

from __future__ import annotations

import io
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

import tablib
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from ccm_portal.core import zips
from reporting.formats import FormatDefinition, Table
from reporting.models import Report
from reporting.workbook.cells import TableResource, cell_text, quoted
from reporting.workbook.layout import (
    ABOUT_SHEET,
    FIRST_DATA_ROW,
    HEADER_ROW,
    ID_HEADER,
    LISTS_SHEET,
    MARKER,
    META_SHEET,
    VERSION,
    TableSheet,
    reading_words,
    table_sheets,
)

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


class WorkbookRefused(Exception):
    """The upload was refused; ``messages`` says every reason. Nothing was written."""

    def __init__(self, messages: list[str]):
        self.messages = messages
        super().__init__("; ".join(messages))


@dataclass
class ParsedWorkbook:
    rows: dict[tuple[str, str], list[dict[str, Any]]]  # (form code, table key) → parsed rows
    revision: int | None  # the draft revision the workbook was made from
    blank: bool


@dataclass
class ReadUpload:
    """An uploaded file that passed every check: its name (without folders), its bytes, what it holds."""

    name: str
    data: bytes
    parsed: ParsedWorkbook


def max_bytes() -> int:
    """The largest workbook accepted (``CCM_WORKBOOK_MAX_MB``, 5 MB unless set)."""
    return int(float(getattr(settings, "CCM_WORKBOOK_MAX_MB", 5)) * 1024 * 1024)


def read_upload(report: Report, uploaded: Any, *, forms: frozenset[str] | None = None) -> ReadUpload:
    """Check an uploaded workbook in full: its name and size before it is read, then ``read_workbook``.
    ``uploaded`` is a Django ``UploadedFile`` (or any file object with ``name``, ``size`` and ``read``).
    Raises ``WorkbookRefused`` listing every problem."""
    name = PurePath(str(uploaded.name or "workbook")).name[:200]
    _check_name(name)
    size = uploaded.size if uploaded.size is not None else 0
    if size > max_bytes():
        raise WorkbookRefused([_too_large(size)])
    data = uploaded.read(max_bytes() + 1)
    if len(data) > max_bytes():
        raise WorkbookRefused([_too_large(len(data))])
    return ReadUpload(name=name, data=data, parsed=read_workbook(report, name=name, data=data, forms=forms))


def _too_large(size: int) -> str:
    return _("The file is %(size)s; workbooks up to %(limit)s MB are accepted.") % {
        "size": filesizeformat(size),
        "limit": getattr(settings, "CCM_WORKBOOK_MAX_MB", 5),
    }


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
    return {cell_text(row[0]): cell_text(row[1]) for row in values.get(META_SHEET, []) if len(row) > 1 and row[0]}


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
                        % {**place, "formula": quoted(str(value))}
                    )
                out.append(value)
            if ws.title in tables and number >= FIRST_DATA_ROW and any(v is not None and v != "" for v in out):
                filled += 1
                if filled > MAX_ROWS:
                    raise _too_many_rows(ws.title)
            rows.append(tuple(out))
        values[ws.title] = rows
    return values, formulas


def _heading(text: str) -> str:
    """A heading as compared: spaces (no-break ones too) collapsed, case folded."""
    return " ".join(text.split()).casefold()


def _headers(sheet: TableSheet, header_row: tuple[Any, ...], english: Table) -> tuple[dict[int, str], list[str]]:
    """Column index → column key (``_id`` for the id column), and the problems with the headings: a heading is
    the column's label in the workbook's language, its English label or an earlier English one (an alias)."""
    by_label = {_heading(name): c.key for c in english.columns for name in (*c.aliases, c.label)}
    by_label.update({_heading(c.label): c.key for c in sheet.table.columns})
    by_label[ID_HEADER] = "_id"
    found: dict[int, str] = {}
    problems: list[str] = []
    for index, value in enumerate(header_row):
        text = cell_text(value)
        if not text:
            continue
        key = by_label.get(_heading(text))
        letter = get_column_letter(index + 1)
        if key is None:
            problems.append(
                _("Sheet “%(sheet)s”, cell %(cell)s: unknown heading “%(heading)s”.")
                % {"sheet": sheet.name, "cell": f"{letter}{HEADER_ROW}", "heading": quoted(text)}
            )
        elif key in found.values():
            problems.append(
                _("Sheet “%(sheet)s”, cell %(cell)s: the heading “%(heading)s” appears twice.")
                % {"sheet": sheet.name, "cell": f"{letter}{HEADER_ROW}", "heading": quoted(text)}
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
    sheet: TableSheet, rows: list[tuple[Any, ...]], english: Table, words: dict[str, str]
) -> tuple[list[dict[str, Any]], list[tuple[int, int, str]]]:
    """The sheet's data rows parsed; and its problems as (Excel row, column index, message)."""
    found, problems = _headers(sheet, rows[HEADER_ROW - 1] if rows else (), english)
    if problems:
        raise WorkbookRefused(problems)
    keys = [found[i] for i in sorted(found)]
    positions = {key: index for index, key in found.items()}
    dataset = tablib.Dataset(headers=keys)
    excel_rows: list[int] = []
    errors: list[tuple[int, int, str]] = []
    for number, row in enumerate(rows[FIRST_DATA_ROW - 1 :], start=FIRST_DATA_ROW):
        values = [row[i] if i < len(row) else None for i in sorted(found)]
        stray = [i for i, v in enumerate(row) if i not in found and cell_text(v)]
        filled = any(cell_text(v) for i, v in zip(sorted(found), values, strict=True) if found[i] != "_id")
        for index in stray:
            errors.append((number, index, _("a value in a column without a heading: move it or delete it.")))
        if not filled:
            continue  # an empty row (perhaps with its id left behind): no row
        dataset.append(values)
        excel_rows.append(number)
    if len(dataset) > MAX_ROWS:
        raise _too_many_rows(sheet.name)
    resource = TableResource(sheet.table, english=english, words=words)
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


def read_workbook(report: Report, *, name: str, data: bytes, forms: frozenset[str] | None = None) -> ParsedWorkbook:
    """Every check of an uploaded workbook, in order; raises ``WorkbookRefused`` listing every
    problem found at the first stage that has any (the file, its origin, formulas, the sheets and
    headings, then every cell). ``forms``: those the uploader may change (a national contributor's), which must
    hold every form the workbook was made for (it records them: a contributor's holds theirs only)."""
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
    # Read in the workbook's language (English for a workbook that does not say), not the session's.
    language = meta.get("language") or None
    spec = report.format_version.spec_in(language)
    english = {(s.form.code, s.table.key): s.table for s in table_sheets(report.format_version.source_spec)}
    words = reading_words(language)
    declared = frozenset(code for code in (meta.get("forms") or "").split(",") if code) or None
    outside = sorted((declared or {form.code for form in spec.forms}) - forms) if forms is not None else []
    if outside:
        raise WorkbookRefused(
            [
                _(
                    "This workbook holds forms that are not given to you (%(forms)s). Download the workbook of your "
                    "forms from one of their pages, fill that one and upload it."
                )
                % {"forms": ", ".join(outside)}
            ]
        )
    sheets = [sheet for sheet in table_sheets(spec) if declared is None or sheet.form.code in declared]
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
            parsed_rows, errors = _read_table(sheet, rows, english[(sheet.form.code, sheet.table.key)], words)
        except WorkbookRefused as refused:
            structure += refused.messages
            continue
        parsed[(sheet.form.code, sheet.table.key)] = parsed_rows
        header = rows[HEADER_ROW - 1]
        for number, index, message in sorted(errors):
            heading = cell_text(header[index]) if index < len(header) else ""
            cell_errors.append(_located(sheet.name, number, index, heading, message))
    if structure or cell_errors:
        raise WorkbookRefused(structure + cell_errors)
    revision = meta.get("revision", "")
    return ParsedWorkbook(
        rows=parsed, revision=int(revision) if revision.isdigit() else None, blank=meta.get("blank") == "1"
    )
