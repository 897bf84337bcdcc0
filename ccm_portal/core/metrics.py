"""Prometheus metrics: what the portal counts, and ``/metrics``, which only the scraper may read.

- Requests: django-prometheus's middlewares (first and last in ``MIDDLEWARE``) count requests and
  responses and time them per view (``django_http_requests_latency_seconds_by_view_method``, labelled
  with the URL name, e.g. ``reporting:pdf_download``). Their names are django-prometheus's own, so the
  dashboards made for it work unchanged.
- Tasks: Celery's signals time every task (``ccm_task_duration_seconds`` by task and end state) and count
  its retries and failures (``ccm_task_retries_total``, ``ccm_task_failures_total``); ``count_results``
  turns a task's successful results into a counter of what it did (``ccm_portal.operations.metrics``:
  reminders sent). ``ccm_portal/celery.py`` imports this module, so worker and web alike connect them.
- ``/metrics`` (``scrape``): 404 (as for a page that does not exist) unless the client address is in
  ``CCM_METRICS_ALLOWED_IPS`` (read as the rate limits read it, behind the TLS proxy) or the request
  carries ``Authorization: Bearer <CCM_METRICS_TOKEN>``.

Several processes (gunicorn workers, Celery's pool, in the web and worker containers): with
``PROMETHEUS_MULTIPROC_DIR`` set, prometheus_client keeps each process's values in a file of that
directory and ``/metrics`` adds up the files of every process, so any web worker gives the whole
picture, tasks included when the worker container shares the directory. A file is named after the
container's host name and the process id (pids repeat across containers). The directory must start
empty (a tmpfs: docker-compose.yml); it is read, never cleaned, while the portal runs.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import time
from collections.abc import Callable
from typing import Any

from celery import signals
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.utils.crypto import constant_time_compare
from django.views.decorators.csrf import csrf_exempt
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
    values,
)

from ccm_portal.core.ratelimit import client_ip

MULTIPROC_DIR = "PROMETHEUS_MULTIPROC_DIR"


def _one_file_per_process() -> None:
    """Multiprocess mode, with files named ``<host>-<pid>`` so that two containers sharing the directory
    never write the same file. Runs at import, before any metric holds a value (this module is imported
    by ``ccm_portal/celery.py``, which the project package imports first)."""
    directory = os.environ.get(MULTIPROC_DIR)
    if directory is None:
        return
    if not directory.strip():  # set but blank: as if unset (prometheus_client would write into the cwd)
        del os.environ[MULTIPROC_DIR]
        values.ValueClass = values.MutexValue
        return
    os.makedirs(directory, exist_ok=True)
    host = socket.gethostname()
    values.ValueClass = values.MultiProcessValue(lambda: f"{host}-{os.getpid()}")


_one_file_per_process()

# --- Tasks ------------------------------------------------------------------------------------------
TASK_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, float("inf"))
TASK_SECONDS = Histogram(
    "ccm_task_duration_seconds",
    "Time a Celery task ran, by task name and the state it ended in (SUCCESS, FAILURE, RETRY).",
    ["task", "state"],
    buckets=TASK_BUCKETS,
)
TASK_FAILURES = Counter("ccm_task_failures", "Celery tasks that ended in an error, by task name.", ["task"])
TASK_RETRIES = Counter(
    "ccm_task_retries", "Celery tasks put back in the queue to be tried again, by task name.", ["task"]
)

_started: dict[str, float] = {}
_result_counters: dict[str, list[tuple[Counter, Callable[[Any], bool]]]] = {}


def count_results(task_name: str, counter: Counter, *, when: Callable[[Any], bool] = bool) -> None:
    """Add to ``counter`` each time task ``task_name`` succeeds with a result for which ``when`` holds
    (by default: a true result, as a task returns ``True`` when it did its work and ``False`` when
    there was nothing to do): one, or the result itself when it is a number (a task that did several
    things, as a batch of e-mails returns how many went out)."""
    _result_counters.setdefault(task_name, []).append((counter, when))


def _name(task: Any) -> str:
    return getattr(task, "name", None) or "unknown"


@signals.task_prerun.connect(weak=False, dispatch_uid="ccm_metrics_prerun")
def _task_started(task_id: str | None = None, **_: Any) -> None:
    if task_id:
        _started[task_id] = time.monotonic()


@signals.task_postrun.connect(weak=False, dispatch_uid="ccm_metrics_postrun")
def _task_ended(task_id: str | None = None, task: Any = None, state: str | None = None, **_: Any) -> None:
    started = _started.pop(task_id, None) if task_id else None
    if started is not None:
        TASK_SECONDS.labels(task=_name(task), state=state or "UNKNOWN").observe(time.monotonic() - started)


@signals.task_failure.connect(weak=False, dispatch_uid="ccm_metrics_failure")
def _task_failed(sender: Any = None, **_: Any) -> None:
    TASK_FAILURES.labels(task=_name(sender)).inc()


@signals.task_retry.connect(weak=False, dispatch_uid="ccm_metrics_retry")
def _task_retried(sender: Any = None, **_: Any) -> None:
    TASK_RETRIES.labels(task=_name(sender)).inc()


@signals.task_success.connect(weak=False, dispatch_uid="ccm_metrics_success")
def _task_succeeded(sender: Any = None, result: Any = None, **_: Any) -> None:
    for counter, when in _result_counters.get(_name(sender), ()):
        if when(result):
            counter.inc(result if isinstance(result, int | float) and not isinstance(result, bool) else 1)


# --- /metrics ---------------------------------------------------------------------------------------
def may_scrape(request: HttpRequest) -> bool:
    """The scraper: the bearer of ``CCM_METRICS_TOKEN`` (when set), or a client address in
    ``CCM_METRICS_ALLOWED_IPS`` (addresses or networks)."""
    token = settings.CCM_METRICS_TOKEN
    if token and constant_time_compare(request.headers.get("authorization", ""), f"Bearer {token}"):
        return True
    try:
        address = ipaddress.ip_address(client_ip(request))
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(allowed, strict=False) for allowed in settings.CCM_METRICS_ALLOWED_IPS)


def registry() -> CollectorRegistry:
    """Every process's values in multiprocess mode (read from the directory); this process's otherwise."""
    if not os.environ.get(MULTIPROC_DIR):
        return REGISTRY
    collected = CollectorRegistry()
    multiprocess.MultiProcessCollector(collected)
    return collected


@csrf_exempt  # a POST must meet the same 404 as a GET, not a CSRF page that shows the URL exists
def scrape(request: HttpRequest) -> HttpResponse:
    """The metrics in Prometheus's text format, for the scraper only; 404 for everyone else."""
    if not may_scrape(request):
        raise Http404
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    return HttpResponse(generate_latest(registry()), content_type=CONTENT_TYPE_LATEST)
