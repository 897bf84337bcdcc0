"""Helpers shared by tests: TOTP codes computed independently of allauth, service checks."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import shutil
import socket
import struct
import time
from contextlib import contextmanager
from urllib.parse import urlparse

import pytest


def totp_now(secret: str, *, at: float | None = None, digits: int = 6, period: int = 30) -> str:
    """RFC 6238 code for ``secret`` (base32), as an authenticator app would show it. Asked for the current
    code in the last seconds of its window, it waits for the next one, as a person would: the server allows
    no tolerance, and a code that expires between typing and checking is refused (browser sign-ins flaked)."""
    if at is None and period - time.time() % period < 3:
        time.sleep(period - time.time() % period + 0.2)
    counter = int((time.time() if at is None else at) // period)
    digest = hmac.new(base64.b32decode(secret, casefold=True), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 10**digits:0{digits}d}"


def record_second_factor(client, user) -> bool:
    """In ``client``'s session (after ``force_login``), record the password and TOTP steps as
    allauth records them at a real sign-in, if ``user`` has an authenticator app. Returns whether it did."""
    from types import SimpleNamespace

    from allauth.account.internal.flows.login import record_authentication
    from allauth.mfa.models import Authenticator

    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if authenticator is None:
        return False
    session = client.session
    request = SimpleNamespace(session=session)
    record_authentication(request, user, "password", email=user.email)
    record_authentication(request, user, "mfa", id=authenticator.pk, type=authenticator.type)
    session.save()
    return True


def services_required() -> bool:
    """In CI (.ci/run sets CCM_REQUIRE_SERVICES=1) a missing service fails the test instead of skipping it."""
    return os.environ.get("CCM_REQUIRE_SERVICES") == "1"


def need(condition: bool, reason: str) -> None:
    if condition:
        return
    if services_required():
        pytest.fail(f"{reason} (CCM_REQUIRE_SERVICES=1)")
    pytest.skip(reason)


def redis_url() -> str:
    return os.environ.get("CELERY_TEST_BROKER_URL", "redis://127.0.0.1:6379/15")


def redis_reachable(url: str) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), timeout=1):
            return True
    except OSError:
        return False


CHROMIUM = os.environ.get("CCM_CHROMIUM", "/usr/bin/chromium")


def chromium_available() -> bool:
    return bool(shutil.which(CHROMIUM) or os.path.exists(CHROMIUM))


@contextmanager
def celery_worker(*, shutdown_timeout: float = 30, pool: str = "solo", concurrency: int = 1):
    """A real Celery worker on the test Redis, in a thread of this process (so it shares the test
    database): tasks queued while it runs go through the broker. Tests using it are transactional,
    so that ``transaction.on_commit`` fires."""
    from celery.contrib.testing.worker import start_worker

    from ccm_portal.celery import app

    url = redis_url()
    need(redis_reachable(url), f"Redis is not reachable at {url}")
    assert app.conf.broker_url == url, "tests/settings.py points Celery at the test Redis"
    app.connection_for_write().default_channel.client.flushdb()
    app.conf.task_always_eager = False
    try:
        with start_worker(
            app, pool=pool, concurrency=concurrency, perform_ping_check=False, shutdown_timeout=shutdown_timeout
        ):
            yield app
    finally:
        app.conf.task_always_eager = True


def wait_for(condition, seconds: float = 20.0) -> bool:
    """Poll ``condition`` until it holds or ``seconds`` pass; its last answer."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()
