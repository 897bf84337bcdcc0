"""Charts of the dashboard (to be written)."""

from __future__ import annotations

import datetime as dt


def charts_context(*, as_of: dt.date, audience: str) -> dict:
    return {}
