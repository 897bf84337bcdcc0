"""Article 7 reporting rates (to be written)."""

from __future__ import annotations

import datetime as dt

from progress.types import Figure


def figures(*, as_of: dt.date, audience: str) -> list[Figure]:
    return []
