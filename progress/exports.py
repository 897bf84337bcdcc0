"""Exports of the "progress to date" dashboard: its figures and the States behind them as CSV or XLSX,
and the whole dashboard as a one-page landscape PDF for a slide.

Tables. Two of them, from the same ``Dashboard`` the page shows: "Figures" (one row per figure: what
it counts, N of M, its share, definition and source) and "States" (one row per figure and State in
its numerator or its denominator, saying which). XLSX puts them on two sheets (a tablib ``Databook``,
the project's export library), CSV one after the other, each under its title. Every text cell that a
spreadsheet would take for a formula (a leading ``=``, ``+``, ``-``, ``@``, tab or carriage return) is
quoted, in both, by ``ccm_portal.core.spreadsheets`` (the one rule for every spreadsheet the portal writes).

PDF. Start → status → download, in the lifecycle that ``reporting.pdf`` follows for reports
(``ccm_portal.core.documents``, with its stage texts, staleness and write options; this module is its
``KIND``): ``ensure`` answers at once with the ``DashboardPdf`` of the date and audience, reusing the
stored file while its ``fingerprint`` (the figures as JSON plus ``LAYOUT_REVISION``) matches, else
queueing one render with Celery after commit. ``render`` does the work in the worker, moving the
progress bar as it goes, with no transaction open while WeasyPrint lays out the page (the figures are
counted outside any transaction too); it never marks a file ready for figures that changed while it
rendered. The PDF speaks its reader's language: one file per date, audience and language (the row's
``language``), its fingerprint computed in that language.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import math
from dataclasses import dataclass
from typing import Any

import tablib
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ccm_portal.core import clock, documents, links
from ccm_portal.core.spreadsheets import csv_bytes, neutralise_dataset
from parties.models import State
from progress import selectors
from progress.membership import display
from progress.models import Audience, DashboardPdf
from progress.types import Dashboard, Figure

log = logging.getLogger(__name__)


# --- Tables (CSV, XLSX) ---------------------------------------------------------------------------
def share_percent(figure: Figure) -> float | None:
    """The share in per cent to one decimal (33 of 41 is 80.5), as the tables give it."""
    percent = selectors.share_percent(figure)
    return None if percent is None else round(percent, 1)


def figure_headers() -> list[str]:
    return [
        _("Key"),
        _("Section"),
        _("Label"),
        _("Numerator"),
        _("Denominator"),
        _("Share (%)"),
        _("Definition"),
        _("Source"),
        _("As of"),
    ]


def state_headers() -> list[str]:
    return [_("Figure"), _("ISO3"), _("State"), _("In numerator")]


def figure_rows(dashboard: Dashboard) -> list[list[Any]]:
    """One row per figure, in the dashboard's order."""
    return [
        [
            f.key,
            selectors.section_label(f.section),
            str(f.label),
            f.numerator,
            f.denominator,
            share_percent(f),
            str(f.definition),
            str(f.source),
            dashboard.as_of,
        ]
        for f in dashboard.figures
    ]


def state_names(dashboard: Dashboard) -> dict[str, str]:
    """ISO3 → name of every State behind any figure: one query, whatever the number of figures."""
    codes: set[str] = set()
    for f in dashboard.figures:
        codes.update(f.states)
        codes.update(f.out_of or ())
    if not codes:
        return {}
    return dict(State.objects.filter(iso3__in=codes).values_list("iso3", "name"))


def state_rows(dashboard: Dashboard, names: dict[str, str]) -> list[list[Any]]:
    """The lists behind each figure: the States of its numerator ("Yes"), then those of its denominator
    that are not in it ("No"), each group by name."""
    yes, no = _("Yes"), _("No")
    out: list[list[Any]] = []
    for f in dashboard.figures:
        inside = set(f.states)
        others = [code for code in f.out_of or () if code not in inside]
        for codes, flag in ((f.states, yes), (others, no)):
            for code in sorted(codes, key=lambda c: (names.get(c, c), c)):
                out.append([f.key, code, names.get(code, ""), flag])
    return out


@dataclass(frozen=True)
class Table:
    title: str
    headers: list[str]
    rows: list[list[Any]]


def tables(dashboard: Dashboard) -> list[Table]:
    """The two tables, "Figures" then "States", as the CSV and the XLSX give them."""
    return [
        Table(_("Figures"), figure_headers(), figure_rows(dashboard)),
        Table(_("States"), state_headers(), state_rows(dashboard, state_names(dashboard))),
    ]


def to_xlsx(dashboard: Dashboard) -> bytes:
    """Two sheets, "Figures" and "States"; dates as dates and numbers as numbers."""
    book = tablib.Databook(
        [neutralise_dataset(tablib.Dataset(*t.rows, headers=t.headers, title=t.title)) for t in tables(dashboard)]
    )
    return book.export("xlsx")


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, dt.date) else value


def to_csv(dashboard: Dashboard) -> bytes:
    """The two tables one after the other, each under its title, a blank line between them (UTF-8
    with a byte-order mark, so that spreadsheets read the accents)."""
    lines: list[list[Any]] = []
    for index, table in enumerate(tables(dashboard)):
        if index:
            lines.append([])
        lines.append([table.title])
        lines.append(table.headers)
        lines.extend([_csv_cell(v) for v in row] for row in table.rows)
    return csv_bytes(lines, bom=True)


def file_stem(as_of: dt.date, audience: str) -> str:
    """``ccm-progress-2026-02-03`` (``ccm-progress-isu-2026-02-03`` for the ISU's version)."""
    middle = "-isu" if audience == Audience.ISU else ""
    return f"ccm-progress{middle}-{as_of.isoformat()}"


# --- The PDF: what it shows, and its fingerprint ----------------------------------------------------
# Bump when the print template or its CSS changes what a PDF shows: stored PDFs are then made again.
# 2: rows of sections as fixed-layout tables instead of nested CSS grids; 3: right to left in Arabic.
LAYOUT_REVISION = 3
TEMPLATE = "progress/pdf/dashboard.html"
STYLESHEET = "css/progress-print.css"
COLUMNS = 6  # figures side by side across the landscape page

STAGE_CHANGED = gettext_noop("The figures changed while the PDF was being made; starting again")
STAGE_QUEUED = documents.STAGE_QUEUED
STAGE_PREPARING = documents.STAGE_PREPARING
STAGE_LAYOUT = documents.STAGE_LAYOUT
STAGE_WRITING = documents.STAGE_WRITING
STAGE_SAVING = documents.STAGE_SAVING
STAGE_READY = documents.STAGE_READY
STAGE_RETRY = documents.STAGE_RETRY
STAGE_FAILED = documents.STAGE_FAILED
ERROR_FAILED = documents.ERROR_FAILED
PROGRESS = documents.PROGRESS
IN_FLIGHT = documents.IN_FLIGHT
STALE_AFTER = documents.STALE_AFTER


def current_dashboard(*, as_of: dt.date, audience: str) -> Dashboard:
    """The dashboard the PDF shows, in the active language (the lifecycle runs a row's work in its language)."""
    return selectors.build(as_of=as_of, audience=audience)


def _figure_facts(figure: Figure) -> dict[str, Any]:
    return {
        "key": figure.key,
        "section": str(figure.section),
        "label": str(figure.label),
        "numerator": figure.numerator,
        "denominator": figure.denominator,
        "states": list(figure.states),
        "out_of": None if figure.out_of is None else list(figure.out_of),
        "breakdown": dict(figure.breakdown),
        "definition": str(figure.definition),
        "source": str(figure.source),
        "restricted": figure.restricted,
    }


def fingerprint(dashboard: Dashboard) -> str:
    """SHA-256 of the figures as JSON, the date, the audience and ``LAYOUT_REVISION``: equal
    fingerprints mean the stored file can be served again."""
    facts = {
        "layout": LAYOUT_REVISION,
        "as_of": dashboard.as_of.isoformat(),
        "audience": str(dashboard.audience),
        "language": translation.get_language(),
        "figures": [_figure_facts(f) for f in dashboard.figures],
    }
    payload = json.dumps(facts, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def file_name(pdf: DashboardPdf) -> str:
    """Stable, so a new render replaces the old file."""
    return f"{file_stem(pdf.as_of, pdf.audience)}{documents.language_suffix(pdf.language)}.pdf"


def has_file(pdf: DashboardPdf) -> bool:
    return documents.has_file(pdf)


def is_current(pdf: DashboardPdf, current: str | None = None) -> bool:
    """Whether the stored file of ``pdf`` shows the figures as they are now (``current``: their
    fingerprint, when the caller has it)."""
    if not has_file(pdf):
        return False
    if current is None:
        current = current_fingerprint(pdf)
    return pdf.fingerprint == current


def current_fingerprint(pdf: DashboardPdf) -> str:
    """The fingerprint of the figures ``pdf`` would show now, in its language."""
    with translation.override(pdf.language):
        return fingerprint(current_dashboard(as_of=pdf.as_of, audience=pdf.audience))


# --- Asking for a PDF ------------------------------------------------------------------------------
def ensure(*, as_of: dt.date, audience: str, requested_by: Any = None, language: str | None = None) -> DashboardPdf:
    """The PDF of the dashboard as of ``as_of`` for ``audience`` in ``language`` (default: the active one, the
    reader's): the existing row when its fingerprint
    matches and it is ready or being made; otherwise the row (re)set to "queued" and one render
    enqueued after commit. Asking twice queues one render. Authorization is the caller's (see
    ``progress.views.exports``)."""
    language = documents.reader_language(language)
    # The figures are counted before the row is locked: the lock is held for a few statements only.
    with translation.override(language):
        current = fingerprint(current_dashboard(as_of=as_of, audience=audience))
    return documents.ensure(
        KIND,
        lookup={"as_of": as_of, "audience": audience, "language": language},
        current=current,
        requested_by=requested_by,
        context={"as_of": as_of.isoformat(), "audience": audience, "language": language},
    )


# --- Building the document -------------------------------------------------------------------------
@dataclass(frozen=True)
class Block:
    """One section on the page: ``span`` of the ``COLUMNS`` columns, its figures ``span`` abreast."""

    label: str
    figures: list[dict[str, Any]]
    span: int

    @property
    def lines(self) -> int:
        return math.ceil(len(self.figures) / self.span)


def _card(figure: Figure) -> dict[str, Any]:
    # Unrounded: the template rounds it once, as the dashboard does (33 of 41 is 80%, not 81%).
    return {"figure": figure, "percent": None if figure.share is None else figure.share * 100}


def pack(sections: list[tuple[str, list[Figure]]], columns: int = COLUMNS) -> list[list[Block]]:
    """The sections in rows across the page: each takes as many columns as it has figures (at most
    ``columns``, wrapping onto more lines), and goes into the first row with room left for it, so
    that sections of one or two figures share a row instead of leaving it mostly empty."""
    rows: list[list[Block]] = []
    free: list[int] = []
    for key, figures in sections:
        if not figures:
            continue
        block = Block(
            label=selectors.section_label(key), figures=[_card(f) for f in figures], span=min(len(figures), columns)
        )
        for index, room in enumerate(free):
            if room >= block.span:
                rows[index].append(block)
                free[index] -= block.span
                break
        else:
            rows.append([block])
            free.append(columns - block.span)
    return rows


@dataclass(frozen=True)
class Cell:
    """One cell of a line of figures: a figure's card, or ``span`` empty columns."""

    card: dict[str, Any] | None
    span: int = 1


def spare_columns(row: list[Block], columns: int = COLUMNS) -> int:
    return columns - sum(block.span for block in row)


def table_lines(row: list[Block], columns: int = COLUMNS) -> list[list[Cell]]:
    """The figures of a row of sections line by line, as the cells of a table of ``columns`` columns:
    each section's figures in its own columns, an empty cell where a section has no figure left on a
    line or where the row has columns to spare."""
    spare = spare_columns(row, columns)
    lines: list[list[Cell]] = []
    for line in range(max(block.lines for block in row)):
        cells: list[Cell] = []
        for block in row:
            cards = block.figures[line * block.span : (line + 1) * block.span]
            cells.extend(Cell(card) for card in cards)
            if len(cards) < block.span:
                cells.append(Cell(None, block.span - len(cards)))
        if spare:
            cells.append(Cell(None, spare))
        lines.append(cells)
    return lines


# How tightly the figures are set, loosest first.
DENSITIES = ("roomy", "compact", "dense", "tight")


def density(rows: list[list[Block]]) -> str:
    """The density to try first, by the number of lines of figures down the page: "roomy" up to four,
    "compact" up to six, "dense" up to eight, then "tight" (number and label on one line).
    ``lay_out`` goes tighter still if the page does not fit."""
    lines = sum(max(block.lines for block in row) for row in rows)
    for level, most in zip(DENSITIES, (4, 6, 8), strict=False):
        if lines <= most:
            return level
    return DENSITIES[-1]


def dashboard_url(as_of: dt.date, audience: str) -> str:
    name = "progress:dashboard_isu" if audience == Audience.ISU else "progress:dashboard"
    return links.absolute(f"{reverse(name)}?as_of={as_of.isoformat()}")


def document_context(dashboard: Dashboard, *, generated_on: dt.date) -> dict[str, Any]:
    rows = pack(dashboard.sections())
    sources: list[str] = []
    for f in dashboard.figures:
        if str(f.source) not in sources:
            sources.append(str(f.source))
    return {
        "dashboard": dashboard,
        "title": _("Convention on Cluster Munitions — progress to date as of %(date)s")
        % {"date": display(dashboard.as_of)},
        "is_isu": dashboard.audience == Audience.ISU,
        # Each row of sections is a fixed-layout table (see the template for why): headings, then lines.
        "rows": [{"blocks": row, "spare": spare_columns(row), "lines": table_lines(row)} for row in rows],
        "density": density(rows),
        "sources": sources,
        "generated": display(generated_on),
        "url": dashboard_url(dashboard.as_of, dashboard.audience),
    }


def build_html(dashboard: Dashboard, *, generated_on: dt.date | None = None, density: str | None = None) -> str:
    context = document_context(dashboard, generated_on=generated_on or clock.today())
    if density is not None:
        context["density"] = density
    return render_to_string(TEMPLATE, context)


def _lay_out(html: str) -> Any:
    """The WeasyPrint document of ``html`` with the print stylesheet (every URL refused)."""
    return documents.lay_out(html, [documents.stylesheet_text(STYLESHEET)])


def html_to_pdf(html: str) -> documents.Rendered:
    """``html`` laid out and written as it is (no density chosen for it)."""
    return documents.write(_lay_out(html))


def lay_out(dashboard: Dashboard, *, generated_on: dt.date | None = None) -> Any:
    """The page laid out at the density ``density`` estimates, or tighter ones until it fits on one
    page: the estimate cannot know how many lines each label takes."""
    context = document_context(dashboard, generated_on=generated_on or clock.today())
    document = None
    for level in DENSITIES[DENSITIES.index(context["density"]) :]:
        document = _lay_out(render_to_string(TEMPLATE, context | {"density": level}))
        if len(document.pages) == 1:
            break
    return document


def render_pdf(dashboard: Dashboard, *, on_laid_out: Any = None) -> documents.Rendered:
    """The one-page PDF of ``dashboard``; ``on_laid_out`` is called between layout and writing."""
    document = lay_out(dashboard)
    if on_laid_out is not None:
        on_laid_out()
    return documents.write(document)


# --- Rendering (in the worker) ---------------------------------------------------------------------
class _DashboardPdfs(documents.Kind[Dashboard]):
    """Dashboard PDFs in the lifecycle of ``ccm_portal.core.documents``."""

    model = DashboardPdf
    action = "progress.pdf"
    task = "progress.tasks.render_dashboard_pdf"
    stage_changed = STAGE_CHANGED
    changed_reason = "figures changed while rendering"
    log = log
    log_label = "the dashboard PDF"

    def subject(self, row: DashboardPdf) -> Dashboard:
        return current_dashboard(as_of=row.as_of, audience=row.audience)

    def fingerprint(self, subject: Dashboard) -> str:
        return fingerprint(subject)

    def build(self, source: Dashboard, *, on_laid_out: Any) -> documents.Rendered:
        return render_pdf(source, on_laid_out=on_laid_out)

    def storage_name(self, row: DashboardPdf, subject: Dashboard) -> str:
        return f"{DashboardPdf._meta.get_field('file').upload_to}{file_name(row)}"


KIND = _DashboardPdfs()


def render(pdf_id: int, *, final_attempt: bool = True, redelivered: bool = False) -> DashboardPdf | None:
    """Make the PDF of row ``pdf_id``: claim it, build the HTML, lay it out and write it with WeasyPrint
    (no transaction open meanwhile), then store the file and mark it ready — unless the figures changed
    meanwhile, in which case it is queued again. On an error the row says so for the user and the
    exception is logged; an ``OSError`` (disk, storage) is raised again for Celery to retry, the row
    waiting as "queued" until the final attempt. ``redelivered``: the task's message came back after the
    worker that took it died, so a row found "rendering" is that lost render (``documents.claim``)."""
    return documents.render(KIND, pdf_id, final_attempt=final_attempt, redelivered=redelivered)
