"""The weekly digest to the ISU: deadlines in the next 30 days, overdue report deadlines, the
reminders sent in the past 7 days, and the problems (nobody to remind, unverified or bounced
addresses, failed sends).

Sent once per ISO week. Two beat processes (or a retried task) may both call it: the reminder
settings row is locked while the digest is built and sent, and an audit entry
(``deadlines.digest.sent``, context ``{"week": "2026-W48"}``) written in the same transaction
says that the week is done.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from audit import services as audit
from audit.selectors import was_recorded
from ccm_portal.core import links
from deadlines import access
from deadlines.models import ReminderSettings
from deadlines.selectors import reminders
from deadlines.selectors.overview import OverviewRow, obligation_overview
from deadlines.selectors.reports import REPORT_KINDS, start_of

log = logging.getLogger(__name__)

ACTION = "deadlines.digest.sent"
UPCOMING_DAYS = 30
RECENT_DAYS = 7


def iso_week(day: dt.date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def already_sent(week: str) -> bool:
    return was_recorded(ACTION, week=week)


def recipients(rules: ReminderSettings) -> list[tuple[str, str]]:
    """(address, language): the ISU address, then each active ISU staff member whose address is
    verified and has not bounced. Each address once."""
    readers = User.objects.filter(access.digest_readers())
    verified = set(EmailAddress.objects.filter(verified=True, user__in=readers).values_list("user_id", "email"))
    found: dict[str, tuple[str, str]] = {}
    if rules.isu_email:
        found[rules.isu_email.lower()] = (rules.isu_email, settings.LANGUAGE_CODE)
    for user in readers.filter(email_bounced_at__isnull=True).order_by("email"):
        if (user.pk, user.email) in verified:
            found.setdefault(user.email.lower(), (user.email, user.language or settings.LANGUAGE_CODE))
    return list(found.values())


@dataclass
class Group:
    """Deadlines or reminders that share a date and a title, with the States concerned: a hundred
    annual reports due on the same 30 April make one line, not a hundred."""

    title: str
    date: dt.date | None = None
    days: int | None = None  # days left, or days overdue
    label: str = ""  # the reminder step, for reminders
    states: list[str] = field(default_factory=list)
    count: int = 0  # rows (e-mails, for reminders)
    copied: bool = False  # an overdue notice copied to the ISU

    def add(self, state: str) -> None:
        self.count += 1
        if state not in self.states:
            self.states.append(state)


def _grouped(items: Iterable[Any], *, key: Callable, make: Callable, state: Callable) -> list[Group]:
    groups: dict[Any, Group] = {}
    for item in items:
        group = groups.get(key(item))
        if group is None:
            group = groups[key(item)] = make(item)
        group.add(state(item))
    return list(groups.values())


def _by_deadline(row: OverviewRow) -> tuple[dt.date, str]:
    return row.deadline.date, row.deadline.title


def _row_state(row: OverviewRow) -> str:
    return row.deadline.state_name or ""


def build(*, today: dt.date) -> dict:
    """What the digest says (also the context of its templates), in the active language."""
    overview = obligation_overview(today=today, max_days_left=UPCOMING_DAYS)
    # The seven reminder days ending today (the daily run at 6:00 comes before the digest at 7:00):
    # next week's digest starts where this one ends.
    since = today - dt.timedelta(days=RECENT_DAYS - 1)
    sent = reminders.reminders_sent(since=start_of(since), until=start_of(today + dt.timedelta(days=1)))
    problems, not_sent_to_nobody = reminders.split_problems(
        reminders.reminder_problems(since=since, until=today), overview.nobody_to_remind
    )
    overdue_reports = [row for row in overview.overdue if row.deadline.kind in REPORT_KINDS]
    sent_groups = _grouped(
        sent,
        key=lambda r: (r.title, r.deadline_date, r.offset_days),
        make=lambda r: Group(title=r.title, date=r.deadline_date, label=r.step_label),
        state=lambda r: r.state.local_name,
    )
    copied = {(r.title, r.deadline_date, r.step_label) for r in sent if r.copy_to_isu}
    for group in sent_groups:
        group.copied = (group.title, group.date, group.label) in copied
    return {
        "today": today,
        "week": iso_week(today),
        "since": since,
        "upcoming": _grouped(
            overview.upcoming,
            key=_by_deadline,
            make=lambda row: Group(title=row.deadline.title, date=row.deadline.date, days=row.days_left),
            state=_row_state,
        ),
        "upcoming_count": len(overview.upcoming),
        "overdue_reports": _grouped(
            overdue_reports,
            key=_by_deadline,
            make=lambda row: Group(title=row.deadline.title, date=row.deadline.date, days=row.days_overdue),
            state=_row_state,
        ),
        "overdue_count": len(overdue_reports),
        "overdue_since": overview.start,
        "sent": sent_groups,
        "sent_count": len(sent),
        "problems": problems,
        "nobody_to_remind": _grouped(
            overview.nobody_to_remind,
            key=lambda d: (d.date, d.title),
            make=lambda d: Group(title=d.title, date=d.date, days=(d.date - today).days),
            state=lambda d: d.state_name or "",
        ),
        "nobody_count": len(overview.nobody_to_remind),
        "not_sent_to_nobody": not_sent_to_nobody,
        "problem_count": len(problems) + len(overview.nobody_to_remind),
        "site_url": links.site_url(),
        "overview_url": links.absolute(reverse("deadlines:isu_deadlines")),
        "log_url": links.absolute(reverse("deadlines:isu_reminders")),
    }


def _message(context: dict, *, to: str, language: str) -> EmailMultiAlternatives:
    with translation.override(language):
        subject = render_to_string("deadlines/email/digest_subject.txt", context).strip()
        message = EmailMultiAlternatives(
            subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + " ".join(subject.split()),
            body=render_to_string("deadlines/email/digest.txt", context),
            to=[to],
        )
        message.attach_alternative(render_to_string("deadlines/email/digest.html", context), "text/html")
    return message


def send_weekly_digest(*, today: dt.date) -> int:
    """Send this ISO week's digest unless it went already; returns the number of e-mails sent.

    The e-mails go out while the settings row is locked and before the audit entry commits: a
    second caller waits, then finds the entry and sends nothing. If sending fails, nothing is
    recorded and the next run tries again.
    """
    week = iso_week(today)
    if already_sent(week):
        return 0
    pk = ReminderSettings.current().pk  # the row exists before it is locked
    with transaction.atomic():
        rules = ReminderSettings.objects.select_for_update().get(pk=pk)
        if already_sent(week):
            return 0
        to = recipients(rules)
        if not to:
            log.warning("Weekly digest %s: nobody to send it to", week)
            return 0
        contexts: dict[str, dict] = {}  # titles and labels are written in each reader's language
        for _address, language in to:
            if language not in contexts:
                with translation.override(language):
                    contexts[language] = build(today=today)
        messages = [_message(contexts[language], to=address, language=language) for address, language in to]
        context = contexts[to[0][1]]
        audit.record(
            actor=None,
            action=ACTION,
            obj=rules,
            context={
                "week": week,
                "recipients": len(messages),
                "upcoming": context["upcoming_count"],
                "overdue_reports": context["overdue_count"],
                "reminders_sent": context["sent_count"],
                "problems": context["problem_count"],
            },
        )
        with get_connection() as connection:
            sent = connection.send_messages(messages) or 0
    log.info("Weekly digest %s sent to %s addresses", week, sent)
    return sent
