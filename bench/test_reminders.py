"""The daily reminder run for every State with five focal points each (`make bench`)."""

import datetime as dt

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Role
from deadlines import services
from deadlines.models import Reminder, ReminderSettings, ReminderStatus
from parties.models import State
from tests.factories import make_user

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 3, 1)  # 60 days before 30 April: every State Party has a reminder due


@pytest.fixture
def five_focal_points_each(reference_data):
    settings = ReminderSettings.current()
    settings.tracking_starts_on = dt.date(2026, 1, 1)
    settings.save()
    for state in State.objects.exclude(deposit_date=None):
        for n in range(5):
            make_user(Role.FOCAL_POINT, iso3=state.iso3, email=f"fp{n}.{state.iso3.lower()}@example.org")


def test_bench_daily_run_records_and_queues(benchmark, five_focal_points_each):
    def run():
        Reminder.objects.all().delete()
        with CaptureQueriesContext(connection) as ctx:
            result = services.run_daily_reminders(today=DAY)
        return result, len(ctx.captured_queries)

    (result, queries) = benchmark.pedantic(run, rounds=5)
    assert result["queued"] >= 5 * 100
    assert queries <= 16


def test_bench_daily_run_including_every_email(benchmark, five_focal_points_each, django_capture_on_commit_callbacks):
    """Planning and every e-mail (tasks in-process: no broker in the tests), in batches of
    ``ReminderSettings.batch_size`` through one connection each: at most 60 queries for the whole day (issue 16;
    943 for 232 e-mails, four per e-mail, before batches)."""

    def run():
        Reminder.objects.all().delete()
        mail.outbox.clear()
        with CaptureQueriesContext(connection) as ctx, django_capture_on_commit_callbacks(execute=True):
            services.run_daily_reminders(today=DAY)
        return len(mail.outbox), len(ctx.captured_queries)

    sent, queries = benchmark.pedantic(run, rounds=3)
    assert sent >= 5 * 100
    assert Reminder.objects.filter(status=ReminderStatus.SENT).count() == sent
    assert queries <= 60
