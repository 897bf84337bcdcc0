"""The Form I assistance rows of report versions, copied once out of their content (``ReportedAssistance``).

A version's content never changes after submission, so the copy never goes stale: the reconciliation copies the
versions it reads that have no copy yet (the first reader after a version is made pays for it, a year's reports
at a time) and reads the copies ever after. Derived data, not a change anyone made: no audit entry, and written
with ``bulk_create`` (which sends no signal), so it does not move the public data's version.
"""

from __future__ import annotations

from typing import Any

from assistance.models import ReportedAssistance
from reporting.formats import Choice
from reporting.models import ReportVersion

FORM = "I"
TABLE = "international"
KEPT = ("direction", "counterpart", "kind", "amount", "currency")


def international_rows(form: Any) -> list[dict]:
    """The assistance rows of a Form I that count: none when the form is marked not applicable (a leftover row
    states nothing); an "unchanged" form restates its rows for the year."""
    if not isinstance(form, dict) or form.get("choice") == Choice.NOT_APPLICABLE:
        return []
    rows = (form.get("tables") or {}).get(TABLE) or []
    return [{key: row.get(key) for key in KEPT} for row in rows if isinstance(row, dict)]


def copy_reported_assistance(version_ids: list[int]) -> dict[int, list[dict]]:
    """Copy the Form I rows of the versions ``version_ids`` (nil reports: none) and return them by version.
    Two queries: Form I alone out of each content, then one insert (a copy another request made meanwhile
    is kept: it is the same)."""
    if not version_ids:
        return {}
    copies = {
        pk: [] if is_nil else international_rows(form)
        for pk, is_nil, form in ReportVersion.objects.filter(pk__in=version_ids)
        .order_by()
        .values_list("pk", "is_nil", f"content__forms__{FORM}")
    }
    ReportedAssistance.objects.bulk_create(
        [ReportedAssistance(version_id=pk, rows=rows) for pk, rows in copies.items()], ignore_conflicts=True
    )
    return copies
