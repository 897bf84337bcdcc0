"""Is this process ready to serve: the checks behind ``/readyz`` and ``manage.py beat_alive``.

``/healthz`` is liveness only (the process answers, with one ``SELECT 1``); readiness asks more:

- ``database``: ``SELECT 1`` answers;
- ``cache``: a value written to the cache reads back (sessions' rate limits and beat's heartbeat live there);
- ``broker``: a connection to Celery's broker opens — or ``in-process`` when tasks run in this process
  (no ``CELERY_BROKER_URL``: ``make run``), where there is no broker to reach;
- ``beat``: the heartbeat task beat schedules every minute (``ccm_portal.tasks.beat_heartbeat``) ran less
  than ``CCM_BEAT_MAX_AGE`` seconds ago. It is run by a worker, so a recent heartbeat proves that beat sends
  its schedule and a worker runs it. Skipped when tasks run in-process (no beat then). For
  ``CCM_BEAT_MAX_AGE`` seconds after this process started, a missing or old heartbeat is not called late:
  after a fresh start of the stack, beat has not had its first minute yet.

The heartbeat is a time in the cache (``HEARTBEAT_KEY``), not a row: it is rewritten every minute, and a
cache emptied by a Redis restart only makes beat look late until its next minute. Each check answers
``ok``/``failed`` with a short reason of its own words: never an exception's text, which may name hosts,
ports or credentials (the exception is logged instead).
"""

from __future__ import annotations

import logging
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import connection

log = logging.getLogger(__name__)

HEARTBEAT_KEY = "ccm:operations:beat-heartbeat"
# The heartbeat outlives many missed minutes, so "late by an hour" can still be told from "never ran".
HEARTBEAT_KEEP_SECONDS = 7 * 24 * 3600
PROBE_KEY = "ccm:operations:readiness-probe"
# Seconds to open the broker's connection before calling it unreachable (the probe itself has 10).
BROKER_CONNECT_TIMEOUT = 3

# When this process loaded the module (with the URLconf, at its first request): the start of the grace period.
PROCESS_STARTED = time.time()


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    reason: str

    def as_json(self) -> dict[str, str]:
        return {"status": "ok" if self.ok else "failed", "reason": self.reason}


@dataclass(frozen=True)
class Readiness:
    checks: list[Check]

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)

    def as_json(self) -> dict[str, object]:
        return {
            "status": "ok" if self.ok else "failed",
            "checks": {check.name: check.as_json() for check in self.checks},
        }


def _unreachable(name: str, error: Exception) -> Check:
    # The exception's text may name the host, port or password: it goes to the log, its class to the body.
    log.warning("Readiness: %s check failed", name, exc_info=error)
    return Check(name, False, f"unreachable ({type(error).__name__})")


def tasks_in_process() -> bool:
    """Tasks run in this process, not through a broker (no ``CELERY_BROKER_URL`` in ``settings.py``;
    also the tests' default): then there is no broker to reach and no beat."""
    return bool(settings.CELERY_TASK_ALWAYS_EAGER) or not settings.CELERY_BROKER_URL


# --- The checks -------------------------------------------------------------------------------------------
def check_database() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as error:
        return _unreachable("database", error)
    return Check("database", True, "answered")


def check_cache() -> Check:
    token = secrets.token_hex(8)
    try:
        cache.set(PROBE_KEY, token, timeout=30)
        read = cache.get(PROBE_KEY)
    except Exception as error:
        return _unreachable("cache", error)
    if read != token:
        return Check("cache", False, "a value written could not be read back")
    return Check("cache", True, "written and read back")


def check_broker() -> Check:
    if tasks_in_process():
        return Check("broker", True, "in-process (no broker configured)")
    from ccm_portal.celery import app

    try:
        # The URL of the settings now (not the one Celery read at start-up), and no retries: one attempt.
        with app.connection_for_write(url=settings.CELERY_BROKER_URL, connect_timeout=BROKER_CONNECT_TIMEOUT) as conn:
            conn.ensure_connection(max_retries=0)
    except Exception as error:
        return _unreachable("broker", error)
    return Check("broker", True, "connected")


def last_heartbeat() -> float | None:
    """When the heartbeat task last ran (seconds since the epoch), or None if the cache holds none."""
    value = cache.get(HEARTBEAT_KEY)
    return float(value) if value is not None else None


def record_heartbeat(at: float | None = None) -> float:
    """Record that beat's heartbeat task ran now (or ``at``); the time recorded."""
    at = time.time() if at is None else at
    cache.set(HEARTBEAT_KEY, at, timeout=HEARTBEAT_KEEP_SECONDS)
    return at


def age_of(heartbeat: float, now: float | None = None) -> int:
    """Whole seconds since ``heartbeat`` (never negative: clocks of two hosts may differ by a little)."""
    return max(0, round((time.time() if now is None else now) - heartbeat))


def check_beat(*, grace: bool = True) -> Check:
    """The heartbeat is at most ``CCM_BEAT_MAX_AGE`` seconds old; within as long from this process's start
    (``grace``), a missing or older one is not called late yet."""
    if tasks_in_process():
        return Check("beat", True, "skipped: tasks run in-process, there is no beat")
    max_age = settings.CCM_BEAT_MAX_AGE
    now = time.time()
    try:
        last = last_heartbeat()
    except Exception as error:
        log.warning("Readiness: the beat heartbeat could not be read", exc_info=error)
        return Check("beat", False, "unknown: the cache holding the heartbeat is unreachable")
    age = None if last is None else age_of(last, now)
    if age is not None and age <= max_age:
        return Check("beat", True, f"last heartbeat {age} s ago")
    if grace and now - PROCESS_STARTED < max_age:
        return Check("beat", True, f"starting: no recent heartbeat yet, expected within {max_age} s of the start")
    if age is None:
        return Check("beat", False, "no heartbeat recorded")
    return Check("beat", False, f"late: last heartbeat {age} s ago (more than {max_age} s)")


def readiness() -> Readiness:
    """Every check, in the order ``/readyz`` lists them. One database query."""
    return Readiness([check_database(), check_cache(), check_broker(), check_beat()])
