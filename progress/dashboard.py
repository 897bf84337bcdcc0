"""Assembling the dashboard (to be written)."""

from __future__ import annotations

import datetime as dt

from progress.types import Dashboard


def build(*, as_of: dt.date, audience: str) -> Dashboard:
    return Dashboard(as_of=as_of, audience=audience, figures=())
