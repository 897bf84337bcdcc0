"""Shared pieces for django-import-export resources: audited saves, strict widgets,
and a runner that applies a file all or nothing and names each bad cell."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import tablib
from django.utils.translation import gettext as _
from import_export import resources, widgets

from audit import services as audit


class StrictChoiceWidget(widgets.Widget):
    """Accepts a choice by its value or its English label, case-insensitively; anything else is an error."""

    def __init__(self, choices, **kwargs):
        super().__init__(**kwargs)
        self.lookup: dict[str, Any] = {}
        for value, label in choices:
            self.lookup[str(value).strip().lower()] = value
            self.lookup[str(label).strip().lower()] = value

    def clean(self, value, row=None, **kwargs):
        if value is None or str(value).strip() == "":
            return ""
        key = str(value).strip().lower()
        if key not in self.lookup:
            allowed = ", ".join(sorted({str(v) for v in self.lookup.values()}))
            raise ValueError(_("“%(value)s” is not one of: %(allowed)s.") % {"value": value, "allowed": allowed})
        return self.lookup[key]

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


def cell_text(row: Any, column: str) -> str:
    """A cell's text, stripped; an empty or missing cell is ""."""
    value = row.get(column)
    return "" if value is None else str(value).strip()


def stored_fields_equal(instance: Any, original: Any, *, ignore: frozenset[str] = frozenset({"id"})) -> bool:
    """Whether a row changes nothing stored: every concrete field but ``ignore`` equal to the stored row's.
    Resources that set fields import-export does not declare need this, as its own comparison (declared
    fields only) would skip a row whose only change is one of them."""
    if original is None or original.pk is None:
        return False
    names = [f.attname for f in instance._meta.concrete_fields if f.name not in ignore]
    return all(getattr(instance, name) == getattr(original, name) for name in names)


class AuditedModelResource(resources.ModelResource):
    """Every row an import creates or changes leaves an audit entry in the same transaction."""

    audit_action_prefix = ""

    def before_save_instance(self, instance, row, **kwargs):
        before = {}
        if instance.pk:
            stored = type(instance)._default_manager.filter(pk=instance.pk).first()
            before = audit.snapshot(stored) if stored else {}
        instance._audit_before = before

    def after_save_instance(self, instance, row, **kwargs):
        before = getattr(instance, "_audit_before", {})
        after = audit.snapshot(instance)
        changes = audit.diff(before, after)
        if not changes:
            return
        audit.record(
            actor=kwargs.get("user"),
            action=f"{self.audit_action_prefix}.{'imported' if not before else 'changed_by_import'}",
            obj=instance,
            changes=changes,
            context={"row": kwargs.get("row_number"), "file": kwargs.get("file_name", "")},
        )


@dataclass
class ImportOutcome:
    new: int = 0
    updated: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def describe_errors(result, *, file_label: str) -> list[str]:
    """One line per bad cell: file, row (data row and file line), column, message."""
    lines: list[str] = []
    for invalid in result.invalid_rows:
        for column, messages in invalid.error_dict.items():
            for message in messages:
                lines.append(
                    _("%(file)s, row %(row)s (line %(line)s), column “%(column)s”: %(message)s")
                    % {
                        "file": file_label,
                        "row": invalid.number,
                        "line": invalid.number + 1,
                        "column": column,
                        "message": message,
                    }
                )
    for number, row_errors in result.row_errors():
        for error in row_errors:
            lines.append(
                _("%(file)s, row %(row)s (line %(line)s): %(message)s")
                % {"file": file_label, "row": number, "line": number + 1, "message": error.error}
            )
    for error in result.base_errors:
        lines.append(_("%(file)s: %(message)s") % {"file": file_label, "message": error.error})
    return lines


def import_all_or_nothing(
    resource: resources.Resource, dataset: tablib.Dataset, *, file_label: str, actor=None, dry_run: bool = False
) -> ImportOutcome:
    """Import ``dataset``; on any error nothing is written and every bad cell is named."""
    result = resource.import_data(
        dataset,
        dry_run=dry_run,
        use_transactions=True,
        rollback_on_validation_errors=True,
        user=actor,
        file_name=file_label,
    )
    outcome = ImportOutcome(
        new=result.totals.get("new", 0), updated=result.totals.get("update", 0), skipped=result.totals.get("skip", 0)
    )
    # import_data ran in its own transaction (a savepoint when nested) and rolled it back on any error.
    outcome.errors = describe_errors(result, file_label=file_label)
    return outcome
