"""A signed-in user's deadlines: a focal point's State's, every State's for the ISU, and the Meetings of
States Parties for everyone (``deadlines.access`` says whose); what is due next on their home page; the
deadlines in a calendar feed.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ccm_portal.core import clock
from deadlines import access, calendar
from deadlines.calendar import Deadline
from deadlines.models import CalendarFeed, DeadlineKind, Reminder, ReminderSettings, Snooze
from deadlines.selectors import calendars, team
from parties.models import State

FEED_PAST_DAYS = 365  # a feed reaches back about 12 months
FEED_AHEAD_DAYS = 3 * 365 + 1  # a feed reaches forward about 36 months
REMINDERS_AHEAD_DAYS = 365
DUE_NEXT_LIMIT = 5


def deadlines_for_user(user: Any, *, start: dt.date, end: dt.date) -> list[Deadline]:
    """A focal point's State's deadlines, every State's for the ISU (kept until the data changes:
    ``calendars.every_state``), and Meetings of States Parties for everyone; in a fixed number of queries."""
    state = access.focal_state(user)
    if state is not None:
        data = calendar.load([state])
        found = calendar.state_deadlines(state, data, start=start, end=end)
    elif access.follows_every_state(user):
        data = calendar.load([])  # the meetings; every State's deadlines come from the kept calendar
        found = list(calendars.every_state(today=clock.today(), start=start, end=end)[0])
    else:
        data = calendar.load([])  # meetings only: no State, no query for obligations or reports
        found = []
    found += calendar.meeting_deadlines(data, start=start, end=end)
    return sorted(found, key=lambda d: (d.date, d.key))


def feed_deadlines(feed: CalendarFeed, today: dt.date) -> list[Deadline]:
    """What a calendar feed lists, from a year back to three years ahead: its owner's deadlines for a personal
    feed, with the internal due dates it follows (``access.internal_dates_of``: a contributor's forms, a focal
    point's State's; one query more, none for anyone else); the State's
    and the meetings for a State's feed (never the internal dates: a State's feed is shared)."""
    start, end = today - dt.timedelta(days=FEED_PAST_DAYS), today + dt.timedelta(days=FEED_AHEAD_DAYS)
    if feed.state is None:
        found = deadlines_for_user(feed.user, start=start, end=end)
        found += team.internal_deadlines(feed.user, start=start, end=end)
        return sorted(found, key=lambda d: (d.date, d.key))
    data = calendar.load([feed.state])
    found = calendar.state_deadlines(feed.state, data, start=start, end=end)
    found += calendar.meeting_deadlines(data, start=start, end=end)
    return sorted(found, key=lambda d: (d.date, d.key))


@dataclass
class StateReminders:
    """A focal point's reminders page: their State's deadlines overdue and ahead, the reminders sent to them
    about each and the snoozes they set."""

    overdue: list[Deadline]
    upcoming: list[Deadline]
    sent: dict[str, list[Reminder]]  # deadline key → the reminders recorded for the user, day by day
    snoozed_until: dict[str, dt.date]  # deadline key → the last day without reminders


def state_reminders(user: Any, state: State, *, today: dt.date, rules: ReminderSettings) -> StateReminders:
    """What ``user``, a focal point of ``state``, is or will be reminded of: the deadlines from the day
    reminders start (``rules.tracking_starts_on``, ten years back at most) to a year ahead. A fixed number of
    queries."""
    # Deadlines from before the portal get no reminders (the ISU sets the day they start from).
    start = max(rules.tracking_starts_on, today - dt.timedelta(days=10 * 366))
    data = calendar.load([state])
    found = calendar.state_deadlines(state, data, start=start, end=today + dt.timedelta(days=REMINDERS_AHEAD_DAYS))
    # A report with no record (due before the portal was the complete record) is not "overdue".
    # Nor is a deadline whose extension request awaits a decision the portal has no record of.
    overdue = [d for d in found if d.date < today and not d.met and not d.has_no_record and not d.extension_pending_at]
    upcoming = [d for d in found if d.date >= today]
    keys = [d.key for d in overdue + upcoming]
    sent: dict[str, list[Reminder]] = defaultdict(list)
    for reminder in Reminder.objects.filter(recipient=user, deadline_key__in=keys).order_by("for_day", "offset_days"):
        sent[reminder.deadline_key].append(reminder)
    snoozes = Snooze.objects.filter(user=user, deadline_key__in=keys, until__gte=today)
    return StateReminders(
        overdue=overdue,
        upcoming=upcoming,
        sent=dict(sent),
        snoozed_until=dict(snoozes.values_list("deadline_key", "until")),
    )


def due_next(user: Any, *, today: dt.date, limit: int = DUE_NEXT_LIMIT) -> list[dict[str, Any]]:
    """What the user should look at next, for their home page: their State's deadlines not met
    (overdue ones first) for a focal point; every State's, grouped by day and kind, for the ISU;
    the next meetings for everyone else."""
    state = access.focal_state(user)
    if state is not None:
        start = max(ReminderSettings.current().tracking_starts_on, today - dt.timedelta(days=FEED_PAST_DAYS))
    else:
        start = today
    found = deadlines_for_user(user, start=start, end=today + dt.timedelta(days=REMINDERS_AHEAD_DAYS))
    if state is not None or access.follows_every_state(user):
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


def countdown(day: dt.date, today: dt.date) -> dict[str, Any]:
    """Days left to ``day`` (negative once passed), whether it is overdue, and the count in words."""
    days = (day - today).days
    if days == 0:
        text = _("today")
    elif days > 0:
        text = ngettext("in %(n)s day", "in %(n)s days", days) % {"n": days}
    else:
        text = ngettext("%(n)s day overdue", "%(n)s days overdue", -days) % {"n": -days}
    return {"days_left": days, "overdue": days < 0, "countdown": text}
