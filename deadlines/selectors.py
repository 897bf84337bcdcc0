"""Reads for the ISU's deadline pages and the weekly digest.

Deadlines are computed (``deadlines.calendar``), never stored; reminders are rows. Every read here
runs a fixed number of queries, whatever the number of States, deadlines or reminders.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import BooleanField, CharField, Count, DateField, DateTimeField, Max, Min, Q, QuerySet, Value
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts import permissions
from accounts.models import Role, User
from accounts.permissions import Capability
from ccm_portal.core import clock
from deadlines import calendar
from deadlines.calendar import Deadline
from deadlines.models import PROBLEM_STATUSES, DeadlineKind, Reminder, ReminderSettings, ReminderStatus, reminder_title
from parties.dates import PartialDate, Precision
from parties.models import Region, State
from reporting.models import RecordStatus, Report, ReportingRecord, ReportKind, ReportVersion

FEED_PAST_DAYS = 365  # a feed reaches back about 12 months
REMINDERS_AHEAD_DAYS = 365
DUE_NEXT_LIMIT = 5

# The overview looks back a year (overdue) and two years ahead (upcoming).
OVERVIEW_PAST_DAYS = 365
OVERVIEW_FUTURE_DAYS = 730
# Deadlines that a report meets; the others are met by completing an obligation.
REPORT_KINDS = (DeadlineKind.INITIAL_REPORT, DeadlineKind.ANNUAL_REPORT)
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


# --- Reports behind report deadlines ---------------------------------------------------------------
def report_lookup(deadline_kind: str, deadline_key: str) -> tuple[str, int | None] | None:
    """The report that meets a deadline, as (report kind, period year); None for other deadlines.

    ``TCD:annual_report:2025`` → ("annual", 2025); ``TCD:initial_report`` → ("initial", None).
    """
    if deadline_kind == DeadlineKind.INITIAL_REPORT:
        return ReportKind.INITIAL.value, None
    if deadline_kind == DeadlineKind.ANNUAL_REPORT:
        try:
            return ReportKind.ANNUAL.value, int(deadline_key.rsplit(":", 1)[-1])
        except ValueError:
            return None
    return None


def first_submissions(
    lookups: Iterable[tuple[int, str, int | None]],
) -> dict[tuple[int, str, int | None], dt.datetime]:
    """(state id, report kind, period year) → when the report was first submitted: the moment of its first
    portal version, or, for a version the ISU entered from an original and for a report a source records as
    received outside the portal (``ReportingRecord``), the start of the day it counts from (the original's
    date; the source's date, the last day of its month or year, or its bound). A report in on that day is
    never counted as having followed a reminder sent the same day.

    One query (portal versions and records together) for any number of lookups; reports never submitted are
    left out.
    """
    wanted = set(lookups)
    if not wanted:
        return {}
    state_ids = {state_id for state_id, _kind, _year in wanted}
    years = {year for _state, kind, year in wanted if kind == ReportKind.ANNUAL}

    def condition(prefix: str = "") -> Q:
        found = Q()
        if any(kind == ReportKind.INITIAL for _state, kind, _year in wanted):
            found |= Q(**{f"{prefix}kind": ReportKind.INITIAL})
        if years:
            found |= Q(**{f"{prefix}kind": ReportKind.ANNUAL, f"{prefix}period_year__in": years})
        return found

    versions = (
        ReportVersion.objects.filter(condition("report__"), report__state_id__in=state_ids)
        .order_by()
        .values_list(
            "report__state_id",
            "report__kind",
            "report__period_year",
            "submitted_at",
            "submitted_on",
            Value(Precision.DAY.value, output_field=CharField()),
            Value(None, output_field=DateField()),
            "entered_by_isu",
        )
    )
    received = (
        ReportingRecord.objects.filter(condition(), state_id__in=state_ids, status=RecordStatus.SUBMITTED)
        .order_by()
        .values_list(
            "state_id",
            "kind",
            "period_year",
            Value(None, output_field=DateTimeField()),
            "submitted_on",
            "submitted_precision",
            "submitted_by",
            Value(True, output_field=BooleanField()),
        )
    )
    found: dict[tuple[int, str, int | None], dt.datetime] = {}
    for state_id, kind, year, moment, day, precision, bound, by_day in versions.union(received, all=True):
        key = (state_id, kind, year)
        if key not in wanted:
            continue
        if by_day:
            days = [d for d in (PartialDate(day, Precision(precision)).end if day else None, bound) if d]
            if not days:
                continue
            moment = start_of(min(days))
        if key not in found or moment < found[key]:
            found[key] = moment
    return found


def start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


# --- Deadline overview ----------------------------------------------------------------------------
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
    reminders = Reminder.objects.filter(deadline_date__gte=start, deadline_date__lte=end)
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


def _active_focal_point_states() -> set[int]:
    return set(
        User.objects.filter(role=Role.FOCAL_POINT, is_active=True, state__isnull=False)
        .order_by()
        .values_list("state_id", flat=True)
        .distinct()
    )


def _nobody_to_remind(deadlines: Sequence[Deadline], *, today: dt.date, states: dict[str, int]) -> list[Deadline]:
    """Per State without an active focal point: its first unmet deadline that reminders cover and
    that is overdue (since tracking started) or falls within the longest reminder step."""
    rules = ReminderSettings.current()
    horizon = today + dt.timedelta(days=max([*rules.days_before, 0]))
    covered = _active_focal_point_states()
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

    Queries: the calendar's six, the reminders (one), and the reminder settings and focal points
    for ``nobody_to_remind`` (two).
    """
    start = today - dt.timedelta(days=OVERVIEW_PAST_DAYS)
    end = today + dt.timedelta(days=OVERVIEW_FUTURE_DAYS)
    data = calendar.load(as_of=today)
    deadlines = sorted(
        (d for state in data.states for d in calendar.state_deadlines(state, data, start=start, end=end)),
        key=lambda d: (d.date, d.state_name or "", d.key),
    )
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
        nobody_to_remind=_nobody_to_remind(deadlines, today=today, states={s.iso3: s.pk for s in data.states}),
    )


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


def reminder_problems(*, since: dt.date, until: dt.date | None = None) -> list[Problem]:
    """Reminders recorded from ``since`` (to ``until``) with a problem status — no focal point,
    unverified or bounced address, failed after retries — grouped; latest first. One query."""
    # A reminder still "being sent" after its day is stuck (a worker died mid-send): the ISU decides.
    stuck = Q(status=ReminderStatus.SENDING, for_day__lt=clock.today())
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


# --- Reminder effectiveness -----------------------------------------------------------------------
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
    groups: dict[tuple[str, dt.date, int], dict[str, Any]] = {}
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
        group = groups.setdefault(
            (key, date, offset), {"emails": 0, "first_sent": sent_at, "lookup": (state_id, *lookup)}
        )
        group["emails"] += 1
        group["first_sent"] = min(group["first_sent"], sent_at)
    submitted = first_submissions(group["lookup"] for group in groups.values())

    every = rules.overdue_every_days
    later_from = every * (OVERDUE_STEPS_SHOWN + 1) if every > 0 else None
    steps: dict[int, StepEffect] = {}
    for (_key, deadline_date, offset), group in groups.items():
        following = next_step(offset, rules)
        if later_from is not None and offset >= later_from:
            step = steps.setdefault(later_from, StepEffect(offset=later_from, next_offset=None, later=True))
        else:
            step = steps.setdefault(offset, StepEffect(offset=offset, next_offset=following))
        step.emails += group["emails"]
        step.reports += 1
        came_in = submitted.get(group["lookup"])
        boundary = start_of(deadline_date + dt.timedelta(days=following)) if following is not None else None
        if came_in and came_in > group["first_sent"] and (boundary is None or came_in < boundary):
            step.followed += 1
        elif not came_in and (boundary is None or boundary > now):
            step.waiting += 1
        if offset <= 0:
            if came_in and _local_day(came_in) <= deadline_date:
                step.on_time += 1
            elif not came_in and _local_day(now) <= deadline_date:
                step.not_due_yet += 1

    # Reports that came in during the period, and whether any reminder had gone out before.
    reports = (
        Report.objects.filter(kind__in=[ReportKind.INITIAL, ReportKind.ANNUAL], versions__isnull=False)
        .select_related("state")
        .only("pk", "kind", "period_year", "state__iso3", "state__deposit_date", "state__name", "state__region")
        .annotate(first=Min("versions__submitted_at"))
        .filter(first__gte=start_of(since), first__lt=start_of(until + dt.timedelta(days=1)))
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
    first_reminded = {}
    if deadline_of:
        first_reminded = dict(
            Reminder.objects.filter(deadline_key__in=list(deadline_of), status=ReminderStatus.SENT)
            .order_by()
            .values("deadline_key")
            .annotate(first=Min("sent_at"))
            .values_list("deadline_key", "first")
        )
    after_reminder = sum(
        1
        for key, (report, _due) in deadline_of.items()
        if first_reminded.get(key) and first_reminded[key] < report.first
    )
    on_time = sum(1 for report, due in deadline_of.values() if _local_day(report.first) <= due)
    return Effectiveness(
        since=since,
        until=until,
        steps=sorted(steps.values(), key=lambda s: s.offset),
        submitted=len(deadline_of),
        submitted_after_reminder=after_reminder,
        submitted_on_time=on_time,
        tracking_starts_on=rules.tracking_starts_on,
    )


# --- Digest ---------------------------------------------------------------------------------------
def reminders_sent(*, since: dt.datetime, until: dt.datetime) -> list[Reminder]:
    """Reminder e-mails that went out in [since, until), by State and deadline. One query."""
    rows = list(
        Reminder.objects.filter(status=ReminderStatus.SENT, sent_at__gte=since, sent_at__lt=until)
        .select_related("state", "recipient")
        .order_by("state__name", "deadline_date", "deadline_key", "offset_days", "email")
    )
    for reminder in rows:
        reminder.step_label = step_label(reminder.offset_days)
        reminder.title = reminder_title(reminder.deadline_kind, reminder.deadline_key)
    return rows


# --- Who sees which deadlines -------------------------------------------------------------------
def focal_state(user: Any) -> State | None:
    """The State a focal point acts for (their reminders and deadlines), or None."""
    if not getattr(user, "is_authenticated", False) or not user.state_id:
        return None
    state = user.state
    return state if permissions.acts_for_state(user, state) else None


def sees_all_states(user: Any) -> bool:
    """ISU staff follow every State's deadlines."""
    return permissions.can(user, Capability.REVIEW_REPORTS)


def deadlines_for_user(user: Any, *, start: dt.date, end: dt.date) -> list[Deadline]:
    """A focal point's State's deadlines, every State's for the ISU, and Meetings of States
    Parties for everyone; in a fixed number of queries."""
    state = focal_state(user)
    if state is not None:
        data = calendar.load([state])
        found = calendar.state_deadlines(state, data, start=start, end=end)
    elif sees_all_states(user):
        data = calendar.load()
        found = [d for s in data.states for d in calendar.state_deadlines(s, data, start=start, end=end)]
    else:
        data = calendar.load([])  # meetings only: no State, no query for obligations or reports
        found = []
    found += calendar.meeting_deadlines(data, start=start, end=end)
    return sorted(found, key=lambda d: (d.date, d.key))


def due_next(user: Any, *, today: dt.date, limit: int = DUE_NEXT_LIMIT) -> list[dict[str, Any]]:
    """What the user should look at next, for their home page: their State's deadlines not met
    (overdue ones first) for a focal point; every State's, grouped by day and kind, for the ISU;
    the next meetings for everyone else."""
    state = focal_state(user)
    if state is not None:
        start = max(ReminderSettings.current().tracking_starts_on, today - dt.timedelta(days=FEED_PAST_DAYS))
    else:
        start = today
    found = deadlines_for_user(user, start=start, end=today + dt.timedelta(days=REMINDERS_AHEAD_DAYS))
    if state is not None or sees_all_states(user):
        found = [
            d
            for d in found
            if d.kind != DeadlineKind.MEETING
            and not d.met
            # A report with no record (due before the portal was the complete record) is not "overdue".
            and not d.has_no_record
            # The last day to request an extension cannot be "overdue": once passed, it is gone.
            and not (d.kind == DeadlineKind.EXTENSION_REQUEST and d.date < today)
        ]
    groups: dict[tuple[dt.date, str, str], list[Deadline]] = defaultdict(list)
    for deadline in found:
        groups[(deadline.date, deadline.kind, deadline.title)].append(deadline)
    items = []
    for (day, kind, title), members in sorted(groups.items(), key=lambda g: (g[0][0], g[0][1], g[0][2])):
        first = members[0]
        if len(members) > 1:
            who = ngettext("%(n)s State", "%(n)s States", len(members)) % {"n": len(members)}
        else:
            who = "" if state is not None else first.state_name or ""  # a focal point knows their State
        items.append(
            {
                "date": day,
                "kind": kind,
                "kind_label": first.kind_label,
                "title": title,
                "who": who,
                "url": reverse("parties:state_detail", args=[first.state_iso3])
                if len(members) == 1 and first.state_iso3 and state is None
                else "",
                **countdown(day, today),
            }
        )
        if len(items) == limit:
            break
    return items


def due_next_context(user: Any, *, today: dt.date) -> dict[str, Any]:
    """Template context for the "What is due next" card (``deadlines/user/_due_next.html``)."""
    state = focal_state(user)
    if state is not None:
        title = _("What %(state)s has due next") % {"state": state.name}
        empty = _("Nothing due in the next 12 months, and nothing overdue.")
    elif sees_all_states(user):
        title = _("Due next, all States")
        empty = _("No State has a deadline in the next 12 months.")
    else:
        title = _("Next Meetings of States Parties")
        empty = _("No meeting is scheduled in the portal for the next 12 months.")
    return {
        "due_next": due_next(user, today=today),
        "due_next_title": title,
        "due_next_empty": empty,
        "due_next_reminders": state is not None or sees_all_states(user),  # others get no reminders
    }


def countdown(day: dt.date, today: dt.date) -> dict[str, Any]:
    days = (day - today).days
    if days == 0:
        text = _("today")
    elif days > 0:
        text = ngettext("in %(n)s day", "in %(n)s days", days) % {"n": days}
    else:
        text = ngettext("%(n)s day overdue", "%(n)s days overdue", -days) % {"n": -days}
    return {"days_left": days, "overdue": days < 0, "countdown": text}
