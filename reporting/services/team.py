"""Giving the forms of a report to the State's national contributors, with internal due dates.

The focal point decides (``reporting.access.may_assign``); each form goes to at most one contributor of the
report's State, who must be on the State's team (active). A change leaves an audit entry on the report, naming
the form and what changed (contributor, due date), so the report's history says who was given what, when, by
whom. What contributors then do with their forms is the editor's, with the same checks and conflict refusal.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from audit import services as audit
from reporting import access
from reporting.models import AssignmentStatus, FormAssignment, Report
from reporting.services.workflow import lock


def _who(user: Any) -> str | None:
    return user.email if user is not None else None


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
        current = FormAssignment.objects.create(
            report=report, form_code=form_code, contributor=contributor, due_on=due_on, assigned_by=actor
        )
    else:
        if current.contributor_id != contributor.pk:
            current.status = AssignmentStatus.IN_PROGRESS  # a new contributor starts the form's work afresh
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
