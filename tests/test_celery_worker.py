"""Tasks go through a real Celery worker and Redis at least once per task type."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail

from accounts import services
from accounts.models import Invitation, Role
from ccm_portal.celery import app
from parties.models import State
from tests.helpers import need, redis_reachable, redis_url


@pytest.fixture
def real_worker(transactional_db, reference_data):
    url = redis_url()
    need(redis_reachable(url), f"Redis is not reachable at {url}")
    assert app.conf.broker_url == url, "tests/settings.py points Celery at the test Redis"
    app.connection_for_write().default_channel.client.flushdb()
    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield app
    finally:
        app.conf.task_always_eager = True


def wait_for(condition, seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


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
def test_report_notifications_go_through_the_worker_once_each(real_worker, isu_staff, focal_point):
    from reporting import services as reporting
    from reporting.models import Notification, ReportKind
    from reporting.tasks import notify_focal_points, notify_reviewers_of_submission
    from tests.reporting.test_services import submit_complete

    report = reporting.start_report(
        state=focal_point.state, kind=ReportKind.INITIAL, period_year=None, actor=focal_point
    )
    version = submit_complete(report, focal_point)
    assert wait_for(lambda: [m.to for m in mail.outbox] == [[isu_staff.email]]), "reviewers were not told"
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
