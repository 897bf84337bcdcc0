"""The ISU's view of the national reporting teams (``/isu/reporting-teams/``): for each report a State is still
preparing, how many of its forms the focal point gave to contributors, how many are ready, returned or overdue
internally, and the nearest internal due date. Figures only: no contributor's name, no draft content; what the
team does stays within the State. Reviewers only (``access.reviewer_required``, with their second factor, and
under /isu/, where ``StaffTwoFactorMiddleware`` asks for it); reads are ``reporting.selectors_team``."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from ccm_portal.core import clock
from reporting import selectors_team
from reporting.access import reviewer_required


@require_GET
@reviewer_required
def isu_team_progress(request: HttpRequest) -> HttpResponse:
    today = clock.today()
    rows = [
        {"progress": row, "state": row.report.state.local_name, "title": row.report.title}
        for row in selectors_team.team_progress(today=today)
    ]
    return render(request, "reporting/review/team_progress.html", {"rows": rows, "today": today})


urlpatterns = [
    path("isu/reporting-teams/", isu_team_progress, name="isu_team_progress"),
]
