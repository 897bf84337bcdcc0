"""Celery adapters: the daily reminder run (beat; treaty deadlines and the teams' internal due dates), one task per
batch of reminder e-mails, the weekly ISU digest.

Tasks call the services (``deadlines.services``, ``deadlines.digest``); the services enqueue these by name
(``ccm_portal.core.tasks.enqueue_each("deadlines.tasks.send_reminder", batches)``) and never import them."""

import datetime as dt

from celery import shared_task

from ccm_portal.core import clock
from deadlines import digest, services


@shared_task
def run_daily_reminders(today: str | None = None) -> dict:
    """The day's treaty-deadline reminders, then the national teams' internal ones (``services.team``), each
    recorded and queued in its own transaction: a failure in the second leaves the first done."""
    day = dt.date.fromisoformat(today) if today else clock.today()
    done = services.run_daily_reminders(today=day)
    return {**done, "team": services.team.run_team_reminders(today=day)}


@shared_task(bind=True)
def send_reminder(self, reminder_ids: list[int] | int, isu_email: str | None = None) -> int:
    """Send a batch of reminders (``services.send_reminders``; one id is a batch of one, as queued before
    batches; ``isu_email``, copied on overdue notices, is read from the settings when not given). Acknowledged
    late (settings): a batch whose worker died is delivered again, with the same task id, and takes back what it
    held. Returns how many e-mails went out, which the "reminders sent" metric adds up
    (``ccm_portal.operations.metrics``): e-mails, not batches.

    A temporary failure ends the batch with what it sent (counted) and queues a new batch of what it stopped, after
    a back-off (1, 2, 4, 8 minutes by the failed reminder's attempts). It ends: each such failure counts an attempt
    of one reminder, failed after ``services.MAX_ATTEMPTS``; the day's next run also queues whatever is still queued.
    """
    ids = [reminder_ids] if isinstance(reminder_ids, int) else list(reminder_ids)
    try:
        return services.send_reminders(reminder_ids=ids, batch=self.request.id, isu_email=isu_email)
    except services.RetryLater as error:
        send_reminder.apply_async(args=[error.ids, isu_email], countdown=error.countdown)
        return error.sent


@shared_task
def send_weekly_digest(today: str | None = None) -> int:
    day = dt.date.fromisoformat(today) if today else clock.today()
    return digest.send_weekly_digest(today=day)
