"""Report PDFs: start → status → download.

Who may have which PDF follows ``overview.version_detail``: a version's PDF for whoever may read that
version (readers only published versions, the public only public ones); the draft's PDF
for the State's focal points and the ISU only. Everyone else gets 404 for a PDF (as for the version
or draft behind it); asking for the draft of a report one may read but not edit is 403.

The work is in ``reporting.pdf``; these views parse, authorize, call one function and answer.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ccm_portal.core import documents
from ccm_portal.core.files import send_file
from ccm_portal.core.models import RenderStatus
from ccm_portal.core.ratelimit import limited
from reporting import access
from reporting import pdf as report_pdf
from reporting.access import get_report, readable_versions
from reporting.models import Report, ReportPdf, ReportVersion, Visibility
from reporting.views.pages import page_mode

# The status page reloads itself this often (seconds) while the PDF is being made, without JavaScript.
REFRESH_SECONDS = 3


# --- Who may have which PDF -----------------------------------------------------------------------
def _versions_for(user: Any, report: Report) -> QuerySet[ReportVersion]:
    """As ``overview.version_detail``: the State and the ISU read every version; everyone else what
    ``access.readable_versions`` allows (published versions; restricted ones for States Parties)."""
    versions = report.versions.select_related("format_version", "superseded_by")
    return versions if access.may_read_drafts(user, report) else readable_versions(user, versions)


def get_pdf(user: Any, pdf_pk: int) -> tuple[ReportPdf, Report, ReportVersion | None]:
    """The PDF ``pdf_pk`` with its report and version, if ``user`` may read what it shows; else 404."""
    pdf = (
        ReportPdf.objects.select_related("version__format_version", "version__superseded_by").filter(pk=pdf_pk).first()
    )
    if pdf is None:
        raise Http404
    report = get_report(user, pdf.report_id)  # 404 for those who may not know the report exists
    version = pdf.version
    # The working copy is the State's (its focal points) and the ISU's, never a reader's.
    if not access.may_read_drafts(user, report):
        if version is None:
            raise Http404  # the working copy is not theirs to read
        if not _versions_for(user, report).filter(pk=version.pk).exists():
            raise Http404
    return pdf, report, version


# --- Views -------------------------------------------------------------------------------------------
@require_POST
@limited("document_request")
def pdf_start(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_report(request.user, pk)
    raw = (request.POST.get("version") or "").strip()
    if raw and not (raw.isdecimal() and len(raw) <= 5):
        messages.error(request, _("“%(value)s” is not a version number.") % {"value": raw[:20]})
        return redirect(report)
    if raw:
        version = get_object_or_404(_versions_for(request.user, report), number=int(raw))
    else:
        version = None
        if not access.may_read_drafts(request.user, report):
            raise PermissionDenied
    pdf = report_pdf.ensure_pdf(report=report, version=version, requested_by=request.user)
    if pdf.status == RenderStatus.READY:
        return redirect("reporting:pdf_download", pdf_pk=pdf.pk)
    return redirect("reporting:pdf_status", pdf_pk=pdf.pk)


def _status(pdf: ReportPdf, report: Report, version: ReportVersion | None) -> dict[str, Any]:
    current = report_pdf.is_current(pdf, report, version)
    ready = pdf.status == RenderStatus.READY
    return {
        "status": pdf.status,
        "status_label": pdf.get_status_display(),
        "progress": pdf.progress,
        "stage": _(pdf.stage) if pdf.stage else "",
        "current": current,
        "outdated": ready and not current,
        "in_flight": pdf.status in documents.IN_FLIGHT,
        "download_url": reverse("reporting:pdf_download", args=[pdf.pk]) if current else None,
        "error": _(pdf.error) if pdf.status == RenderStatus.FAILED and pdf.error else "",
        "pages": pdf.pages if current else None,
        "size": pdf.size if current else None,
    }


@require_GET
def pdf_status(request: HttpRequest, pdf_pk: int) -> HttpResponse:
    pdf, report, version = get_pdf(request.user, pdf_pk)
    state = _status(pdf, report, version)
    if request.GET.get("format") == "json":
        response = JsonResponse({key: state[key] for key in ("status", "progress", "stage", "download_url", "error")})
        patch_cache_control(response, no_store=True, private=True)
        return response
    return render(
        request,
        "reporting/pdf/status.html",
        {
            "pdf": pdf,
            "report": report,
            "version": version,
            "title": report.title,
            "mode": page_mode(request.user, report),
            "state": state,
            "refresh": REFRESH_SECONDS if state["in_flight"] else None,
            "status_url": reverse("reporting:pdf_status", args=[pdf.pk]),
            "file_name": report_pdf.file_name(report, version, pdf.language),
        },
    )


@require_GET
def pdf_download(request: HttpRequest, pdf_pk: int) -> HttpResponse:
    pdf, report, version = get_pdf(request.user, pdf_pk)
    if not report_pdf.is_current(pdf, report, version):
        failed = pdf.status == RenderStatus.FAILED and pdf.fingerprint == report_pdf.current_fingerprint(pdf)
        if not failed:
            # The report changed since (or the file is gone): make it again, in its language, and show the progress.
            report_pdf.ensure_pdf(report=report, version=version, requested_by=request.user, language=pdf.language)
            messages.info(
                request, _("The PDF is being made from the report as it is now. This page shows when it is ready.")
            )
        return redirect("reporting:pdf_status", pdf_pk=pdf.pk)
    response = send_file(
        pdf.file, filename=report_pdf.file_name(report, version, pdf.language), content_type="application/pdf"
    )
    # Drafts and restricted reports must not linger in any cache.
    if version is None or version.visibility != Visibility.PUBLIC:
        patch_cache_control(response, private=True, no_store=True)
    else:
        patch_cache_control(response, private=True)
    return response


urlpatterns = [
    path("reporting/<int:pk>/pdf/", pdf_start, name="pdf_start"),
    path("reporting/pdf/<int:pdf_pk>/", pdf_status, name="pdf_status"),
    path("reporting/pdf/<int:pdf_pk>/download/", pdf_download, name="pdf_download"),
]
