"""Reports the ISU enters on a State's behalf from an original received outside the portal (``reporting.entry``):
the ISU's pages to open an entry, follow it and record it as submitted on the original's date; the original's
download; the State focal point's confirmation or report of a problem.

The ISU's pages sit under /isu/ (two-factor) and are for reviewers (``access.reviewer_required``);
the original of a recorded version is readable by whoever may read that version (``access.get_version``): the
State and the ISU always, others only once it is published, and a restricted one only by States Parties.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ccm_portal.core import ratelimit
from ccm_portal.core.files import send_upload
from parties.models import State
from reporting import access
from reporting import entry as entries
from reporting.content import validation_for
from reporting.forms.entry import EntryDetailsForm, EntryStartForm, ProblemForm, RecordForm
from reporting.models import ReportEntry, ReportKind, ReportVersion


def _add_errors(form: forms.Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _sent_file(stored: Any, *, download_name: str) -> HttpResponse:
    file_type = entries.original_type(stored.name)
    if file_type is None:
        raise Http404
    return send_upload(stored, filename=f"{download_name}.{file_type.extension}", content_type=file_type.content_type)


def _download_name(report: Any) -> str:
    return f"{report.state.iso3}-{report.period_slug}-original"


# --- The ISU: opening an entry ------------------------------------------------------------------------------
def _open_entries() -> list[ReportEntry]:
    return list(
        ReportEntry.objects.filter(version__isnull=True)
        .select_related("report__state", "created_by")
        .order_by("report__state__name", "report__kind", "report__period_year")
    )


@require_http_methods(["GET", "POST"])
@access.reviewer_required
def entry_start(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        initial = {"kind": ReportKind.INITIAL}
        iso3 = (request.GET.get("state") or "").upper()
        if iso3.isalpha() and len(iso3) == 3:
            initial["state"] = State.objects.filter(iso3=iso3).values_list("pk", flat=True).first()
        form = EntryStartForm(initial=initial)
        status = 200
    else:
        # Counted before the body's file is looked at: each original is stored and its content checked.
        if not ratelimit.allowed(request, "original_upload"):
            return ratelimit.refused(
                request,
                _(
                    "Each original is stored and its content checked, so each person may upload a limited number "
                    "each hour. Please try again later."
                ),
            )
        form = EntryStartForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                entry = entries.open_entry(
                    state=data["state"],
                    kind=data["kind"],
                    period_year=data["period_year"],
                    original=data["original"],
                    submitted_on=data["submitted_on"],
                    source=data["source"],
                    language=data["language"],
                    actor=request.user,
                )
            except ValidationError as error:
                _add_errors(form, error)
            except IntegrityError:  # the same entry opened at the same moment
                form.add_error(None, _("This report has just been opened by someone else; find it in the list below."))
            else:
                messages.success(
                    request,
                    _(
                        "Entry opened for %(what)s of %(state)s. Type the report's content from the original in the "
                        "cover page and the forms, then record it as submitted on %(date)s."
                    )
                    % {
                        "what": entries.period_label(entry.report.kind, entry.report.period_year),
                        "state": entry.report.state.local_name,
                        "date": date_format(entry.submitted_on, "j F Y"),
                    },
                )
                return redirect("reporting:entry_detail", pk=entry.pk)
        status = 400
    return render(
        request,
        "reporting/entry/start.html",
        {"form": form, "entries": _open_entries(), "max_mb": _max_mb()},
        status=status,
    )


def _max_mb() -> int:
    return settings.CCM_ORIGINAL_MAX_MB


def _entry_context(entry: ReportEntry, **forms_: Any) -> dict[str, Any]:
    report = entry.report
    spec = report.format_version.spec
    validation = validation_for(report)
    parts = [
        {
            "label": _("Cover page"),
            "url": reverse("reporting:report_cover", args=[report.pk]),
            "complete": not validation.missing.get("cover")
            and not any(p.startswith("cover.") for p in validation.errors),
        },
        *(
            {
                "label": _("Form %(code)s: %(title)s") % {"code": form.code, "title": form.title},
                "url": reverse("reporting:report_form", args=[report.pk, form.code]),
                "complete": validation.form_complete(form.code),
            }
            for form in spec.forms
        ),
    ]
    return {
        "entry": entry,
        "report": report,
        "what": entries.period_label(report.kind, report.period_year),
        "parts": parts,
        "complete": validation.complete,
        "details_form": forms_.get("details_form")
        or EntryDetailsForm(initial={"submitted_on": entry.submitted_on, "source": entry.source}),
        "record_form": forms_.get("record_form") or RecordForm(initial={"visibility": report.visibility or None}),
        "due": report.due_date,
        "late": bool(report.due_date and entry.submitted_on > report.due_date),
    }


@require_GET
@access.reviewer_required
def entry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    entry = access.get_entry(request.user, pk)
    if not entry.is_open:
        messages.info(request, _("This entry was recorded as version %(n)s.") % {"n": entry.version.number})
        return redirect("reporting:version_detail", pk=entry.report_id, number=entry.version.number)
    return render(request, "reporting/entry/detail.html", _entry_context(entry))


@require_POST
@access.reviewer_required
def entry_update(request: HttpRequest, pk: int) -> HttpResponse:
    entry = access.get_entry(request.user, pk)
    form = EntryDetailsForm(request.POST)
    if form.is_valid():
        try:
            entries.update_entry(
                entry=entry,
                actor=request.user,
                submitted_on=form.cleaned_data["submitted_on"],
                source=form.cleaned_data["source"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The submission date and source are saved."))
            return redirect("reporting:entry_detail", pk=entry.pk)
    if not entry.is_open:
        raise PermissionDenied
    return render(request, "reporting/entry/detail.html", _entry_context(entry, details_form=form), status=400)


@require_POST
@access.reviewer_required
def entry_record(request: HttpRequest, pk: int) -> HttpResponse:
    entry = access.get_entry(request.user, pk)
    form = RecordForm(request.POST)
    if form.is_valid():
        try:
            version = entries.record_entry(
                entry=entry,
                actor=request.user,
                visibility=form.cleaned_data["visibility"],
                accept=form.cleaned_data["accept"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            date = date_format(version.submitted_on, "j F Y")
            if form.cleaned_data["accept"]:
                text = _(
                    "Recorded as version %(n)s, submitted on %(date)s, and accepted. Publish it from the review "
                    "workspace; the State's focal points are asked to confirm it."
                )
            else:
                text = _(
                    "Recorded as version %(n)s, submitted on %(date)s. It waits in the review queue; the State's focal "
                    "points are asked to confirm it."
                )
            messages.success(request, text % {"n": version.number, "date": date})
            return redirect("reporting:review_detail", pk=entry.report_id)
    if not entry.is_open:
        return redirect("reporting:entry_detail", pk=entry.pk)
    return render(request, "reporting/entry/detail.html", _entry_context(entry, record_form=form), status=400)


@require_GET
@access.reviewer_required
def entry_original(request: HttpRequest, pk: int) -> HttpResponse:
    entry = access.get_entry(request.user, pk)
    return _sent_file(entry.original_file, download_name=_download_name(entry.report))


# --- The original of a recorded version, and the State's word on it ----------------------------------------
@require_GET
def version_original(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    report, version = access.get_version(request.user, pk, number)
    if not version.original_file:
        raise Http404
    return _sent_file(version.original_file, download_name=_download_name(report))


def _entered(request: HttpRequest, pk: int, number: int) -> ReportVersion:
    report, version = access.get_version(request.user, pk, number)
    if not access.may_confirm(request.user, report):
        raise PermissionDenied
    if not version.entered_by_isu:
        raise Http404
    version.report = report
    return version


@require_POST
@login_required
def version_confirm(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    version = _entered(request, pk, number)
    entries.confirm_entry(version=version, actor=request.user)
    messages.success(request, _("Thank you: the report the ISU entered is confirmed as your State's."))
    return redirect(version.report)


@require_POST
@login_required
def version_problem(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    version = _entered(request, pk, number)
    form = ProblemForm(request.POST)
    if form.is_valid():
        entries.report_problem(version=version, actor=request.user, body=form.cleaned_data["body"])
        messages.success(request, _("Sent to the ISU: it answers in its review, and you see its reply on the report."))
    else:
        messages.error(request, _("Say what is wrong with the report as the ISU entered it."))
    return redirect(version.report)


urlpatterns = [
    path("isu/reports/enter/", entry_start, name="entry_start"),
    path("isu/reports/entries/<int:pk>/", entry_detail, name="entry_detail"),
    path("isu/reports/entries/<int:pk>/details/", entry_update, name="entry_update"),
    path("isu/reports/entries/<int:pk>/record/", entry_record, name="entry_record"),
    path("isu/reports/entries/<int:pk>/original/", entry_original, name="entry_original"),
    path("reporting/<int:pk>/v<int:number>/original/", version_original, name="version_original"),
    path("reporting/<int:pk>/v<int:number>/confirm/", version_confirm, name="version_confirm"),
    path("reporting/<int:pk>/v<int:number>/report-problem/", version_problem, name="version_problem"),
]
