"""How reports followed the reminders (the ISU's reminder log, under the table of reminders): per reminder
step, the report deadlines reminded and how many reports came in before the next step or by the deadline;
and, over the reports first submitted in a period, how many came in after a reminder and how many without.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from deadlines.models import DeadlineKind, Reminder, ReminderSettings, ReminderStatus
from deadlines.selectors.reminders import step_label
from deadlines.selectors.reports import REPORT_KINDS, first_submissions, local_day, report_lookup, start_of
from reporting.models import Report, ReportKind, ReportVersion

# A report deadline, as (state id, report kind, period year): how ``first_submissions`` looks a report up.
Lookup = tuple[int, str, int | None]


def next_step(offset: int, rules: ReminderSettings) -> int | None:
    """The step after ``offset`` in the schedule, the deadline day (0) always counting as a step;
    None when nothing follows (overdue notices switched off)."""
    if offset < 0:
        return min((-d for d in rules.days_before if offset < -d <= 0), default=0)
    every = rules.overdue_every_days
    if every <= 0:
        return None
    return (offset // every + 1) * every


def _rate(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


# Overdue notices after the fourth (+56 days by default) are added up in one row of the table.
OVERDUE_STEPS_SHOWN = 4


@dataclass
class StepEffect:
    offset: int  # for the row of later overdue notices: the first of them
    next_offset: int | None
    later: bool = False  # the row adds up every overdue notice from ``offset`` on
    emails: int = 0  # reminder e-mails sent at this step
    reports: int = 0  # report deadlines reminded at this step (at least one e-mail went out)
    followed: int = 0  # … whose report came in after the reminder and before the next step
    waiting: int = 0  # … not in yet, and the next step has not come yet (left out of the rate)
    on_time: int = 0  # … whose report came in by the deadline (steps before or on the deadline)
    not_due_yet: int = 0  # … not in yet, and the deadline has not passed (left out of the rate)

    @property
    def label(self) -> str:
        if self.later:
            return ngettext(
                "Later overdue notices (from %(days)d day)", "Later overdue notices (from %(days)d days)", self.offset
            ) % {"days": self.offset}
        return step_label(self.offset)

    @property
    def next_label(self) -> str:
        if self.later:
            return _("the notice after each")
        if self.next_offset is None:
            return _("no later step")
        if self.next_offset == 0 and self.offset < 0:
            return _("the deadline")
        return step_label(self.next_offset)

    @property
    def is_overdue_step(self) -> bool:
        return self.offset > 0

    @property
    def followed_rate(self) -> int | None:
        return _rate(self.followed, self.reports - self.waiting)

    @property
    def on_time_rate(self) -> int | None:
        return None if self.is_overdue_step else _rate(self.on_time, self.reports - self.not_due_yet)


@dataclass
class Effectiveness:
    since: dt.date
    until: dt.date
    steps: list[StepEffect]
    submitted: int  # report deadlines (reminded kinds, from tracking start) first submitted in the period
    submitted_after_reminder: int  # … after at least one reminder e-mail had gone out
    submitted_on_time: int
    tracking_starts_on: dt.date

    @property
    def submitted_without_reminder(self) -> int:
        return self.submitted - self.submitted_after_reminder


def reminder_effectiveness(*, since: dt.date, until: dt.date, now: dt.datetime | None = None) -> Effectiveness:
    """How report deadlines responded to each reminder step, for reminders of days in [since, until].

    Per step: e-mails sent; report deadlines reminded (at least one e-mail went out at that step;
    several focal points count once); of those, ``followed``: the report's first submission came
    after the step's first e-mail and before the day of the next step (the deadline day for the
    last step before it; the next overdue notice for the deadline day and overdue steps), and
    ``on_time``: first submitted by the end of the deadline day. Rates leave out deadlines still
    open (next step / deadline not reached yet, report not in).

    Overdue notices after the fourth (``OVERDUE_STEPS_SHOWN``) are added up in one row, each
    notice counted (a deadline reminded at +70 and +84 days counts twice).

    And, over reports first submitted in the period whose deadline reminders cover (kind in the
    settings, deadline on or after ``tracking_starts_on``): how many came in after at least one
    reminder, and how many with none. Five queries.
    """
    now = now or timezone.now()
    rules = ReminderSettings.current()
    reminded = _reminded_steps(since=since, until=until)
    submitted = first_submissions(group.lookup for group in reminded.values())
    # Reports that came in during the period, and whether any reminder had gone out before.
    deadline_of = _submitted_in_period(since=since, until=until, rules=rules)
    first_reminded = _first_reminded(list(deadline_of))
    after_reminder = sum(
        1
        for key, (report, _due) in deadline_of.items()
        if first_reminded.get(key) and first_reminded[key] < report.first
    )
    on_time = sum(1 for report, due in deadline_of.values() if local_day(report.first) <= due)
    return Effectiveness(
        since=since,
        until=until,
        steps=_step_effects(reminded, submitted, rules=rules, now=now),
        submitted=len(deadline_of),
        submitted_after_reminder=after_reminder,
        submitted_on_time=on_time,
        tracking_starts_on=rules.tracking_starts_on,
    )


@dataclass
class _Reminded:
    """A report deadline reminded at one step: the e-mails that went out, the first of them, and its report."""

    lookup: Lookup
    first_sent: dt.datetime
    emails: int = 0


def _reminded_steps(*, since: dt.date, until: dt.date) -> dict[tuple[str, dt.date, int], _Reminded]:
    """(deadline key, deadline date, step) → the reminder e-mails sent at that step about a report deadline, for
    reminders of days in [since, until]. One query."""
    groups: dict[tuple[str, dt.date, int], _Reminded] = {}
    for key, date, state_id, kind, offset, sent_at in (
        Reminder.objects.filter(
            deadline_kind__in=REPORT_KINDS, status=ReminderStatus.SENT, for_day__gte=since, for_day__lte=until
        )
        .order_by()
        .values_list("deadline_key", "deadline_date", "state_id", "deadline_kind", "offset_days", "sent_at")
    ):
        lookup = report_lookup(kind, key)
        if lookup is None or sent_at is None:
            continue
        group = groups.setdefault((key, date, offset), _Reminded(lookup=(state_id, *lookup), first_sent=sent_at))
        group.emails += 1
        group.first_sent = min(group.first_sent, sent_at)
    return groups


def _step_effects(
    reminded: dict[tuple[str, dt.date, int], _Reminded],
    submitted: dict[Lookup, dt.datetime],
    *,
    rules: ReminderSettings,
    now: dt.datetime,
) -> list[StepEffect]:
    """The table's rows, one per step (overdue notices after ``OVERDUE_STEPS_SHOWN`` in one), earliest first."""
    every = rules.overdue_every_days
    later_from = every * (OVERDUE_STEPS_SHOWN + 1) if every > 0 else None
    steps: dict[int, StepEffect] = {}
    for (_key, deadline_date, offset), group in reminded.items():
        following = next_step(offset, rules)
        if later_from is not None and offset >= later_from:
            step = steps.setdefault(later_from, StepEffect(offset=later_from, next_offset=None, later=True))
        else:
            step = steps.setdefault(offset, StepEffect(offset=offset, next_offset=following))
        _count(
            step,
            group,
            submitted.get(group.lookup),
            deadline_date=deadline_date,
            offset=offset,
            following=following,
            now=now,
        )
    return sorted(steps.values(), key=lambda s: s.offset)


def _count(
    step: StepEffect,
    group: _Reminded,
    came_in: dt.datetime | None,
    *,
    deadline_date: dt.date,
    offset: int,
    following: int | None,
    now: dt.datetime,
) -> None:
    """Add one deadline reminded at ``step`` to its row: whether its report (first submitted ``came_in``)
    followed the reminder before the next step, is still awaited, came in by the deadline."""
    step.emails += group.emails
    step.reports += 1
    boundary = start_of(deadline_date + dt.timedelta(days=following)) if following is not None else None
    if came_in and came_in > group.first_sent and (boundary is None or came_in < boundary):
        step.followed += 1
    elif not came_in and (boundary is None or boundary > now):
        step.waiting += 1
    if offset <= 0:
        if came_in and local_day(came_in) <= deadline_date:
            step.on_time += 1
        elif not came_in and local_day(now) <= deadline_date:
            step.not_due_yet += 1


def _submitted_in_period(
    *, since: dt.date, until: dt.date, rules: ReminderSettings
) -> dict[str, tuple[Report, dt.date | None]]:
    """Deadline key → (report, due date) for the report deadlines reminders cover (kind in the settings, due on
    or after ``tracking_starts_on``) whose report was first submitted in [since, until] (``report.first``).
    One query."""
    start, end = start_of(since), start_of(until + dt.timedelta(days=1))
    # Only reports with a version submitted in the period can have been first submitted in it: the minimum is
    # taken over those reports' versions, not over every report of every year.
    in_period = ReportVersion.objects.filter(submitted_at__gte=start, submitted_at__lt=end).values("report_id")
    reports = (
        Report.objects.filter(kind__in=[ReportKind.INITIAL, ReportKind.ANNUAL], pk__in=in_period)
        .select_related("state")
        .only(
            "pk",
            "kind",
            "period_year",
            "state__iso3",
            "state__deposit_date",
            "state__name",
            "state__names",
            "state__region",
        )
        .annotate(first=Min("versions__submitted_at"))
        .filter(first__gte=start, first__lt=end)
        .order_by()
    )
    deadline_of: dict[str, tuple[Report, dt.date | None]] = {}
    for report in reports:
        kind = DeadlineKind.INITIAL_REPORT if report.kind == ReportKind.INITIAL else DeadlineKind.ANNUAL_REPORT
        due = report.due_date
        if kind not in rules.kinds or due is None or due < rules.tracking_starts_on:
            continue
        key = f"{report.state.iso3}:{kind}" + ("" if report.kind == ReportKind.INITIAL else f":{report.period_year}")
        deadline_of[key] = (report, due)
    return deadline_of


def _first_reminded(keys: list[str]) -> dict[str, dt.datetime]:
    """Deadline key → when the first reminder e-mail about it went out. One query (none for no keys)."""
    if not keys:
        return {}
    return dict(
        Reminder.objects.filter(deadline_key__in=keys, status=ReminderStatus.SENT)
        .order_by()
        .values("deadline_key")
        .annotate(first=Min("sent_at"))
        .values_list("deadline_key", "first")
    )
