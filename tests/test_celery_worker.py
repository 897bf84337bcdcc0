"""Tasks go through a real Celery worker and Redis at least once per task type."""

import pytest
from django.core import mail

from accounts import services
from accounts.models import Invitation, Role
from parties.models import State
from tests.helpers import celery_worker, need, wait_for


@pytest.mark.celery_worker
def test_invitation_email_is_sent_by_the_worker_once(real_worker, isu_staff):
    invitation = services.create_invitation(
        email="via.worker@example.org", role=Role.FOCAL_POINT, state=State.objects.get(iso3="TCD"), invited_by=isu_staff
    )
    assert wait_for(lambda: len(mail.outbox) == 1), "the worker did not send the invitation"
    assert mail.outbox[0].to == ["via.worker@example.org"]
    assert wait_for(lambda: Invitation.objects.get(pk=invitation.pk).sent_at is not None)
    # A second delivery of the same task (a retry, a duplicate) sends nothing more.
    from accounts.tasks import send_invitation_email

    result = send_invitation_email.delay(invitation.pk)
    assert result.get(timeout=20) is False
    assert len(mail.outbox) == 1


@pytest.mark.celery_worker
def test_report_notifications_go_through_the_worker_once_each(real_worker, isu_staff, focal_point, settings, tmp_path):
    from ccm_portal.core.models import RenderStatus
    from reporting import services as reporting
    from reporting.models import Notification, ReportKind, ReportPdf
    from reporting.tasks import notify_focal_points, notify_reviewers_of_submission
    from tests.reporting.test_services import submit_complete

    report = reporting.start_report(
        state=focal_point.state, kind=ReportKind.INITIAL, period_year=None, actor=focal_point
    )
    settings.MEDIA_ROOT = tmp_path
    version = submit_complete(report, focal_point)
    assert wait_for(lambda: [m.to for m in mail.outbox] == [[isu_staff.email]]), "reviewers were not told"
    # Submission also queued the version's PDF; the worker makes it (SQLite: one writer at a time).
    assert wait_for(lambda: ReportPdf.objects.filter(version=version, status=RenderStatus.READY).exists(), 60)
    reporting.start_review(report=report, actor=isu_staff)
    reporting.request_changes(report=report, actor=isu_staff, reason="Form A: add the date of entry into force.")
    assert wait_for(lambda: len(mail.outbox) == 2), "the focal point was not told"
    assert mail.outbox[1].to == [focal_point.email]
    assert "add the date of entry into force" in mail.outbox[1].body
    # Duplicate deliveries of both task types send nothing more.
    assert notify_reviewers_of_submission.delay(version.pk).get(timeout=20) == 0
    assert notify_focal_points.delay(report.pk, "changes_requested").get(timeout=20) == 0
    assert len(mail.outbox) == 2
    assert Notification.objects.count() == 2


@pytest.fixture
def two_thread_worker(transactional_db, reference_data):
    from django.db import connection

    # Two tasks writing at once need a database with real concurrent transactions.
    need(connection.vendor == "postgresql", "concurrent runs need PostgreSQL (set DATABASE_URL)")
    with celery_worker(pool="threads", concurrency=2, shutdown_timeout=20) as worker_app:
        yield worker_app


@pytest.mark.celery_worker
def test_two_daily_runs_at_once_send_each_reminder_once(two_thread_worker, focal_point):
    import datetime as dt

    from deadlines.models import Reminder, ReminderSettings, ReminderStatus
    from deadlines.tasks import run_daily_reminders
    from tests.factories import make_user

    settings = ReminderSettings.current()
    settings.tracking_starts_on = dt.date(2026, 1, 1)
    settings.save()
    for iso3 in ("AUS", "CHL", "GHA", "COL", "NOR"):
        make_user("focal_point", iso3=iso3, email=f"fp.{iso3.lower()}@example.org")
    day = "2026-03-01"  # 60 days before the 30 April deadline, and 0 days before Colombia's Art. 4 deadline
    first, second = run_daily_reminders.delay(day), run_daily_reminders.delay(day)
    first.get(timeout=60), second.get(timeout=60)
    expected = Reminder.objects.filter(status__in=[ReminderStatus.QUEUED, ReminderStatus.SENDING, ReminderStatus.SENT])
    assert wait_for(lambda: not expected.exclude(status=ReminderStatus.SENT).exists(), 30)
    sent = Reminder.objects.filter(status=ReminderStatus.SENT).count()
    assert sent >= 6  # six focal points, at least the annual report each
    assert len(mail.outbox) == sent
    assert len({(tuple(m.to), m.subject) for m in mail.outbox}) == len(mail.outbox)


@pytest.mark.celery_worker
def test_old_held_workbooks_are_purged_by_the_worker(real_worker, focal_point):
    import datetime as dt

    from django.utils import timezone

    from reporting import services as reporting
    from reporting.models import ReportKind, WorkbookUpload
    from reporting.tasks import purge_workbook_uploads

    report = reporting.start_report(
        state=focal_point.state, kind=ReportKind.ANNUAL, period_year=2024, actor=focal_point
    )
    held = WorkbookUpload.objects.create(
        report=report, name="old.xlsx", size=1, sha256="0" * 64, base_revision=1, content={}, uploaded_by=focal_point
    )
    WorkbookUpload.objects.filter(pk=held.pk).update(uploaded_at=timezone.now() - dt.timedelta(days=400))
    assert purge_workbook_uploads.delay().get(timeout=20) == 1
    assert not WorkbookUpload.objects.exists()
