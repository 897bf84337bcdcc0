"""Reports the ISU enters on a State's behalf from an original received outside the portal.

A State sometimes sends its Article 7 report on paper, as a PDF or with a note verbale, not through the
portal. The ISU then:

1. opens an entry (``open_entry``) for the State and period with the original attached (its type read from
   its content, never from its name; its size bounded by ``CCM_ORIGINAL_MAX_MB``), the day the State
   submitted it (never in the future; it may be years before the portal existed), the source and the
   report's language. The entry uses the State's draft for that period if there is one; a period for which
   the State already has a submitted version is refused;
2. types the content in the normal editor (``reporting.access.may_edit``: while an entry is open the ISU
   edits the working copy and the focal point does not);
3. records it (``record_entry``): a ``ReportVersion`` submitted on the original's date (``submitted_on``),
   ``entered_by_isu``, the original and its source attached. It then follows the usual path (review,
   accept, publish); the ISU may accept it at once, having typed it from the State's own document.

The State's focal point sees it marked "entered by the ISU — please confirm" and confirms it
(``confirm_entry``) or reports a problem, which reaches the ISU as a review comment (``report_problem``).
Every step is audited.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from accounts.models import User
from audit import services as audit
from ccm_portal.core import clock, zips
from ccm_portal.core.tasks import enqueue
from parties.models import State
from reporting import access, periods, services
from reporting.content import validation_for
from reporting.models import (
    EDITABLE_STATUSES,
    FormatVersion,
    Language,
    Report,
    ReportEntry,
    ReportKind,
    ReportStatus,
    ReportVersion,
    ReviewComment,
    VersionOutcome,
    Visibility,
)
from reporting.services import workflow

MB = 1024 * 1024
# The Convention was opened for signature on 3 December 2008 (Art. 16): no report predates it.
EARLIEST_SUBMISSION = dt.date(2008, 12, 3)
# A Word document unpacks to far less than this; a "zip bomb" is refused before it is read through.
ZIP_BOUNDS = zips.ZipBounds(max_members=5000, max_unpacked=300 * MB)


# --- The original: its type read from its content ----------------------------------------------------
@dataclass(frozen=True)
class OriginalType:
    extension: str
    content_type: str
    label: Any  # lazy translation


ORIGINAL_TYPES = {
    "pdf": OriginalType("pdf", "application/pdf", _lazy("PDF")),
    "png": OriginalType("png", "image/png", _lazy("PNG image")),
    "jpg": OriginalType("jpg", "image/jpeg", _lazy("JPEG image")),
    "docx": OriginalType(
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        _lazy("Word document (DOCX)"),
    ),
}
MAGIC = (
    (b"%PDF-", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpg"),
)
ZIP_MAGIC = b"PK\x03\x04"


def original_type(name: str) -> OriginalType | None:
    """The type of a stored original, from its stored name (whose extension ``check_original`` chose)."""
    return ORIGINAL_TYPES.get(name.rsplit(".", 1)[-1].lower() if "." in name else "")


def _not_accepted() -> ValidationError:
    return ValidationError(
        _("The original must be a PDF, a PNG or JPEG image (a scan or a photograph) or a Word document (DOCX)."),
        code="type",
    )


def check_original(upload: Any) -> OriginalType:
    """The original's type, read from its first bytes (a Word document: from the zip's members), never
    from its name or the browser's content type. Refused: empty, larger than ``CCM_ORIGINAL_MAX_MB`` (from
    the size the upload announces, before anything is read), another type, a Word document with macros,
    or an archive that cannot be checked."""
    size = getattr(upload, "size", 0) or 0
    limit = settings.CCM_ORIGINAL_MAX_MB
    if size == 0:
        raise ValidationError(_("The original is empty."), code="empty")
    if size > limit * MB:
        raise ValidationError(
            _("The original is %(size)s MB; the limit is %(limit)s MB.") % {"size": f"{size / MB:.1f}", "limit": limit},
            code="size",
        )
    try:
        upload.seek(0)
        head = upload.read(16)
        for magic, extension in MAGIC:
            if head.startswith(magic):
                return ORIGINAL_TYPES[extension]
        if not head.startswith(ZIP_MAGIC):
            raise _not_accepted()
        upload.seek(0)
        _check_word(upload)
        return ORIGINAL_TYPES["docx"]
    finally:
        upload.seek(0)


def _check_word(stream: Any) -> None:
    broken = ValidationError(
        _("The original is damaged or encrypted and cannot be checked; save it again and upload the new file."),
        code="broken",
    )
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise broken from None
    with archive:
        try:
            members = zips.check_members(archive, ZIP_BOUNDS)
        except zips.ZipRefused:
            raise broken from None
        names = {m.filename for m in members}
        if "word/document.xml" not in names:
            raise _not_accepted()
        if any(n.lower().rsplit("/", 1)[-1] == "vbaproject.bin" for n in names):
            raise ValidationError(
                _("The original contains macros, which are not accepted; save it without macros."), code="macros"
            )


# --- Opening an entry ----------------------------------------------------------------------------------
def _require_isu(actor: User) -> None:
    if not access.may_enter_reports(actor):
        raise PermissionDenied


def check_submission_date(submitted_on: dt.date | None) -> None:
    if submitted_on is None:
        raise ValidationError({"submitted_on": _("Give the day the State submitted the original.")})
    if submitted_on > clock.today():
        raise ValidationError({"submitted_on": _("The submission date cannot be in the future.")})
    if submitted_on < EARLIEST_SUBMISSION:
        raise ValidationError(
            {"submitted_on": _("The Convention was opened for signature on 3 December 2008; check the date.")}
        )


def period_label(kind: str, period_year: int | None) -> str:
    if kind == ReportKind.INITIAL:
        return _("the initial report")
    return _("the annual update for %(year)s") % {"year": period_year}


def _period_owed(state: State, kind: str, period_year: int | None) -> None:
    if kind == ReportKind.INITIAL:
        if state.entry_into_force is None:
            raise ValidationError(
                {
                    "kind": _("%(state)s has no initial report to make: it is not a State Party.")
                    % {"state": state.local_name}
                }
            )
        return
    if period_year not in periods.expected_annual_years(state, today=clock.today()):
        raise ValidationError(
            {
                "period_year": _("%(state)s has no annual update to make for %(year)s.")
                % {"state": state.local_name, "year": period_year}
            }
        )


@transaction.atomic
def open_entry(
    *,
    state: State,
    kind: str,
    period_year: int | None,
    original: Any,
    submitted_on: dt.date,
    source: str,
    language: str,
    actor: User,
) -> ReportEntry:
    """Start entering a State's report from ``original``. Everything is checked before anything is
    written (the original first, so that a refused file costs nothing). Uses the State's draft for the
    period if there is one; refuses a period with a submitted version, or one already being entered."""
    _require_isu(actor)
    file_type = check_original(original)
    check_submission_date(submitted_on)
    _check_entry_details(source=source, language=language, kind=kind)
    if kind == ReportKind.INITIAL:
        period_year = None
    _period_owed(state, kind, period_year)
    report = (
        Report.objects.select_for_update(of=("self",))
        .select_related("state")
        .filter(state=state, kind=kind, period_year=period_year)
        .first()
    )
    started = report is None
    if report is None:
        report = _start_report_for_entry(
            state=state, kind=kind, period_year=period_year, language=language, actor=actor
        )
    else:
        _take_draft_for_entry(report, state=state, what=period_label(kind, period_year), language=language, actor=actor)
    entry = ReportEntry(report=report, submitted_on=submitted_on, source=source.strip(), created_by=actor)
    entry.original_file.save(f"original.{file_type.extension}", original, save=False)
    entry.save()
    audit.record(
        actor=actor,
        action="reporting.entry.opened",
        obj=report,
        changes={"submitted_on": [None, submitted_on.isoformat()], "original_source": [None, entry.source]},
        context={
            "entry": entry.pk,
            "original": entry.original_file.name,
            "type": file_type.extension,
            "size": original.size,
            "language": language,
            "new_report": started,
        },
    )
    return entry


def _check_entry_details(*, source: str, language: str, kind: str) -> None:
    if not source.strip():
        raise ValidationError({"source": _("Say where the original comes from, e.g. the note verbale and its date.")})
    if language not in Language.values:
        raise ValidationError({"language": _("Choose the report's language.")})
    if kind not in ReportKind.values:
        raise ValidationError({"kind": _("Choose the initial report or an annual update.")})


def _take_draft_for_entry(report: Report, *, state: State, what: str, language: str, actor: User) -> None:
    """The State's report for the period, already started: the entry continues its draft, unless the State
    submitted a version (it corrects it instead) or the ISU is already entering it. Records the language."""
    submitted = report.versions.exclude(outcome=VersionOutcome.RECALLED).order_by("number").first()
    if submitted is not None:
        raise ValidationError(
            _(
                "%(state)s already submitted %(what)s (version %(n)s, submitted on %(date)s). To change it, "
                "the State corrects it, or the ISU asks for changes in the review."
            )
            % {
                "state": state.local_name,
                "what": what,
                "n": submitted.number,
                "date": date_format(submitted.submitted_on, "j F Y"),
            }
        )
    if report.entries.filter(version__isnull=True).exists():
        raise ValidationError(
            _("The ISU is already entering %(what)s of %(state)s: continue that entry.")
            % {"what": what, "state": state.local_name}
        )
    if report.status not in EDITABLE_STATUSES:
        raise ValidationError(_("This report cannot be edited now."))
    if report.original_language != language:
        audit.record(
            actor=actor,
            action="reporting.report.details_changed",
            obj=report,
            changes={"original_language": [report.original_language, language]},
        )
        report.original_language = language
        report.save(update_fields=["original_language"])


def _start_report_for_entry(*, state: State, kind: str, period_year: int | None, language: str, actor: User) -> Report:
    """A new report for the period, in the current format, started by the ISU for the entry."""
    format_version = FormatVersion.objects.get(is_current=True)
    report = Report.objects.create(
        state=state,
        kind=kind,
        period_year=period_year,
        format_version=format_version,
        draft=format_version.spec.empty_content(),
        created_by=actor,
        updated_by=actor,
        original_language=language,
    )
    audit.record(
        actor=actor,
        action="reporting.report.started",
        obj=report,
        context={"format": format_version.code, "entered_by_isu": True},
    )
    return report


@transaction.atomic
def update_entry(*, entry: ReportEntry, actor: User, submitted_on: dt.date, source: str) -> ReportEntry:
    """Correct the submission date or the source of an entry not yet recorded."""
    _require_isu(actor)
    entry = ReportEntry.objects.select_for_update().select_related("report").get(pk=entry.pk)
    if not entry.is_open:
        raise services.InvalidTransition(_("This entry is recorded; its version cannot change."))
    check_submission_date(submitted_on)
    if not source.strip():
        raise ValidationError({"source": _("Say where the original comes from, e.g. the note verbale and its date.")})
    changes = {}
    if submitted_on != entry.submitted_on:
        changes["submitted_on"] = [entry.submitted_on.isoformat(), submitted_on.isoformat()]
        entry.submitted_on = submitted_on
    if source.strip() != entry.source:
        changes["original_source"] = [entry.source, source.strip()]
        entry.source = source.strip()
    if changes:
        entry.save(update_fields=["submitted_on", "source"])
        audit.record(
            actor=actor,
            action="reporting.entry.changed",
            obj=entry.report,
            changes=changes,
            context={"entry": entry.pk},
        )
    return entry


# --- Recording it as submitted -------------------------------------------------------------------------
@transaction.atomic
def record_entry(*, entry: ReportEntry, actor: User, visibility: str, accept: bool = False) -> ReportVersion:
    """Freeze the working copy the ISU typed as a version submitted on the original's date, marked as
    entered by the ISU, with the original and its source; it goes to review like any submission. With
    ``accept`` the ISU takes it into review and accepts it at once (publishing stays a separate step)."""
    _require_isu(actor)
    if visibility not in Visibility.values:
        raise ValidationError({"visibility": _("Choose whether the report is public or restricted.")})
    entry = ReportEntry.objects.select_for_update().get(pk=entry.pk)
    if not entry.is_open:
        raise services.InvalidTransition(_("This entry has already been recorded."))
    report = (
        Report.objects.select_for_update(of=("self",)).select_related("state", "format_version").get(pk=entry.report_id)
    )
    if report.status not in EDITABLE_STATUSES:
        raise services.InvalidTransition(_("This report cannot be recorded as submitted now."))
    validation = validation_for(report)
    if not validation.complete:
        raise ValidationError(_("The report is not complete yet: see the forms marked incomplete."))
    previous = report.versions.order_by("-number").first()
    if report.visibility != visibility:
        audit.record(
            actor=actor,
            action="reporting.report.visibility_set",
            obj=report,
            changes={"visibility": [report.visibility, visibility]},
        )
        report.visibility = visibility
        report.save(update_fields=["visibility"])
    version = ReportVersion.objects.create(
        report=report,
        number=(previous.number + 1) if previous else 1,
        content=validation.cleaned,
        format_version=report.format_version,
        is_nil=report.is_nil,
        visibility=visibility,
        submitted_by=actor,
        submitted_at=timezone.now(),
        # What counts (rates, calendar, timeliness) is the day the State submitted the original.
        submitted_on=entry.submitted_on,
        entered_by_isu=True,
        original_file=entry.original_file.name,
        original_source=entry.source,
    )
    entry.version = version
    entry.save(update_fields=["version"])
    workflow.set_status(
        report,
        ReportStatus.SUBMITTED,
        actor=actor,
        action="reporting.report.entered_by_isu",
        version=version.number,
        entry=entry.pk,
        submitted_on=entry.submitted_on.isoformat(),
        original_source=entry.source,
        original=entry.original_file.name,
    )
    enqueue("reporting.tasks.queue_version_pdf", version.pk)
    enqueue("reporting.tasks.notify_focal_points", report.pk, "entered")
    if accept:
        services.start_review(report=report, actor=actor)
        services.accept_report(report=report, actor=actor)
        version.refresh_from_db()
    return version


# --- The State's word on it ---------------------------------------------------------------------------
def _entered_version(actor: User, version: ReportVersion) -> ReportVersion:
    if not access.may_confirm(actor, version.report):
        raise PermissionDenied
    if not version.entered_by_isu:
        raise ValidationError(_("Only a report the ISU entered from an original is confirmed by the State."))
    return version


@transaction.atomic
def confirm_entry(*, version: ReportVersion, actor: User) -> ReportVersion:
    """The State's focal point confirms that the version the ISU entered is its report."""
    version = ReportVersion.objects.select_for_update().select_related("report__state").get(pk=version.pk)
    _entered_version(actor, version)
    if version.confirmed_by_state_at is not None:
        return version
    version.confirmed_by_state_at, version.confirmed_by = timezone.now(), actor
    version.save(update_fields=["confirmed_by_state_at", "confirmed_by"])
    audit.record(
        actor=actor,
        action="reporting.version.confirmed_by_state",
        obj=version.report,
        changes={"confirmed_by_state_at": [None, version.confirmed_by_state_at.isoformat()]},
        context={"version": version.number},
    )
    return version


@transaction.atomic
def report_problem(*, version: ReportVersion, actor: User, body: str) -> ReviewComment:
    """The State's focal point says what is wrong with the version the ISU entered: a review comment the
    ISU sees in its review workspace and answers (the focal point replies as to any query)."""
    version = ReportVersion.objects.select_related("report__state").get(pk=version.pk)
    _entered_version(actor, version)
    if not body.strip():
        raise ValidationError({"body": _("Say what is wrong with the report as the ISU entered it.")})
    comment = ReviewComment.objects.create(
        report=version.report, version=version, form_code="", body=body.strip(), author=actor
    )
    audit.record(
        actor=actor,
        action="reporting.version.problem_reported",
        obj=version.report,
        context={"version": version.number, "comment": comment.pk},
    )
    return comment


# --- Reads for the report pages -------------------------------------------------------------------------
def open_entry_for(report: Report) -> ReportEntry | None:
    """The entry the ISU has open on ``report``, if any (one query)."""
    return ReportEntry.objects.filter(report=report, version__isnull=True).first()


def awaiting_the_state(state: State) -> dict[int, dt.date | None]:
    """For a State's list of reports: report id → the original's submission date of its latest version the
    ISU entered and the State has not confirmed yet; or → None while the ISU is still entering it. Two queries
    whatever the number of reports."""
    waiting: dict[int, dt.date | None] = {}
    for report_id, submitted_on in (
        ReportVersion.objects.filter(report__state=state, entered_by_isu=True, confirmed_by_state_at__isnull=True)
        .order_by("report_id", "number")
        .values_list("report_id", "submitted_on")
    ):
        waiting[report_id] = submitted_on
    for report_id in ReportEntry.objects.filter(report__state=state, version__isnull=True).values_list(
        "report_id", flat=True
    ):
        waiting[report_id] = None
    return waiting
