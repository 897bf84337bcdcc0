"""The PDF of a report: a submitted version in the layout of the adopted format, or the working
draft (marked "DRAFT — not submitted" on every page) for the national approver's sign-off.

Start → status → download. ``ensure_pdf`` answers at once with the ``ReportPdf`` row: the stored
file when what it shows is unchanged (same ``fingerprint``), the render in flight, or a new render
queued with Celery once the transaction commits. ``render`` does the work in the worker and moves
the row's progress bar as it goes; it never holds a database transaction open while WeasyPrint
lays out the pages, and it never marks a file ready for content that changed while it rendered.

Stage and error texts are stored untranslated (``gettext_noop``) and translated when shown, so the
status page speaks its reader's language whichever language the worker runs in.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from audit import services as audit
from reporting import formats
from reporting import forms as editor
from reporting.models import Language, RenderStatus, Report, ReportPdf, ReportVersion

log = logging.getLogger(__name__)

# Bump when the print template or its CSS changes what a PDF shows: every stored PDF is then
# rendered again the next time someone asks for it.
LAYOUT_REVISION = 1
TEMPLATE = "reporting/pdf/report.html"
STYLESHEET = "css/report-print.css"
DIRECTORY = "reports/pdf"
# A render that has not finished after this long is taken to be lost (a worker killed mid-way);
# asking again queues a new one.
STALE_AFTER = dt.timedelta(minutes=10)
IN_FLIGHT = (RenderStatus.QUEUED, RenderStatus.RENDERING)
# WeasyPrint 70 write options, as measured in bench/test_pdf.py (500 rows, 22 pages): subset fonts
# (``full_fonts`` would embed whole fonts: 3.1 MB instead of 0.1 MB, and 1.9 s instead of 0.4 s to
# write); no hinting in the subsets (viewers do not need it; +10 % size); compressed streams
# (``uncompressed_pdf`` saves 0.05 s for a file ten times larger).
WRITE_OPTIONS: dict[str, Any] = {"full_fonts": False, "hinting": False, "uncompressed_pdf": False}

# Stages of the progress bar, translated when shown.
STAGE_QUEUED = gettext_noop("Waiting for a free worker")
STAGE_PREPARING = gettext_noop("Preparing the content")
STAGE_LAYOUT = gettext_noop("Laying out the pages")
STAGE_WRITING = gettext_noop("Writing the PDF")
STAGE_SAVING = gettext_noop("Saving")
STAGE_READY = gettext_noop("Ready")
STAGE_CHANGED = gettext_noop("The draft changed while the PDF was being made; starting again")
STAGE_RETRY = gettext_noop("A temporary problem; trying again shortly")
STAGE_FAILED = gettext_noop("Failed")
ERROR_FAILED = gettext_noop(
    "The PDF could not be made. Try again; if it fails again, tell the ISU (the error has been logged)."
)
PROGRESS = {
    STAGE_PREPARING: 10,
    STAGE_LAYOUT: 40,
    STAGE_WRITING: 75,
    STAGE_SAVING: 90,
}


# --- What a PDF shows, and its fingerprint -----------------------------------------------------------
def _load_version(version: ReportVersion | int) -> ReportVersion:
    pk = version if isinstance(version, int) else version.pk
    return ReportVersion.objects.select_related("format_version", "superseded_by").get(pk=pk)


def _load_report(report: Report | int) -> Report:
    pk = report if isinstance(report, int) else report.pk
    return Report.objects.select_related("state", "format_version").get(pk=pk)


def fingerprint(report: Report, version: ReportVersion | None = None) -> str:
    """SHA-256 of everything the PDF shows: the content (or the draft and its revision), the format,
    the version's outcome, "superseded by" and correction note, the visibility, the report's facts
    and ``LAYOUT_REVISION``. Equal fingerprints mean the stored file can be served again."""
    facts: dict[str, Any] = {
        "layout": LAYOUT_REVISION,
        "state": [report.state.iso3, report.state.name],
        "kind": report.kind,
        "period": report.period_year,
        "language": report.original_language,
    }
    if version is None:
        facts.update(
            draft=report.draft,
            revision=report.revision,
            format=report.format_version.code,
            visibility=report.visibility,
            saved_at=report.updated_at.isoformat() if report.updated_at else None,  # "Last saved" on the cover
            is_nil=report.is_nil,
        )
    else:
        facts.update(
            version=version.number,
            content=version.content,
            format=version.format_version.code,
            outcome=version.outcome,
            superseded_by=version.superseded_by.number if version.superseded_by_id else None,
            correction_note=version.correction_note,
            visibility=version.visibility,
            submitted_at=version.submitted_at.isoformat(),
            is_nil=version.is_nil,
        )
    payload = json.dumps(facts, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def file_name(report: Report, version: ReportVersion | None = None) -> str:
    """``LAO-2024-v2.pdf``, ``LAO-initial-draft.pdf``: stable, so a new render replaces the old file."""
    suffix = f"v{version.number}" if version is not None else "draft"
    return f"{report.state.iso3}-{report.period_slug}-{suffix}.pdf"


def is_current(pdf: ReportPdf, report: Report, version: ReportVersion | None = None) -> bool:
    """Whether the stored file of ``pdf`` shows what the version (or draft) holds now."""
    return (
        pdf.status == RenderStatus.READY
        and pdf.fingerprint == fingerprint(report, version)
        and bool(pdf.file)
        and default_storage.exists(pdf.file.name)
    )


# --- Asking for a PDF -------------------------------------------------------------------------------
def _enqueue(pdf_id: int) -> None:
    from reporting.tasks import render_report_pdf

    transaction.on_commit(lambda: render_report_pdf.delay(pdf_id))


def _in_flight(pdf: ReportPdf, now: dt.datetime) -> bool:
    if pdf.status not in IN_FLIGHT:
        return False
    since = pdf.started_at if pdf.status == RenderStatus.RENDERING else pdf.requested_at
    return since is None or now - since < STALE_AFTER


def ensure_pdf(*, report: Report, version: ReportVersion | None = None, requested_by: Any = None) -> ReportPdf:
    """The PDF of ``version`` (or of the draft): the existing row when its fingerprint matches and it
    is ready or being made; otherwise the row (re)set to "queued" and one render enqueued after commit.
    Asking twice queues one render. Authorization is the caller's (see ``reporting.views.documents``)."""
    with transaction.atomic():
        # Read afresh: what counts is the content now, not what the caller loaded earlier.
        report = _load_report(report)
        version = _load_version(version) if version is not None else None
        current = fingerprint(report, version)
        pdf, created = ReportPdf.objects.select_for_update().get_or_create(
            report=report,
            version=version,
            defaults={
                "fingerprint": current,
                "status": RenderStatus.QUEUED,
                "stage": STAGE_QUEUED,
                "requested_by": requested_by if getattr(requested_by, "is_authenticated", False) else None,
            },
        )
        if not created and pdf.fingerprint == current:
            if pdf.status == RenderStatus.READY and pdf.file and default_storage.exists(pdf.file.name):
                return pdf
            if _in_flight(pdf, timezone.now()):
                return pdf
        before = {"status": "" if created else pdf.status, "fingerprint": "" if created else pdf.fingerprint}
        if not created:
            pdf.fingerprint = current
            pdf.status = RenderStatus.QUEUED
            pdf.progress = 0
            pdf.stage = STAGE_QUEUED
            pdf.error = ""
            pdf.requested_by = requested_by if getattr(requested_by, "is_authenticated", False) else None
            pdf.requested_at = timezone.now()
            pdf.started_at = None
            pdf.finished_at = None
            pdf.save(
                update_fields=[
                    "fingerprint",
                    "status",
                    "progress",
                    "stage",
                    "error",
                    "requested_by",
                    "requested_at",
                    "started_at",
                    "finished_at",
                ]
            )
        audit.record(
            actor=requested_by,
            action="reporting.pdf.queued",
            obj=pdf,
            changes={
                "status": [before["status"], RenderStatus.QUEUED],
                "fingerprint": [before["fingerprint"], current],
            },
            context={"report": report.pk, "version": version.number if version else None},
        )
        _enqueue(pdf.pk)
    return pdf


def queue_version_pdf(version_id: int) -> ReportPdf:
    """Render a newly submitted version in the background (``services.submit_report`` calls this
    on commit), so the official PDF is usually ready before anyone asks for it."""
    version = ReportVersion.objects.select_related("report").get(pk=version_id)
    return ensure_pdf(report=version.report, version=version, requested_by=None)


# --- Building the document ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Rendered:
    data: bytes
    pages: int


def _language(code: str) -> dict[str, str]:
    return {
        "code": code,
        "label": str(Language(code).label) if code in Language.values else code,
        "dir": "rtl" if code == Language.ARABIC else "ltr",
    }


def document_context(report: Report, version: ReportVersion | None = None) -> dict[str, Any]:
    """Everything the print template shows, built as ``version_detail`` builds its page: the cover
    page with each form's changed / unchanged / not applicable tick, then every form."""
    if version is not None:
        spec = version.format_version.spec
        content = version.content
    else:
        spec = report.format_version.spec
        # A draft keeps what was typed; its cleaned form shows areas in m² and numbers grouped.
        content = formats.validate(
            spec, report.draft, initial=report.is_initial, period_year=report.period_year
        ).cleaned
    sections = editor.read_only_sections(spec, content, initial=report.is_initial)
    period = str(report.period_year) if not report.is_initial else ""
    state = report.state.name
    if version is None:
        header = (
            _("%(state)s — Article 7 report %(year)s — DRAFT — not submitted") % {"state": state, "year": period}
            if period
            else _("%(state)s — Article 7 initial report — DRAFT — not submitted") % {"state": state}
        )
    else:
        header = (
            _("%(state)s — Article 7 report %(year)s — version %(n)s")
            % {"state": state, "year": period, "n": version.number}
            if period
            else _("%(state)s — Article 7 initial report — version %(n)s") % {"state": state, "n": version.number}
        )
        if version.superseded_by_id:
            header += " — " + _("Superseded by version %(n)s") % {"n": version.superseded_by.number}
    supersedes = (
        ReportVersion.objects.filter(superseded_by=version).values_list("number", flat=True).first()
        if version is not None
        else None
    )
    return {
        "report": report,
        "version": version,
        "draft": version is None,
        "spec": spec,
        "header": header,
        "period_label": report.period_label,
        "visibility": (version.get_visibility_display() if version else report.get_visibility_display())
        or _("Not chosen yet"),
        "language": _language(report.original_language),
        **sections,
        "supersedes": supersedes,
    }


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string (for ``content:``), whatever quotes or backslashes it holds."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + " ".join(escaped.split()) + '"'


def page_css(context: dict[str, Any]) -> str:
    """The running header and the numbered footer of every page, as margin-box content."""
    footer = _("Article 7 transparency report · %(state)s · %(period)s · page") % {
        "state": context["report"].state.iso3,
        "period": context["period_label"],
    }
    header_style = "color: #b40000; font-weight: bold;" if context["draft"] else ""
    return (
        f"@page {{ @top-center {{ content: {css_string(context['header'])}; {header_style} }}"
        f' @bottom-center {{ content: {css_string(footer)} " " counter(page) " / " counter(pages); }} }}'
    )


@dataclass(frozen=True)
class Source:
    html: str
    page_css: str


def build_source(report: Report, version: ReportVersion | None = None) -> Source:
    context = document_context(report, version)
    return Source(html=render_to_string(TEMPLATE, context), page_css=page_css(context))


@cache
def _stylesheet_text() -> str:
    # Read from disk through the staticfiles finders: the worker needs no web server.
    path = finders.find(STYLESHEET)
    if not path:
        raise FileNotFoundError(STYLESHEET)
    return Path(path).read_text(encoding="utf-8")


def html_to_pdf(source: Source, *, on_laid_out: Any = None) -> Rendered:
    """Lay out the document with the print stylesheet and write the PDF. The document refers to
    nothing outside itself, so every URL is refused (no file or network access from report content)."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols=())
    fonts = FontConfiguration()
    stylesheets = [
        CSS(string=_stylesheet_text(), font_config=fonts, url_fetcher=fetcher),
        CSS(string=source.page_css, font_config=fonts, url_fetcher=fetcher),
    ]
    document = HTML(string=source.html, url_fetcher=fetcher).render(stylesheets=stylesheets, font_config=fonts)
    if on_laid_out is not None:
        on_laid_out()
    return Rendered(data=document.write_pdf(**WRITE_OPTIONS), pages=len(document.pages))


# --- Rendering (in the worker) ------------------------------------------------------------------------
def _subject(pdf: ReportPdf) -> tuple[Report, ReportVersion | None]:
    report = _load_report(pdf.report_id)
    version = _load_version(pdf.version_id) if pdf.version_id else None
    return report, version


def _progress(pdf_id: int, fp: str, stage: str) -> None:
    # One autocommitted statement: the status page sees it at once, nothing stays locked.
    ReportPdf.objects.filter(pk=pdf_id, status=RenderStatus.RENDERING, fingerprint=fp).update(
        progress=PROGRESS[stage], stage=stage
    )


def _claim(pdf_id: int) -> tuple[ReportPdf, Report, ReportVersion | None, str] | None:
    """Move a queued PDF (or a lost render) to "rendering" for the content as it is now; ``None``
    when there is nothing to do (already ready, rendering elsewhere, or deleted)."""
    with transaction.atomic():
        pdf = ReportPdf.objects.select_for_update().filter(pk=pdf_id).first()
        if pdf is None:
            return None
        now = timezone.now()
        lost = pdf.status == RenderStatus.RENDERING and not _in_flight(pdf, now)
        if pdf.status != RenderStatus.QUEUED and not lost:
            return None  # a duplicate delivery: the work is done or in hand
        report, version = _subject(pdf)
        current = fingerprint(report, version)
        before = pdf.status
        pdf.status = RenderStatus.RENDERING
        pdf.fingerprint = current
        pdf.progress = PROGRESS[STAGE_PREPARING]
        pdf.stage = STAGE_PREPARING
        pdf.error = ""
        pdf.started_at = now
        pdf.finished_at = None
        pdf.save(update_fields=["status", "fingerprint", "progress", "stage", "error", "started_at", "finished_at"])
        audit.record(
            actor=None,
            action="reporting.pdf.rendering",
            obj=pdf,
            changes={"status": [before, RenderStatus.RENDERING]},
            context={"fingerprint": current},
        )
    return pdf, report, version, current


def _finish(pdf_id: int, rendered_fp: str, result: Rendered) -> ReportPdf:
    with transaction.atomic():
        pdf = ReportPdf.objects.select_for_update().get(pk=pdf_id)
        if pdf.status != RenderStatus.RENDERING or pdf.fingerprint != rendered_fp:
            # Someone asked again for newer content meanwhile; that render does the work.
            return pdf
        report, version = _subject(pdf)
        current = fingerprint(report, version)
        if current != rendered_fp:
            # The draft was saved while this render ran: never mark a file ready for stale content.
            pdf.status = RenderStatus.QUEUED
            pdf.fingerprint = current
            pdf.progress = 0
            pdf.stage = STAGE_CHANGED
            pdf.requested_at = timezone.now()
            pdf.started_at = None
            pdf.save(update_fields=["status", "fingerprint", "progress", "stage", "requested_at", "started_at"])
            audit.record(
                actor=None,
                action="reporting.pdf.queued",
                obj=pdf,
                changes={
                    "status": [RenderStatus.RENDERING, RenderStatus.QUEUED],
                    "fingerprint": [rendered_fp, current],
                },
                context={"reason": "content changed while rendering"},
            )
            _enqueue(pdf.pk)
            return pdf
        name = f"{DIRECTORY}/{file_name(report, version)}"
        # A stable name: the new file replaces the old one (FileSystemStorage would otherwise add a suffix).
        default_storage.delete(name)
        pdf.file.name = default_storage.save(name, ContentFile(result.data))
        pdf.size = len(result.data)
        pdf.pages = result.pages
        pdf.status = RenderStatus.READY
        pdf.progress = 100
        pdf.stage = STAGE_READY
        pdf.finished_at = timezone.now()
        pdf.save(update_fields=["file", "size", "pages", "status", "progress", "stage", "finished_at"])
        audit.record(
            actor=None,
            action="reporting.pdf.ready",
            obj=pdf,
            changes={"status": [RenderStatus.RENDERING, RenderStatus.READY]},
            context={"file": pdf.file.name, "size": pdf.size, "pages": pdf.pages, "fingerprint": rendered_fp},
        )
    return pdf


def _fail(pdf_id: int, rendered_fp: str, *, retry: bool) -> None:
    with transaction.atomic():
        pdf = ReportPdf.objects.select_for_update().get(pk=pdf_id)
        if pdf.status != RenderStatus.RENDERING or pdf.fingerprint != rendered_fp:
            return
        status = RenderStatus.QUEUED if retry else RenderStatus.FAILED
        pdf.status = status
        pdf.progress = 0
        pdf.stage = STAGE_RETRY if retry else STAGE_FAILED
        pdf.error = "" if retry else ERROR_FAILED
        pdf.finished_at = None if retry else timezone.now()
        pdf.save(update_fields=["status", "progress", "stage", "error", "finished_at"])
        audit.record(
            actor=None,
            action="reporting.pdf.retrying" if retry else "reporting.pdf.failed",
            obj=pdf,
            changes={"status": [RenderStatus.RENDERING, status]},
        )


def render(pdf_id: int, *, final_attempt: bool = True) -> ReportPdf | None:
    """Make the PDF of row ``pdf_id``: claim it, build the HTML, lay it out and write it with
    WeasyPrint (no transaction open meanwhile), then store the file and mark it ready — unless the
    content changed meanwhile, in which case it is queued again. On an error the row says so for the
    user and the exception is logged; an ``OSError`` (disk, storage) is raised again for Celery to
    retry, the row waiting as "queued" until the final attempt."""
    claimed = _claim(pdf_id)
    if claimed is None:
        return ReportPdf.objects.filter(pk=pdf_id).first()
    pdf, report, version, fp = claimed
    try:
        with translation.override(settings.LANGUAGE_CODE):
            source = build_source(report, version)
            _progress(pdf.pk, fp, STAGE_LAYOUT)
            result = html_to_pdf(source, on_laid_out=lambda: _progress(pdf.pk, fp, STAGE_WRITING))
        _progress(pdf.pk, fp, STAGE_SAVING)
        return _finish(pdf.pk, fp, result)
    except Exception as error:
        log.exception("Rendering the PDF of %s (ReportPdf %s) failed", pdf, pdf.pk)
        retry = isinstance(error, OSError) and not final_attempt
        _fail(pdf.pk, fp, retry=retry)
        if retry:
            raise
        return ReportPdf.objects.get(pk=pdf.pk)
