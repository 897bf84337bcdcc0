"""Giving the forms of a report to the State's national contributors, with internal due dates.

The focal point decides (``reporting.access.may_assign``); each form goes to at most one contributor of the
report's State, who must be on the State's team (active). A change leaves an audit entry on the report, naming
the form and what changed (contributor, due date), so the report's history says who was given what, when, by
whom. What contributors then do with their forms is the editor's, with the same checks and conflict refusal.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit import services as audit
from ccm_portal.core.tasks import enqueue
from reporting import access
from reporting.models import AssignmentStatus, FormAssignment, FormNote, Report
from reporting.services.workflow import InvalidTransition, lock


def _who(user: Any) -> str | None:
    return user.email if user is not None else None


def _form_content(report: Report, form_code: str) -> dict[str, Any]:
    return copy.deepcopy(((report.draft or {}).get("forms") or {}).get(form_code) or {})


@transaction.atomic
def assign_form(
    *, report: Report, form_code: str, contributor: Any, due_on: dt.date | None, actor: Any
) -> FormAssignment | None:
    """Give Form ``form_code`` of ``report`` to ``contributor`` by ``due_on`` (``contributor`` None: to nobody,
    the focal point keeps it). Unchanged, nothing is written. The assignment as it now is, or None."""
    report = lock(report)
    if not access.may_assign(actor, report):
        raise PermissionDenied
    if form_code not in {form.code for form in report.format_version.source_spec.forms}:
        raise ValidationError(_("This report has no Form %(code)s.") % {"code": form_code})
    if contributor is not None and not (
        User.objects.filter(access.team_of(report.state)).filter(pk=contributor.pk).exists()
    ):
        raise ValidationError(
            {f"contributor-{form_code}": _("Give the form to someone on the State's national reporting team.")}
        )
    current = FormAssignment.objects.select_for_update().filter(report=report, form_code=form_code).first()
    before = {
        "contributor": _who(current.contributor) if current else None,
        "due_on": current.due_on.isoformat() if current and current.due_on else None,
    }
    after = {"contributor": _who(contributor), "due_on": due_on.isoformat() if contributor and due_on else None}
    if before == after:
        return current
    if contributor is None:
        current.delete()
        current = None
    elif current is None:
        # What the focal point will see as changed is measured from the form as it is when given.
        current = FormAssignment.objects.create(
            report=report,
            form_code=form_code,
            contributor=contributor,
            due_on=due_on,
            assigned_by=actor,
            seen_content=_form_content(report, form_code),
        )
    else:
        if current.contributor_id != contributor.pk:
            # A new contributor starts the form's work afresh, measured from the form as it now is.
            current.status, current.ready_at = AssignmentStatus.IN_PROGRESS, None
            current.seen_content, current.seen_at = _form_content(report, form_code), None
        current.contributor, current.due_on, current.assigned_by = contributor, due_on, actor
        current.save()
    audit.record(
        actor=actor,
        action="reporting.report.form_assigned",
        obj=report,
        changes={key: [before[key], after[key]] for key in before if before[key] != after[key]},
        context={"form": form_code},
    )
    return current


def _given(report: Report, form_code: str) -> FormAssignment:
    found = (
        FormAssignment.objects.select_for_update()
        .select_related("contributor")
        .filter(report=report, form_code=form_code)
    )
    assignment = found.first()
    if assignment is None:
        raise PermissionDenied
    return assignment


def _require_editable(report: Report) -> None:
    if not report.is_editable:
        raise InvalidTransition(
            _("This report is %(status)s and cannot be edited.") % {"status": report.get_status_display().lower()}
        )


def _set_status(assignment: FormAssignment, status: str, *, actor: Any, action: str, **context: Any) -> None:
    before = assignment.status
    assignment.status = status
    assignment.ready_at = timezone.now() if status == AssignmentStatus.READY else None
    assignment.save(update_fields=["status", "ready_at", "updated_at"])
    audit.record(
        actor=actor,
        action=action,
        obj=assignment.report,
        changes={"status": [before, status]},
        context={"form": assignment.form_code, **context},
    )


@transaction.atomic
def mark_ready(*, report: Report, form_code: str, actor: Any) -> FormAssignment:
    """The contributor hands Form ``form_code`` back: ready for the focal point, who is told. The contributor can
    no longer change it (``access.editable_forms``) unless it is returned; the notes it was returned with are
    settled."""
    report = lock(report)
    assignment = _given(report, form_code)
    if assignment.contributor_id != actor.pk or not access.contributes(actor):
        raise PermissionDenied
    _require_editable(report)
    if assignment.status == AssignmentStatus.READY:
        return assignment
    assignment.report = report
    _set_status(assignment, AssignmentStatus.READY, actor=actor, action="reporting.report.form_ready")
    assignment.notes.filter(resolved_at__isnull=True).update(resolved_at=timezone.now())
    enqueue("reporting.tasks.notify_team", assignment.pk, "form_ready", assignment.ready_at.isoformat())
    return assignment


@transaction.atomic
def return_form(
    *, report: Report, form_code: str, actor: Any, body: str, field_key: str = "", row_id: str = ""
) -> FormNote:
    """The focal point returns Form ``form_code`` to its contributor with a note on the form, a field or table
    (``field_key``) or a table's row (``row_id``); the contributor can change the form again and is told."""
    report = lock(report)
    if not access.may_assign(actor, report):
        raise PermissionDenied
    assignment = _given(report, form_code)
    if not body.strip():
        raise ValidationError({"body": _("Say what the contributor should look at again.")})
    form = report.format_version.source_spec.form(form_code)
    rows = {
        str(row.get("_id"))
        for row in ((_form_content(report, form_code).get("tables") or {}).get(field_key) or [])
        if row.get("_id")
    }
    if field_key not in form.place_keys or (row_id and row_id not in rows):
        raise ValidationError({"place": _("Choose a place in this form.")})
    assignment.report = report
    if assignment.status != AssignmentStatus.RETURNED:
        _set_status(assignment, AssignmentStatus.RETURNED, actor=actor, action="reporting.report.form_returned")
    note = FormNote.objects.create(
        assignment=assignment,
        form_code=form_code,
        field_key=field_key,
        row_id=row_id,
        body=body.strip(),
        author=actor,
    )
    audit.record(
        actor=actor,
        action="reporting.report.form_note_added",
        obj=report,
        changes={"note": [None, note.body]},
        context={"form": form_code, "field": field_key, "row": row_id, "note_id": note.pk},
    )
    enqueue("reporting.tasks.notify_team", assignment.pk, "form_returned", str(note.pk))
    return note


@transaction.atomic
def mark_seen(*, report: Report, form_code: str, actor: Any) -> FormAssignment:
    """The focal point has read what the contributor changed: the next look shows only what changes after now.
    A reading mark, not a change to the report (no audit entry)."""
    if not access.may_assign(actor, report):
        raise PermissionDenied
    report = lock(report)
    assignment = _given(report, form_code)
    assignment.seen_content = _form_content(report, form_code)
    assignment.seen_at = timezone.now()
    assignment.save(update_fields=["seen_content", "seen_at"])
    return assignment
