"""A reporting format's texts in the portal's languages, kept as the format's own data.

Every text a reader sees of a format (its name and source, the cover page's labels, help and choices, each
form's title and standard statement, the narratives', tables' and columns' labels, help and choices) is English
in the format's JSON file. Its translations are one PO file per language beside it,
``locale/<language>/<format file>.po`` (msgid: the English text; a comment says where it is used), so a new
format version brings its own: ``manage.py format_messages`` writes the PO files of every format file.
``FormatVersion.translations`` holds them in the database, ``{django language: {english: translation}}``
(data migrations load them as they load the definition), and ``translated`` gives the definition in one language.

Column aliases are not translated: they are earlier English labels, kept so that old workbooks still upload.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from reporting.formats import FORMATS_DIR

LOCALE_DIR = FORMATS_DIR / "locale"
# Django's language code → the PO file's folder (gettext's locale name).
LANGUAGES = {"fr": "fr", "es": "es", "ar": "ar", "ru": "ru", "zh-hans": "zh_Hans"}
Catalogue = dict[str, str]


def _column(prefix: str, column: dict[str, Any]) -> Iterator[tuple[Any, Any, str]]:
    where = f"{prefix} {column['key']}"
    yield column, "label", where
    if column.get("help"):
        yield column, "help", f"{where}, help"
    for choice in column.get("choices") or ():
        yield choice, 1, f"{where}, choice {choice[0]}"


def _places(data: dict[str, Any]) -> Iterator[tuple[Any, Any, str]]:
    """Every translatable text of a definition as (its container, its key there, where it is used)."""
    yield data, "name", "Format name"
    if data.get("source"):
        yield data, "source", "Format source"
    for column in data["cover"]["fields"]:
        yield from _column("Cover page, field", column)
    for form in data["forms"]:
        name = f"Form {form['code']}"
        yield form, "title", f"{name}, title"
        if form.get("nil_statement"):
            yield form, "nil_statement", f"{name}, standard statement (not applicable)"
        for narrative in form.get("narratives") or ():
            yield from _column(f"{name}, narrative", narrative)
        for table in form.get("tables") or ():
            yield table, "label", f"{name}, table {table['key']}, heading"
            for column in table["columns"]:
                yield from _column(f"{name}, table {table['key']}, column", column)


def texts(data: dict[str, Any]) -> list[tuple[str, str]]:
    """Every translatable text of a definition, with where it is used, in the order of the definition."""
    return [(container[key], where) for container, key, where in _places(data) if container[key]]


def translated(data: dict[str, Any], catalogue: Catalogue) -> dict[str, Any]:
    """A copy of the definition with each text in the catalogue's language; a text without a translation
    stays English."""
    out = copy.deepcopy(data)
    if catalogue:
        for container, key, _where in _places(out):
            container[key] = catalogue.get(container[key]) or container[key]
    return out


def po_path(format_file: str, language: str) -> Path:
    return LOCALE_DIR / LANGUAGES[language] / f"{Path(format_file).stem}.po"


def read_translations(format_file: str) -> dict[str, Catalogue]:
    """The translations of a format file's texts, by Django language: only translated, non-fuzzy entries."""
    out: dict[str, Catalogue] = {}
    for language in LANGUAGES:
        path = po_path(format_file, language)
        if not path.exists():
            continue
        with path.open("rb") as handle:
            catalog = read_po(handle)
        out[language] = {
            str(m.id): str(m.string) for m in catalog if m.id and isinstance(m.string, str) and m.string and not m.fuzzy
        }
    return out


_HEADER = """\
# The reporting format's texts (%(file)s) in %(language)s: msgid is the English text of the format file,
# the comment says where it is used. Written by `manage.py format_messages`; translate msgstr only.
#"""


def write_po_files(format_file: str, data: dict[str, Any]) -> dict[str, tuple[int, int]]:
    """Write (or update) the format file's PO file in every language: every text of the definition, with
    the translations already there kept, new texts untranslated, texts no longer used dropped.
    Returns, by language, (texts, translated)."""
    stats: dict[str, tuple[int, int]] = {}
    for language, locale in LANGUAGES.items():
        path = po_path(format_file, language)
        old = None
        if path.exists():
            with path.open("rb") as handle:
                old = read_po(handle)
        catalog = Catalog(
            locale=locale,
            project=f"CCM Portal reporting format {Path(format_file).stem}",
            version=str(data["code"]),
            msgid_bugs_address="isu@clusterconvention.org",
            last_translator="CCM Portal ISU",
            language_team=f"{locale} <isu@clusterconvention.org>",
            fuzzy=False,
        )
        catalog.header_comment = _HEADER % {"language": locale, "file": Path(format_file).name}
        # The dates of the file as it was, so that running the command twice changes nothing.
        catalog.revision_date = catalog.creation_date
        if old is not None and isinstance(old.revision_date, dt.datetime):
            catalog.creation_date, catalog.revision_date = old.creation_date, old.revision_date
        for text, where in texts(data):
            before = old.get(text) if old is not None else None
            catalog.add(
                text,
                string=before.string if before is not None else "",
                auto_comments=[where],
                flags=before.flags if before is not None else (),
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            write_po(handle, catalog, width=100, omit_header=False, ignore_obsolete=True)
        stats[language] = (len(catalog), sum(1 for m in catalog if m.id and m.string and not m.fuzzy))
    return stats


def format_files() -> list[str]:
    """The format files (``*.json``) in the formats folder."""
    return sorted(path.name for path in FORMATS_DIR.glob("*.json"))
