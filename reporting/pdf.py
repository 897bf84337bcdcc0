"""The PDF of a report: a submitted version in the layout of the adopted format, or the working
draft (marked "DRAFT — not submitted" on every page) for the national approver's sign-off.

Start → status → download, in the lifecycle of ``ccm_portal.core.documents`` (this module is its
``KIND``: what a PDF shows, its fingerprint, how it is built, where it is stored). ``ensure_pdf``
answers at once with the ``ReportPdf`` row: the stored file when what it shows is unchanged (same
``fingerprint``), the render in flight, or a new render queued with Celery once the transaction
commits. ``render`` does the work in the worker and moves the row's progress bar as it goes; it never
holds a database transaction open while WeasyPrint lays out the pages, and it never marks a file
ready for content that changed while it rendered.

Stage and error texts are stored untranslated (``gettext_noop``) and translated when shown, so the
status page speaks its reader's language whichever language the worker runs in.

A PDF is in its reader's language (``language``: the labels, the format's headings and the State's name), with the
content as the State wrote it (marked with the report's original language); one file per version and language.
A version's PDF made unasked on submission is in the portal's language.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ccm_portal.core import documents
from reporting import editor, formats
from reporting.models import Language, Report, ReportPdf, ReportVersion

log = logging.getLogger(__name__)

# Bump when the print template or its CSS changes what a PDF shows: every stored PDF is then
# rendered again the next time someone asks for it. 2: areas as typed; the contact point's e-mail and
# telephone only if the State chose to publish them (stored PDFs of published versions showed them). 3: the
# submission date is the day the report counts as submitted; a version the ISU entered from an original says so.
# 4: in the reader's language, right to left in Arabic, numbers left to right.
LAYOUT_REVISION = 4
TEMPLATE = "reporting/pdf/report.html"
STYLESHEET = "css/report-print.css"
DIRECTORY = "reports/pdf"

# The stages of the progress bar, the lifecycle's texts and the write options are those of every background
# document (``ccm_portal.core.documents``); this one is the report's own.
STAGE_CHANGED = gettext_noop("The draft changed while the PDF was being made; starting again")


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
    the language it is written in (the active one) and ``LAYOUT_REVISION``. Equal fingerprints mean the stored
    file can be served again."""
    facts: dict[str, Any] = {
        "layout": LAYOUT_REVISION,
        "reader_language": translation.get_language(),
        "state": [report.state.iso3, report.state.local_name],
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
            # What the cover says of a version the ISU entered from an original, and the State's confirmation.
            submitted_on=version.submitted_on.isoformat(),
            entered_by_isu=version.entered_by_isu,
            original_source=version.original_source,
            confirmed_by_state_at=version.confirmed_by_state_at.isoformat() if version.confirmed_by_state_at else None,
            is_nil=version.is_nil,
        )
    payload = json.dumps(facts, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def file_name(report: Report, version: ReportVersion | None = None, language: str = settings.LANGUAGE_CODE) -> str:
    """``LAO-2024-v2.pdf``, ``LAO-initial-draft.pdf``, ``LAO-2024-v2.fr.pdf`` in French: stable, so a new render
    replaces the old file."""
    suffix = f"v{version.number}" if version is not None else "draft"
    return f"{report.state.iso3}-{report.period_slug}-{suffix}{documents.language_suffix(language)}.pdf"


def is_current(pdf: ReportPdf, report: Report, version: ReportVersion | None = None) -> bool:
    """Whether the stored file of ``pdf`` shows what the version (or draft) holds now, in its language."""
    with translation.override(pdf.language):
        return pdf.fingerprint == fingerprint(report, version) and documents.has_file(pdf)


def current_fingerprint(pdf: ReportPdf) -> str:
    """The fingerprint of what ``pdf`` would show now, in its language."""
    report, version = _subject(pdf)
    with translation.override(pdf.language):
        return fingerprint(report, version)


# --- Asking for a PDF -------------------------------------------------------------------------------
def ensure_pdf(
    *, report: Report, version: ReportVersion | None = None, requested_by: Any = None, language: str | None = None
) -> ReportPdf:
    """The PDF of ``version`` (or of the draft) in ``language`` (default: the active one, the reader's): the
    existing row when its fingerprint matches and it is ready or being made; otherwise the row (re)set to "queued"
    and one render enqueued after commit. Asking twice queues one render. Authorization is the caller's (see
    ``reporting.views.documents``)."""
    language = documents.reader_language(language)
    # Read afresh: what counts is the content now, not what the caller loaded earlier.
    report = _load_report(report)
    version = _load_version(version) if version is not None else None
    with translation.override(language):
        current = fingerprint(report, version)
    return documents.ensure(
        KIND,
        lookup={"report": report, "version": version, "language": language},
        current=current,
        requested_by=requested_by,
        context={"report": report.pk, "version": version.number if version else None, "language": language},
    )


def queue_version_pdf(version_id: int) -> ReportPdf:
    """Render a newly submitted version in the background (``services.submit_report`` calls this
    on commit), so the official PDF is usually ready before anyone asks for it."""
    version = ReportVersion.objects.select_related("report").get(pk=version_id)
    return ensure_pdf(report=version.report, version=version, requested_by=None, language=settings.LANGUAGE_CODE)


# --- Building the document ---------------------------------------------------------------------------
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
    state = report.state.local_name
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


def _stylesheet_text() -> str:
    return documents.stylesheet_text(STYLESHEET)


def html_to_pdf(source: Source, *, on_laid_out: Any = None) -> documents.Rendered:
    """Lay out the document with the print stylesheet and write the PDF. The document refers to
    nothing outside itself, so every URL is refused (no file or network access from report content)."""
    document = documents.lay_out(source.html, [_stylesheet_text(), source.page_css])
    if on_laid_out is not None:
        on_laid_out()
    return documents.write(document)


# --- Rendering (in the worker) ------------------------------------------------------------------------
def _subject(pdf: ReportPdf) -> tuple[Report, ReportVersion | None]:
    report = _load_report(pdf.report_id)
    version = _load_version(pdf.version_id) if pdf.version_id else None
    return report, version


class _ReportPdfs(documents.Kind[tuple[Report, ReportVersion | None]]):
    """Report PDFs in the lifecycle of ``ccm_portal.core.documents``. The module's functions are looked up
    when called (tests replace ``build_source``)."""

    model = ReportPdf
    action = "reporting.pdf"
    task = "reporting.tasks.render_report_pdf"
    stage_changed = STAGE_CHANGED
    changed_reason = "content changed while rendering"
    log = log
    log_label = "the PDF of"

    def subject(self, row: ReportPdf) -> tuple[Report, ReportVersion | None]:
        return _subject(row)

    def fingerprint(self, subject: tuple[Report, ReportVersion | None]) -> str:
        return fingerprint(*subject)

    def prepare(self, subject: tuple[Report, ReportVersion | None]) -> Source:
        return build_source(*subject)

    def build(self, source: Source, *, on_laid_out: Any) -> documents.Rendered:
        return html_to_pdf(source, on_laid_out=on_laid_out)

    def storage_name(self, row: ReportPdf, subject: tuple[Report, ReportVersion | None]) -> str:
        return f"{DIRECTORY}/{file_name(*subject, language=row.language)}"

    def ready_fields(self, result: documents.Rendered) -> dict[str, Any]:
        return {"pages": result.pages}


KIND = _ReportPdfs()


def _claim(pdf_id: int) -> tuple[ReportPdf, Report, ReportVersion | None, str] | None:
    """``documents.claim``, with the report and the version apart."""
    claimed = documents.claim(KIND, pdf_id)
    if claimed is None:
        return None
    pdf, (report, version), fp = claimed
    return pdf, report, version, fp


def _finish(pdf_id: int, rendered_fp: str, result: documents.Rendered) -> ReportPdf:
    return documents.finish(KIND, pdf_id, rendered_fp, result)


def render(pdf_id: int, *, final_attempt: bool = True, redelivered: bool = False) -> ReportPdf | None:
    """Make the PDF of row ``pdf_id``: claim it, build the HTML, lay it out and write it with
    WeasyPrint (no transaction open meanwhile), then store the file and mark it ready — unless the
    content changed meanwhile, in which case it is queued again. On an error the row says so for the
    user and the exception is logged; an ``OSError`` (disk, storage) is raised again for Celery to
    retry, the row waiting as "queued" until the final attempt. ``redelivered``: the task's message came back
    after the worker that took it died, so a row found "rendering" is that lost render (``documents.claim``)."""
    return documents.render(KIND, pdf_id, final_attempt=final_attempt, redelivered=redelivered)
