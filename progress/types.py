"""The shapes every part of the dashboard shares: a figure, with what it counts and why."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Coverage:
    """How many of the States a figure counts have a record at all: ``recorded`` of ``of``. The others
    (``no_record``) are neither counted as doing nor as failing to do what the figure counts."""

    recorded: int
    of: int
    no_record: tuple[str, ...] = ()
    disputed: tuple[str, ...] = ()  # sources disagree; every statement is kept (see the States behind it)

    @property
    def share(self) -> float | None:
        return self.recorded / self.of if self.of else None


@dataclass(frozen=True)
class Published:
    """A total someone published (``parties.PublishedFigure``), shown beside the figure computed from the
    records: the nearest one on or before the figure's date, known by then."""

    value: int
    date_label: str
    holds_on: dt.date
    source: str
    statement: str = ""
    out_of: int | None = None
    is_complete_list: bool = False


@dataclass(frozen=True)
class Comparison:
    """Published beside computed: how far apart they are, and how much of that the records' gaps can
    explain (States with no record could account for up to that many)."""

    published: int
    computed: int
    no_record: int

    @property
    def difference(self) -> int:
        return self.published - self.computed

    @property
    def within_coverage(self) -> int:
        """The part of the difference that the States with no record could account for."""
        return min(max(self.difference, 0), self.no_record)

    @property
    def unexplained(self) -> int:
        """What the records' gaps cannot explain: the sources disagree (or count differently)."""
        return self.difference - self.within_coverage


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
    coverage: Coverage | None = None  # how many of the States counted have a record at all
    published: Published | None = None  # the nearest published total of the same thing

    @property
    def comparison(self) -> Comparison | None:
        if self.published is None:
            return None
        no_record = len(self.coverage.no_record) if self.coverage else 0
        return Comparison(published=self.published.value, computed=self.numerator, no_record=no_record)

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
