"""The ISU's background-work page (``/isu/operations/``): reminders, report PDFs and dashboard PDFs that are
queued, failed or stuck (``ccm_portal.operations.selectors``), each failed or stuck item with a Retry button
(``ccm_portal.operations.services``). For ISU staff with their second factor (``ccm_portal.operations.access``);
the page runs a fixed number of queries whatever the number of items.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ccm_portal.core.views import attempt
from ccm_portal.operations import access, selectors, services
from deadlines.models import Reminder
from progress.models import DashboardPdf
from reporting.models import ReportPdf


@require_GET
@access.isu_required
def background_work(request: HttpRequest) -> HttpResponse:
    work = selectors.background_work()
    return render(
        request,
        "operations/background_work.html",
        {
            "work": work,
            "may_retry": access.may_retry(request.user),
        },
    )


def _retry(request: HttpRequest, write: Callable[[], Any], success: str) -> HttpResponse:
    attempt(request, write, success)
    return redirect("operations:background_work")


@require_POST
@access.isu_required
def retry_reminder(request: HttpRequest, pk: int) -> HttpResponse:
    reminder = get_object_or_404(Reminder, pk=pk)
    return _retry(
        request,
        lambda: services.retry_reminder(reminder_id=reminder.pk, actor=request.user),
        _("The reminder to %(email)s is queued to be sent again.") % {"email": reminder.email or _("nobody")},
    )


@require_POST
@access.isu_required
def retry_report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    pdf = get_object_or_404(ReportPdf, pk=pk)
    return _retry(
        request,
        lambda: services.retry_report_pdf(pdf_id=pdf.pk, actor=request.user),
        _("The report PDF is queued to be made again."),
    )


@require_POST
@access.isu_required
def retry_dashboard_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    pdf = get_object_or_404(DashboardPdf, pk=pk)
    return _retry(
        request,
        lambda: services.retry_dashboard_pdf(pdf_id=pdf.pk, actor=request.user),
        _("The dashboard PDF is queued to be made again."),
    )
