"""This app's section of the State page (``parties.state_page``): the State's obligation calendar around the day
shown, with what the page lists beside each deadline (its kind in words, days left or late). Registered in
``DeadlinesConfig.ready``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from deadlines import calendar
from deadlines.models import DeadlineKind
from parties.models import State

# About 12 months before the date shown to about 36 months after it.
CALENDAR_PAST_DAYS = 365
CALENDAR_AHEAD_DAYS = 3 * 365 + 1


def state_calendar(state: State, as_of: dt.date) -> list[dict[str, Any]]:
    """The State's obligation calendar around ``as_of``, from ``deadlines.calendar`` (computed from
    treaty dates, obligations, extensions, meetings and reports): five queries, none before entry
    into force. A deadline counts as met only if it was met by ``as_of``."""
    if state.entry_into_force is None:
        return []
    data = calendar.load([state], as_of=as_of)
    start, end = as_of - dt.timedelta(days=CALENDAR_PAST_DAYS), as_of + dt.timedelta(days=CALENDAR_AHEAD_DAYS)
    rows = []
    for deadline in calendar.state_deadlines(state, data, start=start, end=end):
        met = deadline.met and (deadline.met_on is None or deadline.met_on <= as_of)
        rows.append(
            {
                "key": deadline.key,
                "kind": deadline.kind,
                "date": deadline.date,
                "title": deadline.title,
                "basis": deadline.basis,
                "met": met,
                "met_on": deadline.met_on if met else None,
                "precision": deadline.precision,
                "extension_pending_at": deadline.extension_pending_at,
            }
        )
    return rows


def calendar_rows(rows: list[dict[str, Any]], as_of: dt.date) -> list[dict[str, Any]]:
    """The calendar as the HTML page lists it: each deadline with its kind in words and days left."""
    return [_shown(row, as_of) for row in rows]


def _shown(row: dict[str, Any], as_of: dt.date) -> dict[str, Any]:
    days = (row["date"] - as_of).days
    return row | {
        "kind_label": DeadlineKind(row["kind"]).label,
        "days_left": days,
        "days_late": max(-days, 0),
        # A deadline whose extension request awaits a decision (none recorded) is not called overdue.
        "overdue": days < 0 and not row["met"] and not row.get("extension_pending_at"),
        "past": days < 0,
    }
