"""Liveness and readiness on the real services: /healthz stays one query; /readyz checks the database, the
cache (Redis), Celery's broker (Redis) and beat's heartbeat, answers 503 naming what failed — a cache or broker
pointed at a closed port, beat late after the start-up grace — and never shows a host, port or secret.
``manage.py beat_alive`` (the beat container's healthcheck) reads the same heartbeat."""

from __future__ import annotations

import json
import logging
import os
import socket
import time

import pytest
from django.core.cache.backends.redis import RedisCache
from django.core.management import CommandError, call_command

from ccm_portal.celery import app
from ccm_portal.operations import health
from ccm_portal.tasks import beat_heartbeat
from tests.helpers import need, redis_reachable, redis_url, wait_for

pytestmark = pytest.mark.django_db

CACHE_URL = os.environ.get("CACHE_URL", "redis://127.0.0.1:6379/14")


def closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def production_shape(settings):
    """As in production: the cache on Redis, tasks sent through the broker (the tests' Redis) — not run in-process
    as in the other tests. The heartbeat key is removed afterwards."""
    need(redis_reachable(CACHE_URL), f"Redis is not reachable at {CACHE_URL}")
    need(redis_reachable(redis_url()), f"Redis is not reachable at {redis_url()}")
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}}
    settings.CELERY_BROKER_URL = redis_url()
    settings.CELERY_TASK_ALWAYS_EAGER = False
    redis = RedisCache(CACHE_URL, {})  # this one, whatever the test points the cache at later
    redis.delete(health.HEARTBEAT_KEY)
    yield settings
    redis.delete_many([health.HEARTBEAT_KEY, health.PROBE_KEY])


@pytest.fixture
def after_grace(monkeypatch):
    """This process started an hour ago: the start-up grace for beat's first heartbeat is over."""
    monkeypatch.setattr(health, "PROCESS_STARTED", time.time() - 3600)


def ready(client) -> tuple[int, dict]:
    response = client.get("/readyz")
    assert response["Content-Type"] == "application/json"
    return response.status_code, json.loads(response.content)


def test_healthz_is_liveness_with_one_query(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_readyz_is_200_with_the_real_services(client, production_shape, after_grace, django_assert_num_queries):
    beat_heartbeat()  # what beat sends every minute, run as a worker would
    with django_assert_num_queries(1):
        status, body = ready(client)
    assert status == 200, body
    assert body["status"] == "ok"
    assert {name: check["status"] for name, check in body["checks"].items()} == {
        "database": "ok",
        "cache": "ok",
        "broker": "ok",
        "beat": "ok",
    }
    assert body["checks"]["broker"]["reason"] == "connected"
    assert body["checks"]["beat"]["reason"].startswith("last heartbeat ")
    assert client.get("/readyz")["Cache-Control"].startswith("max-age=0")


def test_readyz_names_the_cache_on_a_closed_port(client, production_shape, after_grace, settings):
    port = closed_port()
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://:hunter2@127.0.0.1:{port}/0",
        }
    }
    response = client.get("/readyz")
    body = response.json()
    assert response.status_code == 503
    assert body["status"] == "failed"
    assert body["checks"]["cache"] == {"status": "failed", "reason": "unreachable (ConnectionError)"}
    assert body["checks"]["database"]["status"] == "ok" and body["checks"]["broker"]["status"] == "ok"
    # The heartbeat lives in the cache: beat's state is unknown, and said so.
    assert body["checks"]["beat"]["status"] == "failed" and "cache" in body["checks"]["beat"]["reason"]
    text = response.content.decode()
    assert str(port) not in text and "127.0.0.1" not in text and "hunter2" not in text


def test_readyz_names_the_broker_on_a_closed_port(client, production_shape, after_grace, settings, caplog):
    beat_heartbeat()
    port = closed_port()
    settings.CELERY_BROKER_URL = f"redis://:hunter2@127.0.0.1:{port}/0"
    started = time.monotonic()
    response = client.get("/readyz")
    assert time.monotonic() - started < 5  # one attempt, no retries with back-off
    body = response.json()
    assert response.status_code == 503
    assert body["checks"]["broker"] == {"status": "failed", "reason": "unreachable (OperationalError)"}
    assert [name for name, check in body["checks"].items() if check["status"] == "failed"] == ["broker"]
    text = response.content.decode()
    assert str(port) not in text and "127.0.0.1" not in text and "hunter2" not in text
    # Logged once as a warning for the operator, not again by Django as an error report for every probe.
    assert "Readiness: broker check failed" in [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert not [r for r in caplog.records if r.name == "django.request"]


def test_without_a_broker_tasks_are_in_process_and_beat_is_not_checked(client, settings, after_grace):
    settings.CELERY_BROKER_URL = None
    settings.CELERY_TASK_ALWAYS_EAGER = True
    status, body = ready(client)
    assert status == 200
    assert body["checks"]["broker"] == {"status": "ok", "reason": "in-process (no broker configured)"}
    assert body["checks"]["beat"]["status"] == "ok" and body["checks"]["beat"]["reason"].startswith("skipped")


def test_beat_is_not_late_right_after_a_start_then_late_then_ok_once_the_heartbeat_ran(
    client, production_shape, monkeypatch
):
    # A fresh start: no heartbeat yet, and that is expected for CCM_BEAT_MAX_AGE seconds.
    monkeypatch.setattr(health, "PROCESS_STARTED", time.time())
    status, body = ready(client)
    assert status == 200 and body["checks"]["beat"]["reason"].startswith("starting")

    # The grace is over and beat never ran: 503, naming beat only.
    monkeypatch.setattr(health, "PROCESS_STARTED", time.time() - production_shape.CCM_BEAT_MAX_AGE - 1)
    status, body = ready(client)
    assert status == 503
    assert body["checks"]["beat"] == {"status": "failed", "reason": "no heartbeat recorded"}
    assert [name for name, check in body["checks"].items() if check["status"] == "failed"] == ["beat"]

    # Beat's task runs (as a worker would): ready.
    beat_heartbeat()
    status, body = ready(client)
    assert status == 200 and body["checks"]["beat"]["status"] == "ok"

    # Its last run ten minutes ago: late.
    health.record_heartbeat(at=time.time() - 600)
    status, body = ready(client)
    assert status == 503
    assert body["checks"]["beat"]["reason"].startswith("late: last heartbeat 60")


def test_the_heartbeat_is_on_beats_schedule_every_minute(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["beat-heartbeat"]
    assert entry["task"] == beat_heartbeat.name == "ccm_portal.tasks.beat_heartbeat"
    assert entry["schedule"] == 60.0 and entry["options"]["expires"] < 60
    assert beat_heartbeat.name in app.tasks
    assert settings.CCM_BEAT_MAX_AGE >= 2 * 60


def test_beat_alive_exits_1_without_a_recent_heartbeat_and_0_with_one(production_shape, capsys):
    with pytest.raises(CommandError, match="no heartbeat recorded"):
        call_command("beat_alive")
    health.record_heartbeat(at=time.time() - 600)
    with pytest.raises(CommandError, match="late, last heartbeat 60"):
        call_command("beat_alive")
    beat_heartbeat()
    call_command("beat_alive")
    assert "beat: alive" in capsys.readouterr().out
    call_command("beat_alive", "--max-age", "3600")  # an older heartbeat, a wider window


@pytest.mark.celery_worker
def test_beats_heartbeat_message_is_run_by_a_real_worker(real_worker, settings, monkeypatch, client):
    """Sent as beat sends it (the schedule's task name and options), through Redis, run by a worker: ready."""
    monkeypatch.setattr(health, "PROCESS_STARTED", time.time() - 3600)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    assert health.last_heartbeat() is None
    entry = settings.CELERY_BEAT_SCHEDULE["beat-heartbeat"]
    real_worker.send_task(entry["task"], **entry["options"])
    assert wait_for(lambda: health.last_heartbeat() is not None), "the worker did not run the heartbeat"
    status, body = ready(client)
    assert status == 200 and body["checks"]["beat"]["status"] == "ok"
