"""The national reporting team's internal due dates (forms of a report given to contributors by the State's focal
point, ``reporting.FormAssignment``) as this app reads them: the forms still to remind, the dates in a calendar
feed, and a user's page of reminders. Who sees whose forms is ``deadlines.access``'s (``internal_dates_of``);
each read here is one query, whatever the number of forms.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import User
from deadlines import access
from deadlines.calendar import Deadline
from deadlines.models import DeadlineKind, Reminder, internal_deadline_key
from reporting.models import EDITABLE_STATUSES, AssignmentStatus, FormAssignment


def deadline_key(assignment: FormAssignment) -> str:
    """The reminders' deadline key of a form given to a contributor (``deadlines.models.internal_deadline_key``).
    Needs the report and its State loaded."""
    return internal_deadline_key(
        iso3=assignment.report.state.iso3,
        assignment_id=assignment.pk,
        contributor_id=assignment.contributor_id,
        period=assignment.report.period_slug,
        form_code=assignment.form_code,
    )


def is_open(assignment: FormAssignment) -> bool:
    """Still to be reminded of: not ready for the focal point, and its report still being prepared."""
    return assignment.status != AssignmentStatus.READY and assignment.report.status in EDITABLE_STATUSES


def _open() -> QuerySet[FormAssignment]:
    """Forms with an internal due date, not ready, in reports still being prepared, given to a contributor who
    is still on their State's team (active, the report's State's)."""
    return FormAssignment.objects.filter(
        due_on__isnull=False,
        report__status__in=EDITABLE_STATUSES,
        contributor__in=User.objects.filter(access.contributors()),
        contributor__state_id=F("report__state_id"),
    ).exclude(status=AssignmentStatus.READY)


def to_remind(*, due_from: dt.date, due_until: dt.date) -> list[FormAssignment]:
    """The open forms due in [due_from, due_until], with their report, State and contributor. One query."""
    return list(
        _open()
        .filter(due_on__gte=due_from, due_on__lte=due_until)
        .select_related("report__state", "contributor")
        .order_by("due_on", "pk")
    )


def form_title(assignment: FormAssignment) -> str:
    """ "Form B: Stockpiles…" in the active language (the report's format, loaded with it)."""
    return assignment.report.format_version.spec.form(assignment.form_code).title


def internal_deadlines(user: Any, *, start: dt.date, end: dt.date) -> list[Deadline]:
    """The internal due dates ``user`` follows (``access.internal_dates_of``: a contributor's own forms), dated in
    [start, end], as calendar deadlines. One query (none for anyone else)."""
    found = (
        access.internal_dates_of(user)
        .filter(due_on__gte=start, due_on__lte=end)
        .select_related("report__state", "report__format_version")
        .order_by("due_on", "pk")
    )
    out = []
    for given in found:
        report = given.report
        title = _("Form %(form)s due (internal) — %(report)s") % {
            "form": given.form_code,
            "report": report.title,
        }
        out.append(
            Deadline(
                # The assignment's key, without its date: a date moved is the same event, moved.
                key=f"{report.state.iso3}:internal:{given.pk}",
                kind=DeadlineKind.INTERNAL,
                date=given.due_on,
                title=title,
                basis=_("%(form)s. Internal due date set by the State's focal point.") % {"form": form_title(given)},
                met=not is_open(given),
                url=reverse("reporting:report_form", args=[report.pk, given.form_code]),
            )
        )
    return out


@dataclass
class InternalRow:
    """One form on a user's reminders page: the form, its report, its date and the reminders sent about it."""

    assignment: FormAssignment
    report_title: str
    form_title: str
    url: str
    reminders: list[Reminder] = field(default_factory=list)


def internal_reminders(user: Any) -> list[InternalRow]:
    """The open forms ``user`` follows (a contributor's own), by due date, with the reminders recorded for ``user``
    about each. Two queries (none for anyone else)."""
    forms = list(
        access.internal_dates_of(user)
        .filter(due_on__isnull=False, report__status__in=EDITABLE_STATUSES)
        .exclude(status=AssignmentStatus.READY)
        .select_related("report__state", "report__format_version")
        .order_by("due_on", "pk")
    )
    if not forms:
        return []
    sent: dict[int, list[Reminder]] = defaultdict(list)
    for reminder in Reminder.objects.filter(
        recipient=user, deadline_kind=DeadlineKind.INTERNAL, assignment__in=[a.pk for a in forms]
    ).order_by("for_day", "offset_days"):
        sent[reminder.assignment_id].append(reminder)
    return [
        InternalRow(
            assignment=given,
            report_title=given.report.title,
            form_title=form_title(given),
            url=reverse("reporting:report_form", args=[given.report_id, given.form_code]),
            reminders=sent.get(given.pk, []),
        )
        for given in forms
    ]
