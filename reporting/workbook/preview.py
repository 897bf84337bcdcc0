"""What applying a checked workbook would change, as the preview page shows it: form by form and table by
table, the rows added, the rows removed and the cells changed in the other rows, each row with its place
in the uploaded workbook. Reads the upload only (``WorkbookUpload.changes`` and ``content``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from reporting.diff import display_value
from reporting.formats import Choice, Column, FormatDefinition, FormDef, Table
from reporting.models import WorkbookUpload
from reporting.workbook.layout import FIRST_DATA_ROW, TableSheet, table_sheets

TableKey = tuple[str, str]  # (form code, table key)


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


def build_preview(spec: FormatDefinition, upload: WorkbookUpload) -> list[FormPreview]:
    """What applying the upload changes, form by form and table by table: the rows added, the rows
    removed, and the cells changed in the other rows. Forms without any change are left out."""
    new_forms = (upload.content or {}).get("forms") or {}
    tables = _TableChanges(spec, new_forms).collect(upload.changes or {})
    out = []
    for form in spec.forms:
        form_tables = [tables[(form.code, t.key)] for t in form.tables if (form.code, t.key) in tables]
        if not form_tables:
            continue
        for table in form_tables:
            _in_workbook_order(table)
        out.append(
            FormPreview(
                code=form.code, title=form.title, tables=form_tables, note=_not_applicable_note(form, new_forms)
            )
        )
    return out


def _row_label(table: Table, row: dict[str, Any]) -> str:
    return display_value(table.row_key, row.get(table.row_key.key)) or _("(no %(column)s)") % {
        "column": table.row_key.label
    }


def _new_rows(new_forms: dict[str, Any], key: TableKey) -> list[dict[str, Any]]:
    """The rows of one table in the draft as the upload makes it, in the workbook's order."""
    return ((new_forms.get(key[0]) or {}).get("tables") or {}).get(key[1]) or []


class _TableChanges:
    """The upload's changes (``{"forms.B.tables.stockpile.<row id>[.<column>]": [before, after]}``) gathered
    into one ``TablePreview`` per table that changes."""

    def __init__(self, spec: FormatDefinition, new_forms: dict[str, Any]):
        self.new_forms = new_forms
        self.sheets: dict[TableKey, TableSheet] = {(s.form.code, s.table.key): s for s in table_sheets(spec)}
        # Row id → its row number in the uploaded workbook, table by table.
        self.positions: dict[TableKey, dict[str, int]] = {
            key: {
                str(row.get("_id")): number
                for number, row in enumerate(_new_rows(new_forms, key), start=FIRST_DATA_ROW)
            }
            for key in self.sheets
        }
        self.tables: dict[TableKey, TablePreview] = {}
        self.changed_rows: dict[tuple[str, str, str], RowPreview] = {}

    def collect(self, changes: dict[str, Any]) -> dict[TableKey, TablePreview]:
        for path, (before, after) in changes.items():
            parts = path.split(".")
            if len(parts) < 5 or parts[0] != "forms" or parts[2] != "tables":
                continue
            key = (parts[1], parts[3])
            if key not in self.sheets:
                continue
            if len(parts) == 5:
                self._whole_row(key, parts[4], before, after)
            else:
                self._cell(key, parts[4], parts[5], before, after)
        return self.tables

    def _table(self, key: TableKey) -> TablePreview:
        sheet = self.sheets[key]
        return self.tables.setdefault(
            key, TablePreview(label=sheet.table.label, sheet=sheet.name, columns=sheet.table.columns)
        )

    def _whole_row(self, key: TableKey, row_id: str, before: Any, after: Any) -> None:
        """A row added (``before`` is None) or removed (``after`` is None): every cell of it."""
        table, columns = self._table(key), self.sheets[key].table.columns
        row = after if after is not None else before
        cells = [{"label": c.label, "before": "", "after": display_value(c, row.get(c.key))} for c in columns]
        if after is None:
            for cell in cells:
                cell["before"], cell["after"] = cell["after"], ""
        preview = RowPreview(
            excel_row=self.positions[key].get(row_id) if after is not None else None,
            label=_row_label(self.sheets[key].table, row),
            cells=cells,
        )
        (table.added if after is not None else table.removed).append(preview)

    def _cell(self, key: TableKey, row_id: str, column_key: str, before: Any, after: Any) -> None:
        """One cell changed in a row kept: added to its row's preview (made on the row's first change)."""
        table, sheet = self._table(key), self.sheets[key]
        column = next((c for c in sheet.table.columns if c.key == column_key), None)
        if column is None:
            return
        preview = self.changed_rows.get((*key, row_id))
        if preview is None:
            new_row = next((r for r in _new_rows(self.new_forms, key) if str(r.get("_id")) == row_id), {})
            preview = RowPreview(
                excel_row=self.positions[key].get(row_id), label=_row_label(sheet.table, new_row), cells=[]
            )
            self.changed_rows[(*key, row_id)] = preview
            table.changed.append(preview)
        preview.cells.append(
            {"label": column.label, "before": display_value(column, before), "after": display_value(column, after)}
        )


def _in_workbook_order(table: TablePreview) -> None:
    """Rows in the order of the uploaded workbook; a changed row's cells in the order of the columns."""
    table.added.sort(key=lambda r: r.excel_row or 0)
    table.changed.sort(key=lambda r: r.excel_row or 0)
    order = {c.label: i for i, c in enumerate(table.columns)}
    for row in table.changed:
        row.cells.sort(key=lambda cell: order.get(cell["label"], 0))


def _not_applicable_note(form: FormDef, new_forms: dict[str, Any]) -> str:
    if (new_forms.get(form.code) or {}).get("choice") != Choice.NOT_APPLICABLE:
        return ""
    return _(
        "The cover page says Form %(code)s does not apply. Its rows are kept, but say on the cover page "
        "that the form changed if they should be reported."
    ) % {"code": form.code}
