"""Celery adapters: the daily reminder run (beat), one task per e-mail, the weekly ISU digest.

Tasks call the services (``deadlines.services``, ``deadlines.digest``); the services enqueue these by name
(``ccm_portal.core.tasks.enqueue_each("deadlines.tasks.send_reminder", ids)``) and never import them."""

import datetime as dt

from celery import shared_task

from ccm_portal.core import clock
from deadlines import digest, services


@shared_task
def run_daily_reminders(today: str | None = None) -> dict:
    day = dt.date.fromisoformat(today) if today else clock.today()
    return services.run_daily_reminders(today=day)


@shared_task(bind=True, max_retries=services.MAX_ATTEMPTS - 1)
def send_reminder(self, reminder_id: int) -> bool:
    try:
        return services.send_reminder(reminder_id=reminder_id, final_attempt=self.request.retries >= self.max_retries)
    except services.RetryLater as error:
        # Back off: 1, 2, 4, 8 minutes.
        raise self.retry(exc=error, countdown=60 * 2**self.request.retries) from error


@shared_task
def send_weekly_digest(today: str | None = None) -> int:
    day = dt.date.fromisoformat(today) if today else clock.today()
    return digest.send_weekly_digest(today=day)
