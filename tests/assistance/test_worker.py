"""Assistance tasks go through a real Celery worker on Redis: a match notification and the daily
no-offer check, each sending its e-mails once however often it is delivered."""

import datetime as dt
import time
from decimal import Decimal

import pytest
from django.core import mail

from assistance.models import AssistanceNotification, AssistanceRequest, CoordinatorTask
from assistance.services import matching
from tests.assistance.test_board import make_offer, make_request, norway
from tests.helpers import wait_for


@pytest.mark.celery_worker
def test_a_proposal_is_notified_by_the_worker_once(real_worker, coordinator, focal_point, donor):
    from assistance.tasks import notify_match_proposed

    offer = make_offer(donor, norway(donor), title="Lao clearance partnership")
    match = matching.propose_match(
        actor=coordinator, request=make_request(focal_point), offer=offer, amount=Decimal(5000), currency="USD"
    )
    assert wait_for(lambda: len(mail.outbox) == 2), "the worker did not tell both sides"
    assert sorted(m.to[0] for m in mail.outbox) == sorted([donor.email, focal_point.email])
    # A second delivery of the same task (a retry, a duplicate) sends nothing more.
    assert notify_match_proposed.delay(match.pk).get(timeout=20) == 0
    assert len(mail.outbox) == 2
    assert AssistanceNotification.objects.count() == 2


@pytest.mark.celery_worker
def test_the_daily_no_offer_check_runs_on_the_worker_once(real_worker, coordinator, focal_point):
    from assistance.tasks import raise_no_offer_tasks

    request = make_request(focal_point, title="Survey nobody funds")
    AssistanceRequest.objects.filter(pk=request.pk).update(created_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
    assert raise_no_offer_tasks.delay().get(timeout=30) == 1
    assert wait_for(lambda: len(mail.outbox) == 1), "the coordinator was not told"
    assert mail.outbox[0].to == [coordinator.email]
    assert "Survey nobody funds" in mail.outbox[0].subject
    assert raise_no_offer_tasks.delay().get(timeout=30) == 0
    time.sleep(0.5)  # nothing else is queued; leave it a moment to show it
    assert len(mail.outbox) == 1
    assert CoordinatorTask.objects.filter(request=request, done_at__isnull=True).count() == 1


@pytest.mark.celery_worker
def test_decisions_and_delivery_are_notified_by_the_worker(real_worker, coordinator, focal_point, donor):
    offer = make_offer(donor, norway(donor), title="Lao clearance partnership")
    match = matching.propose_match(
        actor=coordinator, request=make_request(focal_point), offer=offer, amount=Decimal(5000), currency="USD"
    )
    assert wait_for(lambda: len(mail.outbox) == 2)
    matching.decide_match(actor=donor, match=match, accept=True)  # the coordinator and the State hear of it
    assert wait_for(lambda: len(mail.outbox) == 4), "the donor's decision was not notified"
    assert sorted(m.to[0] for m in mail.outbox[2:]) == sorted([coordinator.email, focal_point.email])
    matching.decide_match(actor=focal_point, match=match, accept=True)
    assert wait_for(lambda: len(mail.outbox) == 6), "the State's decision was not notified"
    matching.advance_match(actor=donor, match=match)  # committed: the State hears of it
    assert wait_for(lambda: len(mail.outbox) == 7), "the commitment was not notified"
    assert mail.outbox[6].to == [focal_point.email] and "committed" in mail.outbox[6].subject
