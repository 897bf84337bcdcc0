"""Reminders of the national reporting team's internal due dates: a form of a report given to a contributor by the
State's focal point (``reporting.FormAssignment``) is reminded to its contributor before its internal due date and,
once it has passed, to the contributor and the State's focal points, on the team's own schedule
(``ReminderSettings.team_days_before``, ``team_overdue_every_days``), until the form is ready.

The machinery is the treaty deadlines' (``deadlines.services``): one ``Reminder`` row per form, date, step and
recipient under a unique key, written before any e-mail is queued, sent in the same batches by the same task, so a
second run, a second beat or a redelivered batch sends nothing twice. The key names the assignment, its contributor
and its date, so a form given to someone else or given another date is reminded afresh. What changed after a
reminder was queued is checked when its batch sends it (``still_due``): a form since marked ready, taken back,
given to someone else or another date, or whose report was submitted, is not reminded ("no longer due").

The focal points get their own overdue notice (a row each) rather than a copy of the contributor's: each reads it in
their own language, an address that bounces or is unverified is seen per person, and the notice says whose form it
is. The ISU is not copied: the internal dates are the State's own, and never count among the treaty reminders
(effectiveness, digest)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from ccm_portal.core import links
from deadlines import access
from deadlines.models import DeadlineKind, Reminder, ReminderSettings
from deadlines.selectors import team as team_reads
from deadlines.services import queue

OVERDUE_FOR_AT_MOST = dt.timedelta(days=366)  # a form overdue for longer than a year is no longer reminded


def run_team_reminders(*, today: dt.date) -> dict[str, int]:
    """Record every internal reminder due on ``today`` (once: a unique key per form, date, step and recipient) and
    queue the ones that can go out, in the treaty reminders' batches. Safe to run any number of times, at once.
    Eight queries whatever the number of forms (the settings, the forms, the focal points, the verified addresses,
    the insert and the queued ones, in a transaction)."""
    rules = ReminderSettings.current()
    longest = max([*rules.team_days_before, 0])
    forms = [
        given
        for given in team_reads.to_remind(
            due_from=today - OVERDUE_FOR_AT_MOST, due_until=today + dt.timedelta(days=longest)
        )
        if rules.team_offset_is_due((today - given.due_on).days)
    ]
    overdue_states = {given.report.state_id for given in forms if given.due_on < today}
    focal_points: dict[int, list[User]] = defaultdict(list)
    if overdue_states:
        for user in User.objects.filter(access.reminded(), state_id__in=overdue_states).order_by("pk"):
            focal_points[user.state_id].append(user)
    people = {given.contributor for given in forms} | {u for users in focal_points.values() for u in users}
    verified = (
        set(EmailAddress.objects.filter(verified=True, user__in=people).values_list("user_id", "email"))
        if people
        else set()
    )
    rows = []
    for given in forms:
        offset = (today - given.due_on).days
        recipients = [given.contributor, *(focal_points.get(given.report.state_id, []) if offset > 0 else [])]
        key = team_reads.deadline_key(given)
        for user in recipients:
            rows.append(
                Reminder(
                    key=f"{key}@{given.due_on}|{offset}|{user.pk}",
                    deadline_key=key,
                    deadline_kind=DeadlineKind.INTERNAL,
                    deadline_date=given.due_on,
                    state_id=given.report.state_id,
                    offset_days=offset,
                    for_day=today,
                    recipient=user,
                    email=user.email,
                    assignment=given,
                    status=queue.initial_status(user, verified),
                )
            )
    if not rows:
        return {"forms": 0, "recorded": 0, "queued": 0}
    return {"forms": len(forms), "recorded": len(rows), "queued": queue.record_and_queue(rows, rules)}


def still_due(reminder: Reminder) -> bool:
    """Whether an internal reminder is still to be sent, as its form now stands (loaded with the reminder, no
    query): not taken back, not ready, its report still being prepared, the same contributor (still active) and the
    same date."""
    given = reminder.assignment
    return bool(
        given is not None
        and given.contributor.is_active
        and team_reads.is_open(given)
        and given.due_on == reminder.deadline_date
        and team_reads.deadline_key(given) == reminder.deadline_key
    )


def _who(contributor: User) -> str:
    """A contributor as their focal point knows them: name and national body."""
    name = contributor.full_name or contributor.email
    return f"{name} ({contributor.organization})" if contributor.organization else name


def message(reminder: Reminder, connection: Any) -> EmailMultiAlternatives:
    """An internal reminder's e-mail, in its recipient's language: the form (its title in that language), the
    report, the internal due date and a link to the form in the editor; to a focal point, whose form it is."""
    user, given = reminder.recipient, reminder.assignment
    report = given.report
    context = {
        "reminder": reminder,
        "user": user,
        "state": reminder.state,
        "code": given.form_code,
        "days": abs(reminder.offset_days),
        "to_contributor": user.pk == given.contributor_id,
        "contributor": _who(given.contributor),
        "form_url": links.site_url() + reverse("reporting:report_form", args=[report.pk, given.form_code]),
        "site_url": links.site_url(),
    }
    with translation.override(user.language or settings.LANGUAGE_CODE):
        context["form_title"] = team_reads.form_title(given)
        context["report"] = report.title
        subject = render_to_string("deadlines/email/team_reminder_subject.txt", context).strip()
        email = EmailMultiAlternatives(
            subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + " ".join(subject.split()),
            body=render_to_string("deadlines/email/team_reminder.txt", context),
            to=[reminder.email],
            connection=connection,
        )
        email.attach_alternative(render_to_string("deadlines/email/team_reminder.html", context), "text/html")
    return email
