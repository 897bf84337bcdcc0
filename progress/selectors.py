"""Assembling the "progress to date" dashboard: the treaty figures (``progress.membership``) and the
Article 7 reporting rates (``progress.reporting_rates``) as of a date, for the public or the ISU.

The HTML pages and their JSON twins are both rendered from the structures built here, so they always
hold the same facts. Figures marked ``restricted`` reach the ISU version only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from parties import universalization as m49
from parties.models import Confidence, Region
from progress import membership, reporting_rates, universalization
from progress.models import Audience
from progress.types import Dashboard, Figure

SECTION_TRANSPARENCY = "transparency"  # expected from progress.reporting_rates (Art. 7)

# The order of the Convention's articles; a section nobody listed here comes after them.
SECTION_ORDER = (
    membership.SECTION_MEMBERSHIP,
    universalization.SECTION_UNIVERSALIZATION,
    membership.SECTION_STOCKPILES,
    membership.SECTION_CLEARANCE,
    membership.SECTION_COOPERATION,
    SECTION_TRANSPARENCY,
    membership.SECTION_NATIONAL_MEASURES,
)


def section_label(key: str) -> str:
    labels = {
        membership.SECTION_MEMBERSHIP: _("Membership"),
        universalization.SECTION_UNIVERSALIZATION: _("Universalization"),
        membership.SECTION_STOCKPILES: _("Stockpile destruction (Art. 3)"),
        membership.SECTION_CLEARANCE: _("Clearance (Art. 4)"),
        membership.SECTION_COOPERATION: _("Cooperation and assistance (Art. 6)"),
        SECTION_TRANSPARENCY: _("Transparency reports (Art. 7)"),
        "reporting": _("Transparency reports (Art. 7)"),
        membership.SECTION_NATIONAL_MEASURES: _("National implementation measures (Art. 9)"),
    }
    return labels.get(key, key)


def for_audience(figures: list[Figure], audience: str) -> list[Figure]:
    """The public never sees a restricted figure; the ISU sees them all."""
    if audience == Audience.ISU:
        return list(figures)
    return [f for f in figures if not f.restricted]


def _section_rank(figure: Figure) -> int:
    """A section is known by its key or by its label (a module may give the label as the key)."""
    if figure.section in SECTION_ORDER:
        return SECTION_ORDER.index(figure.section)
    labels = [section_label(key) for key in SECTION_ORDER]
    return labels.index(figure.section) if figure.section in labels else len(SECTION_ORDER)


def assemble(*, as_of: dt.date, audience: str, facts: membership.Facts) -> Dashboard:
    figures = [
        *membership.figures(as_of=as_of, audience=audience, facts=facts),
        *reporting_rates.figures(as_of=as_of, audience=audience),
        *universalization.figures(as_of=as_of, audience=audience, facts=facts),
    ]
    figures = sorted(for_audience(figures, audience), key=_section_rank)  # stable: each module's order kept
    return Dashboard(as_of=as_of, audience=audience, figures=tuple(figures))


def build(*, as_of: dt.date, audience: str) -> Dashboard:
    """Every figure as of ``as_of`` for ``audience``: four queries for the treaty figures, plus those of
    ``progress.reporting_rates``."""
    return assemble(as_of=as_of, audience=audience, facts=membership.load(as_of))


@dataclass(frozen=True)
class FigurePage:
    dashboard: Dashboard
    figure: Figure
    states: list[dict[str, Any]]  # behind the numerator
    others: list[dict[str, Any]]  # in the denominator, not in the numerator

    @property
    def others_label(self) -> str:
        return others_label(self.figure.key)


def figure_page(*, key: str, as_of: dt.date, audience: str) -> FigurePage | None:
    """One figure and the States behind it, or ``None`` when ``audience`` has no figure ``key``."""
    deadlines = key in (membership.ART3_COMPLETED, membership.ART4_COMPLETED)
    facts = membership.load(as_of, deadlines=deadlines)
    board = assemble(as_of=as_of, audience=audience, facts=facts)
    try:
        figure = board.figure(key)
    except KeyError:
        return None
    states, others = membership.rows(figure, facts)
    if figure.section == reporting_rates.SECTION:
        # Each State's report as the records show it: date, what is known, the source, every other statement.
        details = reporting_rates.row_details(key, as_of)
        states = [row | details.get(row["iso3"], {}) for row in states]
        others = [row | details.get(row["iso3"], {}) for row in others]
    return FigurePage(dashboard=board, figure=figure, states=states, others=others)


def others_label(key: str) -> str:
    labels = {
        membership.IN_FORCE: _("States Parties for which the Convention is not yet in force"),
        membership.ART3_COMPLETED: _("Not yet completed (or completion not yet counted)"),
        membership.ART4_COMPLETED: _("Not yet completed (or completion not yet counted)"),
    }
    if key in labels:
        return labels[key]
    if key.startswith("art9-"):
        return _("Other States Parties")
    return _("Also counted in the total, not in this figure")


# --- Shapes shared by the pages and their JSON twins ----------------------------------------------
def breakdown_label(key: str) -> str:
    for choices in (Region, Confidence):
        if key in choices.values:
            return str(choices(key).label)
    return m49.area_label(key)


def share_percent(figure: Figure) -> float | None:
    """The share in per cent, unrounded: the page rounds it once (33 of 41 is 80%, not 81%)."""
    return None if figure.share is None else figure.share * 100


def figure_data(figure: Figure, *, as_of: dt.date, url: str) -> dict[str, Any]:
    """One figure as open data (JSON)."""
    return {
        "key": figure.key,
        "section": figure.section,
        "section_label": section_label(figure.section),
        "label": figure.label,
        "numerator": figure.numerator,
        "denominator": figure.denominator,
        "share": None if figure.share is None else round(figure.share, 4),
        "states": list(figure.states),
        "out_of": None if figure.out_of is None else list(figure.out_of),
        "definition": figure.definition,
        "source": figure.source,
        "breakdown": dict(figure.breakdown),
        "restricted": figure.restricted,
        "coverage": coverage_data(figure),
        "published": published_data(figure),
        "as_of": as_of,
        "url": url,
    }


def coverage_data(figure: Figure) -> dict[str, Any] | None:
    """How many of the States a figure counts have a record at all (``None`` when the figure rests on
    complete records)."""
    coverage = figure.coverage
    if coverage is None:
        return None
    return {
        "recorded": coverage.recorded,
        "of": coverage.of,
        "share": None if coverage.share is None else round(coverage.share, 4),
        "no_record": list(coverage.no_record),
        "disputed": list(coverage.disputed),
    }


def published_data(figure: Figure) -> dict[str, Any] | None:
    """The nearest published total beside the computed figure, and how much of the gap is coverage."""
    published, comparison = figure.published, figure.comparison
    if published is None or comparison is None:
        return None
    return {
        "value": published.value,
        "out_of": published.out_of,
        "date": published.date_label,
        "holds_on": published.holds_on,
        "source": published.source,
        "statement": published.statement,
        "computed": comparison.computed,
        "difference": comparison.difference,
        "no_record": comparison.no_record,
        "within_coverage": comparison.within_coverage,
        "unexplained": comparison.unexplained,
    }


def figure_card(figure: Figure, *, url: str) -> dict[str, Any]:
    """What the dashboard shows of one figure."""
    return {
        "figure": figure,
        "url": url,
        "percent": share_percent(figure),
        "coverage_percent": None
        if figure.coverage is None or figure.coverage.share is None
        else figure.coverage.share * 100,
        "breakdown": [(key, breakdown_label(key), count) for key, count in figure.breakdown.items()],
    }
