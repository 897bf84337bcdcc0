"""What the treaty deadlines' daily run and the national team's share: the status a new reminder row starts with,
and recording the day's rows once (their unique keys make a second run insert nothing) before queueing the ones
that can go out, in batches."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from ccm_portal.core.tasks import enqueue
from deadlines.models import Reminder, ReminderSettings, ReminderStatus

# A day's reminders go out in this many batches (fewer when there are fewer reminders, more when a batch would pass
# ``batch_size``): a small day is shared among the worker's processes as a big one is, instead of one process
# sending it all in one batch; 12 batches of three queries and the planning's 16 stay within issue 16's 60.
SPREAD = 12


def batches(ids: list[int], size: int) -> list[list[int]]:
    """``ids`` in ``SPREAD`` batches (fewer when there are fewer ids), of ``size`` at most."""
    size = max(1, min(size, -(-len(ids) // SPREAD)))
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def initial_status(user: Any, verified: set[tuple[int, str]]) -> str:
    """Queued, or why not: the address bounced, or it was never verified (``verified``: (user id, e-mail) pairs)."""
    if user.email_bounced_at:
        return ReminderStatus.SKIPPED_BOUNCED
    if (user.pk, user.email) not in verified:
        return ReminderStatus.SKIPPED_UNVERIFIED
    return ReminderStatus.QUEUED


def record_and_queue(rows: list[Reminder], rules: ReminderSettings) -> int:
    """Insert ``rows`` (those already recorded are left as they are) and queue the queued ones, once the
    transaction commits. How many were queued."""
    with transaction.atomic():
        # The unique key makes a second run, or a run in a second beat process, insert nothing.
        Reminder.objects.bulk_create(rows, ignore_conflicts=True)
        queued = list(
            Reminder.objects.filter(key__in=[r.key for r in rows], status=ReminderStatus.QUEUED).values_list(
                "pk", flat=True
            )
        )
        for batch in batches(queued, rules.batch_size):
            # The ISU's address travels with the batch, copied on overdue notices: no batch reads the settings.
            enqueue("deadlines.tasks.send_reminder", batch, rules.isu_email)
    return len(queued)
