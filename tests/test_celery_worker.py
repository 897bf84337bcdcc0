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
