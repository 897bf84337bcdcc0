"""Celery adapters of the assistance pages: one task per e-mail event, and the daily check for
requests nobody offered anything for (celery beat calls ``raise_no_offer_tasks``).

Tasks take primary keys, are queued by name once the change commits (``assistance.services.matching``
calls ``ccm_portal.core.tasks.enqueue``) and are idempotent: each e-mail is keyed by (event, recipient),
so a retry or a double delivery sends nothing twice. Tasks import services, never the other way.
"""

from __future__ import annotations

import datetime as dt

from celery import shared_task

from assistance import notifications
from assistance.services import matching


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notify_match_proposed(match_id: int) -> int:
    return notifications.match_proposed(match_id=match_id)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notify_match_decided(match_id: int, side: str, decision: str) -> int:
    return notifications.match_decided(match_id=match_id, side=side, decision=decision)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notify_match_advanced(match_id: int, status: str) -> int:
    return notifications.match_advanced(match_id=match_id, status=status)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notify_no_offer_task(task_id: int) -> int:
    return notifications.no_offer_task(task_id=task_id)


@shared_task
def raise_no_offer_tasks(now: str | None = None) -> int:
    """The daily check (beat, no argument); ``now`` (ISO 8601) is for replaying a given day."""
    return len(matching.raise_no_offer_tasks(now=dt.datetime.fromisoformat(now) if now else None))
