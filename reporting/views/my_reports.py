"""The focal point's list of the State's reports (started in the portal, owed, received outside it), and
starting a report from it. What the list holds is read by ``reporting.selectors.state_reports``; the ISU
is sent to its review queue instead.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ccm_portal.core import clock
from ccm_portal.core.views import show_refusal
from reporting import access, forms, selectors, services
from reporting.views.pages import STATUS_BADGES, errors_text


@login_required
@require_GET
def my_reports(request: HttpRequest) -> HttpResponse:
    user = request.user
    if access.is_reviewer(user):
        return redirect("reporting:review_queue")
    if not access.prepares_reports(user):
        raise PermissionDenied
    state = user.state
    today = clock.today()
    found = selectors.state_reports(state, today=today)
    for report in found.reports:
        report.badge = STATUS_BADGES.get(report.status, "neutral")
    return render(
        request,
        "reporting/focal/my_reports.html",
        {"state": state, "reports": found.reports, "owed": found.owed, "received": found.received, "today": today},
    )


@login_required
@require_POST
def report_start(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not access.prepares_reports(user):
        raise PermissionDenied
    form = forms.StartReportForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The report could not be started: %(errors)s") % {"errors": errors_text(form)})
        return redirect("reporting:my_reports")
    data = form.cleaned_data
    try:
        report = services.start_report(
            state=user.state,
            kind=data["kind"],
            period_year=data["period_year"],
            actor=user,
            from_last_year=data["from_last_year"],
        )
    except ValidationError as error:
        show_refusal(request, error)
        return redirect("reporting:my_reports")
    except IntegrityError:  # a double click: the same report was started at the same moment
        messages.error(request, _("This report has just been started; open it from the list."))
        return redirect("reporting:my_reports")
    messages.success(request, _("%(report)s started. Fill in the cover page and the forms.") % {"report": report.title})
    return redirect(report)
