"""Where things are in a report's workbook: what the download writes and an upload is read by.

The workbook holds the TABLES only (one sheet per table of the format); the cover page, the
narratives and each form's "changed / unchanged / not applicable" stay in the portal. Row 1 of a
table sheet holds the column headings, row 2 explains each column, data starts on row 3; a hidden
``id`` column matches rows back to the draft. A hidden ``_meta`` sheet names the report, the
State, the format, the draft revision the workbook was made from and the language it was written in.

A workbook is written in the language it was downloaded in (headings, notes, choices, yes/no) and read back in
that language, whatever the language of the session that uploads it (``reading_words``); one without a recorded
language (downloaded before languages were recorded) is read by the format's English labels and the yes/no of
any of the portal's languages.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from reporting.formats import FormatDefinition, FormDef, Table

MARKER = "ccm-portal-article7-workbook"
VERSION = "1"
ABOUT_SHEET, META_SHEET, LISTS_SHEET = "About", "_meta", "_lists"
ID_HEADER = "id"
HEADER_ROW, NOTES_ROW, FIRST_DATA_ROW = 1, 2, 3


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


def yes_no() -> tuple[str, str]:
    """How a yes/no column says yes and no, in the workbook's drop-down and when read back."""
    return _("Yes"), _("No")


def reading_words(language: str | None) -> dict[str, str]:
    """The yes/no words a workbook in ``language`` is read with (casefolded word → "yes"/"no"): that language's
    and English; every language's for a workbook that does not say its language."""
    languages = [language, "en"] if language else [code for code, _name in settings.LANGUAGES]
    words: dict[str, str] = {}
    for code in languages:
        with translation.override(code):
            yes, no = yes_no()
        words.setdefault(yes.casefold(), "yes")
        words.setdefault(no.casefold(), "no")
    return words
