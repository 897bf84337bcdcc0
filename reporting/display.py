"""A stored value as a reader sees it: numbers and areas in the reader's locale, dates in words, yes or no,
a choice's label; a table as stored (qualifiers before the numbers they qualify, money with its currency).
The editor (``reporting.editor``) and every read-only rendering show values through these."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import formats as l10n
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from reporting import formats as fmt
from reporting.formats import Column, Table

TRUE_VALUES = {"1", "true", "yes", "on", "y"}
NUMERIC_TYPES = {"integer", "area", "money"}


def long_date_format() -> str:
    return pgettext("long date format, Django date filter syntax", "j F Y")


def _decimal(value: Any) -> Decimal | None:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def format_number(value: Any) -> str:
    number = _decimal(value)
    if number is None:
        return str(value)
    places = max(0, -number.as_tuple().exponent) if number != number.to_integral() else 0
    return l10n.number_format(number, decimal_pos=places, use_l10n=True, force_grouping=True)


def format_area(value: Any) -> str:
    return _("%(number)s m²") % {"number": format_number(value)}


def format_typed_area(typed: dict[str, str]) -> str:
    """An area in the unit and with the precision typed: "41.30 km²", "1,100 ha"."""
    return f"{format_number(typed['number'])} {fmt.AREA_UNIT_SYMBOLS[typed['unit']]}"


def format_cell(column: Column, value: Any, row: dict[str, Any] | None = None, table: Table | None = None) -> str:
    """A cleaned cell value as a reader sees it (stored units, thousands separators)."""
    if value is None or value == "":
        return ""
    kind = column.type
    if kind == "boolean":
        return _("Yes") if value is True or str(value).lower() in TRUE_VALUES else _("No")
    if kind == "integer":
        return format_number(value)
    if kind == "area":
        # What the State typed ("41.30 km²"), when the row kept it; square metres otherwise.
        typed = fmt.typed_area_of(row, column.key)
        return format_typed_area(typed) if typed is not None else format_area(value)
    if kind == "money":
        currency = ""
        if row is not None and table is not None:
            currency_column = next((c for c in table.columns if c.type == "currency"), None)
            currency = (row.get(currency_column.key) or "") if currency_column else ""
        number = _decimal(value)
        shown = (
            l10n.number_format(number, decimal_pos=2, use_l10n=True, force_grouping=True)
            if number is not None and number != number.to_integral()
            else format_number(value)
        )
        return f"{shown} {currency}".strip()
    if kind == "date":
        try:
            return l10n.date_format(dt.date.fromisoformat(str(value)), long_date_format())
        except ValueError:
            return str(value)
    if kind in {"choice", "qualifier"}:
        return dict(column.choices).get(str(value), str(value))
    return str(value)


def qualified_columns(table: Table) -> dict[str, str]:
    """Numeric column key → key of the qualifier column that qualifies it: the numeric columns
    just before the qualifier column (e.g. munitions and submunitions before "Qualifier")."""
    out: dict[str, str] = {}
    columns = list(table.columns)
    for index, column in enumerate(columns):
        if column.type != "qualifier":
            continue
        back = index - 1
        while back >= 0 and columns[back].type in NUMERIC_TYPES and not columns[back].row_key:
            out[columns[back].key] = column.key
            back -= 1
    return out


@dataclass
class ReadOnlyTable:
    key: str
    label: str
    headers: list[Column]
    rows: list[dict[str, Any]] = field(default_factory=list)


def read_only_table(table: Table, rows: list[dict[str, Any]]) -> ReadOnlyTable:
    """A table as stored: qualifiers written before the numbers they qualify, money with its
    currency, areas in square metres."""
    qualified = qualified_columns(table)
    used_qualifiers = set(qualified.values())
    has_money = any(c.type == "money" for c in table.columns)
    hidden = used_qualifiers | ({c.key for c in table.columns if c.type == "currency"} if has_money else set())
    headers = [c for c in table.columns if c.key not in hidden]
    out = ReadOnlyTable(key=table.key, label=table.label, headers=headers)
    for row in rows:
        cells = []
        for column in headers:
            text = format_cell(column, row.get(column.key), row, table)
            qualifier_key = qualified.get(column.key)
            qualifier = row.get(qualifier_key) if qualifier_key else None
            if text and qualifier and qualifier != "exact":
                qualifier_column = next(c for c in table.columns if c.key == qualifier_key)
                text = f"{format_cell(qualifier_column, qualifier)} {text}"
            cells.append(
                {"text": text, "numeric": column.type in NUMERIC_TYPES and not column.row_key, "head": column.row_key}
            )
        out.rows.append({"id": row.get("_id", ""), "cells": cells})
    return out
