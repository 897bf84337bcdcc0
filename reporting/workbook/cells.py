"""How the cells of one table sheet are read: through django-import-export, with the browser editor's parser.

Each table sheet is read through a non-model ``import_export.resources.Resource`` (``TableResource``)
built from the format's columns: one ``Field`` per column, whose widget parses the cell with the browser
editor's own parser (``reporting.formats.clean_cell``: areas with units, money, currencies, dates,
qualifiers), and ``StrictChoiceWidget`` from ``ccm_portal.core.imports`` for choices. So a cell means the
same in the workbook as in the browser. ``import_data`` runs every row and gathers every bad cell with its
row number (``Result.invalid_rows``) instead of stopping at the first (``reporting.workbook.read``).
The resource never touches the database: ``save_instance`` only collects the parsed row in memory.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import fields, instance_loaders, resources, widgets

from ccm_portal.core.imports import StrictChoiceWidget
from reporting.formats import Column, Table, clean_cell, parse_number
from reporting.workbook.layout import reading_words


def cell_text(value: Any) -> str:
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


def quoted(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "…"


class CellWidget(widgets.Widget):
    """One cell of a column: parsed with the editor's parser; returns the draft value (what was
    typed, as the browser keeps it; choices, dates, currencies and yes/no normalised as the
    browser's own inputs do)."""

    def __init__(self, column: Column, words: dict[str, str] | None = None):
        super().__init__()
        self.column = column
        self.yes_no = words if words is not None else reading_words(None)

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        column = self.column
        text = cell_text(value)
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
                raise ValueError(_("“%(value)s” is not a whole number.") % {"value": quoted(text)})
        try:
            cleaned = clean_cell(column, text)
        except ValueError as error:
            if column.type in {"text", "longtext", "currency"}:
                raise  # the message already names the value or its length
            raise ValueError(_("“%(value)s”: %(error)s") % {"value": quoted(text), "error": error}) from None
        if column.type in {"boolean", "date", "currency", "choice", "qualifier"}:
            return cleaned
        return text

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return "" if value is None else str(value)


class ChoiceCellWidget(StrictChoiceWidget):
    """A choice given by its label (as the drop-down offers it, or its English label) or its code,
    case-insensitively."""

    def __init__(self, column: Column, english: Column | None = None):
        super().__init__((english.choices if english is not None else ()) + column.choices)
        self.column = column

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        text = cell_text(value)
        if text == "":
            if self.column.required:
                raise ValueError(_("Required: fill it in, or delete the whole row."))
            return ""
        try:
            code = super().clean(text, row, **kwargs)
        except ValueError:
            labels = "; ".join(label for _value, label in self.column.choices)
            raise ValueError(
                _("“%(value)s” is not one of: %(options)s.") % {"value": quoted(text), "options": labels}
            ) from None
        return clean_cell(self.column, code)


class RowIdWidget(widgets.Widget):
    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> str:
        # Any id the draft may hold comes back as it is (rows stored with other id shapes keep their
        # id); ``merge_tables`` gives a new id to one that is neither in the draft nor usable.
        text = cell_text(value)
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

    def __init__(self, table: Table, *, english: Table | None = None, words: dict[str, str] | None = None):
        """``table`` in the workbook's language; ``english`` the same table in English, whose choice labels
        are read too; ``words`` the yes/no words (``layout.reading_words``)."""
        super().__init__()
        self.table = table
        source = {c.key: c for c in english.columns} if english is not None else {}
        words = words if words is not None else reading_words(None)
        self.fields = OrderedDict(
            [("_id", fields.Field(attribute="_id", column_name="_id", widget=RowIdWidget()))]
            + [
                (
                    c.key,
                    fields.Field(
                        attribute=c.key,
                        column_name=c.key,
                        widget=(
                            ChoiceCellWidget(c, source.get(c.key))
                            if c.type in {"choice", "qualifier"}
                            else CellWidget(c, words)
                        ),
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
            and cell_text(row.get(self.money.key))
            and not cell_text(row.get(self.currency.key))
            and self.currency.key not in errors
        ):
            errors[self.currency.key] = [_("Give the currency of the amount.")]
        if errors:
            raise ValidationError(errors)

    def save_instance(self, instance: _ParsedRow, is_create: bool, row: Any, **kwargs: Any) -> None:
        self.rows.append({key: getattr(instance, key) for key in self.fields})
