"""Sending failed or stuck background work again (the Retry buttons of ``/isu/operations/``), through the
services that made it the first time:

- a reminder: ``deadlines.services.requeue_reminders`` (as the admin's "send again"), audited there;
- a PDF: the documents lifecycle (``reporting.pdf.ensure_pdf``, ``progress.exports.ensure``): the row is
  queued again for what it shows now and one render enqueued after commit, audited as ``<kind>.queued``.

Only work the page calls failed or stuck is retried (``ccm_portal.operations.selectors``): a reminder being
sent right now, or a PDF being made, is left alone, so nothing goes out twice from a double click.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from ccm_portal.operations import access, selectors
from deadlines import services as deadline_services
from progress import exports as dashboard_exports
from progress.models import DashboardPdf
from reporting import pdf as report_pdfs
from reporting.models import ReportPdf


def _require(actor: Any) -> None:
    if not access.may_retry(actor):
        raise PermissionDenied


def retry_reminder(*, reminder_id: int, actor: Any) -> int:
    """Queue a failed or stuck reminder to be sent again; how many were (1)."""
    _require(actor)
    if not selectors.retryable_reminders().filter(pk=reminder_id).exists():
        raise ValidationError(_("This reminder is no longer failed or stuck: there is nothing to send again."))
    return deadline_services.requeue_reminders(reminder_ids=[reminder_id], actor=actor)


def _retryable(model: type[Any], pk: int) -> Any:
    row = selectors.retryable_documents(model).filter(pk=pk).first()
    if row is None:
        raise ValidationError(_("This PDF is no longer failed or stuck: there is nothing to make again."))
    return row


def retry_report_pdf(*, pdf_id: int, actor: Any) -> ReportPdf:
    """Queue a failed or stuck report PDF to be made again, for what the report holds now."""
    _require(actor)
    pdf = _retryable(ReportPdf, pdf_id)
    return report_pdfs.ensure_pdf(report=pdf.report, version=pdf.version, requested_by=actor, language=pdf.language)


def retry_dashboard_pdf(*, pdf_id: int, actor: Any) -> DashboardPdf:
    """Queue a failed or stuck dashboard PDF to be made again, for the figures as they are now."""
    _require(actor)
    pdf = _retryable(DashboardPdf, pdf_id)
    return dashboard_exports.ensure(as_of=pdf.as_of, audience=pdf.audience, requested_by=actor, language=pdf.language)
