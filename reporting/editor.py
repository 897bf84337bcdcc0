"""The editor: turns the cover page and the forms A–J of a report's content into the editing page's inputs
and back (the posted page into content, the revision it was loaded at), says where a review comment points,
and gives the read-only sections every rendering of a version shows (a version's page, the archive, the PDF).

Report content is a JSON document whose shape comes from the format definition (see
``reporting.formats``); the editor reads and writes it without knowing any form or field by
name. Drafts keep exactly what was typed: nothing here validates cell values — the format's
``validate()`` does, and its errors (keyed by path) are shown next to the cell they concern.
How one stored value reads (numbers, areas, dates, a table as stored) is ``reporting.display``.

Input names:

* cover page field ``c-<key>``;
* a form's choice ``f-<code>-choice`` (``changed`` / ``unchanged`` / ``not_applicable``), the
  year it is unchanged since ``f-<code>-since`` and the not-applicable statement ``f-<code>-na``;
  ``f-<code>-shown`` marks that the page carried these inputs;
* narrative ``n-<key>``;
* table cell ``t-<table>-<rowid>-<column>``, and one hidden ``t-<table>-_id`` per row giving
  the row ids in order. Submit buttons ``add_row=<table>`` and ``delete_row=<table>:<rowid>``
  add and delete rows without JavaScript.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext as _

from ccm_portal.core import clock
from reporting import formats as fmt
from reporting.display import TRUE_VALUES, format_area, format_cell, read_only_table
from reporting.formats import Choice, Column, FormatDefinition, FormDef, Table, new_row_id

ROW_ID = re.compile(r"^[A-Za-z0-9_]{1,40}$")


# --- Reading the editor's POST into report content -------------------------------------------
# A value the page showed and the browser sent back untouched keeps what is stored, exactly (its
# type, its line breaks, a key that was absent stays absent): opening an editor and saving without a
# change never alters the report. Only a value the user changed is replaced by what was typed.
def _lf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _text(post: QueryDict, name: str) -> str:
    return _lf(post.get(name) or "")


def _posted(post: QueryDict, name: str) -> str | None:
    value = post.get(name)
    return None if value is None else _lf(value)


def _shown(value: Any) -> str:
    """The text an input shows for a stored value."""
    return "" if value is None or isinstance(value, bool) else str(value)


def _as_sent_back(text: str, kind: str) -> str:
    """What a browser sends back for a value the page showed, untouched: line breaks as LF (the HTML
    parser and form submission normalise them), none in one-line inputs, an e-mail field trimmed."""
    text = _lf(text)
    if kind in ("line", "email"):
        text = text.replace("\n", "")
    if kind == "email":
        text = text.strip(" \t\n\f\r")
    return text


def _untouched(posted: str | None, stored: Any, kind: str) -> bool:
    return posted is None or posted == _as_sent_back(_shown(stored), kind)


def _cell_kind(column: Column) -> str:
    if column.type in {"choice", "qualifier"}:
        return "select"
    return "email" if column.type == "email" else "line"


def _checked(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() in TRUE_VALUES)


def apply_cover_post(post: QueryDict, spec: FormatDefinition, content: dict[str, Any]) -> None:
    cover = content.get("cover")
    for column in spec.cover:
        posted = _posted(post, f"c-{column.key}")
        stored = (cover or {}).get(column.key)
        kind = {"email": "email", "longtext": "text"}.get(column.type, "line")
        if _untouched(posted, stored, kind):
            continue
        if cover is None:
            cover = content["cover"] = {}
        cover[column.key] = posted


def apply_choice_post(post: QueryDict, form: FormDef, data: dict[str, Any]) -> None:
    """The form's choice as posted; nothing changes when the page did not carry the inputs."""
    prefix = f"f-{form.code}"
    if f"{prefix}-shown" not in post:
        return
    choice = _posted(post, f"{prefix}-choice")
    if not _untouched(choice, data.get("choice") or "", "line"):
        data["choice"] = choice.strip()
    since = _posted(post, f"{prefix}-since")
    if not _untouched(since, data.get("unchanged_since"), "line"):
        since = since.strip()
        # Kept as typed when it is not a year, so that the error shows next to what was typed.
        data["unchanged_since"] = int(since) if since.isdigit() else (since or None)
    statement = _posted(post, f"{prefix}-na")
    if not _untouched(statement, data.get("na_statement") or "", "line"):
        data["na_statement"] = statement.strip()


def row_tokens(rows: list[Any]) -> list[str]:
    """The name each stored row has on the editing page: its id when the id can name an input (the
    pattern, first use in the table), otherwise a stand-in made from its place and its id, so that
    every row is shown and saved back whatever id it was stored with."""
    taken = {r.get("_id") for r in rows if isinstance(r, dict) and isinstance(r.get("_id"), str)}
    seen: set[str] = set()
    tokens = []
    for index, row in enumerate(rows):
        row_id = row.get("_id") if isinstance(row, dict) else None
        if isinstance(row_id, str) and ROW_ID.match(row_id) and row_id not in seen:
            token = row_id
        else:
            digest = hashlib.sha256(json.dumps([index, row_id], sort_keys=True).encode()).hexdigest()[:12]
            token, n = f"x{digest}", 0
            while token in taken or token in seen:
                n += 1
                token = f"x{digest}_{n}"
        seen.add(token)
        tokens.append(token)
    return tokens


def _posted_row(post: QueryDict, table: Table, token: str, stored: dict[str, Any] | None) -> dict[str, Any]:
    row: dict[str, Any] = dict(stored) if stored is not None else {"_id": token}
    for column in table.columns:
        name = f"t-{table.key}-{token}-{column.key}"
        value = stored.get(column.key) if stored is not None else None
        if column.type == "boolean":
            # An unticked box is "not said", not "no": an untouched row stays empty.
            ticked = (post.get(name) or "").lower() in TRUE_VALUES
            if stored is None or ticked != _checked(value):
                row[column.key] = True if ticked else ""
            continue
        posted = _posted(post, name)
        if stored is None:
            row[column.key] = posted or ""
        elif not _untouched(posted, value, _cell_kind(column)):
            row[column.key] = posted
    return row


def apply_form_post(post: QueryDict, form: FormDef, data: dict[str, Any]) -> None:
    """Narratives and table rows of one form as posted, in the order posted."""
    apply_choice_post(post, form, data)
    for narrative in form.narratives:
        posted = _posted(post, f"n-{narrative.key}")
        if _untouched(posted, (data.get("narratives") or {}).get(narrative.key), "text"):
            continue
        if not isinstance(data.get("narratives"), dict):
            data["narratives"] = {}
        data["narratives"][narrative.key] = posted
    for table in form.tables:
        stored_rows = (data.get("tables") or {}).get(table.key) or []
        by_token = dict(zip(row_tokens(stored_rows), stored_rows, strict=True))
        rows = []
        seen = set()
        for token in post.getlist(f"t-{table.key}-_id"):
            if token in seen or (token not in by_token and not ROW_ID.match(token)):
                continue
            seen.add(token)
            rows.append(_posted_row(post, table, token, by_token.get(token)))
        if rows == stored_rows:
            continue  # untouched: the stored list stays as it is (even when absent or empty)
        if not isinstance(data.get("tables"), dict):
            data["tables"] = {}
        data["tables"][table.key] = rows


def apply_row_action(post: QueryDict, form: FormDef, data: dict[str, Any]) -> str:
    """Add or delete a row when one of those buttons was pressed; returns the place to show next
    (an element id), or "" for a plain save."""
    add = post.get("add_row")
    if add and any(t.key == add for t in form.tables):
        table = form.table(add)
        row_id = new_row_id()
        tables = data.setdefault("tables", {})
        tables[add] = [*(tables.get(add) or []), {"_id": row_id, **{c.key: "" for c in table.columns}}]
        return f"row-{row_id}"
    delete = post.get("delete_row") or ""
    key, _sep, token = delete.partition(":")
    if key and any(t.key == key for t in form.tables):
        tables = data.setdefault("tables", {})
        rows = tables.get(key) or []
        tables[key] = [row for row, name in zip(rows, row_tokens(rows), strict=True) if name != token]
        return f"table-{key}"
    return ""


def parse_revision(post: QueryDict) -> int:
    """The revision the page was loaded at; -1 (always a conflict) when missing or garbled."""
    try:
        return int(post.get("revision", ""))
    except ValueError:
        return -1


# --- Building the editor ----------------------------------------------------------------------
def _errors_for(errors: dict[str, str], prefix: str) -> dict[str, str]:
    return {path: message for path, message in errors.items() if path.startswith(prefix)}


def choice_editor(
    form: FormDef, data: dict[str, Any], errors: dict[str, str], *, initial: bool, period_year: int | None
) -> dict[str, Any]:
    path = f"forms.{form.code}"
    since = data.get("unchanged_since")
    return {
        "code": form.code,
        "title": form.title,
        "prefix": f"f-{form.code}",
        "choice": data.get("choice") or "",
        "since": "" if since is None else str(since),
        "since_placeholder": str((period_year or clock.today().year) - 1),
        "na_statement": data.get("na_statement") or "",
        "nil_statement": form.nil_statement,
        "allows_na": form.allows_not_applicable,
        "allows_unchanged": not initial,
        "initial": initial,
        "choice_error": errors.get(f"{path}.choice", ""),
        "since_error": errors.get(f"{path}.unchanged_since", ""),
        "na_error": errors.get(f"{path}.na_statement", ""),
    }


def cover_editor(spec: FormatDefinition, content: dict[str, Any], errors: dict[str, str]) -> list[dict[str, Any]]:
    cover = content.get("cover") or {}
    fields = []
    for column in spec.cover:
        value = cover.get(column.key)
        fields.append(
            {
                "column": column,
                "name": f"c-{column.key}",
                "id": f"c-{column.key}",
                "path": f"cover.{column.key}",
                "value": "" if value is None else str(value),
                "error": errors.get(f"cover.{column.key}", ""),
                "input_type": "email" if column.type == "email" else "text",
            }
        )
    return fields


def _row_label(table: Table, row: dict[str, Any], number: int) -> str:
    key_value = str(row.get(table.row_key.key) or "").strip()
    if table.row_key.type in {"choice", "qualifier"}:
        key_value = dict(table.row_key.choices).get(key_value, key_value)
    if key_value:
        return _("row %(n)s, %(key)s") % {"n": number, "key": key_value[:60]}
    return _("row %(n)s") % {"n": number}


def _iso_date(text: str) -> bool:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return False
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _cell_input(column: Column, value: Any) -> tuple[str, str]:
    """(HTML input type, inputmode) for a cell; a date that is not exactly YYYY-MM-DD stays text,
    since a date field empties what it cannot read, and nothing typed may disappear from the field."""
    if column.type == "date":
        text = _shown(value)
        return ("date", "") if not text or _iso_date(text) else ("text", "")
    if column.type == "integer":
        return "text", "numeric"
    if column.type in {"area", "money"}:
        return "text", "decimal"
    if column.type == "email":
        return "email", ""
    return "text", ""


def table_editor(
    form: FormDef,
    table: Table,
    rows: list[dict[str, Any]],
    errors: dict[str, str],
    cleaned_rows: list[dict[str, Any]],
    comments: dict[tuple[str, str], list[Any]],
) -> dict[str, Any]:
    base = f"forms.{form.code}.tables.{table.key}"
    cleaned_by_id = {str(r.get("_id")): r for r in cleaned_rows}
    columns = [
        {
            "column": c,
            "help_id": f"help-{table.key}-{c.key}" if c.help else "",
            "wide": c.type in {"text", "longtext"} and (c.max_length or 0) >= 500,
        }
        for c in table.columns
    ]
    out_rows = []
    # Every stored row is shown, whatever its id: a row the page could not carry would be lost on save.
    for number, (row, token) in enumerate(zip(rows, row_tokens(rows), strict=True), start=1):
        row_id = str(row.get("_id") or "")  # as validation and review comments name the row
        label = _row_label(table, row, number)
        cleaned = cleaned_by_id.get(row_id) or {}
        cells = []
        for meta in columns:
            column = meta["column"]
            value = row.get(column.key)
            path = f"{base}.{row_id}.{column.key}"
            input_type, inputmode = _cell_input(column, value)
            shown = _shown(value)
            listed = {choice for choice, _label in column.choices}
            cell = {
                "column": column,
                "name": f"t-{table.key}-{token}-{column.key}",
                "path": path,
                "value": shown,
                "checked": _checked(value),
                # A stored value that is not one of the options stays selected, so that it is kept.
                "extra_option": shown if column.choices and shown and shown not in listed else "",
                "error": errors.get(path, ""),
                "input_type": input_type,
                "inputmode": inputmode,
                "help_id": meta["help_id"],
                "note": "",
            }
            if column.type == "area" and not cell["error"] and cleaned.get(column.key) not in (None, ""):
                cell["note"] = _("Stored as %(area)s") % {"area": format_area(cleaned[column.key])}
            cells.append(cell)
        out_rows.append(
            {
                "id": token,
                "number": number,
                "label": label,
                "cells": cells,
                "comments": comments.get((table.key, row_id), []),
                "row_id": row_id,
                "has_error": any(c["error"] for c in cells),
            }
        )
    known = {r["row_id"] for r in out_rows}
    orphan_comments = [c for (key, row_id), items in comments.items() if key == table.key for c in items if row_id]
    orphan_comments = [c for c in orphan_comments if c.row_id not in known]
    return {
        "key": table.key,
        "label": table.label,
        "columns": columns,
        "helps": [m for m in columns if m["help_id"]],
        "rows": out_rows,
        "comments": comments.get((table.key, ""), []) + orphan_comments,
        "error_count": sum(1 for path in errors if path.startswith(base + ".")),
    }


def form_editor(
    form: FormDef,
    data: dict[str, Any],
    errors: dict[str, str],
    cleaned: dict[str, Any],
    comments: list[Any],
    *,
    initial: bool,
    period_year: int | None,
) -> dict[str, Any]:
    """Everything the template needs to show one form's inputs, errors and comments."""
    by_place: dict[tuple[str, str], list[Any]] = {}
    for comment in comments:
        by_place.setdefault((comment.field_key, comment.row_id), []).append(comment)
    narratives = []
    for narrative in form.narratives:
        path = f"forms.{form.code}.narratives.{narrative.key}"
        value = (data.get("narratives") or {}).get(narrative.key)
        narratives.append(
            {
                "column": narrative,
                "name": f"n-{narrative.key}",
                "id": f"n-{narrative.key}",
                "path": path,
                "value": "" if value is None else str(value),
                "error": errors.get(path, ""),
                "comments": by_place.get((narrative.key, ""), []),
            }
        )
    cleaned_tables = cleaned.get("tables") or {}
    tables = [
        table_editor(
            form,
            table,
            (data.get("tables") or {}).get(table.key) or [],
            errors,
            cleaned_tables.get(table.key) or [],
            by_place,
        )
        for table in form.tables
    ]
    return {
        "choice": choice_editor(form, data, errors, initial=initial, period_year=period_year),
        "narratives": narratives,
        "tables": tables,
        "form_comments": by_place.get(("", ""), []) + by_place.get(("choice", ""), []),
    }


def error_links(form: FormDef, editor: dict[str, Any], *, choice_anchor: str) -> list[dict[str, Any]]:
    """The error summary of one form page, in page order: each error linked to its input, grouped
    under the table it is in (``title`` is empty for the choice and the narratives)."""
    links = []
    choice = editor["choice"]
    for key, anchor in (
        ("choice_error", choice_anchor),
        ("since_error", f"{choice['prefix']}-since"),
        ("na_error", f"{choice['prefix']}-na"),
    ):
        if choice[key]:
            links.append({"href": anchor, "text": choice[key]})
    for narrative in editor["narratives"]:
        if narrative["error"]:
            links.append({"href": narrative["id"], "text": f"{narrative['column'].label}: {narrative['error']}"})
    groups = [{"title": "", "links": links}] if links else []
    for table in editor["tables"]:
        table_links = [
            {
                "href": cell["name"],
                "text": _("%(row)s, %(column)s: %(error)s")
                % {"row": row["label"].capitalize(), "column": cell["column"].label, "error": cell["error"]},
            }
            for row in table["rows"]
            for cell in row["cells"]
            if cell["error"]
        ]
        if table_links:
            groups.append({"title": table["label"], "links": table_links})
    return groups


def comment_place(comment: Any, spec: FormatDefinition, content: dict[str, Any]) -> dict[str, str]:
    """Where a review comment points, in words, and the element id on the editing page."""
    code, key, row_id = comment.form_code, comment.field_key, comment.row_id
    if not code:
        return {"label": _("The whole report"), "form": "", "anchor": ""}
    if code == "cover":
        return {"label": _("Cover page"), "form": "cover", "anchor": f"c-{key}" if key else ""}
    try:
        form = spec.form(code)
    except KeyError:
        return {"label": _("Form %(code)s") % {"code": code}, "form": "", "anchor": ""}
    parts = [_("Form %(code)s") % {"code": code}]
    anchor = ""
    if key == "choice":
        parts.append(_("changed, unchanged or not applicable"))
        anchor = f"f-{code}-choice"
    elif any(n.key == key for n in form.narratives):
        parts.append(next(n.label for n in form.narratives if n.key == key))
        anchor = f"n-{key}"
    elif any(t.key == key for t in form.tables):
        table = form.table(key)
        parts.append(table.label)
        anchor = f"table-{key}"
        if row_id:
            rows = ((content.get("forms") or {}).get(code) or {}).get("tables", {}).get(key) or []
            index = next((i for i, row in enumerate(rows, start=1) if str(row.get("_id")) == row_id), None)
            if index is None:
                parts.append(_("a row no longer in the draft"))
            else:
                parts.append(_row_label(table, rows[index - 1], index))
                anchor = f"row-{row_id}"
    return {"label": " · ".join(parts), "form": code, "anchor": anchor}


def place_choices(form: FormDef, data: dict[str, Any]) -> list[tuple[str, str]]:
    """The places of a form a note can point to, as ``("field_key|row_id", label)``: the form as a whole, its
    choice, each narrative, each table and each of its rows (as the draft now holds them)."""
    choices = [("|", _("Form %(code)s as a whole") % {"code": form.code})]
    choices.append(("choice|", _("Changed, unchanged or not applicable")))
    choices += [(f"{narrative.key}|", narrative.label) for narrative in form.narratives]
    for table in form.tables:
        choices.append((f"{table.key}|", table.label))
        rows = (data.get("tables") or {}).get(table.key) or []
        choices += [
            (f"{table.key}|{row['_id']}", f"{table.label} · {_row_label(table, row, number)}")
            for number, row in enumerate(rows, start=1)
            if row.get("_id")
        ]
    return choices


def choice_summary(form: FormDef, data: dict[str, Any], *, initial: bool) -> dict[str, Any]:
    """What the cover page says of a form, in words."""
    choice = data.get("choice") or ""
    if choice == Choice.CHANGED:
        label = _("Given in full") if initial else _("Changed")
        return {"key": "changed", "label": label, "detail": ""}
    if choice == Choice.UNCHANGED:
        since = data.get("unchanged_since")
        label = _("Unchanged since %(year)s") % {"year": since} if since not in (None, "") else _("Unchanged")
        return {"key": "unchanged", "label": label, "detail": ""}
    if choice == Choice.NOT_APPLICABLE:
        return {"key": "not_applicable", "label": _("Not applicable"), "detail": data.get("na_statement") or ""}
    return {"key": "", "label": _("Not yet said"), "detail": ""}


def read_only_sections(spec: FormatDefinition, content: dict[str, Any], *, initial: bool) -> dict[str, Any]:
    """The cover page and the forms of a report's content as every read-only rendering shows them
    (a version's page, the public archive, the PDF): each form with its cover-page choice, its
    written narratives and its tables, the empty ones apart."""
    cover = content.get("cover") or {}
    forms_out = []
    for form in spec.forms:
        data = (content.get("forms") or {}).get(form.code) or {}
        narratives = [
            {"label": n.label, "text": (data.get("narratives") or {}).get(n.key) or ""} for n in form.narratives
        ]
        tables = [read_only_table(t, (data.get("tables") or {}).get(t.key) or []) for t in form.tables]
        forms_out.append(
            {
                "code": form.code,
                "title": form.title,
                "items": ", ".join(f"({item})" for item in form.items),
                "choice": choice_summary(form, data, initial=initial),
                "since": data.get("unchanged_since") or "",
                "narratives": [n for n in narratives if n["text"]],
                "tables": [t for t in tables if t.rows],
                "empty_tables": [t for t in tables if not t.rows],
            }
        )
    return {
        # Personal data (e-mail, telephone) only if the State chose to publish it on the cover page.
        "cover": [{"label": c.label, "text": format_cell(c, value)} for c, value in fmt.published_cover(spec, cover)],
        "forms": forms_out,
    }
