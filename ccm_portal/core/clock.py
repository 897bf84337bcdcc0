"""The portal's clock: the day pages, figures, reminders and calendars are computed for.

Code asks ``clock.today()`` (and ``clock.now()``), never ``timezone.localdate()`` directly, so tests set
the day in one place (``clock.frozen(day)``, or the ``today`` fixture) for every layer at once.
Timestamps written by the database (``auto_now``) keep the real time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from django.utils import timezone

_frozen: dt.datetime | None = None


def now() -> dt.datetime:
    """The current time (aware), or the frozen one."""
    return _frozen if _frozen is not None else timezone.now()


def today() -> dt.date:
    """Today in the portal's time zone, or the frozen day."""
    return timezone.localdate(now())


@contextmanager
def frozen(at: dt.date | dt.datetime) -> Iterator[None]:
    """Within the block, ``now()`` and ``today()`` answer ``at`` (a day means its noon, local time)."""
    global _frozen
    previous = _frozen
    if not isinstance(at, dt.datetime):
        at = timezone.make_aware(dt.datetime.combine(at, dt.time(12)))
    _frozen = at
    try:
        yield
    finally:
        _frozen = previous
