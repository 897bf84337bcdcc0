"""The State's side of the workflow: submitting the working copy as a new version (which the reviewers hear of,
and whose PDF is made in the background) and recalling it before review starts."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from ccm_portal.core import clock
from ccm_portal.core.tasks import enqueue
from reporting.content import validation_for
from reporting.models import AWAITING_REVIEW, EDITABLE_STATUSES, Report, ReportStatus, ReportVersion, VersionOutcome
from reporting.services.workflow import InvalidTransition, lock, require_focal_point, set_status


@transaction.atomic
def submit_report(*, report: Report, actor: User, correction_note: str = "") -> ReportVersion:
    """Freeze the working copy as a new version and send it to the ISU."""
    require_focal_point(actor, report)
    report = lock(report)
    if report.status not in EDITABLE_STATUSES:
        raise InvalidTransition(_("Only a draft or a report with requested changes can be submitted."))
    if report.entries.filter(version__isnull=True).exists():
        # The ISU records it with the original's date (``reporting.entry.record_entry``).
        raise InvalidTransition(_("The ISU is entering this report from the original the State sent."))
    if not report.visibility:
        raise ValidationError({"visibility": _("Choose whether the report is public or restricted before submitting.")})
    validation = validation_for(report)
    if not validation.complete:
        raise ValidationError(_("The report is not complete yet: see the forms marked incomplete."))
    previous = report.versions.order_by("-number").first()
    is_correction = bool(previous and previous.outcome in (VersionOutcome.ACCEPTED,))
    if is_correction and not correction_note.strip():
        raise ValidationError({"correction_note": _("Say what this version corrects.")})
    version = ReportVersion.objects.create(
        report=report,
        number=(previous.number + 1) if previous else 1,
        content=validation.cleaned,
        format_version=report.format_version,
        is_nil=report.is_nil,
        visibility=report.visibility,
        submitted_by=actor,
        submitted_at=timezone.now(),
        submitted_on=clock.today(),
        correction_note=correction_note.strip(),
    )
    resubmission = previous is not None and previous.outcome == VersionOutcome.CHANGES_REQUESTED
    set_status(
        report,
        ReportStatus.RESUBMITTED if resubmission else ReportStatus.SUBMITTED,
        actor=actor,
        action="reporting.report.submitted",
        version=version.number,
    )
    enqueue("reporting.tasks.notify_reviewers_of_submission", version.pk)
    # The official PDF of the version is made in the background, ready before anyone asks for it.
    enqueue("reporting.tasks.queue_version_pdf", version.pk)
    return version


@transaction.atomic
def recall_submission(*, report: Report, actor: User) -> Report:
    """Take a submission back before the ISU starts reviewing it."""
    require_focal_point(actor, report)
    report = lock(report)
    if report.status not in AWAITING_REVIEW:
        raise InvalidTransition(_("A submission can be recalled only until the ISU starts reviewing it."))
    version = report.versions.order_by("-number").first()
    if version.entered_by_isu:
        # The State submitted the original outside the portal; it confirms the ISU's copy or reports a problem.
        raise InvalidTransition(_("A report the ISU entered from the State's original cannot be recalled."))
    version.outcome = VersionOutcome.RECALLED
    version.decided_by, version.decided_at = actor, timezone.now()
    version.save(update_fields=["outcome", "decided_by", "decided_at"])
    earlier = report.versions.exclude(pk=version.pk).order_by("-number").first()
    status = (
        ReportStatus.CHANGES_REQUESTED
        if earlier and earlier.outcome == VersionOutcome.CHANGES_REQUESTED
        else ReportStatus.DRAFT
    )
    set_status(report, status, actor=actor, action="reporting.report.recalled", version=version.number)
    return report
