"""Celery tasks of the portal as a whole (not of one app): operations' own periodic work.

- ``beat_heartbeat``: scheduled by beat every minute (``CELERY_BEAT_SCHEDULE`` in settings); records when it
  ran (``ccm_portal.operations.health``), which ``/readyz`` and ``manage.py beat_alive`` read.
"""

from celery import shared_task

from ccm_portal.operations import health


@shared_task(ignore_result=True)
def beat_heartbeat() -> float:
    """Beat sent this and a worker ran it: record the time for the readiness checks."""
    return health.record_heartbeat()
