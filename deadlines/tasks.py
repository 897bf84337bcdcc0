"""Celery adapters: the daily reminder run (beat), one task per batch of e-mails, the weekly ISU digest.

Tasks call the services (``deadlines.services``, ``deadlines.digest``); the services enqueue these by name
(``ccm_portal.core.tasks.enqueue_each("deadlines.tasks.send_reminder", batches)``) and never import them."""

import datetime as dt

from celery import shared_task

from ccm_portal.core import clock
from deadlines import digest, services


@shared_task
def run_daily_reminders(today: str | None = None) -> dict:
    day = dt.date.fromisoformat(today) if today else clock.today()
    return services.run_daily_reminders(today=day)


@shared_task(bind=True, max_retries=services.MAX_ATTEMPTS - 1)
def send_reminder(self, reminder_ids: list[int] | int) -> int:
    """Send a batch of reminders (``services.SEND_BATCH`` at most); one id is a batch of one (a message queued
    before batches). How many went out: a second delivery of the same batch sends nothing."""
    ids = [reminder_ids] if isinstance(reminder_ids, int) else list(reminder_ids)
    try:
        return services.send_reminders(reminder_ids=ids, final_attempt=self.request.retries >= self.max_retries)
    except services.RetryLater as error:
        # Back off: 1, 2, 4, 8 minutes; only the reminders a temporary failure stopped go again.
        raise self.retry(args=[error.ids], exc=error, countdown=60 * 2**self.request.retries) from error


@shared_task
def send_weekly_digest(today: str | None = None) -> int:
    day = dt.date.fromisoformat(today) if today else clock.today()
    return digest.send_weekly_digest(today=day)
