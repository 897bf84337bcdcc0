"""From a checked workbook to the draft as it will be: the workbook's rows in place of each table's.

Table rows are entries in the draft JSON, not model instances, so the merge is done here by hand
(keeping row ids, keeping a cell as it was typed in the browser when the workbook means the same);
``ccm_portal.core.imports.import_all_or_nothing``, which saves model instances row by row, does not apply.
Nothing is written: the upload service keeps the result for the preview.
"""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

from reporting.editor import ROW_ID
from reporting.formats import Column, FormatDefinition, clean_cell, new_row_id
from reporting.workbook.layout import table_sheets
from reporting.workbook.read import ParsedWorkbook


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
