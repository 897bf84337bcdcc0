"""The dashboard's charts, as of a date: States Parties by region over time, reporting rates by
reporting year, and for each State with an open Art. 3 or Art. 4 obligation the stockpile or the
contaminated area it reported year by year, drawn against its deadline with the completion date
projected from its recent rate.

Six queries whatever the number of States, reports and years: the States, the reporting rules, the
submission dates, the obligations (with their State) and their extensions (with their meeting), and
the Form B/F totals each version in force keeps (``ReportVersion.form_totals``: none of its content).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.db.models import Prefetch
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from parties.dates import Precision
from parties.models import Article, ExtensionRequest, Obligation, ObligationStatus, Region, State
from progress import charts, reporting_rates
from progress.charts import Chart, DataTable, Series
from progress.models import Audience
from progress.reporting_rates import Timeliness
from reporting.access import readable_versions
from reporting.models import ReportingRules, ReportKind, ReportVersion, VersionOutcome

# Art. 15: signature opened at Oslo on 3 December 2008.
SIGNATURE_OPENED = dt.date(2008, 12, 3)

# The completion date is projected from the mean yearly decrease over the last three changes between
# reported years: (value four reports ago − latest value) / years between them (all of them if fewer).
RATE_WINDOW = 3
# A projection further out than this is shown as "not before <year>" (a trickle of progress on a large
# remainder would otherwise give a date centuries away).
MAX_PROJECTION_YEARS = 100

REGION_COLOURS = {  # Okabe–Ito: distinguishable with the common colour-vision deficiencies
    Region.AFRICA: "#E69F00",
    Region.AMERICAS: "#56B4E9",
    Region.ASIA: "#009E73",
    Region.EUROPE: "#0072B2",
    Region.MIDDLE_EAST: "#D55E00",
    Region.PACIFIC: "#CC79A7",
}
TIMELINESS_COLOURS = {  # Okabe–Ito as well
    Timeliness.ON_TIME: "#009E73",
    Timeliness.LATE: "#E69F00",
    Timeliness.TIMING_UNKNOWN: "#F0E442",
    Timeliness.NIL: "#56B4E9",
    Timeliness.NOT_SUBMITTED: "#D55E00",
    Timeliness.NO_RECORD: "#BBBBBB",  # grey: not a failure, a gap in the record
}
KM2 = Decimal(1_000_000)


# --- Projection: pure --------------------------------------------------------------------------------
class ProjectionStatus(models.TextChoices):
    COMPLETED = "completed", _lazy("Reported as zero")
    PROJECTED = "projected", _lazy("Projected")
    NOT_DECREASING = "not_decreasing", _lazy("Not decreasing: no projection")
    TOO_FEW_POINTS = "too_few_points", _lazy("Fewer than two reported years: no projection")


@dataclass(frozen=True)
class Projection:
    status: ProjectionStatus
    deadline: dt.date | None
    rate: Decimal | None = None  # mean decrease per year over the window
    date: dt.date | None = None  # projected completion; for COMPLETED the end of the first year at zero
    capped: bool = False  # the rate would take more than MAX_PROJECTION_YEARS: ``date`` is a lower bound

    @property
    def year(self) -> int | None:
        return self.date.year if self.date else None

    @property
    def margin_days(self) -> int | None:
        """Days from the deadline to the projected completion: positive when after the deadline."""
        if self.status != ProjectionStatus.PROJECTED or self.date is None or self.deadline is None:
            return None
        return (self.date - self.deadline).days

    @property
    def late(self) -> bool:
        """The projected completion falls after the deadline."""
        margin = self.margin_days
        return margin is not None and margin > 0


def _date_at(position: Decimal) -> dt.date:
    """The day at a point of continuous time where the end of year Y is Y + 1."""
    year = math.ceil(position) - 1
    start = dt.date(year, 1, 1)
    length = (dt.date(year + 1, 1, 1) - start).days
    day = math.ceil((position - year) * length)
    return start + dt.timedelta(days=max(day, 1) - 1)


def project_completion(
    points: Sequence[tuple[int, Decimal]], deadline: dt.date | None, *, window: int = RATE_WINDOW
) -> Projection:
    """When the remainder reaches zero at its recent rate. ``points`` are (year, value at the end of that
    year). The rate is the mean yearly decrease over the last ``window`` changes between reported years:
    (value at the start of the window − latest value) / the years between them; gaps between reports
    count as the years they span. A series whose latest value is zero is completed (at the end of the
    first year of its final run of zeros); with fewer than two points, or a rate that is not a decrease,
    there is no projection."""
    series = sorted(dict(points).items())
    if not series:
        return Projection(ProjectionStatus.TOO_FEW_POINTS, deadline)
    if series[-1][1] <= 0:
        first_zero = len(series) - 1
        while first_zero > 0 and series[first_zero - 1][1] <= 0:
            first_zero -= 1
        return Projection(ProjectionStatus.COMPLETED, deadline, date=dt.date(series[first_zero][0], 12, 31))
    if len(series) < 2:
        return Projection(ProjectionStatus.TOO_FEW_POINTS, deadline)
    (start_year, start_value), (last_year, last_value) = series[-(window + 1) :][0], series[-1]
    rate = (Decimal(start_value) - Decimal(last_value)) / (last_year - start_year)
    if rate <= 0:
        return Projection(ProjectionStatus.NOT_DECREASING, deadline, rate=rate)
    years = Decimal(last_value) / rate
    capped = years > MAX_PROJECTION_YEARS
    position = Decimal(last_year + 1) + min(years, Decimal(MAX_PROJECTION_YEARS))
    return Projection(ProjectionStatus.PROJECTED, deadline, rate=rate, date=_date_at(position), capped=capped)


def risk_key(projection: Projection) -> tuple[int, int]:
    """Riskiest first: not decreasing; then projected after the deadline (latest first); then too few
    points to tell; then projected in time (closest to the deadline first); then reported as zero."""
    status = projection.status
    if status == ProjectionStatus.NOT_DECREASING:
        return (0, 0)
    if status == ProjectionStatus.PROJECTED:
        margin = projection.margin_days or 0
        return (1 if margin > 0 else 3, -margin)
    if status == ProjectionStatus.TOO_FEW_POINTS:
        return (2, 0)
    return (4, 0)


# --- Yearly totals from Forms B and F -------------------------------------------------------------------
# What each obligation reads: Art. 3 → Form B stockpile (cluster munitions held at the end of the period);
# Art. 4 → Form F areas (m², confirmed and suspected), shown in km². Each version keeps its forms' totals
# (``ReportVersion.form_totals``, written when it is made): the charts never read the content.
MEASURES = {
    Article.STOCKPILE_DESTRUCTION: ("B", Decimal(1)),
    Article.CLEARANCE: ("F", KM2),
}


def _end_of_day(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def versions_in_force(state_ids: Iterable[int], *, as_of: dt.date, audience: str) -> list[dict[str, Any]]:
    """For each report of these States, its version in force on ``as_of``: for the ISU the latest version
    accepted by then (a later correction had not yet superseded it); for the public the latest version
    published by then that the public may read (``readable_versions`` for an anonymous reader: restricted
    versions never). One query; of the content only the Form B and Form F totals the version keeps."""
    end = _end_of_day(as_of)
    versions = ReportVersion.objects.filter(report__state_id__in=list(state_ids))
    if audience == Audience.ISU:
        versions = versions.filter(outcome__in=[VersionOutcome.ACCEPTED, VersionOutcome.SUPERSEDED], decided_at__lt=end)
    else:
        versions = readable_versions(AnonymousUser(), versions).filter(published_at__lt=end)
    rows = versions.values(
        "report_id",
        "number",
        state_id=models.F("report__state_id"),
        kind=models.F("report__kind"),
        year=models.F("report__period_year"),
        totals=models.F("form_totals"),
    )
    latest: dict[int, dict[str, Any]] = {}
    for row in rows:
        if row["report_id"] not in latest or row["number"] > latest[row["report_id"]]["number"]:
            latest[row["report_id"]] = row
    return list(latest.values())


def yearly_totals(rows: Iterable[dict[str, Any]], article: int, eif: dt.date | None) -> list[tuple[int, Decimal]]:
    """(year, total) for one State and one obligation, from its versions in force. An annual update gives
    the end of the year it covers; the initial report stands for the year of entry into force unless an
    annual update covers that year. A form "unchanged" without rows repeats the previous year's total."""
    form, unit = MEASURES[article]
    by_year: dict[int, Decimal | None] = {}
    initial: Decimal | None = None
    has_initial = False
    for row in rows:
        kept = (row["totals"] or {}).get(form)
        total = Decimal(kept) if kept is not None else None
        if row["kind"] == ReportKind.INITIAL:
            has_initial, initial = True, total
        elif row["year"] is not None:
            by_year[row["year"]] = total
    if has_initial and eif is not None and eif.year not in by_year:
        by_year[eif.year] = initial
    points: list[tuple[int, Decimal]] = []
    previous: Decimal | None = None
    for year in sorted(by_year):
        value = by_year[year] if by_year[year] is not None else previous
        if value is None:
            continue
        points.append((year, value / unit))
        previous = value
    return points


# --- Per State ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ObligationTrend:
    iso3: str
    name: str
    region: str
    article: int
    deadline: dt.date | None
    points: tuple[tuple[int, Decimal], ...]
    projection: Projection
    chart: Chart

    @property
    def unit(self) -> str:
        return unit_label(self.article)

    @property
    def what(self) -> str:
        return what_label(self.article)

    @property
    def latest(self) -> str:
        if not self.points:
            return _("no figures reported")
        year, value = self.points[-1]
        return _("%(value)s %(unit)s at the end of %(year)s") % {
            "value": display(value, self.article),
            "unit": self.unit,
            "year": year,
        }

    @property
    def summary(self) -> str:
        return projection_summary(self.projection)


def unit_label(article: int) -> str:
    return _("cluster munitions") if article == Article.STOCKPILE_DESTRUCTION else _("km²")


def what_label(article: int) -> str:
    if article == Article.STOCKPILE_DESTRUCTION:
        return _("Stockpile remaining (Art. 3)")
    return _("Contaminated area remaining (Art. 4)")


def display(value: Decimal, article: int) -> str:
    """A total as people read it: whole munitions, km² to two decimals (four below 0.01 km²)."""
    if article == Article.STOCKPILE_DESTRUCTION:
        return formats.number_format(value.to_integral_value(), 0, use_l10n=True, force_grouping=True)
    places = 2 if value >= Decimal("0.01") or value == 0 else 4
    return formats.number_format(value, places, use_l10n=True, force_grouping=True)


def _day(day: dt.date) -> str:
    return formats.date_format(day, "DATE_FORMAT")


def projection_summary(projection: Projection, deadline_text: str = "") -> str:
    """``deadline_text``: the deadline as its source gives it (a month, say), where it is not a day."""
    deadline = deadline_text or (_day(projection.deadline) if projection.deadline else _("none recorded"))
    status = projection.status
    if status == ProjectionStatus.PROJECTED:
        if projection.capped:
            return _("At this rate, not before %(year)s; deadline %(deadline)s") % {
                "year": projection.year,
                "deadline": deadline,
            }
        return _("At this rate, %(year)s; deadline %(deadline)s") % {"year": projection.year, "deadline": deadline}
    if status == ProjectionStatus.COMPLETED:
        return _("Reported as zero at the end of %(year)s; deadline %(deadline)s") % {
            "year": projection.year,
            "deadline": deadline,
        }
    return _("%(status)s; deadline %(deadline)s") % {"status": status.label, "deadline": deadline}


def _trend(obligation: Obligation, rows: list[dict[str, Any]], as_of: dt.date) -> ObligationTrend:
    state = obligation.state
    article = obligation.article
    # The deadline in force on the day (an extension only from its decision), shown in its source's precision.
    deadline = obligation.deadline_on(as_of)
    in_force = obligation.deadline_in_force(as_of)
    if in_force and in_force.precision != Precision.DAY:
        deadline_text = in_force.display()
    else:
        deadline_text = _day(deadline) if deadline else ""
    points = tuple(yearly_totals(rows, article, state.entry_into_force))
    projection = project_completion(points, deadline)
    unit = unit_label(article)
    title = _("%(state)s: %(what)s") % {"state": state.local_name, "what": what_label(article)}
    shown = [display(value, article) for _year, value in points]
    values = "; ".join(f"{year}: {text}" for (year, _v), text in zip(points, shown, strict=True))
    values = values or _("no figures reported")
    desc = _("%(unit)s at the end of each reported year: %(values)s. %(summary)s.") % {
        "unit": unit[:1].upper() + unit[1:],
        "values": values,
        "summary": projection_summary(projection, deadline_text),
    }
    if projection.late:
        desc += " " + _("The projection passes the deadline.")
    table = DataTable(
        caption=title,
        columns=(_("End of year"), unit[:1].upper() + unit[1:]),
        rows=tuple((str(year), text) for (year, _v), text in zip(points, shown, strict=True)),
    )
    chart = charts.sparkline(
        chart_id=f"chart-{state.iso3.lower()}-art{article}",
        title=title,
        desc=desc,
        points=[(dt.date(year, 12, 31), value) for year, value in points],
        point_labels=[f"{year}: {text}" for (year, _v), text in zip(points, shown, strict=True)],
        deadline=deadline,
        projected=projection.date if projection.status == ProjectionStatus.PROJECTED else None,
        table=table,
        deadline_label=_("Deadline: %(date)s") % {"date": deadline_text} if deadline else "",
    )
    return ObligationTrend(
        iso3=state.iso3,
        name=state.local_name,
        region=state.region,
        article=article,
        deadline=deadline,
        points=points,
        projection=projection,
        chart=chart,
    )


def obligation_trends(*, as_of: dt.date, audience: str) -> list[ObligationTrend]:
    """Every State Party's Art. 3 or Art. 4 obligation open on ``as_of``, riskiest first. Three queries."""
    extensions = ExtensionRequest.objects.select_related("meeting")
    obligations = [
        o
        for o in Obligation.objects.select_related("state").prefetch_related(
            Prefetch("extensions", extensions), "completion_records"
        )
        if o.status_on(as_of) == ObligationStatus.OPEN
    ]
    by_state: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if obligations:
        for row in versions_in_force({o.state_id for o in obligations}, as_of=as_of, audience=audience):
            by_state[row["state_id"]].append(row)
    trends = [_trend(o, by_state[o.state_id], as_of) for o in obligations]
    return sorted(trends, key=lambda t: (risk_key(t.projection), t.name, t.article))


# --- States Parties by region over time -----------------------------------------------------------------
def membership_points(as_of: dt.date) -> list[dt.date]:
    """The end of each year from 2008 (signature opened on 3 December) to the year before ``as_of``, and
    ``as_of`` itself."""
    if as_of < SIGNATURE_OPENED:
        return []
    return [dt.date(year, 12, 31) for year in range(SIGNATURE_OPENED.year, as_of.year)] + [as_of]


def parties_by_region(states: Iterable[State], points: Sequence[dt.date]) -> dict[str, list[int]]:
    """States Parties on each date by region, counted as the depositary counts: from the deposit of the
    instrument, until a withdrawal takes effect (as ``parties.selectors.membership_totals``)."""
    counts = {region.value: [0] * len(points) for region in Region}
    for state in states:
        if state.deposit_date is None:
            continue
        withdrawn = state.withdrawal_effective_on
        for i, day in enumerate(points):
            if state.deposit_date <= day and not (withdrawn and withdrawn <= day):
                counts.setdefault(state.region, [0] * len(points))[i] += 1
    return counts


def _membership_chart(points: list[dt.date], counts: dict[str, list[int]], as_of: dt.date) -> Chart | None:
    if not points:
        return None
    labels = [str(p.year) if p != as_of else _day(p) for p in points]
    short = [str(p.year) for p in points]
    regions = [r for r in Region if any(counts[r.value])] or list(Region)
    series = [Series(r.value, str(r.label), REGION_COLOURS[r], tuple(counts[r.value])) for r in regions]
    totals = [sum(counts[r.value][i] for r in regions) for i in range(len(points))]
    last = ", ".join(f"{r.label} {counts[r.value][-1]}" for r in regions)
    desc = _(
        "States Parties at the end of each year from %(first)s, and on %(date)s, stacked by region. "
        "%(total)s States Parties on %(date)s: %(regions)s."
    ) % {"first": points[0].year, "date": _day(as_of), "total": totals[-1], "regions": last}
    if len(points) > 1:
        desc += " " + _("%(total)s at the end of %(year)s.") % {"total": totals[0], "year": points[0].year}
    table = DataTable(
        caption=_("States Parties by region"),
        columns=(_("Date"), *(str(r.label) for r in regions), _("Total")),
        rows=tuple(
            (labels[i], *(str(counts[r.value][i]) for r in regions), str(totals[i])) for i in range(len(points))
        ),
    )
    return charts.stacked_area(
        chart_id="chart-parties-by-region",
        title=_("States Parties by region, %(first)s to %(date)s") % {"first": points[0].year, "date": _day(as_of)},
        desc=desc,
        points=points,
        point_labels=short,
        series=series,
        table=table,
    )


# --- Reporting rates by reporting year --------------------------------------------------------------------
def _reporting_chart(outcomes: list[reporting_rates.Outcome], as_of: dt.date) -> Chart | None:
    if not outcomes:
        return None
    order = tuple(Timeliness)
    counts = {t: tuple(o.count(t) for o in outcomes) for t in order}
    years = [str(o.year) for o in outcomes]
    series = [Series(t.value, str(t.label), TIMELINESS_COLOURS[t], counts[t]) for t in order]
    latest = outcomes[-1]
    desc = _(
        "Annual updates expected for each reporting year from %(first)s to %(last)s (due 30 April of the "
        "following year), stacked by what came of them as of %(date)s. %(last)s: %(expected)s expected, "
        "%(on_time)s on time, %(late)s late, %(unknown)s submitted at a date not known, %(nil)s nil reports, "
        "%(not_submitted)s not submitted, %(no_record)s with no record."
    ) % {
        "first": outcomes[0].year,
        "last": latest.year,
        "date": _day(as_of),
        "expected": len(latest.expected),
        "on_time": latest.count(Timeliness.ON_TIME),
        "late": latest.count(Timeliness.LATE),
        "unknown": latest.count(Timeliness.TIMING_UNKNOWN),
        "nil": latest.count(Timeliness.NIL),
        "not_submitted": latest.count(Timeliness.NOT_SUBMITTED),
        "no_record": latest.count(Timeliness.NO_RECORD),
    }
    table = DataTable(
        caption=_("Annual updates by reporting year"),
        columns=(_("Year covered"), _("Expected"), *(str(t.label) for t in order)),
        rows=tuple(
            (str(o.year), str(len(o.expected)), *(str(counts[t][i]) for t in order)) for i, o in enumerate(outcomes)
        ),
    )
    return charts.stacked_bars(
        chart_id="chart-reporting-rates",
        title=_("Annual updates by reporting year, as of %(date)s") % {"date": _day(as_of)},
        desc=desc,
        categories=years,
        series=series,
        table=table,
    )


# --- Everything the template needs ----------------------------------------------------------------------------
def charts_data(
    *,
    points: list[dt.date],
    counts: dict[str, list[int]],
    outcomes: list[reporting_rates.Outcome],
    obligations: list[ObligationTrend],
) -> dict[str, Any]:
    """The numbers behind the charts with stable keys, for a JSON twin."""
    return {
        "parties_by_region": [
            {"date": day, "regions": {region: values[i] for region, values in counts.items()}}
            | {"total": sum(values[i] for values in counts.values())}
            for i, day in enumerate(points)
        ],
        "annual_reports": [
            {"year": o.year, "due": o.due, "expected": len(o.expected)} | {t.value: o.count(t) for t in Timeliness}
            for o in outcomes
        ],
        "obligations": [
            {
                "iso3": t.iso3,
                "article": t.article,
                "deadline": t.deadline,
                "unit": "munitions" if t.article == Article.STOCKPILE_DESTRUCTION else "km2",
                "points": [[year, str(value)] for year, value in t.points],
                "projection": {
                    "status": t.projection.status.value,
                    "date": t.projection.date,
                    "rate_per_year": str(t.projection.rate) if t.projection.rate is not None else None,
                    "capped": t.projection.capped,
                    "after_deadline": t.projection.late,
                },
            }
            for t in obligations
        ],
    }


def charts_context(*, as_of: dt.date, audience: str) -> dict[str, Any]:
    """The charts as of ``as_of``. The public version reads only published public report versions; the
    ISU's every accepted version, restricted ones included. Six queries."""
    states = list(State.objects.exclude(deposit_date=None).order_by("name"))
    reporting = reporting_rates.load(as_of, states=states)
    outcomes = reporting_rates.annual_outcomes(reporting)
    points = membership_points(as_of)
    counts = parties_by_region(states, points)
    trends = obligation_trends(as_of=as_of, audience=audience)
    return {
        "as_of": as_of,
        "audience": audience,
        "is_public": audience != Audience.ISU,
        "membership": _membership_chart(points, counts, as_of),
        "reporting": _reporting_chart(outcomes, as_of),
        "obligations": trends,
        # Panels for the obligations with reported figures; one compact table for the others.
        "obligation_panels": [t for t in trends if t.points],
        "obligations_unreported": [t for t in trends if not t.points],
        "obligations_late": sum(1 for t in trends if t.projection.late),
        "rate_window": RATE_WINDOW,
        "max_projection_years": MAX_PROJECTION_YEARS,
        "first_annual_rule": str(ReportingRules.FirstAnnual(reporting.first_annual_period).label),
        "spark_colours": {
            "reported": charts.SPARK_COLOUR,
            "projection": charts.PROJECTION_COLOUR,
            "deadline": charts.DEADLINE_COLOUR,
        },
        "data": charts_data(points=points, counts=counts, outcomes=outcomes, obligations=trends),
    }
