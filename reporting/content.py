"""Reading a report's content for the writes and the pages: its validation, what changed between two
contents (the audit's change paths, and the places they name for people), which forms are the same as in
the report it started from, and the suggestions the editor shows when a form's choice and content disagree."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from reporting import formats
from reporting.formats import Choice
from reporting.models import Report


def _keys(old: dict[str, Any], new: dict[str, Any], *, without: frozenset[str] = frozenset()) -> list[str]:
    return sorted((set(old) | set(new)) - without)


def _compare(
    changes: dict[str, list[Any]], prefix: str, old: dict[str, Any], new: dict[str, Any], keys: Iterable[str]
) -> None:
    """Record ``<prefix>.<key> → [before, after]`` for each of ``keys`` whose value differs."""
    for key in keys:
        if old.get(key) != new.get(key):
            changes[f"{prefix}.{key}"] = [old.get(key), new.get(key)]


def _table_changes(changes: dict[str, list[Any]], prefix: str, before: list | None, after: list | None) -> None:
    """A table's rows by id: a row added or removed as a whole, a kept row cell by cell."""
    rows_old = {str(r.get("_id")): r for r in before or []}
    rows_new = {str(r.get("_id")): r for r in after or []}
    for row_id in rows_old.keys() | rows_new.keys():
        path = f"{prefix}.{row_id}"
        a, b = rows_old.get(row_id), rows_new.get(row_id)
        if a is None or b is None:
            changes[path] = [a, b]
        else:
            _compare(changes, path, a, b, _keys(a, b, without=frozenset({"_id"})))


def _form_changes(changes: dict[str, list[Any]], code: str, old: dict[str, Any], new: dict[str, Any]) -> None:
    """One form's choice and statements, narratives and tables."""
    prefix = f"forms.{code}"
    _compare(changes, prefix, old, new, ("choice", "unchanged_since", "na_statement"))
    narratives_old, narratives_new = old.get("narratives") or {}, new.get("narratives") or {}
    _compare(changes, f"{prefix}.narratives", narratives_old, narratives_new, _keys(narratives_old, narratives_new))
    tables_old, tables_new = old.get("tables") or {}, new.get("tables") or {}
    for table in _keys(tables_old, tables_new):
        _table_changes(changes, f"{prefix}.tables.{table}", tables_old.get(table), tables_new.get(table))


def content_changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Each changed value as ``path → [before, after]``: cover fields, a form's choice or statement,
    a narrative, a table cell (``forms.B.tables.stockpile.<row>.munitions``), a row added or removed."""
    changes: dict[str, list[Any]] = {}
    cover_before, cover_after = before.get("cover") or {}, after.get("cover") or {}
    _compare(changes, "cover", cover_before, cover_after, _keys(cover_before, cover_after))
    forms_before, forms_after = before.get("forms") or {}, after.get("forms") or {}
    for code in _keys(forms_before, forms_after):
        _form_changes(changes, code, forms_before.get(code) or {}, forms_after.get(code) or {})
    return dict(sorted(changes.items()))


def places(paths: list[str] | dict[str, Any]) -> list[str]:
    """ "cover", "Form B"… from change paths, for people."""
    found = set()
    for path in paths:
        parts = path.split(".")
        found.add("cover" if parts[0] == "cover" else f"Form {parts[1]}" if len(parts) > 1 else path)
    return sorted(found)


def validation_for(report: Report, content: dict[str, Any] | None = None) -> formats.Validation:
    return formats.validate(
        report.format_version.spec,
        report.draft if content is None else content,
        initial=report.is_initial,
        period_year=report.period_year,
    )


def detect_unchanged(previous: dict[str, Any], current: dict[str, Any]) -> dict[str, bool]:
    """Which forms hold exactly the same narratives and rows as the previous report."""

    def comparable(form: dict[str, Any]) -> Any:
        tables = {
            key: sorted(
                ({k: v for k, v in row.items() if k != "_id"} for row in rows), key=lambda r: repr(sorted(r.items()))
            )
            for key, rows in (form.get("tables") or {}).items()
        }
        return (form.get("narratives") or {}, tables)

    return {
        code: comparable(form) == comparable((previous.get("forms") or {}).get(code) or {})
        for code, form in (current.get("forms") or {}).items()
    }


def choice_suggestions(report: Report, cleaned: dict[str, Any]) -> dict[str, str]:
    """For a report started from an accepted one: per form whose choice and content disagree, a
    suggestion in words ("this form now differs from 2024", "this form is the same as 2024"). Only
    ever shown: the focal point's choice is what is saved."""
    base = report.based_on
    if base is None:
        return {}
    same = detect_unchanged(base.content, cleaned)
    year = base.report.period_year or base.submitted_at.year
    out = {}
    for code, form in (cleaned.get("forms") or {}).items():
        choice = form.get("choice")
        base_form = (base.content.get("forms") or {}).get(code) or {}
        if base_form.get("choice") not in (Choice.CHANGED, Choice.UNCHANGED):
            continue  # the form did not apply then: nothing to compare with
        if choice == Choice.UNCHANGED and not same.get(code):
            out[code] = _(
                "Form %(code)s now differs from the accepted report for %(year)s. If the change is meant, "
                "choose “Changed”; otherwise undo it."
            ) % {"code": code, "year": year}
        elif choice == Choice.CHANGED and same.get(code):
            since = base_form.get("unchanged_since") if base_form.get("choice") == Choice.UNCHANGED else None
            out[code] = _(
                "Form %(code)s is the same as in the accepted report for %(year)s: “Unchanged since %(since)s” "
                "may apply."
            ) % {"code": code, "year": year, "since": since or year}
    return out
