"""Versioned definitions of the Article 7 reporting format, and validation of report content.

A format (the 2010 forms A–J today; the 2022 adapted template later) is data: a JSON
file in this folder loaded into ``reporting.FormatVersion``. Nothing in the app names a
form or a field of a particular version except through its definition.

Report content is a JSON document::

    {"cover": {"contact_name": "…", …},
     "forms": {"B": {"choice": "changed" | "unchanged" | "not_applicable" | "",
                     "unchanged_since": 2019, "na_statement": "…",
                     "narratives": {"programme": "…"},
                     "tables": {"stockpile": [{"_id": "r1", "type": "…", "munitions": "12"}]}}}}

Drafts keep what the user typed; ``validate`` returns the cleaned document (integers,
decimal strings, square metres, ISO dates) and every error keyed by its path.

Areas are computed in square metres, but a report shows what the State typed: a cleaned row keeps
the number and unit of each area typed in another unit or with another precision beside the m²
value, ``{"_id": "r1", "area": "41300000", "_typed": {"area": {"number": "41.30", "unit": "km2"}}}``.
Contents stored before carry no ``_typed`` and show in m², as they were typed.

Cover fields marked ``personal`` (an e-mail address, a telephone number) are published (open data,
the version page, the PDF) only when the cover field named by ``cover.personal_consent`` says
``yes``: by default a published report names its contact point and office only.

One cell (numbers and areas as typed, ``clean_cell`` for every column type) is ``reporting.formats.cells``,
re-exported here; the definitions, the validation of a whole document and the personal data are here.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from reporting.formats.cells import (
    AREA_UNIT_SYMBOLS,
    TYPED,
    clean_cell,
    currencies,
    parse_area,
    parse_number,
    typed_area,
    typed_area_of,
    typed_area_text,
)

__all__ = [
    "AREA_UNIT_SYMBOLS",
    "CONSENT_YES",
    "FORMATS_DIR",
    "NA_STATEMENT_MAX",
    "QUALIFIERS",
    "TYPED",
    "Choice",
    "Column",
    "FormDef",
    "FormatDefinition",
    "Table",
    "Validation",
    "clean_cell",
    "content_for_editing",
    "currencies",
    "load_file",
    "new_row_id",
    "parse_area",
    "parse_number",
    "public_content",
    "published_cover",
    "publishes_personal_data",
    "typed_area",
    "typed_area_of",
    "typed_area_text",
    "validate",
    "withheld_cover_keys",
]

FORMATS_DIR = Path(__file__).resolve().parent


class Choice:
    CHANGED = "changed"
    UNCHANGED = "unchanged"
    NOT_APPLICABLE = "not_applicable"


# Labels in the active language when a definition is built (``FormatVersion.spec_in`` builds it in the reader's).
QUALIFIERS = [
    ("exact", pgettext_lazy("qualifier", "exactly")),
    ("at_least", pgettext_lazy("qualifier", "at least")),
    ("more_than", pgettext_lazy("qualifier", "more than")),
    ("approximately", pgettext_lazy("qualifier", "approximately")),
    ("up_to", pgettext_lazy("qualifier", "up to / nearly")),
    ("estimated", pgettext_lazy("qualifier", "estimated")),
]

NA_STATEMENT_MAX = 300


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    type: str
    required: bool = False
    choices: tuple[tuple[str, str], ...] = ()
    max_length: int | None = None
    min: int | None = None
    max: int | None = None
    help: str = ""
    row_key: bool = False
    personal: bool = False  # personal data: published only if the State chose to (see above)
    # Earlier labels of the column, so that a workbook downloaded before a relabelling still uploads.
    aliases: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Column:
        return cls(
            key=data["key"],
            label=data["label"],
            type=data["type"],
            required=data.get("required", False),
            choices=tuple(
                (str(value), str(label))
                for value, label in data.get("choices", QUALIFIERS if data["type"] == "qualifier" else ())
            ),
            max_length=data.get("max_length"),
            min=data.get("min"),
            max=data.get("max"),
            help=data.get("help", ""),
            row_key=data.get("row_key", False),
            personal=data.get("personal", data["type"] == "email"),
            aliases=tuple(data.get("aliases", ())),
        )


@dataclass(frozen=True)
class Table:
    key: str
    label: str
    columns: tuple[Column, ...]

    @property
    def row_key(self) -> Column:
        return next((c for c in self.columns if c.row_key), self.columns[0])


@dataclass(frozen=True)
class FormDef:
    code: str
    title: str
    items: tuple[str, ...]
    allows_not_applicable: bool
    narratives: tuple[Column, ...]
    tables: tuple[Table, ...]
    nil_statement: str = ""

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)

    @property
    def place_keys(self) -> frozenset[str]:
        """What a comment or a note on this form may point to: the form as a whole (""), its choice, a narrative or a
        table (a table's row is its ``row_id`` besides)."""
        return frozenset({"", "choice", *(n.key for n in self.narratives), *(t.key for t in self.tables)})


@dataclass(frozen=True)
class FormatDefinition:
    code: str
    name: str
    source: str
    cover: tuple[Column, ...]
    forms: tuple[FormDef, ...]
    personal_consent: str = ""  # the cover field whose "yes" publishes the personal cover fields
    _by_code: dict[str, FormDef] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FormatDefinition:
        forms = tuple(
            FormDef(
                code=f["code"],
                title=f["title"],
                items=tuple(f.get("items", ())),
                allows_not_applicable=f.get("allows_not_applicable", True),
                narratives=tuple(Column.from_dict(c) for c in f.get("narratives", ())),
                tables=tuple(
                    Table(key=t["key"], label=t["label"], columns=tuple(Column.from_dict(c) for c in t["columns"]))
                    for t in f.get("tables", ())
                ),
                nil_statement=f.get("nil_statement", ""),
            )
            for f in data["forms"]
        )
        definition = cls(
            code=data["code"],
            name=data["name"],
            source=data.get("source", ""),
            cover=tuple(Column.from_dict(c) for c in data["cover"]["fields"]),
            forms=forms,
            personal_consent=data["cover"].get("personal_consent", ""),
        )
        definition._by_code.update({f.code: f for f in forms})
        return definition

    def form(self, code: str) -> FormDef:
        return self._by_code[code]

    def empty_content(self) -> dict[str, Any]:
        return {
            "cover": {c.key: "" for c in self.cover},
            "forms": {
                f.code: {
                    "choice": "",
                    "unchanged_since": None,
                    "na_statement": "",
                    "narratives": {n.key: "" for n in f.narratives},
                    "tables": {t.key: [] for t in f.tables},
                }
                for f in self.forms
            },
        }


def load_file(name: str) -> dict[str, Any]:
    return json.loads((FORMATS_DIR / name).read_text(encoding="utf-8"))


def new_row_id() -> str:
    return uuid.uuid4().hex[:12]


# --- Validation of a whole document ------------------------------------------------------------
@dataclass
class Validation:
    cleaned: dict[str, Any]
    errors: dict[str, str]
    missing: dict[str, list[str]]  # form code (or "cover") → what is still needed

    @property
    def complete(self) -> bool:
        return not self.errors and not any(self.missing.values())

    def form_complete(self, code: str) -> bool:
        prefix = f"forms.{code}."
        return not self.missing.get(code) and not any(path.startswith(prefix) for path in self.errors)


def validate(
    definition: FormatDefinition, content: dict[str, Any], *, initial: bool, period_year: int | None
) -> Validation:
    errors: dict[str, str] = {}
    cover, cover_missing = _clean_cover(definition, content.get("cover") or {}, errors)
    cleaned: dict[str, Any] = {"cover": cover, "forms": {}}
    missing: dict[str, list[str]] = {"cover": cover_missing}
    forms = content.get("forms") or {}
    for form in definition.forms:
        cleaned["forms"][form.code], missing[form.code] = _clean_form(
            form, forms.get(form.code) or {}, errors, initial=initial, period_year=period_year
        )
    return Validation(cleaned=cleaned, errors=errors, missing=missing)


def _clean_cover(
    definition: FormatDefinition, cover: dict[str, Any], errors: dict[str, str]
) -> tuple[dict[str, Any], list[str]]:
    """The cleaned cover page, and the labels of the required fields still empty."""
    cleaned: dict[str, Any] = {}
    missing: list[str] = []
    for column in definition.cover:
        try:
            value = clean_cell(column, cover.get(column.key))
        except ValueError as error:
            errors[f"cover.{column.key}"] = str(error)
            value = None
        cleaned[column.key] = value
        if value is None and column.required and f"cover.{column.key}" not in errors:
            missing.append(column.label)
    return cleaned, missing


def _clean_form(
    form: FormDef, data: dict[str, Any], errors: dict[str, str], *, initial: bool, period_year: int | None
) -> tuple[dict[str, Any], list[str]]:
    """One form cleaned (its choice, narratives and tables), and what it still needs."""
    path = f"forms.{form.code}"
    needs: list[str] = []
    choice = data.get("choice") or ""
    out: dict[str, Any] = {
        "choice": choice,
        "unchanged_since": None,
        "na_statement": "",
        "narratives": {},
        "tables": {},
    }
    if choice not in {"", Choice.CHANGED, Choice.UNCHANGED, Choice.NOT_APPLICABLE}:
        errors[f"{path}.choice"] = _("Choose changed, unchanged or not applicable.")
    elif choice == "":
        needs.append(_("say whether the form changed, is unchanged or does not apply"))
    elif choice == Choice.NOT_APPLICABLE:
        out["na_statement"] = _clean_not_applicable(form, data, path, errors)
    elif choice == Choice.UNCHANGED:
        out["unchanged_since"] = _clean_unchanged(data, path, errors, initial=initial, period_year=period_year)
    # Narratives and tables are cleaned whatever the choice, so nothing typed is lost.
    for narrative in form.narratives:
        raw = (data.get("narratives") or {}).get(narrative.key)
        try:
            value = clean_cell(narrative, raw)
        except ValueError as error:
            errors[f"{path}.narratives.{narrative.key}"] = str(error)
            value = raw
        out["narratives"][narrative.key] = value or ""
        if choice == Choice.CHANGED and narrative.required and not value:
            needs.append(narrative.label)
    for table in form.tables:
        rows = (data.get("tables") or {}).get(table.key) or []
        out["tables"][table.key] = _clean_rows(table, rows, f"{path}.tables.{table.key}", errors)
    return out, needs


def _clean_not_applicable(form: FormDef, data: dict[str, Any], path: str, errors: dict[str, str]) -> str:
    """The statement of why a form does not apply (one line), checked; the form must allow it."""
    statement = (data.get("na_statement") or "").strip()
    if not form.allows_not_applicable:
        errors[f"{path}.choice"] = _("Form %(code)s always applies.") % {"code": form.code}
    elif not statement:
        errors[f"{path}.na_statement"] = _("Give a one-line definitive statement of why the form does not apply.")
    elif len(statement) > NA_STATEMENT_MAX or "\n" in statement:
        errors[f"{path}.na_statement"] = _("Keep the statement to one line of at most %(n)s characters.") % {
            "n": NA_STATEMENT_MAX
        }
    return statement


def _clean_unchanged(
    data: dict[str, Any], path: str, errors: dict[str, str], *, initial: bool, period_year: int | None
) -> int | None:
    """The year a form "unchanged since", checked: annual reports only, a year from 2010 to the period's."""
    # The cover page may stand for a form only in an annual report (2010 format).
    if initial:
        errors[f"{path}.choice"] = _("An initial report gives every form in full; “unchanged” is for annual updates.")
    since = data.get("unchanged_since")
    try:
        since = int(since) if since not in (None, "") else None
    except (TypeError, ValueError):
        since = None
        errors[f"{path}.unchanged_since"] = _("Give the year of the report in which this form last changed.")
    if since is None and f"{path}.unchanged_since" not in errors:
        errors[f"{path}.unchanged_since"] = _("Give the year of the report in which this form last changed.")
    elif since is not None and period_year is not None and not (2010 <= since < period_year + 1):
        errors[f"{path}.unchanged_since"] = _("The year must be between 2010 and %(year)s.") % {"year": period_year}
    return since


def _clean_rows(table: Table, rows: list[dict[str, Any]], path: str, errors: dict[str, str]) -> list[dict[str, Any]]:
    """A table's rows cleaned, the empty ones (added and never filled) left out."""
    cleaned_rows = []
    for row in rows:
        row_id = str(row.get("_id") or new_row_id())
        if all(_blank(row.get(c.key)) for c in table.columns):
            continue  # an empty row added and never filled
        cleaned_rows.append(_clean_row(table, row, row_id, f"{path}.{row_id}", errors))
    return cleaned_rows


def _clean_row(table: Table, row: dict[str, Any], row_id: str, path: str, errors: dict[str, str]) -> dict[str, Any]:
    """One row's cells cleaned, an area's typed form kept beside its square metres; an amount needs its currency."""
    cleaned_row: dict[str, Any] = {"_id": row_id}
    for column in table.columns:
        cell_path = f"{path}.{column.key}"
        try:
            value = clean_cell(column, row.get(column.key))
        except ValueError as error:
            errors[cell_path] = str(error)
            value = row.get(column.key)
        if value is None and column.required and cell_path not in errors:
            errors[cell_path] = _("Required.")
        cleaned_row[column.key] = value
        if column.type == "area" and cell_path not in errors:
            typed = typed_area(row.get(column.key))
            if typed is not None:
                cleaned_row.setdefault(TYPED, {})[column.key] = typed
    money = [c for c in table.columns if c.type == "money"]
    currency = [c for c in table.columns if c.type == "currency"]
    if money and currency and cleaned_row.get(money[0].key) not in (None, "") and not cleaned_row.get(currency[0].key):
        errors.setdefault(f"{path}.{currency[0].key}", _("Give the currency of the amount."))
    return cleaned_row


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def content_for_editing(cleaned: dict[str, Any]) -> dict[str, Any]:
    """A cleaned document as draft content (what a form shows): every value as text."""

    def text(value: Any) -> Any:
        if value is None:
            return ""
        if isinstance(value, bool):
            return value
        return str(value)

    def cell(row: dict[str, Any], key: str, value: Any) -> Any:
        typed = typed_area_of(row, key)
        return typed_area_text(typed) if typed is not None else text(value)

    out = json.loads(json.dumps(cleaned))
    out["cover"] = {k: text(v) for k, v in out.get("cover", {}).items()}
    for form in out.get("forms", {}).values():
        for key, rows in form.get("tables", {}).items():
            # An area shows again as it was typed ("41.30 km²"), not as the m² computed from it.
            form["tables"][key] = [
                {k: (v if k == "_id" else cell(row, k, v)) for k, v in row.items() if k != TYPED} for row in rows
            ]
    return out


# --- Personal data on the cover page --------------------------------------------------------------
CONSENT_YES = "yes"


def publishes_personal_data(definition: FormatDefinition, cover: dict[str, Any] | None) -> bool:
    """Whether the State chose, on the cover page, to publish its contact point's e-mail and telephone."""
    if not definition.personal_consent:
        return False
    return str((cover or {}).get(definition.personal_consent) or "").strip() == CONSENT_YES


def withheld_cover_keys(definition: FormatDefinition, cover: dict[str, Any] | None) -> frozenset[str]:
    """The cover fields a published report leaves out: personal data the State did not choose to publish."""
    if publishes_personal_data(definition, cover):
        return frozenset()
    return frozenset(c.key for c in definition.cover if c.personal)


def published_cover(definition: FormatDefinition, cover: dict[str, Any] | None) -> list[tuple[Column, Any]]:
    """The cover fields a published report shows, with their values: the consent says "no" unless
    the State said "yes" (the default, also for reports stored before the choice existed)."""
    cover = cover or {}
    withheld = withheld_cover_keys(definition, cover)
    out = []
    for column in definition.cover:
        if column.key in withheld:
            continue
        value = cover.get(column.key)
        if column.key == definition.personal_consent and value in (None, ""):
            value = "no"
        out.append((column, value))
    return out


def public_content(definition: FormatDefinition, content: dict[str, Any]) -> dict[str, Any]:
    """A report's content as open data: the cover without the personal data the State kept back."""
    cover = content.get("cover") or {}
    withheld = withheld_cover_keys(definition, cover)
    if not withheld:
        return content
    out = dict(content)
    out["cover"] = {k: v for k, v in cover.items() if k not in withheld}
    return out
