"""The ISU's deadline overview: every State's deadlines over the past year and the next two, overdue and
upcoming, with the reminders recorded for each, the deadlines awaiting a decision on an extension, and the
States that have nobody to remind.

Deadlines are computed (``deadlines.calendar``), never stored; reminders are rows. ``obligation_overview``
runs a fixed number of queries, whatever the number of States, deadlines or reminders.

Every State's calendar is computed once per change of the data it comes from and kept
(``deadlines.selectors.calendars``). What is not kept is read on every request: the reminders
(``deadlines.Reminder`` does not move the data's version), the reminder settings, and who has a focal point to
remind (accounts are not tracked by the data's version).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Count, Max, Q

from accounts.models import User
from deadlines import access
from deadlines.calendar import Deadline
from deadlines.models import PROBLEM_STATUSES, DeadlineKind, Reminder, ReminderSettings, ReminderStatus
from deadlines.selectors import calendars
from deadlines.selectors.reminders import step_label
from parties.models import Region

# The overview looks back a year (overdue) and two years ahead (upcoming).
OVERVIEW_PAST_DAYS = 365
OVERVIEW_FUTURE_DAYS = 730


@dataclass
class ReminderSummary:
    """The reminders recorded for one deadline (all steps and recipients)."""

    recorded: int = 0
    sent: int = 0
    problems: int = 0
    last_step: int | None = None
    last_sent_at: dt.datetime | None = None

    @property
    def last_step_label(self) -> str:
        return step_label(self.last_step) if self.last_step is not None else ""


@dataclass
class OverviewRow:
    deadline: Deadline
    days_left: int  # negative once the deadline has passed
    reminders: ReminderSummary

    @property
    def is_overdue(self) -> bool:
        return self.days_left < 0 and not self.deadline.met and not self.deadline.extension_pending_at

    @property
    def days_overdue(self) -> int:
        return -self.days_left

    @property
    def region_label(self) -> str:
        region = self.deadline.region
        return str(Region(region).label) if region in Region.values else region or ""


@dataclass
class DeadlineGroup:
    date: dt.date
    title: str
    deadlines: list[Deadline] = field(default_factory=list)


@dataclass
class Overview:
    today: dt.date
    start: dt.date
    end: dt.date
    overdue: list[OverviewRow]  # longest overdue first
    upcoming: list[OverviewRow]  # soonest first
    # The first open, reminded deadline of each State that has no active focal point to remind
    # (not filtered: the ISU should see every one).
    nobody_to_remind: list[Deadline] = field(default_factory=list)
    # Passed deadlines whose extension request awaits a decision the portal has no record of.
    awaiting_decision: list[OverviewRow] = field(default_factory=list)

    @property
    def nobody_groups(self) -> list[DeadlineGroup]:
        """``nobody_to_remind`` by deadline: a hundred annual reports due the same day make one group."""
        groups: dict[tuple[dt.date, str], DeadlineGroup] = {}
        for deadline in sorted(self.nobody_to_remind, key=lambda d: (d.date, d.title, d.state_name or "")):
            key = (deadline.date, deadline.title)
            groups.setdefault(key, DeadlineGroup(date=deadline.date, title=deadline.title)).deadlines.append(deadline)
        return list(groups.values())

    @property
    def due_within_30_days(self) -> int:
        return sum(1 for row in self.upcoming if row.days_left <= 30 and not row.deadline.met)


def reminder_summaries(
    *, start: dt.date, end: dt.date, kind: str | None = None
) -> dict[tuple[str, dt.date], ReminderSummary]:
    """(deadline key, deadline date) → what was recorded for it, for deadlines dated in [start, end].

    Keyed by date as well: an extended deadline keeps its key, and reminders about the old date
    are not reminders about the new one. One query.
    """
    reminders = Reminder.objects.filter(deadline_date__gte=start, deadline_date__lte=end).exclude(
        deadline_kind=DeadlineKind.INTERNAL
    )
    if kind:
        reminders = reminders.filter(deadline_kind=kind)
    rows = (
        reminders.order_by()
        .values("deadline_key", "deadline_date")
        .annotate(
            recorded=Count("pk"),
            sent=Count("pk", filter=Q(status=ReminderStatus.SENT)),
            problems=Count("pk", filter=Q(status__in=PROBLEM_STATUSES)),
            last_step=Max("offset_days"),
            last_sent_at=Max("sent_at"),
        )
    )
    return {
        (row["deadline_key"], row["deadline_date"]): ReminderSummary(
            recorded=row["recorded"],
            sent=row["sent"],
            problems=row["problems"],
            last_step=row["last_step"],
            last_sent_at=row["last_sent_at"],
        )
        for row in rows
    }


def _states_with_someone_to_remind() -> set[int]:
    """The ids of the States that reminders reach: those with an active focal point."""
    return set(User.objects.filter(access.reminded()).order_by().values_list("state_id", flat=True).distinct())


def _nobody_to_remind(deadlines: Sequence[Deadline], *, today: dt.date, states: dict[str, int]) -> list[Deadline]:
    """Per State without an active focal point: its first unmet deadline that reminders cover and
    that is overdue (since tracking started) or falls within the longest reminder step."""
    rules = ReminderSettings.current()
    horizon = today + dt.timedelta(days=max([*rules.days_before, 0]))
    covered = _states_with_someone_to_remind()
    first: dict[str, Deadline] = {}
    for deadline in deadlines:
        if (
            deadline.kind in rules.kinds
            and not deadline.met
            and deadline.remindable
            and rules.tracking_starts_on <= deadline.date <= horizon
            and states.get(deadline.state_iso3) not in covered
        ):
            first.setdefault(deadline.state_iso3, deadline)
    return sorted(first.values(), key=lambda d: (d.state_name or "", d.date))


def obligation_overview(
    *,
    today: dt.date,
    kind: str | None = None,
    region: str | None = None,
    max_days_left: int | None = None,
    include_met: bool = False,
) -> Overview:
    """Every State's deadlines over [today − 365 days, today + 730 days]: the overdue ones (passed,
    not met; longest overdue first) and the upcoming ones (today or later; soonest first).

    Filters: ``kind`` (a ``DeadlineKind``), ``region``, ``max_days_left`` (days left at most that;
    overdue deadlines always qualify), ``include_met`` (upcoming deadlines already met, e.g. a
    report submitted early). Each row carries a ``ReminderSummary``.

    Queries: the calendar's eight when the data changed since it was last computed (none otherwise), the
    reminders (one), and the reminder settings and focal points for ``nobody_to_remind`` (two).
    """
    start = today - dt.timedelta(days=OVERVIEW_PAST_DAYS)
    end = today + dt.timedelta(days=OVERVIEW_FUTURE_DAYS)
    deadlines, state_ids = calendars.every_state(today=today, start=start, end=end)
    summaries = reminder_summaries(start=start, end=end, kind=kind)
    overdue: list[OverviewRow] = []
    upcoming: list[OverviewRow] = []
    awaiting: list[OverviewRow] = []
    for deadline in deadlines:
        if (kind and deadline.kind != kind) or (region and deadline.region != region):
            continue
        days_left = deadline.days_left(today)
        if max_days_left is not None and days_left > max_days_left:
            continue
        row = OverviewRow(
            deadline=deadline,
            days_left=days_left,
            reminders=summaries.get((deadline.key, deadline.date)) or ReminderSummary(),
        )
        if days_left < 0:
            # A report with no record (due before the portal was the complete record) is not overdue, nor is
            # a deadline whose extension request awaits a decision the portal has no record of: it is listed
            # apart, saying so.
            if deadline.extension_pending_at and not deadline.met:
                awaiting.append(row)
            elif not deadline.met and not deadline.has_no_record:
                overdue.append(row)
        elif include_met or not deadline.met:
            upcoming.append(row)
    return Overview(
        today=today,
        start=start,
        end=end,
        overdue=overdue,
        upcoming=upcoming,
        awaiting_decision=awaiting,
        nobody_to_remind=_nobody_to_remind(deadlines, today=today, states=state_ids),
    )
