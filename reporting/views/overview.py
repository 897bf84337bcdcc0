"""A report's own pages for the State (and the ISU): its overview, the actions taken from it (settings,
nil report, submit, recall, correct), each version, and the State's replies to the ISU's queries.

Views are thin: parse the request, fetch and authorize the report with
``reporting.access.get_report`` (404 for outsiders, 403 for may-see-but-not-do), call one
service, render or redirect. Every write goes through ``reporting.services``; a service's refusal is
shown with ``ccm_portal.core.views``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ccm_portal.core.views import attempt, show_refusal
from reporting import access, editor, forms, selectors, services
from reporting import entry as entries
from reporting.access import get_report
from reporting.checks import check_report
from reporting.content import validation_for
from reporting.formats import Validation
from reporting.models import (
    AWAITING_REVIEW,
    Report,
    ReportStatus,
    ReportVersion,
    ReviewComment,
    VersionOutcome,
    Visibility,
)
from reporting.views.editing import conflict_message
from reporting.views.pages import OUTCOME_BADGES, STATUS_BADGES, cover_complete, errors_text, page_mode


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
    settings_form: forms.ReportSettingsForm | None = None,
    submit_form: forms.SubmitForm | None = None,
) -> dict[str, Any]:
    user = request.user
    mode = page_mode(user, report)
    versions = list(report.versions.select_related("submitted_by", "superseded_by").order_by("-number"))
    latest = versions[0] if versions else None
    if mode == "reader":
        restricted_ok = access.reads_restricted_versions(user)
        versions = [
            v for v in versions if v.published_at is not None and (restricted_ok or v.visibility == Visibility.PUBLIC)
        ]
    for version in versions:
        version.badge = OUTCOME_BADGES.get(version.outcome, "neutral")
    # While the ISU types the report in from the State's original, the State and the ISU see it read-only here:
    # the ISU works from its entry page (``reporting.views.entry``), the State confirms once it is recorded.
    isu_entry = entries.open_entry_for(report) if mode != "reader" and access.entry_in_progress(report) else None
    if isu_entry is not None:
        mode = "entering"
    context: dict[str, Any] = {
        "report": report,
        "mode": mode,
        "title": report.title,
        "status_badge": STATUS_BADGES.get(report.status, "neutral"),
        "versions": versions,
        "latest": latest,
        "isu_entry": isu_entry,
        "may_continue_entry": isu_entry is not None and access.may_enter_reports(user),
        # The State's focal point is asked to confirm a version the ISU entered from its original.
        "to_confirm": latest if mode == "owner" and latest and latest.entered_by_isu else None,
    }
    if mode == "reader":
        return context
    validation = validation_for(report)
    comments = selectors.open_comments(report) if mode == "owner" else []
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
        cover_complete=cover_complete(validation),
        cover_missing=validation.missing.get("cover", []),
        form_rows=_form_rows(report, validation, comments),
        findings=check_report(report, validation.cleaned),
        comments=comments,
        reply_form=forms.ReplyForm(auto_id=False),
        settings_form=settings_form or forms.ReportSettingsForm(report=report),
        submit_form=submit_form or forms.SubmitForm(is_correction=is_correction),
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


# --- Workflow actions -------------------------------------------------------------------------------
def _render_overview(request: HttpRequest, report: Report, *, status: int, **forms: Any) -> HttpResponse:
    return render(
        request, "reporting/focal/report_detail.html", _overview_context(request, report, **forms), status=status
    )


@login_required
@require_POST
def report_settings(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_report(request.user, pk, to="edit")
    form = forms.ReportSettingsForm(request.POST, report=report)
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
        messages.error(request, conflict_message(request, conflict))
    except ValidationError as error:
        show_refusal(request, error)
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
    form = forms.SubmitForm(request.POST, is_correction=bool(latest and latest.outcome == VersionOutcome.ACCEPTED))
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
    attempt(
        request,
        lambda: services.recall_submission(report=report, actor=request.user),
        _("Submission recalled. The report is editable again."),
    )
    return redirect(report)


@login_required
@require_POST
def report_correct(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_report(request.user, pk, to="edit")
    attempt(
        request,
        lambda: services.start_correction(report=report, actor=request.user),
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
    mode = page_mode(request.user, report)
    reader = mode == "reader"
    if reader:
        # Published versions only; restricted ones for States Parties (their focal points) and the ISU.
        versions = access.readable_versions(request.user, versions)
    version = get_object_or_404(versions, number=number)
    sections = editor.read_only_sections(version.format_version.spec, version.content, initial=report.is_initial)
    supersedes = ReportVersion.objects.filter(superseded_by=version).only("number").first()
    return render(
        request,
        "reporting/focal/version_detail.html",
        {
            "report": report,
            "title": report.title,
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
    form = forms.ReplyForm(request.POST)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = ""
    back = target or f"{report.get_absolute_url()}#comment-{(comment.parent or comment).pk}"
    if not form.is_valid():
        messages.error(request, errors_text(form))
        return redirect(back)
    attempt(
        request,
        lambda: services.add_comment(
            report=report, actor=request.user, body=form.cleaned_data["body"], parent=comment.parent or comment
        ),
        _("Reply sent to the ISU."),
    )
    return redirect(back)
