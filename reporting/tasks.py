"""Reporting's Celery tasks: thin adapters over ``notifications`` and ``pdf``. Services never import them: they
enqueue a task by its name once their transaction commits (``ccm_portal.core.tasks.enqueue``)."""

import datetime as dt

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from ccm_portal.core.tasks import redelivered
from reporting import notifications, pdf
from reporting.models import WorkbookUpload


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notify_reviewers_of_submission(version_id: int) -> int:
    return notifications.submission_received(version_id=version_id)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notify_focal_points(report_id: int, event: str) -> int:
    return notifications.review_outcome(report_id=report_id, event=event)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notify_team(assignment_id: int, event: str, token: str) -> int:
    """A national contributor's form handed back or returned (``notifications.team_event``), told once."""
    return notifications.team_event(assignment_id=assignment_id, event=event, token=token)


@shared_task(bind=True, acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def render_report_pdf(self, pdf_id: int) -> str:
    """Render one ``ReportPdf``; a duplicate delivery finds it ready (or in hand) and does nothing. A message
    delivered again after its worker died (killed mid-render) takes over the render that worker left."""
    rendered = pdf.render(
        pdf_id, final_attempt=self.request.retries >= self.max_retries, redelivered=redelivered(self.request)
    )
    return rendered.status if rendered is not None else "gone"


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def queue_version_pdf(version_id: int) -> int:
    """After a submission: ask for the version's PDF (which queues its render once). Run as a task so
    that the submitting request neither waits nor writes more than the submission itself."""
    return pdf.queue_version_pdf(version_id).pk


@shared_task
def purge_workbook_uploads() -> int:
    """Checked workbooks are held only until the focal point applies or discards them: drop those older
    than ``CCM_WORKBOOK_UPLOADS_KEEP_DAYS`` (the audit trail keeps what was applied, by whom, when)."""
    cutoff = timezone.now() - dt.timedelta(days=settings.CCM_WORKBOOK_UPLOADS_KEEP_DAYS)
    deleted, _ = WorkbookUpload.objects.filter(uploaded_at__lt=cutoff).delete()
    return deleted
