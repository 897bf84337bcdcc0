"""Prometheus metrics (``ccm_portal/core/metrics.py``): ``/metrics`` for the scraper only, request latency
per view, task durations, retries and failures and reminders sent through a real worker on Redis, and the
processes of a deployment adding up in multiprocess mode (real processes sharing a directory).
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from celery import shared_task
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from ccm_portal.core.metrics import MULTIPROC_DIR
from ccm_portal.env import env_networks
from deadlines import services as deadlines
from deadlines.models import Reminder, ReminderSettings, ReminderStatus
from tests.helpers import wait_for

ROOT = Path(__file__).resolve().parent.parent
SCRAPER = "10.1.2.3"
OUTSIDER = "203.0.113.9"


def samples(text: str) -> dict[tuple[str, frozenset], float]:
    """(sample name, its labels) → value, from Prometheus's text format."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def key(name: str, **labels: str) -> tuple[str, frozenset]:
    return name, frozenset(labels.items())


def value(name: str, **labels: str) -> float:
    """This process's value of a sample (0 before anything was counted)."""
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.fixture
def scraper_network(settings):
    settings.CCM_METRICS_ALLOWED_IPS = ["10.0.0.0/8"]
    settings.CCM_METRICS_TOKEN = ""


# --- Who reads /metrics --------------------------------------------------------------------------------
def test_the_prometheus_middlewares_wrap_every_other(settings):
    assert settings.MIDDLEWARE[0] == "django_prometheus.middleware.PrometheusBeforeMiddleware"
    assert settings.MIDDLEWARE[-1] == "django_prometheus.middleware.PrometheusAfterMiddleware"


@pytest.mark.django_db
def test_the_scraper_reads_request_latency_per_view_and_the_portal_metrics(client, settings):
    """By default the scraper is the machine itself (127.0.0.1 or ::1), the test client's address."""
    assert settings.CCM_METRICS_ALLOWED_IPS == ["127.0.0.1/32", "::1/128"]
    assert client.get("/healthz").status_code == 200
    response = client.get("/metrics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain; version=")
    text = response.content.decode()
    seen = samples(text)
    latency = key("django_http_requests_latency_seconds_by_view_method_count", view="healthz", method="GET")
    assert seen[latency] >= 1
    for family in ("ccm_task_duration_seconds", "ccm_task_failures", "ccm_task_retries"):
        assert f"# HELP {family}" in text  # declared, with no sample until a task runs
    assert key("ccm_reminders_sent_total") in seen


@pytest.mark.django_db
def test_everyone_else_finds_no_such_page(client, settings, scraper_network):
    assert client.get("/metrics", REMOTE_ADDR=SCRAPER).status_code == 200
    assert client.post("/metrics", REMOTE_ADDR=SCRAPER).status_code == 405
    for address in (OUTSIDER, "127.0.0.1", "::1", "not an address"):
        assert client.get("/metrics", REMOTE_ADDR=address).status_code == 404, address
        assert client.post("/metrics", REMOTE_ADDR=address).status_code == 404, address
    # No token set: an empty bearer is no key.
    assert client.get("/metrics", REMOTE_ADDR=OUTSIDER, HTTP_AUTHORIZATION="Bearer ").status_code == 404


@pytest.mark.django_db
def test_the_token_opens_metrics_from_anywhere(client, settings, scraper_network):
    settings.CCM_METRICS_TOKEN = "scrape-" + "k" * 40
    assert (
        client.get(
            "/metrics", REMOTE_ADDR=OUTSIDER, HTTP_AUTHORIZATION=f"Bearer {settings.CCM_METRICS_TOKEN}"
        ).status_code
        == 200
    )
    for wrong in ("Bearer scrape-", f"Basic {settings.CCM_METRICS_TOKEN}", settings.CCM_METRICS_TOKEN, ""):
        assert client.get("/metrics", REMOTE_ADDR=OUTSIDER, HTTP_AUTHORIZATION=wrong).status_code == 404, wrong


@pytest.mark.django_db
def test_behind_the_proxy_the_visitor_counts_not_the_proxy(client, settings, scraper_network):
    """The proxy (10.0.0.2, inside the allowed network) forwards a visitor from outside: refused."""
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    through_proxy = {"REMOTE_ADDR": "10.0.0.2"}
    assert client.get("/metrics", HTTP_X_FORWARDED_FOR=OUTSIDER, **through_proxy).status_code == 404
    # A visitor cannot claim the scraper's address: the proxy appends the one it saw.
    forged = f"{SCRAPER}, {OUTSIDER}"
    assert client.get("/metrics", HTTP_X_FORWARDED_FOR=forged, **through_proxy).status_code == 404
    assert client.get("/metrics", HTTP_X_FORWARDED_FOR=SCRAPER, **through_proxy).status_code == 200


def test_allowed_addresses_are_checked_at_start_up():
    assert env_networks("X", ["127.0.0.1"], environ={}) == ["127.0.0.1/32"]
    assert env_networks("X", [], environ={"X": " 10.0.0.0/8, ::1 ,"}) == ["10.0.0.0/8", "::1/128"]
    assert env_networks("X", ["127.0.0.1"], environ={"X": ""}) == []
    with pytest.raises(ImproperlyConfigured, match=r"X must list IP addresses or networks.*'prometheus'"):
        env_networks("X", [], environ={"X": "10.0.0.1,prometheus"})


# --- Tasks, through a real worker ---------------------------------------------------------------------
@shared_task(name="tests.test_metrics.fails")
def fails() -> None:
    raise ValueError("expected in tests/test_metrics.py")


@shared_task(name="tests.test_metrics.flaky", bind=True, max_retries=1)
def flaky(self) -> str:
    if self.request.retries == 0:
        raise self.retry(countdown=0)
    return "done"


def duration_count(task: str, state: str) -> float:
    return value("ccm_task_duration_seconds_count", task=task, state=state)


@pytest.mark.celery_worker
def test_task_durations_retries_failures_and_reminders_sent_through_the_worker(real_worker, focal_point):
    """The worker runs in this process (tests.helpers.celery_worker), so its metrics are this registry's."""
    rules = ReminderSettings.current()
    rules.kinds = ["initial_report", "annual_report"]
    rules.tracking_starts_on = dt.date(2026, 1, 1)
    rules.save()
    before = {
        "sent": value("ccm_reminders_sent_total"),
        "reminder": duration_count("deadlines.tasks.send_reminder", "SUCCESS"),
        "failures": value("ccm_task_failures_total", task="tests.test_metrics.fails"),
        "failed": duration_count("tests.test_metrics.fails", "FAILURE"),
        "retries": value("ccm_task_retries_total", task="tests.test_metrics.flaky"),
        "retried": duration_count("tests.test_metrics.flaky", "RETRY"),
        "done": duration_count("tests.test_metrics.flaky", "SUCCESS"),
    }
    day = dt.date(2026, 3, 1)  # 60 days before 30 April: Lao's focal point is reminded of its annual report
    deadlines.run_daily_reminders(today=day)
    reminders = Reminder.objects.filter(for_day=day, status=ReminderStatus.QUEUED).count()
    assert reminders >= 1
    assert wait_for(lambda: not Reminder.objects.filter(for_day=day, status=ReminderStatus.QUEUED).exists())
    deadlines.run_daily_reminders(today=day)  # the same day again: nothing more is sent, nothing more counted
    fails.delay()
    assert flaky.delay().get(timeout=20) == "done"
    assert wait_for(lambda: value("ccm_task_failures_total", task="tests.test_metrics.fails") > before["failures"])
    sent = Reminder.objects.filter(for_day=day, status=ReminderStatus.SENT).count()
    assert sent == reminders == len(mail.outbox)
    assert value("ccm_reminders_sent_total") - before["sent"] == sent
    assert duration_count("deadlines.tasks.send_reminder", "SUCCESS") - before["reminder"] == reminders
    assert value("ccm_task_failures_total", task="tests.test_metrics.fails") - before["failures"] == 1
    assert duration_count("tests.test_metrics.fails", "FAILURE") - before["failed"] == 1
    assert value("ccm_task_retries_total", task="tests.test_metrics.flaky") - before["retries"] == 1
    assert duration_count("tests.test_metrics.flaky", "RETRY") - before["retried"] == 1
    assert duration_count("tests.test_metrics.flaky", "SUCCESS") - before["done"] == 1


# --- Several processes --------------------------------------------------------------------------------
# One process of a deployment: a gunicorn worker answering a request and a Celery worker running a task
# that fails (eagerly, in the process itself); no database.
PROCESS = textwrap.dedent(
    """
    import django
    django.setup()
    from celery import shared_task
    from django.test import Client

    @shared_task(name="tests.multiprocess.fails")
    def fails():
        raise ValueError("expected")

    fails.apply(throw=False)
    assert Client().get("/metrics").status_code == 200
    """
)


def test_every_process_of_the_deployment_adds_up_in_one_scrape(client, tmp_path, monkeypatch):
    directory = tmp_path / "metrics"
    env = {**os.environ, MULTIPROC_DIR: str(directory), "DJANGO_SETTINGS_MODULE": "tests.settings"}
    # Two at once, as two gunicorn workers (or a web and a worker container) run side by side.
    processes = [
        subprocess.Popen(  # noqa: S603 - this interpreter, a fixed script
            [sys.executable, "-c", PROCESS],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for process in processes:
        _out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err[-3000:]
    pids = {name.stem.split("_", 1)[1] for name in directory.glob("counter_*.db")}
    host = socket.gethostname()
    assert len(pids) == 2 and all(pid.startswith(f"{host}-") for pid in pids), pids
    monkeypatch.setenv(MULTIPROC_DIR, str(directory))
    response = client.get("/metrics")
    seen = samples(response.content.decode())
    assert seen[key("ccm_task_failures_total", task="tests.multiprocess.fails")] == 2
    duration = key("ccm_task_duration_seconds_count", task="tests.multiprocess.fails", state="FAILURE")
    assert seen[duration] == 2
    latency = key("django_http_requests_latency_seconds_by_view_method_count", view="metrics", method="GET")
    assert seen[latency] == 2  # the two processes' requests; this one's is not in the directory
