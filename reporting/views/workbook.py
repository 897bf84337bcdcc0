"""The Excel round-trip of a report's tables: download the workbook, upload it filled in, see what
will change, apply or discard.

Who may do what (through ``reporting.access.get_report``: 404 for those who may not know the
report exists, 403 for those who may see it but not do this):

* download: the State's focal points (at any status: it is their data) and ISU staff (to read);
* upload, preview, apply, discard: the State's focal points; uploading and applying only while
  the report can be edited. A national contributor downloads and uploads a workbook of the forms given to them
  (and not handed back), and sees, applies or discards only their own uploads. Uploads are rate-limited per
  user (``CCM_RATE_LIMITS``, ``workbook_upload``): each one is unpacked and checked cell by cell.

The checks are in ``reporting.workbook`` (``read``), the writes in ``reporting.services.workbook``; these
views parse, authorize, call one function and render or redirect.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ccm_portal.core import ratelimit
from ccm_portal.core.views import show_refusal
from reporting import access, services
from reporting.access import get_report
from reporting.forms.workbook import WorkbookUploadForm
from reporting.models import Report, WorkbookUpload, WorkbookUploadStatus
from reporting.services.workbook import apply_upload, discard_upload, upload_workbook
from reporting.workbook import download, preview, read


def _report(request: HttpRequest, pk: int) -> Report:
    """The report for its workbook pages: its editor's, or a contributor's with a form of it given to them."""
    return access.get_report_for_form(request.user, pk)


def _editable_report(request: HttpRequest, pk: int) -> Report:
    report = _report(request, pk)
    if not report.is_editable or access.editable_forms(request.user, report) == frozenset():
        raise PermissionDenied
    return report


def _uploads(request: HttpRequest, report: Report) -> QuerySet[WorkbookUpload]:
    """The report's uploads the user decides on: all for the focal point, a contributor's own for them."""
    uploads = report.workbook_uploads.select_related("uploaded_by")
    return uploads.filter(uploaded_by=request.user) if access.contributes(request.user) else uploads


def _upload_of(request: HttpRequest, report: Report, upload_pk: int) -> WorkbookUpload:
    return get_object_or_404(_uploads(request, report), pk=upload_pk)


def _pages(request: HttpRequest, report: Report) -> dict[str, Any]:
    """Where the workbook pages lead back to: the report's overview, or a contributor's forms."""
    if access.contributes(request.user):
        return {"mode": "contributor", "overview_url": reverse("reporting:my_forms"), "contributor": True}
    return {"mode": "owner", "overview_url": report.get_absolute_url(), "contributor": False}


@login_required
@require_GET
def workbook_download(request: HttpRequest, pk: int) -> HttpResponse:
    forms = None
    if access.contributes(request.user):
        report = _report(request, pk)
        forms = access.editable_forms(request.user, report)
        if not forms:
            raise PermissionDenied
    else:
        report = get_report(request.user, pk)
        if not access.may_read_drafts(request.user, report):
            raise PermissionDenied
    blank = request.GET.get("blank") == "1"
    book = download.build_workbook(report, blank=blank, forms=forms)
    response = HttpResponse(book, content_type=download.CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{download.file_name(report, blank=blank)}"'
    response["Cache-Control"] = "private, no-store"  # a draft is for the State and the ISU only
    return response


def _render_upload(
    request: HttpRequest,
    report: Report,
    form: WorkbookUploadForm,
    *,
    errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "reporting/workbook/upload.html",
        {
            "report": report,
            "title": report.title,
            **_pages(request, report),
            "form": form,
            "errors": errors or [],
            "max_mb": read.max_bytes() // (1024 * 1024),
            "pending": list(
                _uploads(request, report).filter(status=WorkbookUploadStatus.PREVIEWED).order_by("-uploaded_at")[:5]
            ),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def workbook_upload(request: HttpRequest, pk: int) -> HttpResponse:
    report = _editable_report(request, pk)
    if request.method == "GET":
        return _render_upload(request, report, WorkbookUploadForm())
    if not ratelimit.allowed(request, "workbook_upload"):
        return ratelimit.refused(
            request,
            _(
                "Each workbook uploaded is unpacked and checked cell by cell, so each person may upload a limited "
                "number each hour. Please try again later."
            ),
        )
    form = WorkbookUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_upload(request, report, form, status=400)
    try:
        uploaded = upload_workbook(report=report, uploaded=form.cleaned_data["file"], actor=request.user)
    except read.WorkbookRefused as refused:
        return _render_upload(request, report, form, errors=refused.messages, status=400)
    except ValidationError as error:  # e.g. the report was submitted meanwhile
        return _render_upload(request, report, form, errors=error.messages, status=400)
    if uploaded.draft_changed_since:
        messages.warning(
            request,
            _(
                "The draft was saved after this workbook was downloaded (revision %(then)s, now %(now)s). The "
                "preview compares the workbook with the draft as it is now: rows added in the portal since then "
                "and missing from the workbook would be removed."
            )
            % {"then": uploaded.made_from_revision, "now": uploaded.upload.base_revision},
        )
    return redirect("reporting:workbook_preview", pk=report.pk, upload_pk=uploaded.upload.pk)


@login_required
@require_GET
def workbook_preview(request: HttpRequest, pk: int, upload_pk: int) -> HttpResponse:
    report = _report(request, pk)
    upload = _upload_of(request, report, upload_pk)
    forms_preview = preview.build_preview(report.format_version.spec, upload)
    previewed = upload.status == WorkbookUploadStatus.PREVIEWED
    return render(
        request,
        "reporting/workbook/preview.html",
        {
            "report": report,
            "title": report.title,
            **_pages(request, report),
            "upload": upload,
            "forms": forms_preview,
            "counts": {
                "added": sum(len(t.added) for f in forms_preview for t in f.tables),
                "removed": sum(len(t.removed) for f in forms_preview for t in f.tables),
                "changed": sum(len(t.changed) for f in forms_preview for t in f.tables),
            },
            "previewed": previewed,
            # Someone saved since the check: the preview no longer says what applying would change.
            "stale": previewed and upload.base_revision != report.revision,
            "can_apply": previewed and report.is_editable and upload.base_revision == report.revision,
        },
    )


@login_required
@require_POST
def workbook_apply(request: HttpRequest, pk: int, upload_pk: int) -> HttpResponse:
    report = _editable_report(request, pk)
    upload = _upload_of(request, report, upload_pk)
    try:
        apply_upload(upload=upload, actor=request.user)
    except services.EditConflict:
        messages.error(
            request,
            _(
                "The draft was saved by someone (or in another window) after this workbook was checked, so this "
                "preview is out of date and nothing was applied. Upload the workbook again to see what it changes now."
            ),
        )
        return redirect("reporting:workbook_preview", pk=report.pk, upload_pk=upload.pk)
    except ValidationError as error:
        show_refusal(request, error)
        return redirect("reporting:workbook_preview", pk=report.pk, upload_pk=upload.pk)
    messages.success(
        request,
        _("The workbook “%(name)s” was applied to the draft: its tables now hold the workbook's rows.")
        % {"name": upload.name},
    )
    return redirect(_pages(request, report)["overview_url"])


@login_required
@require_POST
def workbook_discard(request: HttpRequest, pk: int, upload_pk: int) -> HttpResponse:
    report = _report(request, pk)
    upload = _upload_of(request, report, upload_pk)
    try:
        discard_upload(upload=upload, actor=request.user)
    except ValidationError as error:
        show_refusal(request, error)
        return redirect("reporting:workbook_preview", pk=report.pk, upload_pk=upload.pk)
    messages.info(request, _("The upload was discarded; the draft is unchanged."))
    if report.is_editable:
        return redirect("reporting:workbook_upload", pk=report.pk)
    return redirect(_pages(request, report)["overview_url"])


urlpatterns = [
    path("reporting/<int:pk>/workbook.xlsx", workbook_download, name="workbook_download"),
    path("reporting/<int:pk>/workbook/", workbook_upload, name="workbook_upload"),
    path("reporting/<int:pk>/workbook/<int:upload_pk>/", workbook_preview, name="workbook_preview"),
    path("reporting/<int:pk>/workbook/<int:upload_pk>/apply/", workbook_apply, name="workbook_apply"),
    path("reporting/<int:pk>/workbook/<int:upload_pk>/discard/", workbook_discard, name="workbook_discard"),
]
