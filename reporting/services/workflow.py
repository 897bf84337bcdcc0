"""The steps every workflow write shares: lock the report, check who acts (through ``reporting.access``),
move the report's status with its audit entry, and the error a refused step raises."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import User
from audit import services as audit
from reporting import access
from reporting.models import Report


class InvalidTransition(ValidationError):
    pass


def lock(report: Report) -> Report:
    """``report`` again, locked for this transaction (with what the writes read)."""
    return (
        Report.objects.select_for_update(of=("self",))
        .select_related("state", "format_version", "based_on__report")
        .get(pk=report.pk)
    )


def require_focal_point(actor: User, report: Report) -> None:
    """The State's own focal point (``reporting.access.may_prepare``): submitting, recalling, correcting."""
    if not access.may_prepare(actor, report):
        raise PermissionDenied


def require_editor(actor: User, report: Report) -> None:
    """The working copy's editor (``reporting.access.may_edit``): the State's focal point, or the ISU
    while it enters the report from an original (``reporting.entry``)."""
    if not access.may_edit(actor, report):
        raise PermissionDenied


def require_reviewer(actor: User) -> None:
    """ISU staff with their second factor (``reporting.access.is_reviewer``)."""
    if not access.is_reviewer(actor):
        raise PermissionDenied


def set_status(report: Report, status: str, *, actor: User, action: str, **context: Any) -> None:
    before = report.status
    report.status = status
    report.status_changed_at = timezone.now()
    report.updated_by = actor
    report.save(update_fields=["status", "status_changed_at", "updated_by", "updated_at"])
    audit.record(actor=actor, action=action, obj=report, changes={"status": [before, status]}, context=context)
