"""The dashboard's figures, charts and universalization table, kept in the default cache (Redis in production,
local memory in ``make run``) until the public data changes.

Each is computed from the database as of a date for an audience, in the reader's language, and nothing else:
the same key gives the same answer until a committed write to a tracked app moves the data's version
(``ccm_portal.core.data_version``). The key holds that version, the part, the audience, the language, the date
asked for and today (a new day starts a new key, so nothing read "as of today" outlives its day). What is kept
is plain picklable data (figures, chart SVG, table rows), never anything of one request.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

from django.utils.translation import get_language

from ccm_portal.core import clock, data_version
from progress import selectors, trends, universalization
from progress.types import Dashboard

T = TypeVar("T")


def _kept(part: str, *, as_of: dt.date, audience: str, compute: Callable[[], T]) -> T:
    parts = ("progress", part, audience, get_language() or "", clock.today().isoformat(), as_of.isoformat())
    return data_version.kept(parts, compute)


def dashboard(*, as_of: dt.date, audience: str) -> Dashboard:
    """``progress.selectors.build``, kept."""
    return _kept(
        "figures", as_of=as_of, audience=audience, compute=lambda: selectors.build(as_of=as_of, audience=audience)
    )


def charts(*, as_of: dt.date, audience: str) -> dict[str, Any]:
    """``progress.trends.charts_context``, kept."""
    return _kept(
        "charts", as_of=as_of, audience=audience, compute=lambda: trends.charts_context(as_of=as_of, audience=audience)
    )


def universalization_table(as_of: dt.date) -> dict[str, Any]:
    """``progress.universalization.table`` (the same for every audience), kept."""
    return _kept("universalization", as_of=as_of, audience="", compute=lambda: universalization.table(as_of))


def body(*, as_of: dt.date, audience: str, compute: Callable[[], str]) -> str:
    """The dashboard's rendered figures and charts (``compute`` renders them), kept: template rendering is most of
    what a warm dashboard costs, and what it renders depends only on this key."""
    return _kept("body", as_of=as_of, audience=audience, compute=compute)
