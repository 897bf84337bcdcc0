"""Server-rendered SVG charts: no JavaScript, no external library.

Each chart is an ``<svg role="img">`` with a ``<title>`` and a ``<desc>`` that says in words what it shows,
plus the same numbers as a data table (``Chart.table``) that the template puts in a ``<details>``. Colours
are presentation attributes on the shapes, so a chart keeps them where the stylesheet is not loaded (the
PDF of the dashboard); the stylesheet only sizes and lays them out.

The functions here know nothing of States or reports: they take labelled series and return markup.
"""

from __future__ import annotations

import datetime as dt
import html
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.safestring import SafeString, mark_safe

SVG_NS = "http://www.w3.org/2000/svg"
INK = "#17202b"
MUTED = "#4a5565"
GRID = "#d3d9e1"
FONT = "system-ui, sans-serif"

Number = int | Decimal | float


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    colour: str
    values: tuple[Number, ...]


@dataclass(frozen=True)
class LegendItem:
    key: str
    label: str
    colour: str
    dashed: bool = False


@dataclass(frozen=True)
class DataTable:
    caption: str
    columns: tuple[str, ...]  # the first names the row headers
    rows: tuple[tuple[str, ...], ...]  # the first cell of each row is its header


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    desc: str
    svg: SafeString
    table: DataTable
    legend: tuple[LegendItem, ...] = field(default_factory=tuple)


# --- Helpers ---------------------------------------------------------------------------------------
def _n(value: float) -> str:
    """A coordinate with at most one decimal: short markup, no float noise."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _attrs(attrs: dict[str, object]) -> str:
    # Numbers need no escaping; text does (the stdlib escape: Django's lazy wrapper costs more per call).
    return "".join(
        f' {name}="{value if isinstance(value, int | float) else html.escape(str(value))}"'
        for name, value in attrs.items()
        if value is not None
    )


def _element(tag: str, attrs: dict[str, object], tooltip: str = "") -> str:
    if tooltip:
        return f"<{tag}{_attrs(attrs)}><title>{html.escape(tooltip)}</title></{tag}>"
    return f"<{tag}{_attrs(attrs)}/>"


def _text(x: float, y: float, text: str, *, anchor: str = "middle", size: int = 11, colour: str = MUTED) -> str:
    return (
        f'<text x="{_n(x)}" y="{_n(y)}" text-anchor="{anchor}" font-size="{size}" fill="{colour}" '
        f'font-family="{FONT}">{html.escape(text)}</text>'
    )


def _svg(chart_id: str, title: str, desc: str, width: int, height: int, body: list[str], css_class: str) -> SafeString:
    # role="img" with aria-labelledby: screen readers announce the title and the description, not the shapes.
    return mark_safe(  # noqa: S308 — every text and attribute value above went through html.escape()
        f'<svg xmlns="{SVG_NS}" class="{html.escape(css_class)}" role="img" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" preserveAspectRatio="xMidYMid meet" '
        f'aria-labelledby="{html.escape(chart_id)}-title {html.escape(chart_id)}-desc" focusable="false">'
        f'<title id="{html.escape(chart_id)}-title">{html.escape(title)}</title>'
        f'<desc id="{html.escape(chart_id)}-desc">{html.escape(desc)}</desc>' + "".join(body) + "</svg>"
    )


def nice_ticks(maximum: float, count: int = 5) -> list[float]:
    """Round tick values from 0 to at least ``maximum`` (1, 2, 2.5 or 5 times a power of ten apart)."""
    if maximum <= 0:
        return [0, 1]
    raw = maximum / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    ticks = [0.0]
    while ticks[-1] < maximum - 1e-9:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def tick_label(value: float) -> str:
    if value >= 1_000_000 and value % 100_000 == 0:
        return f"{value / 1_000_000:g}M"
    if value >= 10_000 and value % 1000 == 0:
        return f"{value / 1000:g}k"
    return f"{value:g}"


def year_fraction(day: dt.date) -> float:
    """A date on a continuous time axis: 2020-01-01 → 2020.0, 2020-12-31 → ~2020.997."""
    start = dt.date(day.year, 1, 1)
    length = (dt.date(day.year + 1, 1, 1) - start).days
    return day.year + (day - start).days / length


# --- Stacked areas over time ------------------------------------------------------------------------
@dataclass(frozen=True)
class Frame:
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int

    @property
    def plot_width(self) -> int:
        return self.width - self.left - self.right

    @property
    def plot_height(self) -> int:
        return self.height - self.top - self.bottom

    @property
    def baseline(self) -> int:
        return self.height - self.bottom


def _baseline(frame: Frame) -> str:
    return _element(
        "line",
        {"x1": frame.left, "x2": frame.width - frame.right, "y1": frame.baseline, "y2": frame.baseline, "stroke": INK},
    )


def _y_axis(frame: Frame, ticks: list[float]) -> list[str]:
    top = ticks[-1] or 1
    out = []
    for tick in ticks:
        y = frame.baseline - frame.plot_height * tick / top
        out.append(
            _element(
                "line",
                {
                    "x1": frame.left,
                    "x2": frame.width - frame.right,
                    "y1": _n(y),
                    "y2": _n(y),
                    "stroke": GRID,
                    "stroke-width": 1,
                },
            )
        )
        out.append(_text(frame.left - 6, y + 4, tick_label(tick), anchor="end"))
    return out


def stacked_area(
    *,
    chart_id: str,
    title: str,
    desc: str,
    points: Sequence[dt.date],
    point_labels: Sequence[str],
    series: Sequence[Series],
    table: DataTable,
    width: int = 640,
    height: int = 280,
) -> Chart:
    """Series stacked over time, each point at its date (the last may fall mid-year)."""
    frame = Frame(width, height, left=44, right=16, top=12, bottom=30)
    xs = [year_fraction(p) for p in points]
    lo, hi = (xs[0], xs[-1]) if len(xs) > 1 else (xs[0] - 0.5, xs[0] + 0.5)

    def x(value: float) -> float:
        return frame.left + frame.plot_width * (value - lo) / (hi - lo)

    totals = [sum(float(s.values[i]) for s in series) for i in range(len(points))]
    ticks = nice_ticks(max(totals, default=0))
    top = ticks[-1] or 1

    def y(value: float) -> float:
        return frame.baseline - frame.plot_height * value / top

    body = _y_axis(frame, ticks)
    below = [0.0] * len(points)
    for s in series:
        above = [below[i] + float(s.values[i]) for i in range(len(points))]
        if len(points) == 1:
            body.append(
                _element(
                    "rect",
                    {
                        "x": _n(x(xs[0]) - 6),
                        "y": _n(y(above[0])),
                        "width": 12,
                        "height": _n(y(below[0]) - y(above[0])),
                        "fill": s.colour,
                    },
                    s.label,
                )
            )
        else:
            forward = [f"{_n(x(xs[i]))},{_n(y(above[i]))}" for i in range(len(points))]
            backward = [f"{_n(x(xs[i]))},{_n(y(below[i]))}" for i in reversed(range(len(points)))]
            body.append(
                _element(
                    "path",
                    {
                        "d": "M" + " L".join(forward + backward) + " Z",
                        "fill": s.colour,
                        "stroke": "#ffffff",
                        "stroke-width": 0.5,
                    },
                    s.label,
                )
            )
        below = above
    step = max(1, math.ceil(len(points) / 9))
    for i in range(0, len(points), step):
        body.append(_text(x(xs[i]), frame.baseline + 18, point_labels[i]))
    body.append(_baseline(frame))
    legend = tuple(LegendItem(s.key, s.label, s.colour) for s in series)
    return Chart(chart_id, title, desc, _svg(chart_id, title, desc, width, height, body, "chart"), table, legend)


# --- Stacked bars -----------------------------------------------------------------------------------
def stacked_bars(
    *,
    chart_id: str,
    title: str,
    desc: str,
    categories: Sequence[str],
    series: Sequence[Series],
    table: DataTable,
    width: int = 640,
    height: int = 280,
) -> Chart:
    """One bar per category, its segments stacked in the order of ``series`` from the baseline up."""
    frame = Frame(width, height, left=44, right=16, top=12, bottom=30)
    count = max(len(categories), 1)
    band = frame.plot_width / count
    bar = max(min(band * 0.7, 48), 2)
    totals = [sum(float(s.values[i]) for s in series) for i in range(len(categories))]
    ticks = nice_ticks(max(totals, default=0))
    top = ticks[-1] or 1
    body = _y_axis(frame, ticks)
    for i, category in enumerate(categories):
        left = frame.left + band * i + (band - bar) / 2
        below = 0.0
        for s in series:
            value = float(s.values[i])
            if value <= 0:
                continue
            y_top = frame.baseline - frame.plot_height * (below + value) / top
            y_bottom = frame.baseline - frame.plot_height * below / top
            body.append(
                _element(
                    "rect",
                    {
                        "x": _n(left),
                        "y": _n(y_top),
                        "width": _n(bar),
                        "height": _n(y_bottom - y_top),
                        "fill": s.colour,
                    },
                    f"{category}: {s.label} {s.values[i]}",
                )
            )
            below += value
    step = max(1, math.ceil(count / 12))
    for i in range(0, len(categories), step):
        body.append(_text(frame.left + band * (i + 0.5), frame.baseline + 18, categories[i]))
    body.append(_baseline(frame))
    legend = tuple(LegendItem(s.key, s.label, s.colour) for s in series)
    return Chart(chart_id, title, desc, _svg(chart_id, title, desc, width, height, body, "chart"), table, legend)


# --- Sparkline against a deadline ---------------------------------------------------------------------
SPARK_COLOUR = "#0a57a4"
PROJECTION_COLOUR = "#4a5565"
DEADLINE_COLOUR = "#b42318"
# A projection far in the future is drawn towards its end, not to it: the panel stays readable.
SPARK_MAX_YEARS_AHEAD = 12


@dataclass(frozen=True)
class _SparkScale:
    """Where a sparkline puts a year (as a fraction) and a value inside its frame."""

    frame: Frame
    lo: float
    hi: float
    top: float

    def x(self, value: float) -> float:
        return self.frame.left + self.frame.plot_width * (value - self.lo) / (self.hi - self.lo)

    def y(self, value: float) -> float:
        return self.frame.baseline - self.frame.plot_height * value / self.top


def _spark_scale(
    frame: Frame, xs: list[float], values: list[float], deadline: dt.date | None, end: float | None
) -> _SparkScale:
    """The years the panel spans: the points, the deadline and the projected date (a far one cut at
    ``SPARK_MAX_YEARS_AHEAD`` past the last point), at least a year, with a margin."""
    candidates = list(xs)
    if deadline:
        candidates.append(year_fraction(deadline))
    if end is not None:
        limit = (max(xs) if xs else end) + SPARK_MAX_YEARS_AHEAD
        candidates.append(min(end, limit))
    if not candidates:
        candidates = [0.0]
    lo, hi = min(candidates), max(candidates)
    if hi - lo < 1:
        lo, hi = lo - 0.5, hi + 0.5
    return _SparkScale(frame, lo - 0.2, hi + 0.2, max(values, default=0) or 1)


def _spark_deadline(scale: _SparkScale, deadline: dt.date, label: str) -> str:
    dx = scale.x(year_fraction(deadline))
    attributes = {
        "x1": _n(dx),
        "x2": _n(dx),
        "y1": scale.frame.top - 4,
        "y2": scale.frame.baseline,
        "stroke": DEADLINE_COLOUR,
        "stroke-width": 1.5,
    }
    return _element("line", attributes, label)


def _spark_values(
    scale: _SparkScale, points: Sequence[tuple[dt.date, Number]], xs: list[float], labels: Sequence[str]
) -> list[str]:
    """The line through the yearly values (from two of them) and a dot on each, titled with its label."""
    values = [float(v) for _d, v in points]
    body = []
    if len(points) > 1:
        line = " ".join(f"{_n(scale.x(xv))},{_n(scale.y(v))}" for xv, v in zip(xs, values, strict=True))
        attributes = {"points": line, "fill": "none", "stroke": SPARK_COLOUR, "stroke-width": 2}
        body.append(_element("polyline", attributes | {"stroke-linejoin": "round"}))
    for (_day, value), xv, label in zip(points, xs, labels, strict=True):
        dot = {"cx": _n(scale.x(xv)), "cy": _n(scale.y(float(value))), "r": 2.5, "fill": SPARK_COLOUR}
        body.append(_element("circle", dot, label))
    return body


def _spark_projection(scale: _SparkScale, x0: float, v0: float, end: float) -> str:
    """The dashed line from the last value to zero on the projected date (cut at the panel's edge, at the
    value the line has there)."""
    x1, v1 = end, 0.0
    if x1 > scale.hi - 0.2:
        edge = scale.hi - 0.2
        v1 = v0 * (1 - (edge - x0) / (x1 - x0)) if x1 > x0 else 0.0
        x1 = edge
    attributes = {
        "x1": _n(scale.x(x0)),
        "y1": _n(scale.y(v0)),
        "x2": _n(scale.x(x1)),
        "y2": _n(scale.y(v1)),
        "stroke": PROJECTION_COLOUR,
        "stroke-width": 1.5,
        "stroke-dasharray": "4 3",
    }
    return _element("line", attributes)


def sparkline(
    *,
    chart_id: str,
    title: str,
    desc: str,
    points: Sequence[tuple[dt.date, Number]],
    deadline: dt.date | None,
    projected: dt.date | None,
    table: DataTable,
    deadline_label: str,
    point_labels: Sequence[str] | None = None,
    width: int = 260,
    height: int = 84,
) -> Chart:
    """The yearly values as a line, a dashed line from the last one to zero on the projected date,
    and a vertical line on the deadline."""
    frame = Frame(width, height, left=6, right=6, top=8, bottom=18)
    xs = [year_fraction(day) for day, _v in points]
    values = [float(v) for _d, v in points]
    end = year_fraction(projected) if projected else None
    scale = _spark_scale(frame, xs, values, deadline, end)
    grid = {"x1": frame.left, "x2": width - frame.right, "y1": frame.baseline, "y2": frame.baseline, "stroke": GRID}
    body = [_element("line", grid)]
    if deadline:
        body.append(_spark_deadline(scale, deadline, deadline_label))
    body += _spark_values(scale, points, xs, point_labels or [f"{day.year}: {value}" for day, value in points])
    if end is not None and points:
        body.append(_spark_projection(scale, xs[-1], values[-1], end))
    if points:
        body.append(_text(scale.x(xs[0]), height - 4, str(points[0][0].year), anchor="start", size=10))
    if deadline:
        year = str(deadline.year)
        body.append(_text(scale.x(year_fraction(deadline)), height - 4, year, size=10, colour=DEADLINE_COLOUR))
    # One legend serves the whole grid of panels (the template draws it).
    return Chart(chart_id, title, desc, _svg(chart_id, title, desc, width, height, body, "sparkline"), table)
