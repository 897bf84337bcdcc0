"""The ISU's side of the workflow: taking a report into review, requesting changes, accepting and publishing
it (the State's focal points hear of the outcome), and the State starting a correction of an accepted report."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from ccm_portal.core import data_version
from ccm_portal.core.tasks import enqueue
from reporting import formats
from reporting.models import AWAITING_REVIEW, Report, ReportStatus, ReportVersion, VersionOutcome
from reporting.services.workflow import InvalidTransition, lock, require_focal_point, require_reviewer, set_status


@transaction.atomic
def start_review(*, report: Report, actor: User) -> Report:
    require_reviewer(actor)
    report = lock(report)
    if report.status not in AWAITING_REVIEW:
        raise InvalidTransition(_("Only a submitted report can be taken into review."))
    version = report.versions.order_by("-number").first()
    version.outcome = VersionOutcome.IN_REVIEW
    version.save(update_fields=["outcome"])
    report.reviewer = actor
    report.save(update_fields=["reviewer"])
    set_status(report, ReportStatus.UNDER_REVIEW, actor=actor, action="reporting.report.review_started")
    return report


@transaction.atomic
def request_changes(*, report: Report, actor: User, reason: str) -> Report:
    require_reviewer(actor)
    if not reason.strip():
        raise ValidationError({"reason": _("Say what the State must change.")})
    report = lock(report)
    if report.status != ReportStatus.UNDER_REVIEW:
        raise InvalidTransition(_("Changes can be requested only on a report under review."))
    version = report.versions.order_by("-number").first()
    version.outcome = VersionOutcome.CHANGES_REQUESTED
    version.decided_by, version.decided_at, version.decision_reason = actor, timezone.now(), reason.strip()
    version.save(update_fields=["outcome", "decided_by", "decided_at", "decision_reason"])
    # The focal point continues from what was submitted.
    report.draft = formats.content_for_editing(version.content)
    report.revision += 1
    report.save(update_fields=["draft", "revision"])
    set_status(
        report,
        ReportStatus.CHANGES_REQUESTED,
        actor=actor,
        action="reporting.report.changes_requested",
        reason=reason.strip(),
    )
    _notify_state(report, "changes_requested")
    return report


@transaction.atomic
def accept_report(*, report: Report, actor: User) -> ReportVersion:
    require_reviewer(actor)
    report = lock(report)
    if report.status != ReportStatus.UNDER_REVIEW:
        raise InvalidTransition(_("Only a report under review can be accepted."))
    version = report.versions.order_by("-number").first()
    now = timezone.now()
    older = report.versions.filter(outcome=VersionOutcome.ACCEPTED).exclude(pk=version.pk).first()
    version.outcome = VersionOutcome.ACCEPTED
    version.decided_by, version.decided_at = actor, now
    version.save(update_fields=["outcome", "decided_by", "decided_at"])
    if older:
        older.outcome = VersionOutcome.SUPERSEDED
        older.superseded_by = version
        older.save(update_fields=["outcome", "superseded_by"])
    set_status(report, ReportStatus.ACCEPTED, actor=actor, action="reporting.report.accepted", version=version.number)
    _notify_state(report, "accepted")
    return version


@transaction.atomic
def publish_report(*, report: Report, actor: User) -> Report:
    require_reviewer(actor)
    report = lock(report)
    if report.status != ReportStatus.ACCEPTED:
        raise InvalidTransition(_("Only an accepted report can be published."))
    # The version in force becomes readable at its permanent URL, for good (a later correction
    # supersedes it but does not take it down).
    report.versions.filter(outcome=VersionOutcome.ACCEPTED, published_at__isnull=True).update(
        published_at=timezone.now()
    )
    data_version.bump()  # an update sends no signal: the public data changed all the same
    set_status(
        report, ReportStatus.PUBLISHED, actor=actor, action="reporting.report.published", visibility=report.visibility
    )
    return report


@transaction.atomic
def start_correction(*, report: Report, actor: User) -> Report:
    """After acceptance, the State corrects its report: a new draft from the accepted version.
    The accepted version stays in force, and readable if it was published, until the correction is
    accepted; the corrected version is readable once the ISU publishes it."""
    require_focal_point(actor, report)
    report = lock(report)
    if report.status not in (ReportStatus.ACCEPTED, ReportStatus.PUBLISHED):
        raise InvalidTransition(_("Only an accepted report can be corrected."))
    accepted = report.versions.filter(outcome=VersionOutcome.ACCEPTED).order_by("-number").first()
    report.draft = formats.content_for_editing(accepted.content)
    report.revision += 1
    report.save(update_fields=["draft", "revision"])
    set_status(report, ReportStatus.DRAFT, actor=actor, action="reporting.report.correction_started")
    return report


def _notify_state(report: Report, event: str) -> None:
    """The State's focal points hear of the outcome (``reporting.tasks.notify_focal_points``), once committed."""
    enqueue("reporting.tasks.notify_focal_points", report.pk, event)
