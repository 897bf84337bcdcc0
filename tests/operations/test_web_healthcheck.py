"""The web container's healthcheck (docker/web-healthcheck.py, standard library only) against a real HTTP server
serving /readyz: exit 0 when database, cache and broker are ready, even with beat late (beat's own healthcheck
says that); exit 1 naming the check when the broker is on a closed port."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ccm_portal.operations import health
from tests.helpers import need, redis_reachable, redis_url

from .test_health import closed_port

pytestmark = pytest.mark.django_db(transaction=True)

PROBE = Path(__file__).resolve().parents[2] / "docker" / "web-healthcheck.py"


def probe(live_server) -> subprocess.CompletedProcess:
    env = {"PATH": os.environ["PATH"], "CCM_HEALTHCHECK_URL": f"{live_server.url}/readyz"}
    return subprocess.run(  # noqa: S603 (this interpreter, the healthcheck script)
        [sys.executable, str(PROBE)], env=env, capture_output=True, text=True, timeout=30
    )


@pytest.fixture
def through_the_broker(settings, monkeypatch, reference_data):
    """Tasks through the tests' Redis (not in-process), beat's start-up grace over and no heartbeat: beat late."""
    need(redis_reachable(redis_url()), f"Redis is not reachable at {redis_url()}")
    settings.CELERY_BROKER_URL = redis_url()
    settings.CELERY_TASK_ALWAYS_EAGER = False
    monkeypatch.setattr(health, "PROCESS_STARTED", time.time() - 3600)
    return settings


def test_the_web_healthcheck_passes_when_web_can_serve_with_beat_late(live_server, through_the_broker):
    result = probe(live_server)
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "healthcheck: beat failed: no heartbeat recorded"


def test_the_web_healthcheck_fails_naming_the_broker(live_server, through_the_broker):
    health.record_heartbeat()
    through_the_broker.CELERY_BROKER_URL = f"redis://127.0.0.1:{closed_port()}/0"
    result = probe(live_server)
    assert result.returncode == 1
    assert result.stderr.strip() == "healthcheck: broker failed: unreachable (OperationalError)"
