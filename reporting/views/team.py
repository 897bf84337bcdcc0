"""The national reporting team's pages: the focal point gives a report's forms to the State's contributors
with internal due dates (``/reporting/<id>/team/``), and a contributor lists the forms given to them
(``/reporting/my-forms/``). Writes are ``reporting.services.assign_form``; who may is ``reporting.access``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import User
from ccm_portal.core import clock
from reporting import access, services
from reporting.access import get_report
from reporting.forms.team import TeamForm
from reporting.models import Report
from reporting.views.pages import report_title


def _rows(form: TeamForm, report: Report) -> list[dict[str, Any]]:
    spec = report.format_version.spec
    current = form.current
    today = clock.today()
    rows = []
    for code in form.codes:
        given = current.get(code)
        rows.append(
            {
                "code": code,
                "title": spec.form(code).title,
                "contributor": form[f"contributor-{code}"],
                "due": form[f"due-{code}"],
                "status": given.get_status_display() if given else "",
                "overdue": bool(given and given.is_overdue(today)),
            }
        )
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def report_team(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_report(request.user, pk)
    if not access.may_assign(request.user, report):
        raise PermissionDenied
    members = list(User.objects.filter(access.team_of(report.state)).order_by("full_name", "email"))
    form = TeamForm(request.POST if request.method == "POST" else None, report=report, members=members)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():  # every form's line or none
                for code in form.codes:
                    services.assign_form(
                        report=report,
                        form_code=code,
                        contributor=form.cleaned_data[f"contributor-{code}"],
                        due_on=form.cleaned_data[f"due-{code}"],
                        actor=request.user,
                    )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Who works on which form is saved."))
            return redirect("reporting:report_team", pk=report.pk)
    return render(
        request,
        "reporting/focal/team.html",
        {
            "report": report,
            "title": report_title(report),
            "form": form,
            "rows": _rows(form, report),
            "members": members,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def my_forms(request: HttpRequest) -> HttpResponse:
    """A contributor's forms, report by report, with their internal due dates."""
    if not access.contributes(request.user):
        raise PermissionDenied
    today = clock.today()
    found = []
    for given in access.assignments_of(request.user).select_related("report__format_version", "report__state"):
        report = given.report
        found.append(
            {
                "report": report,
                "title": report_title(report),
                "code": given.form_code,
                "form_title": report.format_version.spec.form(given.form_code).title,
                "due_on": given.due_on,
                "status": given.get_status_display(),
                "overdue": given.is_overdue(today),
            }
        )
    return render(request, "reporting/team/my_forms.html", {"forms": found, "today": today})


urlpatterns = [
    path("reporting/my-forms/", my_forms, name="my_forms"),
    path("reporting/<int:pk>/team/", report_team, name="report_team"),
]
