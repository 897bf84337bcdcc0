"""The national reporting team's pages: the focal point gives a report's forms to the State's contributors
with internal due dates (``/reporting/<id>/team/``), and a contributor lists the forms given to them
(``/reporting/my-forms/``) and hands each back when ready. The focal point then reads, per form, what changed
since they last looked (the review's diff) and accepts it or returns it with a note on a place of the form
(``/reporting/<id>/team/<form>/``). Writes are ``reporting.services``; who may is ``reporting.access``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from ccm_portal.core import clock
from ccm_portal.core.views import refusal
from reporting import access, editor, services
from reporting.access import get_report
from reporting.diff import anchor_part, diff_form
from reporting.forms.team import ReturnForm, TeamForm
from reporting.models import AssignmentStatus, FormAssignment, Report


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
                "given": given,
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
            "title": report.title,
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
    given_forms = access.assignments_of(request.user).select_related("report__format_version", "report__state")
    open_notes = Count("notes", filter=Q(notes__resolved_at__isnull=True))
    for given in given_forms.annotate(open_notes=open_notes):
        report = given.report
        found.append(
            {
                "report": report,
                "title": report.title,
                "code": given.form_code,
                "form_title": report.format_version.spec.form(given.form_code).title,
                "due_on": given.due_on,
                "status": given.get_status_display(),
                "overdue": given.is_overdue(today),
                "editable": report.is_editable and given.status != AssignmentStatus.READY,
                "open_notes": given.open_notes,
            }
        )
    return render(request, "reporting/team/my_forms.html", {"forms": found, "today": today})


# --- Handing a form back, and returning it -----------------------------------------------------------------
@login_required
@require_POST
def form_ready(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    """The contributor marks their form ready for the focal point."""
    report = access.get_report_for_form(request.user, pk, code)
    try:
        services.mark_ready(report=report, form_code=code, actor=request.user)
    except ValidationError as error:
        messages.error(request, refusal(error))
        return redirect("reporting:my_forms")
    messages.success(request, _("Form %(code)s is ready for the focal point, who has been told.") % {"code": code})
    return redirect("reporting:my_forms")


def _assignment(request: HttpRequest, pk: int, code: str) -> tuple[Report, FormAssignment]:
    """The report and its Form ``code``'s assignment, for the report's focal point while it is editable."""
    report = get_report(request.user, pk)
    if not access.may_assign(request.user, report):
        raise PermissionDenied
    assignment = (
        FormAssignment.objects.select_related("contributor")
        .prefetch_related("notes__author")
        .filter(report=report, form_code=code)
        .first()
    )
    if assignment is None:
        raise Http404
    return report, assignment


def _render_handback(
    request: HttpRequest, report: Report, assignment: FormAssignment, form: ReturnForm | None = None, status: int = 200
) -> HttpResponse:
    definition = report.format_version.spec.form(assignment.form_code)
    current = (report.draft.get("forms") or {}).get(assignment.form_code) or {}
    changes = diff_form(definition, assignment.seen_content or {}, current)
    for table in changes.tables:  # the review's table markup anchors every table and row
        table.anchor = f"{changes.anchor}-{anchor_part(table.key)}"
        for row in table.rows:
            row.anchor = f"{table.anchor}-{anchor_part(row.row_id)}"
    places = editor.place_choices(definition, current)
    labels = dict(places)
    notes = [
        {"note": note, "place": labels.get(f"{note.field_key}|{note.row_id}", _("a place no longer in the form"))}
        for note in assignment.notes.all()
    ]
    return render(
        request,
        "reporting/focal/handback.html",
        {
            "report": report,
            "title": report.title,
            "assignment": assignment,
            "definition": definition,
            "changes": changes,
            "notes": notes,
            "form": form or ReturnForm(places=places),
            "ready": assignment.status == AssignmentStatus.READY,
        },
        status=status,
    )


@login_required
@require_GET
def form_handback(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    """The focal point's page for one form given to a contributor: who, where it stands, what changed since the
    focal point last looked, the notes it was returned with; return it, or mark the changes read."""
    report, assignment = _assignment(request, pk, code)
    return _render_handback(request, report, assignment)


@login_required
@require_POST
def form_return(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    report, assignment = _assignment(request, pk, code)
    definition = report.format_version.spec.form(code)
    current = (report.draft.get("forms") or {}).get(code) or {}
    form = ReturnForm(request.POST, places=editor.place_choices(definition, current))
    if form.is_valid():
        field_key, row_id = form.anchor()
        try:
            services.return_form(
                report=report,
                form_code=code,
                actor=request.user,
                body=form.cleaned_data["body"],
                field_key=field_key,
                row_id=row_id,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Form %(code)s is returned to %(name)s with your note.")
                % {"code": code, "name": assignment.contributor.get_full_name()},
            )
            return redirect("reporting:form_handback", pk=report.pk, code=code)
    return _render_handback(request, report, assignment, form, status=400)


@login_required
@require_POST
def form_seen(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    report, _assignment_found = _assignment(request, pk, code)
    services.mark_seen(report=report, form_code=code, actor=request.user)
    messages.success(request, _("Marked as read: the page will show what changes from now on."))
    return redirect("reporting:form_handback", pk=report.pk, code=code)


urlpatterns = [
    path("reporting/my-forms/", my_forms, name="my_forms"),
    path("reporting/<int:pk>/team/", report_team, name="report_team"),
    path("reporting/<int:pk>/team/<str:code>/", form_handback, name="form_handback"),
    path("reporting/<int:pk>/team/<str:code>/return/", form_return, name="form_return"),
    path("reporting/<int:pk>/team/<str:code>/seen/", form_seen, name="form_seen"),
    path("reporting/<int:pk>/forms/<str:code>/ready/", form_ready, name="form_ready"),
]
