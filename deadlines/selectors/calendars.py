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

from django.utils.translation import get_language

from ccm_portal.core import data_version
from deadlines import calendar
from deadlines.calendar import Deadline


def every_state(*, today: dt.date, start: dt.date, end: dt.date) -> tuple[list[Deadline], dict[str, int]]:
    """Every State's deadlines in [start, end] as they stand on ``today`` (date, State, key order) and the
    States' ids by ISO code: the calendar's eight queries once per change of the data, then none."""

    def compute() -> tuple[list[Deadline], dict[str, int]]:
        data = calendar.load(as_of=today)
        deadlines = sorted(
            (d for state in data.states for d in calendar.state_deadlines(state, data, start=start, end=end)),
            key=lambda d: (d.date, d.state_name or "", d.key),
        )
        return deadlines, {s.iso3: s.pk for s in data.states}

    window = (today.isoformat(), start.isoformat(), end.isoformat())
    return data_version.kept(("isu-deadlines", *window, get_language() or ""), compute)
