"""Reads on the national reporting teams for the ISU: how far each State's team is with the reports it is
preparing (an aggregate: counts and dates, never who nor what is written), and who was given each form of a
report under review.

Each read runs a fixed number of queries however many reports, States and forms there are.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Min, Q

from parties.names import sort_key
from reporting.models import EDITABLE_STATUSES, AssignmentStatus, FormAssignment, Report


@dataclass(frozen=True, slots=True)
class TeamProgress:
    """One report a State's team is working on, as the ISU sees it: figures only."""

    report: Report
    assigned: int  # forms given to contributors
    ready: int  # of which ready for the focal point
    returned: int  # of which returned to their contributor
    overdue: int  # past their internal due date and not ready (FormAssignment.is_overdue)
    next_due: dt.date | None  # the nearest internal due date of a form not yet ready
    contributors: int


def team_progress(*, today: dt.date) -> list[TeamProgress]:
    """Every report still being prepared (draft, changes requested) with at least one form given to a
    contributor, the one due first first, then by State name in the reader's language. One query."""
    not_ready = ~Q(assignments__status=AssignmentStatus.READY)
    reports = (
        Report.objects.filter(status__in=EDITABLE_STATUSES)
        .select_related("state")
        .defer("draft")  # the working copy is the State's: not read here at all
        .annotate(
            assigned=Count("assignments"),
            ready=Count("assignments", filter=Q(assignments__status=AssignmentStatus.READY)),
            returned=Count("assignments", filter=Q(assignments__status=AssignmentStatus.RETURNED)),
            overdue=Count("assignments", filter=not_ready & Q(assignments__due_on__lt=today)),
            next_due=Min("assignments__due_on", filter=not_ready),
            contributors=Count("assignments__contributor", distinct=True),
        )
        .filter(assigned__gt=0)
        .order_by()
    )
    rows = [
        TeamProgress(
            report=report,
            assigned=report.assigned,
            ready=report.ready,
            returned=report.returned,
            overdue=report.overdue,
            next_due=report.next_due,
            contributors=report.contributors,
        )
        for report in reports
    ]
    return sorted(rows, key=lambda row: (row.report.due_date or dt.date.max, sort_key(row.report.state.local_name)))


def form_contributors(report: Report) -> dict[str, FormAssignment]:
    """Who the State's focal point gave each form of ``report`` to (by form code, with the contributor loaded);
    a form not in it is the focal point's own. One query."""
    given = (
        FormAssignment.objects.filter(report=report)
        .select_related("contributor")
        .only(
            "form_code", "status", "contributor", *(f"contributor__{f}" for f in ("full_name", "email", "organization"))
        )
    )
    return {assignment.form_code: assignment for assignment in given}
