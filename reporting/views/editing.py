"""Editing a report: its cover page and its forms, saved with the button or by the autosave script.

Views are thin: parse the request, fetch and authorize the report with
``reporting.access.get_report(…, to="edit")`` (404 for outsiders, 403 for may-see-but-not-do), call
``services.save_draft``, render or redirect (or answer JSON to the autosave script).

Concurrent editing: every editing page carries the revision it was loaded at. A save based
on an older revision is refused by ``services.save_draft`` (``EditConflict``); the page then
answers 409 and shows again what the user typed, says who saved what and when, and carries
the *current* revision. Saving again is therefore a deliberate choice to replace, for the parts
on this page, what the other person saved: the typed values are merged into the current draft,
so the other parts of the report keep the other person's changes. The autosave script never
takes that step on its own: on a conflict it stops and asks the user to save with the button.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ccm_portal.core import cldr
from ccm_portal.core.views import refusal
from reporting import access, editor, selectors, services
from reporting.access import get_report
from reporting.checks import check_report
from reporting.content import choice_suggestions, validation_for
from reporting.formats import Choice, FormDef, Validation, currencies
from reporting.models import Report
from reporting.views import retry
from reporting.views.pages import cover_complete, time_of


# --- Helpers ------------------------------------------------------------------------------------
def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _place_name(place: str) -> str:
    """A place named by ``reporting.content.places`` ("cover", "Form B", a setting) in words."""
    names = {
        "cover": _("cover page"),
        "visibility": _("visibility"),
        "original_language": _("original language"),
        "sent_to_unoda_on": _("date sent to UNODA"),
    }
    if place.startswith("Form "):
        return _("Form %(code)s") % {"code": place[5:]}
    return names.get(place, place)


def _report_nav(
    report: Report, validation: Validation, current: str, team_forms: frozenset[str] | None = None
) -> list[dict[str, Any]]:
    """The parts of the report: all of them for its editor; only the forms given to a contributor
    (``team_forms``), who never sees the cover page or the other forms."""
    spec = report.format_version.spec
    nav = []
    if team_forms is None:
        nav.append(
            {
                "code": "cover",
                "label": _("Cover page"),
                "short": _("Cover"),
                "url": reverse("reporting:report_cover", args=[report.pk]),
                "complete": cover_complete(validation),
                "current": current == "cover",
            }
        )
    for form in spec.forms:
        if team_forms is not None and form.code not in team_forms:
            continue
        nav.append(
            {
                "code": form.code,
                "label": _("Form %(code)s: %(title)s") % {"code": form.code, "title": form.title},
                "short": form.code,
                "url": reverse("reporting:report_form", args=[report.pk, form.code]),
                "complete": validation.form_complete(form.code),
                "current": current == form.code,
            }
        )
    return nav


@dataclass
class SaveProblem:
    message: str
    revision: int
    conflict: services.EditConflict | None = None
    status: int = 409
    retry: bool = False  # a transient database error: nothing was saved, saving again may work


def _changed_places(conflict: services.EditConflict) -> list[str]:
    """The places a conflicting save changed, in page order: cover page, forms, then settings."""
    order = sorted(conflict.changed, key=lambda p: (p != "cover", not p.startswith("Form "), p))
    return [_place_name(p) for p in order]


def conflict_message(request: HttpRequest, conflict: services.EditConflict) -> str:
    places = ", ".join(_changed_places(conflict))
    at = time_of(conflict.at)
    if conflict.by is not None and conflict.by.pk == request.user.pk:
        if places:
            return _(
                "You saved this report in another window at %(time)s; these parts changed: %(places)s. "
                "Your changes here are not saved yet — review and save again."
            ) % {"time": at, "places": places}
        return _(
            "You saved this report in another window at %(time)s. Your changes here are not saved yet — "
            "review and save again."
        ) % {"time": at}
    name = conflict.by.get_full_name() if conflict.by is not None else _("unknown")
    if places:
        return _(
            "Someone else (%(name)s) saved this report at %(time)s; these parts changed: %(places)s. "
            "Your changes are not saved yet — review and save again."
        ) % {"name": name, "time": at, "places": places}
    return _(
        "Someone else (%(name)s) saved this report at %(time)s. Your changes are not saved yet — review and save again."
    ) % {"name": name, "time": at}


def _save(request: HttpRequest, report: Report, content: dict[str, Any]) -> tuple[Report | None, SaveProblem | None]:
    try:
        saved = services.save_draft(
            report=report, content=content, base_revision=editor.parse_revision(request.POST), actor=request.user
        )
    except services.EditConflict as conflict:
        return None, SaveProblem(conflict_message(request, conflict), conflict.report.revision, conflict)
    except ValidationError as error:  # e.g. the ISU took the report into review meanwhile
        return None, SaveProblem(refusal(error), report.revision)
    except (OperationalError, InterfaceError):  # a lock held too long, a dropped connection
        retry.recover_connection()
        return None, SaveProblem(retry.message(), editor.parse_revision(request.POST), status=503, retry=True)
    return saved, None


CHOICE_PATHS = (".choice", ".unchanged_since", ".na_statement")


def _page_errors(validation: Validation, page: str) -> dict[str, str]:
    """The errors of what one editing page holds: the cover page holds its fields and every form's
    choice; a form's page holds everything under ``forms.<code>.``."""
    if page == "cover":
        return {
            path: message
            for path, message in validation.errors.items()
            if path.startswith("cover.")
            or (path.startswith("forms.") and path.endswith(CHOICE_PATHS) and path.count(".") == 2)
        }
    prefix = f"forms.{page}."
    return {path: message for path, message in validation.errors.items() if path.startswith(prefix)}


def _cover_missing(validation: Validation) -> list[str]:
    choices = (Choice.CHANGED, Choice.UNCHANGED, Choice.NOT_APPLICABLE)
    return [
        *validation.missing.get("cover", []),
        *(
            _("a choice for Form %(code)s") % {"code": code}
            for code, form in validation.cleaned["forms"].items()
            if form.get("choice") not in choices
        ),
    ]


def _page_status(validation: Validation, page: str) -> dict[str, Any]:
    """What the banner above an editing page says: complete, what is still needed, or to fix the
    problems marked. The page renders it and every autosave answers it, so they never disagree."""
    if page == "cover":
        complete, missing = cover_complete(validation), _cover_missing(validation)
        done = _("The cover page is complete.")
        fix = _("Fix the problems marked on this page to complete the cover page.")
        needed = _("Still needed on this page:")
    else:
        complete, missing = validation.form_complete(page), validation.missing.get(page, [])
        done = _("Form %(code)s is complete.") % {"code": page}
        fix = _("Fix the problems marked on this page to complete this form.")
        needed = _("Still needed:")
    if complete:
        return {"complete": True, "label": "", "text": done}
    if missing:
        return {"complete": False, "label": needed, "text": "; ".join(str(m) for m in missing)}
    return {"complete": False, "label": "", "text": fix}


def _save_json(
    report: Report, validation: Validation, page: str, team_forms: frozenset[str] | None = None
) -> JsonResponse:
    time = time_of(report.updated_at)
    status = _page_status(validation, page)
    suggestions = choice_suggestions(report, validation.cleaned)
    if team_forms is not None:
        suggestions = {code: text for code, text in suggestions.items() if code in team_forms}
    return JsonResponse(
        {
            "revision": report.revision,
            "saved_at": timezone.localtime(report.updated_at).isoformat(),
            "saved_at_display": time,
            "message": _("Saved at %(time)s") % {"time": time},
            "errors": _page_errors(validation, page),
            "complete": status["complete"],
            "status": status,
            "nav": [
                {"code": item["code"], "complete": item["complete"]}
                for item in _report_nav(report, validation, page, team_forms)
            ],
            "suggestions": suggestions,
        }
    )


def _problem_json(problem: SaveProblem) -> JsonResponse:
    conflict = problem.conflict
    data: dict[str, Any] = {"conflict": conflict is not None, "message": problem.message, "retry": problem.retry}
    if conflict is not None:
        data.update(
            by=conflict.by.get_full_name() if conflict.by is not None else None,
            at=time_of(conflict.at),
            changed=_changed_places(conflict),
        )
    else:
        data["error"] = problem.message
    return JsonResponse(data, status=problem.status)


def _not_editable(request: HttpRequest, report: Report) -> HttpResponse:
    messages.info(
        request,
        _("This report is %(status)s and cannot be edited now.") % {"status": report.get_status_display().lower()},
    )
    return redirect(report)


# --- Editing: cover page and forms -----------------------------------------------------------------
def _render_cover(
    request: HttpRequest,
    report: Report,
    content: dict[str, Any],
    *,
    revision: int,
    problem: SaveProblem | None = None,
    status: int = 200,
) -> HttpResponse:
    spec = report.format_version.spec
    validation = validation_for(report, content)
    suggestions = choice_suggestions(report, validation.cleaned)
    choices = [
        {
            **editor.choice_editor(
                form,
                (content.get("forms") or {}).get(form.code) or {},
                validation.errors,
                initial=report.is_initial,
                period_year=report.period_year,
            ),
            "suggestion": suggestions.get(form.code, ""),
        }
        for form in spec.forms
    ]
    fields = editor.cover_editor(spec, content, validation.errors)
    comments = [c for c in selectors.open_comments(report) if c.form_code == "cover"]
    error_links = [{"href": f["id"], "text": f"{f['column'].label}: {f['error']}"} for f in fields if f["error"]]
    for choice in choices:
        for key, anchor in (
            ("choice_error", f"{choice['prefix']}-choice"),
            ("since_error", f"{choice['prefix']}-since"),
            ("na_error", f"{choice['prefix']}-na"),
        ):
            if choice[key]:
                error_links.append(
                    {
                        "href": anchor,
                        "text": _("Form %(code)s: %(error)s") % {"code": choice["code"], "error": choice[key]},
                    }
                )
    return render(
        request,
        "reporting/focal/report_cover.html",
        {
            "report": report,
            "title": report.title,
            "fields": fields,
            "choices": choices,
            "comments": comments,
            "revision": revision,
            "problem": problem,
            "error_links": [{"title": "", "links": error_links}] if error_links else [],
            "error_count": len(error_links),
            "nav": _report_nav(report, validation, "cover"),
            "status": _page_status(validation, "cover"),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def report_cover(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_report(request.user, pk, to="edit")
    if request.method == "GET":
        if not report.is_editable:
            return _not_editable(request, report)
        return _render_cover(request, report, report.draft, revision=report.revision)
    spec = report.format_version.spec
    content = copy.deepcopy(report.draft)
    editor.apply_cover_post(request.POST, spec, content)
    for form in spec.forms:
        editor.apply_choice_post(request.POST, form, content.setdefault("forms", {}).setdefault(form.code, {}))
    saved, problem = _save(request, report, content)
    if problem is not None:
        if _wants_json(request):
            return _problem_json(problem)
        return _render_cover(
            request, report, content, revision=problem.revision, problem=problem, status=problem.status
        )
    if _wants_json(request):
        return _save_json(saved, validation_for(saved), "cover")
    messages.success(request, _("Cover page saved at %(time)s.") % {"time": time_of(saved.updated_at)})
    return redirect("reporting:report_cover", pk=report.pk)


def _team_forms(request: HttpRequest, report: Report) -> frozenset[str] | None:
    """``None`` for the report's editor; for a national contributor, the forms given to them (whatever their
    status): what their pages show of the report."""
    if access.editable_forms(request.user, report) is None:
        return None
    return frozenset(access.assignments_of(request.user).filter(report=report).values_list("form_code", flat=True))


def _within(finding: Any, team_forms: frozenset[str]) -> bool:
    """Whether a cross-check names only forms given to the contributor (else it would show them another form)."""
    codes = {getattr(place, "form_code", "") for place in finding.places} or {finding.form_code}
    return codes <= team_forms


def _render_form(
    request: HttpRequest,
    report: Report,
    form: FormDef,
    content: dict[str, Any],
    *,
    revision: int,
    team_forms: frozenset[str] | None = None,
    problem: SaveProblem | None = None,
    status: int = 200,
) -> HttpResponse:
    validation = validation_for(report, content)
    data = (content.get("forms") or {}).get(form.code) or {}
    comments = [c for c in selectors.open_comments(report) if c.form_code == form.code]
    if team_forms is not None or access.may_prepare(request.user, report):
        comments += selectors.open_team_notes(report, form.code)
    form_editor = editor.form_editor(
        form,
        data,
        validation.errors,
        validation.cleaned["forms"][form.code],
        comments,
        initial=report.is_initial,
        period_year=report.period_year,
    )
    findings = [f for f in check_report(report, validation.cleaned) if f.concerns(form.code)]
    if team_forms is not None:
        findings = [f for f in findings if _within(f, team_forms)]
    has_currency = any(c.type == "currency" for t in form.tables for c in t.columns)
    suggestion = choice_suggestions(report, validation.cleaned).get(form.code, "")
    form_editor["choice"]["suggestion"] = suggestion
    error_groups = editor.error_links(form, form_editor, choice_anchor=f"f-{form.code}-choice")
    contributor = team_forms is not None
    return render(
        request,
        "reporting/focal/report_form.html",
        {
            "report": report,
            "title": report.title,
            "form": form,
            "editor": form_editor,
            "choice": form_editor["choice"],
            "revision": revision,
            "problem": problem,
            "error_links": error_groups,
            "error_count": sum(len(group["links"]) for group in error_groups),
            "status": _page_status(validation, form.code),
            "findings": findings,
            "nav": _report_nav(report, validation, form.code, team_forms),
            "currencies": cldr.currency_choices(sorted(currencies())) if has_currency else [],
            "contributor": contributor,
            "overview_url": reverse("reporting:my_forms") if contributor else report.get_absolute_url(),
            "head_mode": "contributor" if contributor else "owner",
            "comment_link": None if contributor else report.get_absolute_url(),
        },
        status=status,
    )


def _not_editable_form(request: HttpRequest, report: Report, code: str) -> HttpResponse:
    """A contributor's form that is not theirs to change now: handed to the focal point, or the report
    submitted. They go back to their forms with the reason."""
    if report.is_editable:
        messages.info(
            request,
            _("Form %(code)s is with the focal point. It can be changed again if the focal point returns it to you.")
            % {"code": code},
        )
    else:
        messages.info(
            request,
            _("This report is %(status)s and cannot be edited now.") % {"status": report.get_status_display().lower()},
        )
    return redirect("reporting:my_forms")


@login_required
@require_http_methods(["GET", "POST"])
def report_form(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    report = access.get_report_for_form(request.user, pk, code)
    try:
        form = report.format_version.spec.form(code)
    except KeyError:
        raise Http404 from None
    team_forms = _team_forms(request, report)
    if request.method == "GET":
        if team_forms is not None and code not in (access.editable_forms(request.user, report) or ()):
            return _not_editable_form(request, report, code)
        if not report.is_editable:
            return _not_editable(request, report)
        return _render_form(request, report, form, report.draft, revision=report.revision, team_forms=team_forms)
    content = copy.deepcopy(report.draft)
    data = content.setdefault("forms", {}).setdefault(form.code, {})
    editor.apply_form_post(request.POST, form, data)
    anchor = editor.apply_row_action(request.POST, form, data)
    saved, problem = _save(request, report, content)
    if problem is not None:
        if _wants_json(request):
            return _problem_json(problem)
        return _render_form(
            request,
            report,
            form,
            content,
            revision=problem.revision,
            team_forms=team_forms,
            problem=problem,
            status=problem.status,
        )
    if _wants_json(request):
        return _save_json(saved, validation_for(saved), form.code, team_forms)
    if request.POST.get("add_row"):
        messages.success(request, _("Row added and the form saved."))
    elif request.POST.get("delete_row"):
        messages.success(request, _("Row deleted and the form saved."))
    else:
        messages.success(
            request, _("Form %(code)s saved at %(time)s.") % {"code": form.code, "time": time_of(saved.updated_at)}
        )
    url = reverse("reporting:report_form", args=[report.pk, form.code])
    return redirect(f"{url}#{anchor}" if anchor else url)
