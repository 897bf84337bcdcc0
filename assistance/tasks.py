"""Celery tasks of the assistance pages (to be written)."""

from celery import shared_task


@shared_task
def raise_no_offer_tasks() -> int:
    return 0
