"""Lists of reminders for the ISU: the problems (grouped by State, problem and recipient), the reminder log
with whether each report followed, and the reminders sent over a period (the weekly digest).

Reminders are rows (``deadlines.models.Reminder``), recorded once per deadline, step and recipient; every
read here runs a fixed number of queries, whatever the number of reminders.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from ccm_portal.core import clock
from deadlines.calendar import Deadline
from deadlines.models import PROBLEM_STATUSES, DeadlineKind, Reminder, ReminderStatus, reminder_title
from deadlines.selectors.reports import first_submissions, report_lookup, start_of
from parties.models import State
from parties.names import by_local_name

# ``reminder_log(status=PROBLEMS)``: any of the problem statuses.
PROBLEMS = "problems"


# --- Labels ---------------------------------------------------------------------------------------
def step_label(offset: int) -> str:
    """A reminder step for people: "30 days before", "On the day", "14 days overdue"."""
    if offset < 0:
        return ngettext("%(days)d day before", "%(days)d days before", -offset) % {"days": -offset}
    if offset == 0:
        return _("On the day")
    return ngettext("%(days)d day overdue", "%(days)d days overdue", offset) % {"days": offset}


# --- Problems -------------------------------------------------------------------------------------
@dataclass
class Problem:
    """Reminders that could not reach someone, grouped by State, problem and recipient."""

    state: State
    status: str
    recipient: User | None
    email: str
    count: int
    first_day: dt.date
    latest_day: dt.date
    deadlines: list[str]  # titles, in the order first met
    last_error: str = ""

    @property
    def status_label(self) -> str:
        return str(ReminderStatus(self.status).label)


# A send takes seconds; a reminder "being sent" for longer than this had its worker die mid-send.
SENDING_STUCK_AFTER = dt.timedelta(minutes=10)


def stuck_sending(now: dt.datetime, today: dt.date) -> Q:
    """Reminders stuck "being sent" (a worker died between claiming and sending): claimed longer ago than
    ``SENDING_STUCK_AFTER``, or still so after their day. The ISU decides whether to send them again."""
    return Q(status=ReminderStatus.SENDING) & (Q(for_day__lt=today) | Q(claimed_at__lt=now - SENDING_STUCK_AFTER))


def reminder_problems(*, since: dt.date, until: dt.date | None = None) -> list[Problem]:
    """Reminders recorded from ``since`` (to ``until``) with a problem status — no focal point,
    unverified or bounced address, failed after retries — grouped; latest first. One query."""
    stuck = stuck_sending(clock.now(), clock.today())
    rows = Reminder.objects.filter(Q(status__in=PROBLEM_STATUSES) | stuck, for_day__gte=since).select_related(
        "state", "recipient"
    )
    if until:
        rows = rows.filter(for_day__lte=until)
    groups: dict[tuple[int, str, int | None, str], Problem] = {}
    for reminder in rows.order_by("-for_day", "-pk"):
        key = (reminder.state_id, reminder.status, reminder.recipient_id, reminder.email.lower())
        title = reminder_title(reminder.deadline_kind, reminder.deadline_key)
        problem = groups.get(key)
        if problem is None:
            groups[key] = Problem(
                state=reminder.state,
                status=reminder.status,
                recipient=reminder.recipient,
                email=reminder.email,
                count=1,
                first_day=reminder.for_day,
                latest_day=reminder.for_day,
                deadlines=[title],
                last_error=reminder.last_error,
            )
            continue
        problem.count += 1
        problem.first_day = reminder.for_day
        if title not in problem.deadlines:
            problem.deadlines.append(title)
    return sorted(groups.values(), key=lambda p: (-p.latest_day.toordinal(), p.state.name, p.status, p.email))


def split_problems(problems: list[Problem], nobody_to_remind: Iterable[Deadline]) -> tuple[list[Problem], int]:
    """The problems left once "no focal point" reminders of States listed as having nobody to remind
    are taken out (they say the same), and how many reminders those were."""
    nobody = {d.state_iso3 for d in nobody_to_remind}
    kept, folded = [], 0
    for problem in problems:
        if problem.status == ReminderStatus.NO_RECIPIENT and problem.state.iso3 in nobody:
            folded += problem.count
        else:
            kept.append(problem)
    return kept, folded


# --- Reminder log ---------------------------------------------------------------------------------
def _attach_followed(reminders: list[Reminder]) -> list[Reminder]:
    """Give each reminder ``step_label``, ``title``, ``is_report``, ``report_submitted_at`` (the
    report's first submission, if any) and ``followed`` (that submission came after the reminder
    was sent — or, for one that was not sent, after its day began). One query."""
    lookups = {}
    for reminder in reminders:
        found = report_lookup(reminder.deadline_kind, reminder.deadline_key)
        lookups[reminder.pk] = (reminder.state_id, *found) if found else None
    submitted = first_submissions(lookup for lookup in lookups.values() if lookup)
    for reminder in reminders:
        lookup = lookups[reminder.pk]
        reminder.step_label = step_label(reminder.offset_days)
        reminder.title = reminder_title(reminder.deadline_kind, reminder.deadline_key)
        reminder.is_report = lookup is not None
        reminder.is_problem = reminder.status in PROBLEM_STATUSES
        reminder.report_submitted_at = submitted.get(lookup) if lookup else None
        after = reminder.sent_at or start_of(reminder.for_day)
        reminder.followed = bool(reminder.report_submitted_at and after and reminder.report_submitted_at > after)
        reminder.days_to_follow = (reminder.report_submitted_at - after).days if reminder.followed else None
    return reminders


class ReminderLog:
    """Reminders to list, paginated lazily: ``count()`` is one query, each slice two (the
    reminders with their State and recipient, then the reports that followed)."""

    def __init__(self, queryset: QuerySet[Reminder]) -> None:
        self.queryset = queryset

    def count(self) -> int:
        return self.queryset.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, slice):
            return _attach_followed(list(self.queryset[key]))
        return _attach_followed([self.queryset[key]])[0]

    def __iter__(self):
        return iter(_attach_followed(list(self.queryset)))


def reminder_log(
    *, since: dt.date, until: dt.date, status: str | None = None, state: State | str | None = None
) -> ReminderLog:
    """Reminders recorded for days in [since, until], newest first: recipient, State, deadline,
    step, status, sent_at, copy_to_isu and, for report deadlines, whether and when the report
    followed. ``status`` is a ``ReminderStatus`` or ``PROBLEMS``; ``state`` a State or its ISO code."""
    reminders = Reminder.objects.filter(for_day__gte=since, for_day__lte=until).select_related("state", "recipient")
    if status == PROBLEMS:
        reminders = reminders.filter(status__in=PROBLEM_STATUSES)
    elif status:
        reminders = reminders.filter(status=status)
    if isinstance(state, State):
        reminders = reminders.filter(state=state)
    elif state:
        reminders = reminders.filter(state__iso3=state)
    return ReminderLog(reminders.order_by("-for_day", "state__name", "deadline_key", "offset_days", "email", "pk"))


def log_states() -> list[tuple[str, str]]:
    """(ISO code, name) of every State Party, by name in the reader's language: the log's choice of State.
    One query."""
    states = by_local_name(State.objects.exclude(deposit_date=None).only("iso3", "name", "names"))
    return [(state.iso3, state.local_name) for state in states]


# --- Reminders sent (the weekly digest) ------------------------------------------------------------
def reminders_sent(*, since: dt.datetime, until: dt.datetime) -> list[Reminder]:
    """Reminder e-mails about treaty deadlines that went out in [since, until), by State and deadline (not the
    national teams' internal due dates: the State's own business). One query."""
    rows = list(
        Reminder.objects.filter(status=ReminderStatus.SENT, sent_at__gte=since, sent_at__lt=until)
        .exclude(deadline_kind=DeadlineKind.INTERNAL)
        .select_related("state", "recipient")
        .order_by("state__name", "deadline_date", "deadline_key", "offset_days", "email")
    )
    for reminder in rows:
        reminder.step_label = step_label(reminder.offset_days)
        reminder.title = reminder_title(reminder.deadline_kind, reminder.deadline_key)
    return rows
