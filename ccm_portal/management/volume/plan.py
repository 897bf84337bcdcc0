"""The options of ``build_volume`` and the counts they give: the full volume of issue 16 (125 States, 15 years,
about 100 table rows a report, 188 corrections, 40 reports in review, 2,002 assistance requests, 501 offers,
1,335 matches), scaled in proportion for fewer States or years so that a small build keeps each kind."""

from __future__ import annotations

import datetime as dt
import random
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import models
from django.utils import timezone

# The marker: every account the volume creates has an address at this domain, every donor this prefix.
DOMAIN = "volume.ccm-portal.test"
DONOR_PREFIX = "Volume donor "

FULL_STATES = 125
FULL_YEARS = 15
CORRECTIONS = 188
IN_REVIEW = 40
REQUESTS = 2002
OFFERS = 501
MATCHES = 1335
DONORS = 20
RESTRICTED_SHARE = 0.05
NIL_SHARE = 0.03


@dataclass
class Plan:
    states: int | None
    years: int
    rows: int
    seed: int
    today: dt.date
    rng: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)  # noqa: S311 - test data, reproducible on purpose

    @property
    def last_year(self) -> int:
        """The latest calendar year covered: last year's annual updates fell due on 30 April (Art. 7(2))."""
        return self.today.year - 1

    @property
    def at_start(self) -> dt.datetime:
        """When the volume's accounts joined: before the first year it covers."""
        return timezone.make_aware(dt.datetime(self.last_year - self.years + 1, 1, 2, 9, 0))

    @property
    def period_years(self) -> list[int]:
        return list(range(self.last_year - self.years + 1, self.last_year + 1))

    def scaled(self, full: int, *, states: int, per_year: bool = False) -> int:
        """``full`` in proportion to the States (and years) built; at least one."""
        share = states / FULL_STATES * ((self.years / FULL_YEARS) if per_year else 1)
        return max(1, round(full * share))


def at(day: dt.date, rng: random.Random) -> dt.datetime:
    """An aware time on ``day`` within working hours, from the seed."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(8 + rng.randrange(9), rng.randrange(60))))


@contextmanager
def given_dates(*fields: models.DateTimeField):
    """Within the block, ``auto_now`` and ``auto_now_add`` fields keep the times the build gives: a volume
    with every row dated today would not look like fifteen years of history."""
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f, _now, _add in saved:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, now, add in saved:
            f.auto_now, f.auto_now_add = now, add
