"""What the report pages share: a report's title, its status and outcome badges, whose page it is (the
State's, the ISU's or a reader's), whether the cover page is complete, and how times and form errors read.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import formats as l10n
from django.utils import timezone

from reporting import access
from reporting.formats import Choice, Validation
from reporting.models import Report, ReportStatus, VersionOutcome

STATUS_BADGES = {
    ReportStatus.DRAFT: "neutral",
    ReportStatus.SUBMITTED: "info",
    ReportStatus.UNDER_REVIEW: "info",
    ReportStatus.CHANGES_REQUESTED: "warning",
    ReportStatus.RESUBMITTED: "info",
    ReportStatus.ACCEPTED: "success",
    ReportStatus.PUBLISHED: "success",
}
OUTCOME_BADGES = {
    VersionOutcome.PENDING: "info",
    VersionOutcome.IN_REVIEW: "info",
    VersionOutcome.RECALLED: "neutral",
    VersionOutcome.CHANGES_REQUESTED: "warning",
    VersionOutcome.ACCEPTED: "success",
    VersionOutcome.SUPERSEDED: "neutral",
}


def page_mode(user: Any, report: Report) -> str:
    """Whose page this is: "owner" (the State's focal point), "reviewer" (the ISU) or "reader"."""
    if access.may_prepare(user, report):
        return "owner"
    return "reviewer" if access.is_reviewer(user) else "reader"


def time_of(value: Any) -> str:
    """A moment as the pages say it: its local time of day."""
    return l10n.time_format(timezone.localtime(value), "H:i")


def errors_text(form: forms.Form) -> str:
    """A form's errors as one sentence, for a message on the next page."""
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


def cover_complete(validation: Validation) -> bool:
    """The cover page is complete when its contact fields are and every form says whether it
    changed, is unchanged (since a valid year) or does not apply (with its statement)."""
    if validation.missing.get("cover") or any(path.startswith("cover.") for path in validation.errors):
        return False
    choices = {Choice.CHANGED, Choice.UNCHANGED, Choice.NOT_APPLICABLE}
    for code, form in validation.cleaned["forms"].items():
        if form.get("choice") not in choices:
            return False
        prefix = f"forms.{code}."
        if any(validation.errors.get(prefix + key) for key in ("choice", "unchanged_since", "na_statement")):
            return False
    return True
