"""Progress figures as of any date: the public dashboard's figures (``progress.selectors``, the public audience
only, never the ISU's), one figure with the States behind it, and the figures at the end of each year.

The facts are those of the dashboard's JSON twin (``progress.views.dashboard``): the same selectors build
both, so the API and the pages cannot disagree; here a State is ``{iso3, name}`` and every link absolute.
A date in the past shows nothing that happened after it: the selectors count from the dated facts.
"""

# No ``from __future__ import annotations``: ninja reads the parameters' types of the paginated operations
# from the pagination wrapper's module, where names given as strings are not defined.

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from ninja import Field, Path, Query, Router, Schema
from ninja.decorators import decorate_view
from ninja.errors import HttpError
from ninja.pagination import paginate

from api.http import conditional, link
from api.pagination import Page
from api.schemas import AsOf, Problem, StateRef
from ccm_portal.core import clock, data_version
from progress import selectors
from progress.models import Audience
from progress.types import Figure

router = Router()

# The API reads the public version of the figures, whoever asks (``api.http.PUBLIC``).
AUDIENCE = Audience.PUBLIC
# The Convention entered into force on 1 August 2010 (Art. 17): the yearly series starts with that year.
FIRST_YEAR = 2010
KEY_PATTERN = r"^[a-z0-9][a-z0-9-]{0,79}$"


# --- Parameters --------------------------------------------------------------------------------------------
# --- Answers ---------------------------------------------------------------------------------------------------
class FigureOut(Schema):
    key: str = Field(description=_lazy("The figure's stable key."), examples=["states-parties"])
    section: str = Field(description=_lazy("The dashboard section's key (the Convention's article it reports on)."))
    section_label: str = Field(description=_lazy("The section's name in the requested language."))
    label: str = Field(description=_lazy("What the figure counts, in the requested language."))
    value: int = Field(description=_lazy("How many (the numerator)."))
    out_of: int | None = Field(
        description=_lazy("Out of how many (the denominator); null for a plain count, which has no share.")
    )
    share: float | None = Field(
        description=_lazy("value / out_of, from 0 to 1, rounded to four decimals; null for a plain count.")
    )
    definition: str = Field(description=_lazy("What is counted, from which date and by which rule."))
    source: str = Field(description=_lazy("Where the facts counted come from."))
    as_of: dt.date = Field(description=_lazy("The day the figure stands on."))
    url: str = Field(description=_lazy("This figure with the States behind it, in this API (absolute)."))
    page_url: str = Field(description=_lazy("The figure's public page on the portal (absolute)."))


class BreakdownItem(Schema):
    key: str = Field(description=_lazy("The group's key: an ISU region, a confidence level or a UN sub-region."))
    label: str = Field(description=_lazy("The group's name in the requested language."))
    count: int = Field(description=_lazy("How many of the figure's value fall in this group."))


class CountedState(Schema):
    state: StateRef = Field(description=_lazy("The State."))
    region: str = Field(description=_lazy("The State's ISU region (key)."))
    date: str | None = Field(
        description=_lazy(
            "The date that puts the State here (a deposit, a completion, a report), as precise as its source: "
            "YYYY-MM-DD, YYYY-MM or YYYY; null when none applies."
        )
    )
    date_label: str = Field(description=_lazy("What the date is (e.g. 'Deposit of instrument', 'Completed')."))
    status: str | None = Field(description=_lazy("The State's status for this figure (key), where there is one."))
    status_label: str = Field(description=_lazy("That status in the requested language."))
    source: str = Field(description=_lazy("The source of the State's fact, where the records give one."))
    source_url: str = Field(description=_lazy("A link to that source, where there is one."))
    note: str = Field(description=_lazy("Anything else the figure's page says of the State."))


class CoverageOut(Schema):
    recorded: int = Field(description=_lazy("How many of the States counted have a record at all."))
    of: int = Field(description=_lazy("Of how many States."))
    share: float | None = Field(description=_lazy("recorded / of, rounded to four decimals."))
    no_record: list[StateRef] = Field(description=_lazy("States with no record: counted neither way."))
    disputed: list[StateRef] = Field(description=_lazy("States whose sources disagree (every statement is kept)."))


class PublishedOut(Schema):
    value: int = Field(description=_lazy("The published total."))
    out_of: int | None = Field(description=_lazy("Out of how many, as published."))
    date: str = Field(description=_lazy("The date of the published total, as its source gives it."))
    holds_on: dt.date = Field(description=_lazy("The day the published total holds on."))
    source: str = Field(description=_lazy("Who published it, where."))
    statement: str = Field(description=_lazy("The published statement, quoted."))
    computed: int = Field(description=_lazy("The figure computed from the portal's records."))
    difference: int = Field(description=_lazy("published - computed."))
    no_record: int = Field(description=_lazy("States with no record, which could account for the difference."))
    within_coverage: int = Field(description=_lazy("The part of the difference the missing records can explain."))
    unexplained: int = Field(description=_lazy("The part they cannot: the sources disagree or count differently."))


class FigureDetail(FigureOut):
    breakdown: list[BreakdownItem] = Field(description=_lazy("The value split by group."))
    states: list[CountedState] = Field(description=_lazy("The States counted in the value, by name."))
    others: list[CountedState] = Field(
        description=_lazy("The States in out_of that are not counted in the value, by name (empty for a plain count).")
    )
    others_label: str = Field(description=_lazy("What the others are, in the requested language."))
    coverage: CoverageOut | None = Field(
        description=_lazy("How many of the States counted have a record at all; null when the records are complete.")
    )
    published: PublishedOut | None = Field(
        description=_lazy("The nearest published total beside the computed one; null when none is known.")
    )


class YearFigure(Schema):
    key: str = Field(description=_lazy("The figure's stable key."))
    section: str = Field(description=_lazy("The dashboard section's key."))
    label: str = Field(description=_lazy("What the figure counts, in the requested language."))
    value: int = Field(description=_lazy("How many (the numerator)."))
    out_of: int | None = Field(description=_lazy("Out of how many; null for a plain count."))
    share: float | None = Field(description=_lazy("value / out_of, from 0 to 1, rounded to four decimals."))
    url: str = Field(description=_lazy("This figure on that day, in this API (absolute)."))


class YearOut(Schema):
    year: int = Field(description=_lazy("The calendar year."))
    as_of: dt.date = Field(description=_lazy("The day counted: 31 December, or as_of in as_of's own year."))
    figures: list[YearFigure] = Field(description=_lazy("Every public figure on that day, in the dashboard's order."))


# --- Shapes ----------------------------------------------------------------------------------------------------
def _share(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def figure_out(request: HttpRequest, figure: Figure, as_of: dt.date) -> dict[str, Any]:
    """One figure as the dashboard's JSON twin gives it (``selectors.figure_data``), with absolute links."""
    query = {"as_of": as_of.isoformat()}
    return {
        "key": figure.key,
        "section": figure.section,
        "section_label": selectors.section_label(figure.section),
        "label": figure.label,
        "value": figure.numerator,
        "out_of": figure.denominator,
        "share": _share(figure.share),
        "definition": figure.definition,
        "source": figure.source,
        "as_of": as_of,
        "url": link(request, "api-v1:progress_figure", figure.key, query=query),
        "page_url": link(request, "progress:figure", figure.key, query=query),
    }


def _date_text(value: Any) -> str | None:
    if not value:
        return None
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _counted(row: dict[str, Any]) -> dict[str, Any]:
    """A row of the figure's page (``progress.membership.rows``) with its State as ``{iso3, name}``."""
    return {
        "state": {"iso3": row["iso3"], "name": row["name"]},
        "region": row["region"],
        "date": _date_text(row.get("date")),
        "date_label": str(row.get("date_label") or ""),
        "status": row.get("status") or None,
        "status_label": str(row.get("status_label") or ""),
        "source": str(row.get("source") or ""),
        "source_url": row.get("source_url") or "",
        "note": str(row.get("note") or ""),
    }


def _refs(codes: Sequence[str], names: dict[str, str]) -> list[dict[str, str]]:
    return [{"iso3": code, "name": names.get(code, code)} for code in codes]


def figure_detail(request: HttpRequest, page: selectors.FigurePage, as_of: dt.date) -> dict[str, Any]:
    figure = page.figure
    names = {row["iso3"]: row["name"] for row in (*page.states, *page.others)}
    coverage = selectors.coverage_data(figure)
    if coverage is not None:
        coverage["no_record"] = _refs(coverage["no_record"], names)
        coverage["disputed"] = _refs(coverage["disputed"], names)
    return figure_out(request, figure, as_of) | {
        "breakdown": [
            {"key": key, "label": selectors.breakdown_label(key), "count": count}
            for key, count in figure.breakdown.items()
        ],
        "states": [_counted(row) for row in page.states],
        "others": [_counted(row) for row in page.others],
        "others_label": page.others_label,
        "coverage": coverage,
        "published": selectors.published_data(figure),
    }


class Lazy(Sequence):
    """A list the paginator slices before it is built: only the page asked for is computed."""

    def __init__(self, items: Sequence[Any], build: Callable[[Any], Any]) -> None:
        self.items, self.build = items, build

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self.build(item) for item in self.items[index]]
        return self.build(self.items[index])


def year_figures(day: dt.date) -> list[dict[str, Any]]:
    """The public figures on ``day`` as plain data. Kept in the cache until the public data changes (its
    version, ``ccm_portal.core.data_version``) or the day does: each day's count runs every figure's
    queries, and a series of years would run them once a year each time it is asked for."""

    def compute() -> list[dict[str, Any]]:
        dashboard = selectors.build(as_of=day, audience=AUDIENCE)
        return [
            {
                "key": f.key,
                "section": f.section,
                "label": str(f.label),
                "value": f.numerator,
                "out_of": f.denominator,
                "share": _share(f.share),
            }
            for f in dashboard.figures
        ]

    parts = ("api-progress-day", get_language() or "", clock.today().isoformat(), day.isoformat())
    return data_version.kept(parts, compute)


def year_points(as_of: dt.date) -> list[dt.date]:
    """31 December of each year from the entry into force to the year before ``as_of``, and ``as_of``."""
    return [dt.date(year, 12, 31) for year in range(FIRST_YEAR, as_of.year)] + [as_of]


# --- Operations --------------------------------------------------------------------------------------------------
@router.get(
    "",
    response={200: list[FigureOut], 422: Problem},
    url_name="progress",
    summary=_lazy("Progress figures as of a date"),
)
@decorate_view(conditional)
@paginate(Page)
def figures(request: HttpRequest, params: Query[AsOf]) -> list[dict[str, Any]]:
    """Every public figure of the "progress to date" dashboard as it stood on `as_of` (default today), in the
    dashboard's order (by the Convention's articles): membership, universalization, stockpile destruction
    (Art. 3), clearance (Art. 4), coalitions (Art. 6), transparency reports (Art. 7), national implementation
    measures (Art. 9). Each says what it counts and where its facts come from. A date in the past shows
    nothing that happened after it. The ISU's version of the dashboard is never given here."""
    as_of = params.day()
    dashboard = selectors.build(as_of=as_of, audience=AUDIENCE)
    return [figure_out(request, figure, as_of) for figure in dashboard.figures]


@router.get(
    "/by-year",
    response={200: list[YearOut], 422: Problem},
    url_name="progress_by_year",
    summary=_lazy("Progress figures at the end of each year"),
)
@decorate_view(conditional)
@paginate(Page)
def by_year(request: HttpRequest, params: Query[AsOf]) -> Lazy:
    """The public figures on 31 December of each year from 2010, when the Convention entered into force, to
    the year before `as_of`, and on `as_of` itself (default today; not after today): one result per year,
    oldest first, each counted as the dashboard counts it on that day. Each year is counted on its own, so
    a page holds at most as many years as `page_size`. Each day's figures are kept until the public data
    changes, so asking again is quick."""
    as_of = params.day()
    if as_of > clock.today():
        raise HttpError(422, _("The yearly figures go up to today at most."))

    def year(day: dt.date) -> dict[str, Any]:
        query = {"as_of": day.isoformat()}
        figures = [
            row | {"url": link(request, "api-v1:progress_figure", row["key"], query=query)} for row in year_figures(day)
        ]
        return {"year": day.year, "as_of": day, "figures": figures}

    return Lazy(year_points(as_of), year)


@router.get(
    "/{key}",
    response={200: FigureDetail, 404: Problem, 422: Problem},
    url_name="progress_figure",
    summary=_lazy("One progress figure with the States behind it"),
)
@decorate_view(conditional)
def figure(
    request: HttpRequest,
    params: Query[AsOf],
    key: str = Path(..., pattern=KEY_PATTERN, description=_lazy("The figure's key, e.g. states-parties.")),
) -> dict[str, Any]:
    """One public figure as it stood on `as_of` (default today): the States counted in it and those in its
    total but not counted (each with the date, status and source that put it there), its breakdown by
    group, how many of the States counted have a record at all, and the nearest published total beside
    the computed one. An unknown key, or a figure of the ISU's version only, is a 404."""
    as_of = params.day()
    page = selectors.figure_page(key=key, as_of=as_of, audience=AUDIENCE)
    if page is None:
        raise Http404(_("There is no figure “%(key)s” on this dashboard.") % {"key": key})
    return figure_detail(request, page, as_of)
