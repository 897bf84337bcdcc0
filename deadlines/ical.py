"""Deadlines as an iCalendar (RFC 5545) document, for calendar apps that subscribe to a feed.

The output depends only on the deadlines and on ``today``, so the same facts give the same
bytes (calendar apps and caches see no change when nothing changed): every event has a stable
UID taken from the deadline's key, and DTSTAMP is ``today`` rather than the clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils import dateformat
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from icalendar import Alarm, Calendar, Event, vDuration

from deadlines.calendar import Deadline
from deadlines.models import DeadlineKind

PRODID = "-//Convention on Cluster Munitions ISU//CCM Portal//EN"
UID_DOMAIN = "ccm-portal"
ALARM_DAYS_BEFORE = 7
REFRESH = dt.timedelta(hours=12)


def event_uid(deadline: Deadline) -> str:
    return f"{deadline.key}@{UID_DOMAIN}"


def summary(deadline: Deadline) -> str:
    title = deadline.title
    # A deadline a source gives only to its month or year sits on the period's last day; say which period.
    if deadline.precision in ("month", "year"):
        period = dateformat.format(
            deadline.date,
            pgettext("month and year format, Django date filter syntax", "F Y")
            if deadline.precision == "month"
            else "Y",
        )
        title = _("%(title)s (%(period)s; no day given)") % {"title": title, "period": period}
    if deadline.state_name:
        return _("%(state)s: %(title)s") % {"state": deadline.state_name, "title": title}
    return title


def long_date(day: dt.date) -> str:
    """The portal's long date format in the active language (the same one the pages use)."""
    return dateformat.format(day, pgettext("long date format, Django date filter syntax", "j F Y"))


def status_note(deadline: Deadline, today: dt.date) -> str:
    """Met, overdue or still ahead, in words (meetings have no status)."""
    if deadline.kind == DeadlineKind.MEETING:
        return ""
    if deadline.kind == DeadlineKind.INTERNAL and deadline.met:
        return pgettext("status of a form given to a contributor", "Ready for the focal point")
    if deadline.met:
        if deadline.met_on:
            return _("Met on %(date)s.") % {"date": long_date(deadline.met_on)}
        return _("Met.")
    if deadline.date < today:
        return _("Overdue: not met as of %(date)s.") % {"date": long_date(today)}
    return _("Not met yet.")


def _description(deadline: Deadline, today: dt.date, url: str | None) -> str:
    lines = [_("Basis: %(basis)s") % {"basis": deadline.basis}]
    note = status_note(deadline, today)
    if note:
        lines.append(note)
    if url:
        lines.append(url)
    return "\n".join(lines)


def build_calendar(
    deadlines: Iterable[Deadline],
    *,
    name: str,
    today: dt.date,
    state_url: dict[str, str] | None = None,
    deadline_url: dict[str, str] | None = None,
) -> bytes:
    """One VCALENDAR with an all-day VEVENT per deadline and, for deadlines not met, an alarm
    seven days before. ``state_url`` (ISO3 → absolute URL of the State's page) adds a link; ``deadline_url``
    (deadline key → absolute URL: a form given to a contributor, in the editor) a link of the deadline's own."""
    stamp = dt.datetime.combine(today, dt.time(0, 0), tzinfo=dt.UTC)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("name", name)
    calendar.add("x-wr-caldesc", _("Deadlines under the Convention on Cluster Munitions, from the CCM Portal."))
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH))
    for deadline in sorted(deadlines, key=lambda d: (d.date, d.key)):
        url = (deadline_url or {}).get(deadline.key) or (state_url or {}).get(deadline.state_iso3 or "")
        event = Event()
        event.add("uid", event_uid(deadline))
        event.add("dtstamp", stamp)
        event.add("dtstart", deadline.date)
        event.add("dtend", deadline.date + dt.timedelta(days=1))
        event.add("summary", summary(deadline))
        event.add("description", _description(deadline, today, url))
        event.add("categories", [str(deadline.kind)])
        event.add("transp", "TRANSPARENT")  # a deadline does not make anyone busy
        if url:
            event.add("url", url)
        if not deadline.met:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("trigger", dt.timedelta(days=-ALARM_DAYS_BEFORE))
            alarm.add(
                "description",
                _("In %(days)s days: %(summary)s") % {"days": ALARM_DAYS_BEFORE, "summary": summary(deadline)},
            )
            event.add_component(alarm)
        calendar.add_component(event)
    return calendar.to_ical()
