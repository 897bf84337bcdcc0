"""The public archive of Article 7 reports: browse and search, a citable page per version, the
version as open data (JSON, CSV, PDF), and the ISU's spreadsheet export of a selection.

Who reads what is decided in ``reporting.archive`` (published reports only, accepted or superseded
versions only, restricted ones for focal points and the ISU): a version anyone else asks for is a
404, as if it did not exist. Nothing here writes, except that asking for a PDF may start its
rendering (``reporting.pdf.ensure_pdf``).
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from ccm_portal.core import clock, documents, ratelimit
from ccm_portal.core.files import send_file
from ccm_portal.core.models import RenderStatus
from ccm_portal.core.page_cache import public_page
from ccm_portal.core.responses import form_errors, json_response, wants_json
from ccm_portal.core.spreadsheets import SafeCSV, SafeXLSX
from reporting import access
from reporting import pdf as report_pdf
from reporting.archive import export, open_data, reads
from reporting.formats import Choice
from reporting.forms.archive import ArchiveFilterForm
from reporting.models import ReportPdf, ReportVersion, Visibility


# --- Filters --------------------------------------------------------------------------------------
def _query(data: dict[str, Any]) -> reads.ArchiveQuery:
    return reads.ArchiveQuery(
        state=data.get("state") or "",
        region=data.get("region") or "",
        period=data.get("period") or "",
        form=data.get("form") or "",
        form_changed=bool(data.get("changed")),
        nil={"yes": True, "no": False}.get(data.get("nil") or ""),
    )


def _filters(request: HttpRequest) -> tuple[ArchiveFilterForm, bool, reads.ArchiveQuery, list[reads.FormOption]]:
    """The filter form as typed, whether it is valid, and the query made of its valid fields."""
    options = reads.form_options()
    form = ArchiveFilterForm(request.GET or None, options=options, this_year=clock.today().year)
    valid = form.is_valid() if request.GET else True
    return form, valid, _query(form.cleaned_data if request.GET else {}), options


# --- Rows -------------------------------------------------------------------------------------------
def _downloads(version: ReportVersion) -> dict[str, str]:
    args = [version.report.state.iso3, version.report.period_slug, version.number]
    return {
        "json": reverse("reporting:archive_version_json", args=args),
        "csv": reverse("reporting:archive_version_csv", args=args),
        "pdf": reverse("reporting:archive_version_pdf", args=args),
    }


def _row(version: ReportVersion, codes: list[str]) -> dict[str, Any]:
    """One report of the list, for the page and its JSON twin alike."""
    report = version.report
    choices = reads.form_choices(version, codes)
    return {
        "state": report.state.local_name,
        "iso3": report.state.iso3,
        "region": report.state.region,
        "kind": report.kind,
        "period": report.period_slug,
        "period_label": report.period_label,
        "version": version.number,
        "nil_report": version.is_nil,
        "visibility": version.visibility,
        "submitted_on": version.submitted_on,
        "entered_by_isu": reads.entered_by_isu(version),
        "accepted_on": timezone.localdate(version.decided_at) if version.decided_at else None,
        "correction_note": version.correction_note,
        "corrects_version": version.supersedes_number,
        "forms_with_content": [code for code in codes if choices[code] in reads.HAS_CONTENT],
        "forms_changed": [code for code in codes if choices[code] == Choice.CHANGED],
        "url": reverse("reporting:archive_latest", args=[report.state.iso3, report.period_slug]),
        "version_url": reads.version_path(version),
        "permanent_url": reads.permanent_url(version),
        "downloads": _downloads(version),
    }


# --- Pages ------------------------------------------------------------------------------------------
@public_page
@require_GET
def archive(request: HttpRequest) -> HttpResponse:
    form, valid, query, options = _filters(request)
    if not valid and wants_json(request):
        return json_response({"errors": form_errors(form)}, status=400)
    codes = [o.code for o in options]
    page = Paginator(reads.search(request.user, query, codes=codes), reads.PER_PAGE).get_page(request.GET.get("page"))
    rows = [_row(version, codes) for version in page.object_list]
    if wants_json(request):
        return json_response(
            {
                "filters": query.as_dict(),
                "count": page.paginator.count,
                "page": page.number,
                "pages": page.paginator.num_pages,
                "per_page": reads.PER_PAGE,
                "reports": rows,
            }
        )
    for row in rows:  # for the page: each form with content, marked when it changed
        changed = set(row["forms_changed"])
        row["forms"] = [{"code": code, "changed": code in changed} for code in row["forms_with_content"]]
    return render(
        request,
        "reporting/archive/list.html",
        {
            "form": form,
            "page": page,
            "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
            "ellipsis": page.paginator.ELLIPSIS,
            "rows": rows,
            "filtered": any(value not in (None, "", False) for value in query.as_dict().values()),
            "can_export": access.is_reviewer(request.user),
        },
        status=200 if valid else 400,
    )


def _upper_iso3(request: HttpRequest, iso3: str) -> HttpResponse | None:
    """Citations use the upper-case code; a lower-case address moves there for good."""
    if iso3 == iso3.upper():
        return None
    return redirect(request.path.replace(f"/{iso3}/", f"/{iso3.upper()}/", 1), permanent=True)


def _private_if_restricted(response: HttpResponse, version: ReportVersion) -> HttpResponse:
    """A version restricted to States Parties is read by signed-in readers only: no shared cache (a proxy
    between them and the portal) may keep it for the next visitor."""
    if version.visibility != Visibility.PUBLIC:
        patch_cache_control(response, private=True)
    return response


def _version_page(request: HttpRequest, version: ReportVersion, *, latest_page: bool) -> HttpResponse:
    versions = reads.history(request.user, version)
    report = version.report
    current = next((v for v in versions if v.superseded_by_id is None), versions[0])
    response = render(
        request,
        "reporting/archive/version.html",
        {
            "version": version,
            "report": report,
            "state": report.state,
            "latest_page": latest_page,
            "history": versions,
            "current": current,
            "readable_numbers": {v.number for v in versions},
            "accepted_on": reads.accepted_on(version),
            "permanent_url": reads.permanent_url(version),
            "canonical": reads.version_path(version),
            "latest_url": reverse("reporting:archive_latest", args=[report.state.iso3, report.period_slug]),
            "downloads": _downloads(version),
            "today": clock.today(),
            **reads.version_sections(version),
        },
    )
    return _private_if_restricted(response, version)


@public_page
@require_GET
def archive_latest(request: HttpRequest, iso3: str, period: str) -> HttpResponse:
    moved = _upper_iso3(request, iso3)
    if moved is not None:
        return moved
    version = reads.get_version(request.user, iso3=iso3, period=period)
    return _version_page(request, version, latest_page=True)


@public_page
@require_GET
def archive_version(request: HttpRequest, iso3: str, period: str, number: int) -> HttpResponse:
    moved = _upper_iso3(request, iso3)
    if moved is not None:
        return moved
    version = reads.get_version(request.user, iso3=iso3, period=period, number=number)
    return _version_page(request, version, latest_page=False)


# --- Downloads --------------------------------------------------------------------------------------
def _download(
    version: ReportVersion, body: bytes, *, content_type: str, extension: str, attachment: bool
) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(attachment, f"{reads.filename(version)}.{extension}")
    if version.visibility == Visibility.PUBLIC:
        response["Access-Control-Allow-Origin"] = "*"  # public open data
    return _private_if_restricted(response, version)


@public_page
@require_GET
def archive_version_json(request: HttpRequest, iso3: str, period: str, number: int) -> HttpResponse:
    version = reads.get_version(request.user, iso3=iso3, period=period, number=number)
    return _download(
        version,
        open_data.version_json(version),
        content_type="application/json; charset=utf-8",
        extension="json",
        attachment=False,
    )


@public_page
@require_GET
def archive_version_csv(request: HttpRequest, iso3: str, period: str, number: int) -> HttpResponse:
    version = reads.get_version(request.user, iso3=iso3, period=period, number=number)
    return _download(
        version,
        open_data.version_csv(version),
        content_type="text/csv; charset=utf-8",
        extension="csv",
        attachment=True,
    )


@require_GET
def archive_version_pdf(request: HttpRequest, iso3: str, period: str, number: int) -> HttpResponse:
    """The version's PDF when it is ready; otherwise its progress page, which offers it when done."""
    version = reads.get_version(request.user, iso3=iso3, period=period, number=number)
    language = documents.reader_language()  # the reader's: labels in their language, content as written
    stored = ReportPdf.objects.filter(version=version, language=language).first()
    ready = stored is not None and stored.status == RenderStatus.READY
    # A stored, current PDF is served freely; asking for one to be made counts against the rate limit.
    if not (ready and report_pdf.is_current(stored, version.report, version)) and not ratelimit.allowed(
        request, "document_request"
    ):
        return ratelimit.refused(request)
    pdf = report_pdf.ensure_pdf(report=version.report, version=version, requested_by=request.user, language=language)
    if pdf.status == RenderStatus.READY and pdf.file:
        response = send_file(
            pdf.file,
            filename=f"{reads.filename(version)}{documents.language_suffix(language)}.pdf",
            content_type="application/pdf",
            as_attachment=False,
        )
        return _private_if_restricted(response, version)
    return redirect("reporting:pdf_status", pdf.pk)


# --- The ISU's export -------------------------------------------------------------------------------
@require_GET
@access.reviewer_required
def archive_export(request: HttpRequest) -> HttpResponse:
    """The archive's selection (same filters) as a spreadsheet, one row per version; ``?format=csv``
    gives the same rows as CSV. Text a State typed is made safe for spreadsheets in both."""
    form, valid, query, options = _filters(request)
    if not valid:
        problems = [f"{form.fields[name].label}: {' '.join(errors)}" for name, errors in form_errors(form).items()]
        return HttpResponse("\n".join(problems), status=400, content_type="text/plain; charset=utf-8")
    versions = reads.export_versions(request.user, query, codes=[o.code for o in options])
    dataset = export.ArchiveExportResource(forms=options).export(queryset=versions)
    stem = f"article7-reports-{clock.today().isoformat()}"
    if request.GET.get("format") == "csv":
        response = HttpResponse(SafeCSV().export_data(dataset).encode("utf-8"), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = content_disposition_header(True, f"{stem}.csv")
        return response
    xlsx = SafeXLSX()
    response = HttpResponse(xlsx.export_data(dataset), content_type=xlsx.get_content_type())
    response["Content-Disposition"] = content_disposition_header(True, f"{stem}.xlsx")
    return response


VERSION_PATH = "reports/<str:iso3>/<str:period>/v<int:number>/"
urlpatterns = [
    path("reports/", archive, name="archive"),
    path("reports/<str:iso3>/<str:period>/", archive_latest, name="archive_latest"),
    path(VERSION_PATH, archive_version, name="archive_version"),
    path(f"{VERSION_PATH}report.json", archive_version_json, name="archive_version_json"),
    path(f"{VERSION_PATH}report.csv", archive_version_csv, name="archive_version_csv"),
    path(f"{VERSION_PATH}report.pdf", archive_version_pdf, name="archive_version_pdf"),
    # Under /isu/: StaffTwoFactorMiddleware demands the second factor.
    path("isu/reports/export.xlsx", archive_export, name="archive_export"),
]
