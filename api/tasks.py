"""The API's Celery task: refreshing the open-data package (``api.package``) in the background, and asking
for it once however many changes ask.

Three things ask: every committed change to public data (``ccm_portal.core.data_version.on_change``,
registered in ``api.apps``), a request for ``datapackage.json`` that finds the latest release stale, and beat
every hour (``CELERY_BEAT_SCHEDULE``), in case a change's message was lost. The task rebuilds only when the
public data moved since the latest release (or the day changed), so a duplicate delivery builds nothing twice.
"""

from __future__ import annotations

import logging

from celery import current_app, shared_task
from django.conf import settings
from django.core.cache import cache
from kombu.exceptions import OperationalError

from api import release
from api.models import OpenDataRelease

log = logging.getLogger(__name__)

QUEUED = "ccm:open-data:queued"
LOCK = "ccm:open-data:building"
LOCK_SECONDS = 30 * 60  # longer than any build; a worker killed mid-build frees it after this


class Busy(Exception):
    """Another build is running."""


def refresh() -> OpenDataRelease | None:
    """A new release if the latest is stale (``Busy`` while another build runs); None when it is current."""
    if not release.is_stale(OpenDataRelease.objects.newest()):
        return None
    if not cache.add(LOCK, "1", timeout=LOCK_SECONDS):
        raise Busy
    try:
        if not release.is_stale(OpenDataRelease.objects.newest()):  # another build finished meanwhile
            return None
        return release.build()
    finally:
        cache.delete(LOCK)


@shared_task(bind=True, acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def refresh_open_data(self) -> str:
    """Build a release if the public data moved since the latest one: its key, or "current". While another
    build runs, try again after the delay (in-process runs just leave it to that build)."""
    try:
        release = refresh()
    except Busy as busy:
        if self.request.is_eager or self.request.retries >= self.max_retries:
            return "busy"  # that build, or beat's next run, will see the changes
        raise self.retry(exc=busy, countdown=max(settings.CCM_OPEN_DATA_DELAY, 10)) from busy
    return release.key if release is not None else "current"


def request_refresh() -> bool:
    """Queue one refresh to run in ``CCM_OPEN_DATA_DELAY`` seconds, unless one is already queued for then: the
    changes of the next seconds (a review publishing a report writes many rows, in several transactions) are
    built once. Returns whether it queued one. A broker that cannot be reached is logged, never raised: the
    change that asked is committed, and beat asks again within the hour."""
    delay = settings.CCM_OPEN_DATA_DELAY
    if not cache.add(QUEUED, "1", timeout=max(delay, 1)):
        return False
    try:
        refresh_open_data.apply_async(countdown=delay)
    except (OperationalError, OSError):
        cache.delete(QUEUED)
        log.warning("open data: the refresh could not be queued", exc_info=True)
        return False
    return True


def data_changed() -> None:
    """``data_version.on_change``: queue a refresh. Not when tasks run in-process (``make run`` without a
    broker, most tests): the build would run inside the request that saved; there a request for
    ``datapackage.json`` that finds the package stale builds it. Nor when ``CCM_OPEN_DATA_REFRESH_ON_CHANGE`` is
    off (the test suites' workers, which run other tests' tasks only)."""
    if current_app.conf.task_always_eager or not settings.CCM_OPEN_DATA_REFRESH_ON_CHANGE:
        return
    request_refresh()
