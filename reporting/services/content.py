"""Reading a report's content for the writes and the pages: its validation, what changed between two
contents (the audit's change paths, and the places they name for people), which forms are the same as in
the report it started from, and the suggestions the editor shows when a form's choice and content disagree."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from reporting import formats
from reporting.formats import Choice
from reporting.models import Report


def content_changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Each changed value as ``path → [before, after]``: cover fields, a form's choice or statement,
    a narrative, a table cell (``forms.B.tables.stockpile.<row>.munitions``), a row added or removed."""
    changes: dict[str, list[Any]] = {}
    cover_before, cover_after = before.get("cover") or {}, after.get("cover") or {}
    for key in sorted(set(cover_before) | set(cover_after)):
        if cover_before.get(key) != cover_after.get(key):
            changes[f"cover.{key}"] = [cover_before.get(key), cover_after.get(key)]
    forms_before, forms_after = before.get("forms") or {}, after.get("forms") or {}
    for code in sorted(set(forms_before) | set(forms_after)):
        old, new = forms_before.get(code) or {}, forms_after.get(code) or {}
        for key in ("choice", "unchanged_since", "na_statement"):
            if old.get(key) != new.get(key):
                changes[f"forms.{code}.{key}"] = [old.get(key), new.get(key)]
        narratives_old, narratives_new = old.get("narratives") or {}, new.get("narratives") or {}
        for key in sorted(set(narratives_old) | set(narratives_new)):
            if narratives_old.get(key) != narratives_new.get(key):
                changes[f"forms.{code}.narratives.{key}"] = [narratives_old.get(key), narratives_new.get(key)]
        tables_old, tables_new = old.get("tables") or {}, new.get("tables") or {}
        for table in sorted(set(tables_old) | set(tables_new)):
            rows_old = {str(r.get("_id")): r for r in tables_old.get(table) or []}
            rows_new = {str(r.get("_id")): r for r in tables_new.get(table) or []}
            for row_id in rows_old.keys() | rows_new.keys():
                path = f"forms.{code}.tables.{table}.{row_id}"
                a, b = rows_old.get(row_id), rows_new.get(row_id)
                if a is None or b is None:
                    changes[path] = [a, b]
                    continue
                for column in sorted((set(a) | set(b)) - {"_id"}):
                    if a.get(column) != b.get(column):
                        changes[f"{path}.{column}"] = [a.get(column), b.get(column)]
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
