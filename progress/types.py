"""The shapes every part of the dashboard shares: a figure, with what it counts and why."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Figure:
    """One "progress to date" figure as of a date: ``numerator`` of ``denominator`` States.

    ``states`` are the ISO3 codes behind the numerator and ``out_of`` those behind the denominator
    (``None`` when the figure is a plain count). ``definition`` says what counts and from which date;
    ``source`` where the underlying facts come from. ``breakdown`` splits the numerator (e.g. by
    region: {"Africa": 12, ...}).
    """

    key: str
    section: str
    label: str
    numerator: int
    definition: str
    source: str
    states: tuple[str, ...]
    denominator: int | None = None
    out_of: tuple[str, ...] | None = None
    breakdown: dict[str, int] = field(default_factory=dict)
    restricted: bool = False  # shown in the ISU version only

    @property
    def share(self) -> float | None:
        if not self.denominator:
            return None
        return self.numerator / self.denominator


@dataclass(frozen=True)
class Dashboard:
    as_of: dt.date
    audience: str  # progress.models.Audience
    figures: tuple[Figure, ...]

    def figure(self, key: str) -> Figure:
        for figure in self.figures:
            if figure.key == key:
                return figure
        raise KeyError(key)

    def sections(self) -> list[tuple[str, list[Figure]]]:
        out: dict[str, list[Figure]] = {}
        for figure in self.figures:
            out.setdefault(figure.section, []).append(figure)
        return list(out.items())
