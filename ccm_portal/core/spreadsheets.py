"""Spreadsheets the portal writes (CSV and XLSX): text a State or a user typed never becomes a formula.

A spreadsheet evaluates a cell whose text starts with ``=``, ``+``, ``-`` or ``@``, and also one that
starts with a tab or a carriage return before such a character (OWASP "CSV injection"): a narrative
typed as ``=HYPERLINK("http://x","y")`` would become a live link in the ISU's Excel. Every CSV the
portal writes goes through ``csv_bytes`` (or, for django-import-export datasets, ``neutralise_dataset``
and the ``SafeCSV``/``SafeXLSX`` formats), which apply the one rule here, ``spreadsheet_safe``:

* text starting with one of ``FORMULA_STARTS`` is prefixed with a single quote (OWASP's advice) and
  otherwise kept as it is (a leading tab or carriage return is kept too, never stripped);
* anything that is not text is left alone: numbers the portal writes (a count, a negative amount
  written as a number) are not user text, and spreadsheets read them as numbers. A number the
  portal has already turned into text (``"-3"``) is quoted like any other text, so write numbers
  as numbers.

XLSX written through tablib gets the same quoted text, so a cell is the same in the CSV and the
XLSX. An XLSX written with openpyxl directly (the report workbook) keeps the text as typed and
forces the cell's type to string (``force_text``): openpyxl otherwise stores any text that starts
with ``=`` as a formula.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

import tablib
from import_export.formats import base_formats
from import_export.formats.base_formats import CSV, XLSX

# What makes a spreadsheet evaluate a cell (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _quoted_on_export(text: str) -> bool:
    # Formula-like text, and formula-like text behind apostrophes: quoting the latter too is what
    # lets ``spreadsheet_restore`` take off exactly the apostrophe added here and no other.
    return text.lstrip("'").startswith(FORMULA_STARTS)


def spreadsheet_safe(value: Any) -> Any:
    """Text that a spreadsheet would take for a formula, quoted with an apostrophe; anything else as is
    (numbers stay numbers, so a negative number is never quoted)."""
    if isinstance(value, str) and _quoted_on_export(value):
        return f"'{value}"
    return value


def spreadsheet_restore(value: Any) -> Any:
    """The inverse of ``spreadsheet_safe`` for a file coming back (an admin import of an export):
    ``spreadsheet_restore(spreadsheet_safe(text)) == text`` for any text, so a round trip changes nothing.
    A hand-made file's ``'+44 …`` (typed so that Excel keeps it as text) reads as ``+44 …``."""
    if isinstance(value, str) and value.startswith("'") and _quoted_on_export(value[1:]):
        return value[1:]
    return value


def safe_row(row: Iterable[Any]) -> list[Any]:
    return [spreadsheet_safe(value) for value in row]


def csv_bytes(rows: Iterable[Iterable[Any]], *, bom: bool = False) -> bytes:
    """UTF-8 CSV (CRLF line ends) of ``rows``, every text cell made safe; ``None`` is an empty cell.
    ``bom`` adds a byte-order mark, so that spreadsheets read the accents."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(safe_row(row) for row in rows)
    return (("\ufeff" if bom else "") + buffer.getvalue()).encode("utf-8")


def neutralise_dataset(dataset: tablib.Dataset) -> tablib.Dataset:
    """A copy of ``dataset`` (its headers and title kept) with every text cell made safe."""
    safe = tablib.Dataset(headers=dataset.headers, title=dataset.title)
    for row in dataset:
        safe.append(safe_row(row))
    return safe


def force_text(cell: Any) -> Any:
    """An openpyxl cell holding text keeps it as a string cell, never a formula."""
    if isinstance(cell.value, str):
        cell.data_type = "s"
    return cell


def restore_dataset(dataset: tablib.Dataset) -> tablib.Dataset:
    """An imported ``dataset`` with the apostrophes ``neutralise_dataset`` added taken off again."""
    restored = tablib.Dataset(headers=dataset.headers, title=dataset.title)
    for row in dataset:
        restored.append([spreadsheet_restore(value) for value in row])
    return restored


class SafeCSV(CSV):
    """django-import-export's CSV with every text cell made safe (admin exports, the ISU's export),
    and read back as it was before (admin imports)."""

    def export_data(self, dataset: tablib.Dataset, **kwargs: Any) -> str:
        return super().export_data(neutralise_dataset(dataset), **kwargs)

    def create_dataset(self, in_stream: Any, **kwargs: Any) -> tablib.Dataset:
        return restore_dataset(super().create_dataset(in_stream, **kwargs))


class SafeXLSX(XLSX):
    """django-import-export's XLSX with every text cell made safe: the same cells as ``SafeCSV``."""

    def export_data(self, dataset: tablib.Dataset, **kwargs: Any) -> bytes:
        return super().export_data(neutralise_dataset(dataset), **kwargs)

    def create_dataset(self, in_stream: Any, **kwargs: Any) -> tablib.Dataset:
        return restore_dataset(super().create_dataset(in_stream, **kwargs))


# django-import-export's admin keeps dates and numbers as such (not text) only for the formats in this
# list, compared by exact type: the safe XLSX belongs there like the XLSX it extends.
if SafeXLSX not in base_formats.BINARY_FORMATS:
    base_formats.BINARY_FORMATS.append(SafeXLSX)

# The formats of every admin import-export page.
IMPORT_EXPORT_FORMATS = [SafeCSV, SafeXLSX]
