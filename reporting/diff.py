"""What changed between two versions of an Article 7 report, form by form.

Pure functions over the format definition and two content documents (as
``formats.validate`` cleans them): no database, no request. The review page shows
the result side by side; unchanged forms are flagged so that it can fold them away.

Table rows are matched one to one:

1. same ``_id`` and same row key (a report started from last year keeps its row ids);
2. same row key (e.g. the stockpile ``type``; a report typed afresh has new ids);
3. same ``_id`` (a row whose key was edited);

whatever is left is an added row (current only) or a removed row (previous only).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from difflib import SequenceMatcher
from typing import Any

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from reporting.formats import Choice, Column, FormatDefinition, FormDef, Table

ADDED = "added"
REMOVED = "removed"
CHANGED = "changed"
UNCHANGED = "unchanged"

_NUMERIC_TYPES = frozenset({"integer", "area", "money"})


# --- Result structures -------------------------------------------------------------------------
@dataclass
class CellDiff:
    key: str
    label: str
    before: str  # as displayed; "" when blank
    after: str
    changed: bool
    numeric: bool = False  # a number or an area: shown unbroken


@dataclass
class RowDiff:
    status: str  # ADDED, REMOVED, CHANGED or UNCHANGED
    row_id: str  # the current row's id (the previous row's id for a removed row): comments anchor to it
    previous_id: str
    matched_by: str  # "id", "key" or "" (added or removed)
    cells: list[CellDiff]

    @property
    def changed(self) -> bool:
        return self.status != UNCHANGED

    @property
    def changed_cells(self) -> list[CellDiff]:
        return [cell for cell in self.cells if cell.changed] if self.status == CHANGED else []


@dataclass
class TableDiff:
    key: str
    label: str
    columns: tuple[Column, ...]
    rows: list[RowDiff]

    def _with(self, status: str) -> list[RowDiff]:
        return [row for row in self.rows if row.status == status]

    @property
    def added(self) -> list[RowDiff]:
        return self._with(ADDED)

    @property
    def removed(self) -> list[RowDiff]:
        return self._with(REMOVED)

    @property
    def changed_rows(self) -> list[RowDiff]:
        return self._with(CHANGED)

    @property
    def unchanged(self) -> list[RowDiff]:
        return self._with(UNCHANGED)

    @property
    def changed(self) -> bool:
        return any(row.changed for row in self.rows)


@dataclass
class NarrativeDiff:
    key: str
    label: str
    before: str
    after: str
    changed: bool
    html: SafeString  # the current text with insertions in <ins> and deletions in <del>, escaped


@dataclass
class FormDiff:
    code: str
    title: str
    compared: bool  # False when there is no previous content to compare with
    choice_before: str
    choice_after: str
    since_before: int | None
    since_after: int | None
    na_before: str
    na_after: str
    narratives: list[NarrativeDiff] = field(default_factory=list)
    tables: list[TableDiff] = field(default_factory=list)

    @property
    def choice_changed(self) -> bool:
        return (self.choice_before, self.since_before) != (self.choice_after, self.since_after)

    @property
    def choice_label_before(self) -> str:
        return choice_label(self.choice_before, self.since_before)

    @property
    def choice_label_after(self) -> str:
        return choice_label(self.choice_after, self.since_after)

    @property
    def content_changed(self) -> bool:
        return (
            self.na_before != self.na_after
            or any(n.changed for n in self.narratives)
            or any(t.changed for t in self.tables)
        )

    @property
    def changed(self) -> bool:
        """Something a reviewer must read again: the content, or whether the form applies at all.
        "Changed" → "unchanged since" with the same content is not a change."""
        return self.content_changed or _applies(self.choice_before) != _applies(self.choice_after)

    @property
    def marked_unchanged_but_differs(self) -> bool:
        """The State says "unchanged" but the content differs from the report compared with."""
        return self.compared and self.choice_after == Choice.UNCHANGED and self.content_changed

    @property
    def anchor(self) -> str:
        return f"form-{anchor_part(self.code)}"


@dataclass
class VersionDiff:
    cover: list[CellDiff]
    forms: list[FormDiff]

    @property
    def changed_forms(self) -> list[FormDiff]:
        return [form for form in self.forms if form.changed]

    @property
    def cover_changed(self) -> bool:
        return any(cell.changed for cell in self.cover)


# --- Entry points ------------------------------------------------------------------------------
def diff_versions(
    spec: FormatDefinition, previous_content: dict[str, Any] | None, current_content: dict[str, Any]
) -> list[FormDiff]:
    """One ``FormDiff`` per form of ``spec``. ``previous_content`` is None when there is nothing
    to compare with (an initial report, a State's first report): every form is then ``compared=False``."""
    compared = previous_content is not None
    previous_forms = (previous_content or {}).get("forms") or {}
    current_forms = (current_content or {}).get("forms") or {}
    return [
        diff_form(form, previous_forms.get(form.code) or {}, current_forms.get(form.code) or {}, compared=compared)
        for form in spec.forms
    ]


def diff_document(
    spec: FormatDefinition, previous_content: dict[str, Any] | None, current_content: dict[str, Any]
) -> VersionDiff:
    """The cover page and every form."""
    return VersionDiff(
        cover=diff_fields(
            spec.cover, (previous_content or {}).get("cover") or {}, (current_content or {}).get("cover") or {}
        ),
        forms=diff_versions(spec, previous_content, current_content),
    )


def diff_form(form: FormDef, previous: dict[str, Any], current: dict[str, Any], *, compared: bool = True) -> FormDiff:
    narratives_before = previous.get("narratives") or {}
    narratives_after = current.get("narratives") or {}
    tables_before = previous.get("tables") or {}
    tables_after = current.get("tables") or {}
    return FormDiff(
        code=form.code,
        title=form.title,
        compared=compared,
        choice_before=previous.get("choice") or "",
        choice_after=current.get("choice") or "",
        since_before=_year(previous.get("unchanged_since")),
        since_after=_year(current.get("unchanged_since")),
        na_before=(previous.get("na_statement") or "").strip(),
        na_after=(current.get("na_statement") or "").strip(),
        narratives=[
            diff_narrative(column, narratives_before.get(column.key), narratives_after.get(column.key))
            for column in form.narratives
        ],
        tables=[diff_table(table, tables_before.get(table.key), tables_after.get(table.key)) for table in form.tables],
    )


def diff_fields(columns: tuple[Column, ...], previous: dict[str, Any], current: dict[str, Any]) -> list[CellDiff]:
    return [_cell(column, previous.get(column.key), current.get(column.key)) for column in columns]


def diff_narrative(column: Column, before: Any, after: Any) -> NarrativeDiff:
    before_text = _text(before)
    after_text = _text(after)
    return NarrativeDiff(
        key=column.key,
        label=column.label,
        before=before_text,
        after=after_text,
        changed=before_text != after_text,
        html=inline_diff(before_text, after_text),
    )


def diff_table(table: Table, previous_rows: list[dict] | None, current_rows: list[dict] | None) -> TableDiff:
    previous_rows = list(previous_rows or [])
    current_rows = list(current_rows or [])
    matcher = _RowMatcher(table.row_key, previous_rows)
    matches = matcher.match(current_rows)
    rows: list[RowDiff] = []
    for current_index, row in enumerate(current_rows):
        if current_index in matches:
            previous_index, how = matches[current_index]
            before = previous_rows[previous_index]
            cells = [_cell(column, before.get(column.key), row.get(column.key)) for column in table.columns]
            status = CHANGED if any(cell.changed for cell in cells) else UNCHANGED
            rows.append(RowDiff(status, _row_id(row), _row_id(before), how, cells))
        else:
            cells = [_cell(column, None, row.get(column.key)) for column in table.columns]
            rows.append(RowDiff(ADDED, _row_id(row), "", "", cells))
    for previous_index in sorted(matcher.free):
        before = previous_rows[previous_index]
        cells = [_cell(column, before.get(column.key), None) for column in table.columns]
        rows.append(RowDiff(REMOVED, _row_id(before), _row_id(before), "", cells))
    return TableDiff(key=table.key, label=table.label, columns=table.columns, rows=rows)


def _row_id(row: dict) -> str:
    return str(row.get("_id") or "")


class _RowMatcher:
    """Pairs each current row with the previous row it continues: 1. same id and same key, 2. same key,
    3. same id (the key was edited). A previous row is paired once at most; those left ``free`` were removed."""

    def __init__(self, key_column: Column, previous_rows: list[dict]) -> None:
        self.key_column = key_column
        self.previous_rows = previous_rows
        self.free = set(range(len(previous_rows)))
        self.ids: dict[str, list[int]] = defaultdict(list)
        self.keys: dict[str, list[int]] = defaultdict(list)
        for index, row in enumerate(previous_rows):
            if _row_id(row):
                self.ids[_row_id(row)].append(index)
            self.keys[self.key(row)].append(index)

    def key(self, row: dict) -> str:
        return _key(row.get(self.key_column.key))

    def take(self, candidates: list[int], accept: Callable[[int], bool] = lambda index: True) -> int | None:
        """The first free previous row among ``candidates`` that ``accept`` takes, now paired."""
        for index in candidates:
            if index in self.free and accept(index):
                self.free.discard(index)
                return index
        return None

    def match(self, current_rows: list[dict]) -> dict[int, tuple[int, str]]:
        """Current index → (previous index, how: "id" or "key"), for the current rows that continue one."""
        matches: dict[int, tuple[int, str]] = {}
        for current_index, row in enumerate(current_rows):
            found = self.take(
                self.ids.get(_row_id(row), []), lambda i, row=row: self.key(self.previous_rows[i]) == self.key(row)
            )
            if found is not None:
                matches[current_index] = (found, "id")
        for current_index, row in enumerate(current_rows):
            if current_index not in matches and self.key(row):
                found = self.take(self.keys.get(self.key(row), []))
                if found is not None:
                    matches[current_index] = (found, "key")
        for current_index, row in enumerate(current_rows):
            if current_index not in matches and _row_id(row):
                found = self.take(self.ids.get(_row_id(row), []))
                if found is not None:
                    matches[current_index] = (found, "id")
        return matches


# --- Narrative text ------------------------------------------------------------------------------
_TOKENS = re.compile(r"\w+|\s+|[^\w\s]")  # words, spaces, each punctuation mark


def inline_diff(before: str, after: str) -> SafeString:
    """``after`` with what was inserted wrapped in ``<ins>`` and what was deleted in ``<del>``.

    Lines are compared first; lines replaced by others are compared word by word. Every piece of
    text is escaped before it is wrapped, so the result is safe to insert into a page."""
    before_lines = before.splitlines(keepends=True)
    after_lines = after.splitlines(keepends=True)
    out: list[str] = []
    # Lines compare without their line break: the last line gaining one is no change.
    matcher = SequenceMatcher(
        None, [line.rstrip("\n") for line in before_lines], [line.rstrip("\n") for line in after_lines], autojunk=False
    )
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        old, new = "".join(before_lines[i1:i2]), "".join(after_lines[j1:j2])
        if op == "equal":
            out.append(escape(new))
        elif op == "delete":
            out.append(_mark("del", old))
        elif op == "insert":
            out.append(_mark("ins", new))
        else:
            out.append(_word_diff(old, new))
    return mark_safe("".join(out))  # noqa: S308 - every piece above is escaped


def _word_diff(before: str, after: str) -> str:
    old, new = _TOKENS.findall(before), _TOKENS.findall(after)
    out: list[str] = []
    matcher = SequenceMatcher(lambda token: token.isspace(), old, new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out.append(escape("".join(new[j1:j2])))
            continue
        if i2 > i1:
            out.append(_mark("del", "".join(old[i1:i2])))
        if j2 > j1:
            out.append(_mark("ins", "".join(new[j1:j2])))
    return "".join(out)


def _mark(tag: str, text: str) -> str:
    if not text:
        return ""
    # <ins> and <del> are silent in most screen readers: say what they mean.
    label = _("inserted:") if tag == "ins" else _("deleted:")
    return f'<{tag}><span class="visually-hidden">[{escape(label)}] </span>{escape(text)}</{tag}>'


# --- Labels and values ----------------------------------------------------------------------------
def choice_label(choice: str, since: int | None = None) -> str:
    if choice == Choice.CHANGED:
        return _("Information provided")
    if choice == Choice.UNCHANGED:
        if since:
            return _("Unchanged since the report for %(year)s") % {"year": since}
        return _("Unchanged")
    if choice == Choice.NOT_APPLICABLE:
        return _("Not applicable")
    return _("Not answered")


def display_value(column: Column, value: Any) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        return ""
    if column.type == "boolean" or isinstance(value, bool):
        truthy = value if isinstance(value, bool) else str(value).strip().lower() in {"1", "true", "yes", "on", "y"}
        return _("Yes") if truthy else _("No")
    if column.choices:
        return str(dict(column.choices).get(str(value), value))
    if column.type in _NUMERIC_TYPES:
        value = _grouped(value)
    if column.type == "area":
        return _("%(value)s m²") % {"value": value}
    return str(value).strip()


def _grouped(value: Any) -> str:
    """Numbers of five digits or more with the reader's thousands separator (years stay 2021)."""
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return str(value).strip()
    if abs(number) < 10_000:
        return str(value).strip()
    return number_format(number, force_grouping=True)


def anchor_part(value: str) -> str:
    """A fragment of an HTML id from any text (row ids come from user content)."""
    return re.sub(r"[^A-Za-z0-9_-]", "-", str(value)) or "-"


def _cell(column: Column, before: Any, after: Any) -> CellDiff:
    return CellDiff(
        key=column.key,
        label=column.label,
        before=display_value(column, before),
        after=display_value(column, after),
        changed=_comparable(column, before) != _comparable(column, after),
        numeric=column.type in _NUMERIC_TYPES,
    )


def _comparable(column: Column, value: Any) -> Any:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip()
    if column.type in _NUMERIC_TYPES:
        try:
            return Decimal(text).normalize()
        except InvalidOperation:
            return text
    return text.replace("\r\n", "\n")


def _key(value: Any) -> str:
    return " ".join(str(value if value is not None else "").split()).casefold()


def _text(value: Any) -> str:
    return "" if value is None else str(value).replace("\r\n", "\n")


def _year(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _applies(choice: str) -> str:
    return "provided" if choice in (Choice.CHANGED, Choice.UNCHANGED) else choice
