"""Exports of the "progress to date" dashboard: the figures and the States behind them as CSV or XLSX,
and the one-page PDF (start → status → download), for the public (``/progress/…``) and the ISU
(``/isu/progress/…``, with restricted figures: two factors, ``REVIEW_REPORTS`` or ``USE_STAFF_PAGES``).

Thin views: parse ``as_of``, authorize, call ``progress.exports``, answer. A PDF of the ISU's version is
the ISU's only: anyone else gets 404 for it, on the public URLs too; the ISU are sent from the public
URLs to the ISU ones, where the second factor is required.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, re_path, reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ccm_portal.core.files import send_file
from ccm_portal.core.models import RenderStatus
from ccm_portal.core.page_cache import public_page
from ccm_portal.core.ratelimit import limited
from parties.forms import AsOfForm
from progress import access, exports, selectors
from progress.models import Audience, DashboardPdf

# The status page reloads itself this often (seconds) while the PDF is being made, without JavaScript.
REFRESH_SECONDS = 3
FORMATS = {
    "csv": ("text/csv; charset=utf-8", exports.to_csv),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", exports.to_xlsx),
}
# URL names (namespace ``progress``) of each audience's PDF pages.
PDF_PAGES = {
    Audience.PUBLIC: {
        "start": "progress:pdf_start",
        "status": "progress:pdf_status",
        "download": "progress:pdf_download",
    },
    Audience.ISU: {
        "start": "progress:pdf_start_isu",
        "status": "progress:pdf_status_isu",
        "download": "progress:pdf_download_isu",
    },
}
DASHBOARDS = {Audience.PUBLIC: "progress:dashboard", Audience.ISU: "progress:dashboard_isu"}


def _as_of(data: Any) -> tuple[AsOfForm, dt.date | None]:
    """The date asked for (today when none is given); ``None`` when it cannot be used."""
    form = AsOfForm(data)
    return form, form.cleaned_data["as_of"] if form.is_valid() else None


def _private(response: HttpResponse, audience: str) -> HttpResponse:
    # The ISU's version holds restricted figures: it must not linger in any cache.
    if audience == Audience.ISU:
        patch_cache_control(response, private=True, no_store=True)
    return response


# --- Figures and States as CSV or XLSX -----------------------------------------------------------------
def _export(request: HttpRequest, fmt: str, audience: str) -> HttpResponse:
    form, as_of = _as_of(request.GET)
    if as_of is None:
        errors = "; ".join(str(e) for e in form.errors.get("as_of", []))
        return HttpResponse(
            _("The date could not be used: %(errors)s") % {"errors": errors},
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    content_type, write = FORMATS[fmt]
    dashboard = selectors.build(as_of=as_of, audience=audience)
    response = HttpResponse(write(dashboard), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{exports.file_stem(as_of, audience)}.{fmt}"'
    return _private(response, audience)


@public_page
@require_GET
def export_figures(request: HttpRequest, fmt: str) -> HttpResponse:
    return _export(request, fmt, Audience.PUBLIC)


@require_GET
@access.isu_required
def export_figures_isu(request: HttpRequest, fmt: str) -> HttpResponse:
    return _export(request, fmt, Audience.ISU)


# --- The one-page PDF: start → status → download -----------------------------------------------------
def _start(request: HttpRequest, audience: str) -> HttpResponse:
    form, as_of = _as_of(request.POST)
    if as_of is None:
        for error in form.errors.get("as_of", []):
            messages.error(request, error)
        return redirect(DASHBOARDS[audience])
    pdf = exports.ensure(as_of=as_of, audience=audience, requested_by=request.user)
    return redirect(PDF_PAGES[audience]["status"], pk=pdf.pk)


@require_POST
@limited("document_request")
def pdf_start(request: HttpRequest) -> HttpResponse:
    return _start(request, Audience.PUBLIC)


@require_POST
@access.isu_required
@limited("document_request")
def pdf_start_isu(request: HttpRequest) -> HttpResponse:
    return _start(request, Audience.ISU)


def _status(pdf: DashboardPdf) -> dict[str, Any]:
    """What the status page and its JSON twin say. "Ready" is what the row says; whether the figures
    changed since is checked on download, so that polling costs one query."""
    ready = exports.has_file(pdf)
    return {
        "status": pdf.status,
        "status_label": pdf.get_status_display(),
        "progress": pdf.progress,
        "stage": _(pdf.stage) if pdf.stage else "",
        "ready": ready,
        "in_flight": pdf.status in exports.IN_FLIGHT,
        "download_url": reverse(PDF_PAGES[pdf.audience]["download"], args=[pdf.pk]) if ready else None,
        "error": _(pdf.error) if pdf.status == RenderStatus.FAILED and pdf.error else "",
        "size": pdf.size if ready else None,
    }


def _status_page(request: HttpRequest, pk: int, audience: str) -> HttpResponse:
    pdf = access.get_pdf(request.user, pk)
    if pdf.audience != audience:
        # Each PDF has its pages under its audience's URLs (the ISU's under /isu/: two factors).
        return redirect(PDF_PAGES[pdf.audience]["status"], pk=pdf.pk)
    state = _status(pdf)
    if request.GET.get("format") == "json":
        response = JsonResponse({key: state[key] for key in ("status", "progress", "stage", "download_url", "error")})
        patch_cache_control(response, no_store=True, private=True)
        return response
    return render(
        request,
        "progress/pdf/status.html",
        {
            "pdf": pdf,
            "state": state,
            "is_isu": pdf.audience == Audience.ISU,
            "refresh": REFRESH_SECONDS if state["in_flight"] else None,
            "status_url": reverse(PDF_PAGES[pdf.audience]["status"], args=[pdf.pk]),
            "dashboard_url": f"{reverse(DASHBOARDS[pdf.audience])}?as_of={pdf.as_of.isoformat()}",
            "dashboard_name": DASHBOARDS[pdf.audience],
            "file_name": exports.file_name(pdf),
        },
    )


@require_GET
def pdf_status(request: HttpRequest, pk: int) -> HttpResponse:
    return _status_page(request, pk, Audience.PUBLIC)


@require_GET
@access.isu_required
def pdf_status_isu(request: HttpRequest, pk: int) -> HttpResponse:
    return _status_page(request, pk, Audience.ISU)


def _download(request: HttpRequest, pk: int, audience: str) -> HttpResponse:
    pdf = access.get_pdf(request.user, pk)
    if pdf.audience != audience:
        return redirect(PDF_PAGES[pdf.audience]["download"], pk=pdf.pk)
    current = exports.current_fingerprint(pdf)
    if not exports.is_current(pdf, current):
        failed = pdf.status == RenderStatus.FAILED and pdf.fingerprint == current
        if not failed:
            # The figures changed since (or the file is gone): make it again, in its language, and show the progress.
            exports.ensure(as_of=pdf.as_of, audience=pdf.audience, requested_by=request.user, language=pdf.language)
            messages.info(
                request, _("The PDF is being made from the figures as they are now. This page shows when it is ready.")
            )
        return redirect(PDF_PAGES[audience]["status"], pk=pdf.pk)
    response = send_file(pdf.file, filename=exports.file_name(pdf), content_type="application/pdf")
    patch_cache_control(response, private=True)
    return _private(response, audience)


@require_GET
def pdf_download(request: HttpRequest, pk: int) -> HttpResponse:
    return _download(request, pk, Audience.PUBLIC)


@require_GET
@access.isu_required
def pdf_download_isu(request: HttpRequest, pk: int) -> HttpResponse:
    return _download(request, pk, Audience.ISU)


urlpatterns = [
    re_path(r"^progress/export\.(?P<fmt>csv|xlsx)$", export_figures, name="export_figures"),
    re_path(r"^isu/progress/export\.(?P<fmt>csv|xlsx)$", export_figures_isu, name="export_figures_isu"),
    path("progress/pdf/", pdf_start, name="pdf_start"),
    path("progress/pdf/<int:pk>/", pdf_status, name="pdf_status"),
    path("progress/pdf/<int:pk>/download/", pdf_download, name="pdf_download"),
    path("isu/progress/pdf/", pdf_start_isu, name="pdf_start_isu"),
    path("isu/progress/pdf/<int:pk>/", pdf_status_isu, name="pdf_status_isu"),
    path("isu/progress/pdf/<int:pk>/download/", pdf_download_isu, name="pdf_download_isu"),
]
