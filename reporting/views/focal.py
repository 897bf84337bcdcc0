"""The focal point's report pages: the State's reports, the report overview, the cover page and
form editors, and the workflow actions (nil report, submit, recall, correct).

Views are thin: parse the request, fetch and authorize the report with
``reporting.access.get_report`` (404 for outsiders, 403 for may-see-but-not-do), call one
service, render or redirect. Every write goes through ``reporting.services``.

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
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, InterfaceError, OperationalError
from django.db.models import F, Prefetch
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats as l10n
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import permissions
from accounts.permissions import Capability
from ccm_portal.core import clock
from reporting import entry as entries
from reporting import forms as editor
from reporting import records as reporting_records
from reporting import services
from reporting.access import entry_in_progress, get_report, may_enter_reports, readable_versions
from reporting.checks import check_report
from reporting.formats import Choice, FormDef, Validation, currencies
from reporting.models import (
    AWAITING_REVIEW,
    EDITABLE_STATUSES,
    Report,
    ReportingRecord,
    ReportKind,
    ReportStatus,
    ReportVersion,
    ReviewComment,
    VersionOutcome,
    Visibility,
)
from reporting.views import retry

STATUS_BADGES = {
    ReportStatus.DRAFT: "neutral",
    ReportStatus.SUBMITTED: "info",
    ReportStatus.UNDER_REVIEW: "info",
    ReportStatus.CHANGES_REQUESTED: "warning",
    ReportStatus.RESUBMITTED: "info",
    ReportStatus.ACCEPTED: "success",
    ReportStatus.PUBLISHED: "success",
}
OUTCOME_BADGES = {
    VersionOutcome.PENDING: "info",
    VersionOutcome.IN_REVIEW: "info",
    VersionOutcome.RECALLED: "neutral",
    VersionOutcome.CHANGES_REQUESTED: "warning",
    VersionOutcome.ACCEPTED: "success",
    VersionOutcome.SUPERSEDED: "neutral",
}


# --- Helpers ------------------------------------------------------------------------------------
def _is_owner(user: Any, report: Report) -> bool:
    return permissions.acts_for_state(user, report.state) and permissions.can(user, Capability.PREPARE_REPORTS)


def _is_reviewer(user: Any) -> bool:
    return permissions.can(user, Capability.REVIEW_REPORTS)


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _time(value: Any) -> str:
    return l10n.time_format(timezone.localtime(value), "H:i")


def _place_name(place: str) -> str:
    """A place named by ``services.places`` ("cover", "Form B", a setting) in words."""
    names = {
        "cover": _("cover page"),
        "visibility": _("visibility"),
        "original_language": _("original language"),
        "sent_to_unoda_on": _("date sent to UNODA"),
    }
    if place.startswith("Form "):
        return _("Form %(code)s") % {"code": place[5:]}
    return names.get(place, place)


def _open_comments(report: Report) -> list[ReviewComment]:
    """Open review queries on the report, each with its replies (three queries whatever their number)."""
    replies = ReviewComment.objects.select_related("author").order_by("created_at", "id")
    return list(
        report.comments.filter(parent__isnull=True, resolved_at__isnull=True)
        .select_related("author")
        .prefetch_related(Prefetch("replies", queryset=replies))
        .order_by("created_at", "id")
    )


def _cover_complete(validation: Validation) -> bool:
    """The cover page is complete when its contact fields are and every form says whether it
    changed, is unchanged (since a valid year) or does not apply (with its statement)."""
    if validation.missing.get("cover") or any(path.startswith("cover.") for path in validation.errors):
        return False
    choices = {Choice.CHANGED, Choice.UNCHANGED, Choice.NOT_APPLICABLE}
    for code, form in validation.cleaned["forms"].items():
        if form.get("choice") not in choices:
            return False
        prefix = f"forms.{code}."
        if any(validation.errors.get(prefix + key) for key in ("choice", "unchanged_since", "na_statement")):
            return False
    return True


def _report_nav(report: Report, validation: Validation, current: str) -> list[dict[str, Any]]:
    spec = report.format_version.spec
    nav = [
        {
            "code": "cover",
            "label": _("Cover page"),
            "short": _("Cover"),
            "url": reverse("reporting:report_cover", args=[report.pk]),
            "complete": _cover_complete(validation),
            "current": current == "cover",
        }
    ]
    for form in spec.forms:
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


def _conflict_message(request: HttpRequest, conflict: services.EditConflict) -> str:
    places = ", ".join(_changed_places(conflict))
    at = _time(conflict.at)
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
        return None, SaveProblem(_conflict_message(request, conflict), conflict.report.revision, conflict)
    except ValidationError as error:  # e.g. the ISU took the report into review meanwhile
        return None, SaveProblem(" ".join(error.messages), report.revision)
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
        complete, missing = _cover_complete(validation), _cover_missing(validation)
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


def _save_json(report: Report, validation: Validation, page: str) -> JsonResponse:
    time = _time(report.updated_at)
    status = _page_status(validation, page)
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
                {"code": item["code"], "complete": item["complete"]} for item in _report_nav(report, validation, page)
            ],
            "suggestions": services.choice_suggestions(report, validation.cleaned),
        }
    )


def _problem_json(problem: SaveProblem) -> JsonResponse:
    conflict = problem.conflict
    data: dict[str, Any] = {"conflict": conflict is not None, "message": problem.message, "retry": problem.retry}
    if conflict is not None:
        data.update(
            by=conflict.by.get_full_name() if conflict.by is not None else None,
            at=_time(conflict.at),
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


# --- The State's reports ----------------------------------------------------------------------
@login_required
@require_GET
def my_reports(request: HttpRequest) -> HttpResponse:
    user = request.user
    if _is_reviewer(user):
        return redirect("reporting:review_queue")
    if not permissions.can(user, Capability.PREPARE_REPORTS) or not user.state_id:
        raise PermissionDenied
    state = user.state
    today = clock.today()
    reports = list(
        Report.objects.for_state(state)
        .select_related("state", "updated_by")
        .order_by(F("period_year").desc(nulls_last=True))
    )
    # What is known of each report (``reporting.records``): a year before the portal became the complete
    # record with no source saying it was not sent is "no record", never "overdue".
    known = reporting_records.load(today, states=[state])
    # Reports the ISU entered from the State's original (or is entering): the State is asked to confirm them.
    entered = entries.awaiting_the_state(state)
    for report in reports:
        report.badge = STATUS_BADGES.get(report.status, "neutral")
        report.isu_entering = report.pk in entered and entered[report.pk] is None
        report.isu_entered_on = entered.get(report.pk)
        found = known.report(state, report.kind, report.period_year)
        report.no_record = found.status == reporting_records.Status.NO_RECORD and report.status in EDITABLE_STATUSES
        report.overdue = bool(found.is_overdue and report.status in EDITABLE_STATUSES)
    # What sources outside the portal say of the State's reports (received, or not sent as of a day).
    received = list(
        ReportingRecord.objects.filter(state=state)
        .select_related("listed_in")
        .order_by(F("period_year").desc(nulls_last=True), "submitted_on", "as_of", "pk")
    )
    started = {(r.kind, r.period_year) for r in reports}
    wanted = [(ReportKind.ANNUAL, year) for year in sorted(services.expected_annual_years(state, today=today))]
    if state.entry_into_force:
        wanted.insert(0, (ReportKind.INITIAL, None))
    owed_reports = [
        known.report(state, kind, year)
        for kind, year in wanted
        if (kind, year) not in started
        # Reports a source shows as received outside the portal are not owed again.
        and known.report(state, kind, year).status != reporting_records.Status.SUBMITTED
    ]
    annual_years = [r.year for r in owed_reports if r.kind == ReportKind.ANNUAL]
    # A source for year y is a source for every later year: look from the latest year down and
    # stop at the first year without one (one query when there is no accepted report at all).
    sources: dict[int, Any] = {}
    for year in sorted(annual_years, reverse=True):
        source = services.last_accepted_version(state, before_year=year)
        if source is None:
            break
        sources[year] = source
    owed: list[dict[str, Any]] = []
    for found in sorted(owed_reports, key=lambda r: (r.kind == ReportKind.INITIAL, -(r.year or 0))):
        initial = found.kind == ReportKind.INITIAL
        owed.append(
            {
                "kind": found.kind,
                "year": "" if initial else found.year,
                "label": _("Initial report") if initial else _("Annual update for %(year)s") % {"year": found.year},
                "due": found.due,
                "overdue": found.is_overdue,
                # Before the portal was the complete record, and no source says it was not sent.
                "no_record": found.status == reporting_records.Status.NO_RECORD,
                "source": None if initial else sources.get(found.year),
            }
        )
    return render(
        request,
        "reporting/focal/my_reports.html",
        {"state": state, "reports": reports, "owed": owed, "received": received, "today": today},
    )


@login_required
@require_POST
def report_start(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not permissions.can(user, Capability.PREPARE_REPORTS) or not user.state_id:
        raise PermissionDenied
    form = editor.StartReportForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The report could not be started: %(errors)s") % {"errors": _errors_text(form)})
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
        messages.error(request, " ".join(error.messages))
        return redirect("reporting:my_reports")
    except IntegrityError:  # a double click: the same report was started at the same moment
        messages.error(request, _("This report has just been started; open it from the list."))
        return redirect("reporting:my_reports")
    messages.success(
        request, _("%(report)s started. Fill in the cover page and the forms.") % {"report": _report_title(report)}
    )
    return redirect(report)


def _errors_text(form: Any) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


def _report_title(report: Report) -> str:
    if report.is_initial:
        return _("Initial report")
    return _("Annual update for %(year)s") % {"year": report.period_year}


# --- Overview -------------------------------------------------------------------------------------
def _form_rows(report: Report, validation: Validation | None, comments: list[ReviewComment]) -> list[dict[str, Any]]:
    spec = report.format_version.spec
    counts: dict[str, int] = {}
    for comment in comments:
        counts[comment.form_code] = counts.get(comment.form_code, 0) + 1
    rows = []
    for form in spec.forms:
        data = (report.draft.get("forms") or {}).get(form.code) or {}
        prefix = f"forms.{form.code}."
        rows.append(
            {
                "code": form.code,
                "title": form.title,
                "choice": editor.choice_summary(form, data, initial=report.is_initial),
                "complete": validation.form_complete(form.code) if validation else None,
                "missing": validation.missing.get(form.code, []) if validation else [],
                "error_count": sum(1 for p in validation.errors if p.startswith(prefix)) if validation else 0,
                "comment_count": counts.get(form.code, 0),
                "url": reverse("reporting:report_form", args=[report.pk, form.code]),
            }
        )
    return rows


def _overview_context(
    request: HttpRequest,
    report: Report,
    *,
    settings_form: editor.ReportSettingsForm | None = None,
    submit_form: editor.SubmitForm | None = None,
) -> dict[str, Any]:
    user = request.user
    mode = "owner" if _is_owner(user, report) else "reviewer" if _is_reviewer(user) else "reader"
    versions = list(report.versions.select_related("submitted_by", "superseded_by").order_by("-number"))
    latest = versions[0] if versions else None
    if mode == "reader":
        restricted_ok = permissions.can(user, Capability.PREPARE_REPORTS)
        versions = [
            v for v in versions if v.published_at is not None and (restricted_ok or v.visibility == Visibility.PUBLIC)
        ]
    for version in versions:
        version.badge = OUTCOME_BADGES.get(version.outcome, "neutral")
    # While the ISU types the report in from the State's original, the State and the ISU see it read-only here:
    # the ISU works from its entry page (``reporting.views.entry``), the State confirms once it is recorded.
    isu_entry = entries.open_entry_for(report) if mode != "reader" and entry_in_progress(report) else None
    if isu_entry is not None:
        mode = "entering"
    context: dict[str, Any] = {
        "report": report,
        "mode": mode,
        "title": _report_title(report),
        "status_badge": STATUS_BADGES.get(report.status, "neutral"),
        "versions": versions,
        "latest": latest,
        "isu_entry": isu_entry,
        "may_continue_entry": isu_entry is not None and may_enter_reports(user),
        # The State's focal point is asked to confirm a version the ISU entered from its original.
        "to_confirm": latest if mode == "owner" and latest and latest.entered_by_isu else None,
    }
    if mode == "reader":
        return context
    validation = services.validation_for(report)
    comments = _open_comments(report) if mode == "owner" else []
    spec = report.format_version.spec
    for comment in comments:
        comment.place = editor.comment_place(comment, spec, report.draft)
        if comment.place["form"] == "cover":
            comment.place["url"] = reverse("reporting:report_cover", args=[report.pk])
        elif comment.place["form"]:
            comment.place["url"] = reverse("reporting:report_form", args=[report.pk, comment.place["form"]])
        else:
            comment.place["url"] = ""
    is_correction = bool(latest and latest.outcome == VersionOutcome.ACCEPTED)
    context.update(
        validation=validation,
        cover_complete=_cover_complete(validation),
        cover_missing=validation.missing.get("cover", []),
        form_rows=_form_rows(report, validation, comments),
        findings=check_report(report, validation.cleaned),
        comments=comments,
        reply_form=editor.ReplyForm(auto_id=False),
        settings_form=settings_form or editor.ReportSettingsForm(report=report),
        submit_form=submit_form or editor.SubmitForm(is_correction=is_correction),
        is_correction=is_correction,
        can_recall=report.status in AWAITING_REVIEW and not (latest and latest.entered_by_isu),
        can_correct=report.status in (ReportStatus.ACCEPTED, ReportStatus.PUBLISHED),
        changes_reason=latest.decision_reason
        if latest and latest.outcome == VersionOutcome.CHANGES_REQUESTED and report.is_editable
        else "",
    )
    return context


@require_GET
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_report(request.user, pk)
    return render(request, "reporting/focal/report_detail.html", _overview_context(request, report))


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
    validation = services.validation_for(report, content)
    suggestions = services.choice_suggestions(report, validation.cleaned)
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
    comments = [c for c in _open_comments(report) if c.form_code == "cover"]
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
            "title": _report_title(report),
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
        return _save_json(saved, services.validation_for(saved), "cover")
    messages.success(request, _("Cover page saved at %(time)s.") % {"time": _time(saved.updated_at)})
    return redirect("reporting:report_cover", pk=report.pk)


def _render_form(
    request: HttpRequest,
    report: Report,
    form: FormDef,
    content: dict[str, Any],
    *,
    revision: int,
    problem: SaveProblem | None = None,
    status: int = 200,
) -> HttpResponse:
    validation = services.validation_for(report, content)
    data = (content.get("forms") or {}).get(form.code) or {}
    comments = [c for c in _open_comments(report) if c.form_code == form.code]
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
    has_currency = any(c.type == "currency" for t in form.tables for c in t.columns)
    form_editor["choice"]["suggestion"] = services.choice_suggestions(report, validation.cleaned).get(form.code, "")
    error_groups = editor.error_links(form, form_editor, choice_anchor=f"f-{form.code}-choice")
    return render(
        request,
        "reporting/focal/report_form.html",
        {
            "report": report,
            "title": _report_title(report),
            "form": form,
            "editor": form_editor,
            "choice": form_editor["choice"],
            "revision": revision,
            "problem": problem,
            "error_links": error_groups,
            "error_count": sum(len(group["links"]) for group in error_groups),
            "status": _page_status(validation, form.code),
            "findings": findings,
            "nav": _report_nav(report, validation, form.code),
            "currencies": sorted(currencies()) if has_currency else [],
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def report_form(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    report = get_report(request.user, pk, to="edit")
    try:
        form = report.format_version.spec.form(code)
    except KeyError:
        raise Http404 from None
    if request.method == "GET":
        if not report.is_editable:
            return _not_editable(request, report)
        return _render_form(request, report, form, report.draft, revision=report.revision)
    content = copy.deepcopy(report.draft)
    data = content.setdefault("forms", {}).setdefault(form.code, {})
    editor.apply_form_post(request.POST, form, data)
    anchor = editor.apply_row_action(request.POST, form, data)
    saved, problem = _save(request, report, content)
    if problem is not None:
        if _wants_json(request):
            return _problem_json(problem)
        return _render_form(
            request, report, form, content, revision=problem.revision, problem=problem, status=problem.status
        )
    if _wants_json(request):
        return _save_json(saved, services.validation_for(saved), form.code)
    if request.POST.get("add_row"):
        messages.success(request, _("Row added and the form saved."))
    elif request.POST.get("delete_row"):
        messages.success(request, _("Row deleted and the form saved."))
    else:
        messages.success(
            request, _("Form %(code)s saved at %(time)s.") % {"code": form.code, "time": _time(saved.updated_at)}
        )
    url = reverse("reporting:report_form", args=[report.pk, form.code])
    return redirect(f"{url}#{anchor}" if anchor else url)


# --- Workflow actions -------------------------------------------------------------------------------
def _render_overview(request: HttpRequest, report: Report, *, status: int, **forms: Any) -> HttpResponse:
    return render(
        request, "reporting/focal/report_detail.html", _overview_context(request, report, **forms), status=status
    )


@login_required
@require_POST
def report_settings(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_report(request.user, pk, to="edit")
    form = editor.ReportSettingsForm(request.POST, report=report)
    if not form.is_valid():
        messages.error(request, _("The settings were not saved: see the problems marked below."))
        return _render_overview(request, report, status=400, settings_form=form)
    data = form.cleaned_data
    try:
        report = services.update_report_details(
            report=report,
            actor=request.user,
            original_language=data["original_language"],
            sent_to_unoda_on=data["sent_to_unoda_on"],
        )
        # Visibility is part of what is submitted: it changes only while the report can be edited.
        if report.is_editable:
            services.set_visibility(report=report, visibility=data["visibility"], actor=request.user)
        elif data["visibility"] != report.visibility:
            form.add_error("visibility", _("Visibility is fixed once submitted; correct the report to change it."))
            return _render_overview(request, report, status=400, settings_form=form)
    except ValidationError as error:
        form.add_error(None, error)
        return _render_overview(request, report, status=400, settings_form=form)
    messages.success(request, _("Report settings saved."))
    return redirect(report)


@login_required
@require_POST
def report_nil(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_report(request.user, pk, to="edit")
    try:
        services.make_nil_report(report=report, base_revision=editor.parse_revision(request.POST), actor=request.user)
    except services.EditConflict as conflict:
        messages.error(request, _conflict_message(request, conflict))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _(
                "Marked as a nil report: every form that may be “not applicable” now says so with its standard "
                "statement. Check Form A and the cover page, then submit."
            ),
        )
    return redirect(report)


@login_required
@require_POST
def report_submit(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_report(request.user, pk, to="edit")
    latest = report.versions.order_by("-number").first()
    form = editor.SubmitForm(request.POST, is_correction=bool(latest and latest.outcome == VersionOutcome.ACCEPTED))
    if not form.is_valid():
        return _render_overview(request, report, status=400, submit_form=form)
    try:
        version = services.submit_report(
            report=report, actor=request.user, correction_note=form.cleaned_data["correction_note"]
        )
    except ValidationError as error:
        if hasattr(error, "error_dict") and "correction_note" in error.error_dict:
            form.add_error("correction_note", error.error_dict.pop("correction_note"))
        if not hasattr(error, "error_dict") or error.error_dict:
            form.add_error(None, error.messages)
        return _render_overview(request, report, status=400, submit_form=form)
    messages.success(
        request,
        _("Version %(number)s submitted to the ISU. You can recall it until the ISU starts reviewing it.")
        % {"number": version.number},
    )
    return redirect(report)


@login_required
@require_POST
def report_recall(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_report(request.user, pk, to="edit")
    try:
        services.recall_submission(report=report, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Submission recalled. The report is editable again."))
    return redirect(report)


@login_required
@require_POST
def report_correct(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_report(request.user, pk, to="edit")
    try:
        services.start_correction(report=report, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _(
                "A correction has been opened from the accepted version. The accepted version stays in force "
                "until the ISU accepts the correction."
            ),
        )
    return redirect(report)


# --- Versions and comments --------------------------------------------------------------------------
@require_GET
def version_detail(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    report = get_report(request.user, pk)
    versions = report.versions.select_related("submitted_by", "decided_by", "superseded_by", "format_version")
    mode = "owner" if _is_owner(request.user, report) else "reviewer" if _is_reviewer(request.user) else "reader"
    reader = mode == "reader"
    if reader:
        # Published versions only; restricted ones for States Parties (their focal points) and the ISU.
        versions = readable_versions(request.user, versions)
    version = get_object_or_404(versions, number=number)
    sections = editor.read_only_sections(version.format_version.spec, version.content, initial=report.is_initial)
    supersedes = ReportVersion.objects.filter(superseded_by=version).only("number").first()
    return render(
        request,
        "reporting/focal/version_detail.html",
        {
            "report": report,
            "title": _report_title(report),
            "version": version,
            "badge": OUTCOME_BADGES.get(version.outcome, "neutral"),
            "reader": reader,
            "mode": mode,
            **sections,
            "supersedes": supersedes,
        },
    )


@login_required
@require_POST
def comment_reply(request: HttpRequest, pk: int, comment_pk: int) -> HttpResponse:
    report = get_report(request.user, pk)
    comment = get_object_or_404(ReviewComment.objects.select_related("parent"), pk=comment_pk, report=report)
    form = editor.ReplyForm(request.POST)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = ""
    back = target or f"{report.get_absolute_url()}#comment-{(comment.parent or comment).pk}"
    if not form.is_valid():
        messages.error(request, _errors_text(form))
        return redirect(back)
    try:
        services.add_comment(
            report=report, actor=request.user, body=form.cleaned_data["body"], parent=comment.parent or comment
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Reply sent to the ISU."))
    return redirect(back)
