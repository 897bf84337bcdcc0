"""Every State's calendar, kept: computed once per change of the data it comes from and read from the default
cache (Redis in production, local memory in ``make run``) until then, for the pages that show every State's
deadlines (the ISU's overview, an ISU officer's home page and personal calendar feed).

The key is the data's version (``ccm_portal.core.data_version``: every committed write to States, obligations,
extensions, meetings and reports moves it), today (a deadline's "met" and the window move with the day), the
window and the language (titles are translated when computed). Reminders, settings and accounts are not part of
what is kept: the pages read them on every request.
"""

from __future__ import annotations

import datetime as dt

from django.core.cache import cache
from django.utils.translation import get_language

from ccm_portal.core import data_version
from deadlines import calendar
from deadlines.calendar import Deadline

# A key is never read again once the data's version or the day moves; this only bounds how long a dead key lasts.
CALENDAR_CACHE_SECONDS = 24 * 60 * 60


def every_state(*, today: dt.date, start: dt.date, end: dt.date) -> tuple[list[Deadline], dict[str, int]]:
    """Every State's deadlines in [start, end] as they stand on ``today`` (date, State, key order) and the
    States' ids by ISO code: the calendar's eight queries once per change of the data, then none."""
    token, _changed = data_version.current()  # read before computing: a write meanwhile moves it past this entry
    key = ":".join(("ccm:isu-deadlines", token, today.isoformat(), start.isoformat(), end.isoformat()))
    key = f"{key}:{get_language() or ''}"
    kept = cache.get(key)
    if kept is None:
        data = calendar.load(as_of=today)
        deadlines = sorted(
            (d for state in data.states for d in calendar.state_deadlines(state, data, start=start, end=end)),
            key=lambda d: (d.date, d.state_name or "", d.key),
        )
        kept = (deadlines, {s.iso3: s.pk for s in data.states})
        cache.set(key, kept, CALENDAR_CACHE_SECONDS)
    return kept
