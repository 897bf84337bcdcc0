"""The request id travels into the tasks a request enqueues, and each task logs one line when it ends.

- Publishing (``before_task_publish``, in the web process or a task enqueueing another): the current
  request id goes into the message's ``ccm_request_id`` header.
- Running (``task_prerun``, in the worker): the header's id becomes the current one, so every line the
  task logs carries it, and the tasks it enqueues pass it on. A task with none (started by beat, or
  from a shell) gets a new id of its own, shared by what it enqueues. In-process tasks (no broker,
  ``make run`` and most tests) publish nothing: they keep the id of the code that called them.
- Ending (``task_postrun``): one line on the ``ccm_portal.task`` logger with the task's name, id,
  request id, duration and state (``success``, ``failure``, ``retry``…).

``connect()`` wires the receivers; ``ccm_portal/celery.py`` calls it. It also tells Celery to leave
logging alone: the worker and beat log through Django's ``LOGGING`` (settings), in the same format as
the web process, instead of Celery replacing the root logger's handlers with its own.
"""

from __future__ import annotations

import logging
import time
from contextvars import Token
from typing import Any

import sentry_sdk
from celery import signals

from ccm_portal.core.request_log import new_request_id, request_id_var

logger = logging.getLogger("ccm_portal.task")

HEADER = "ccm_request_id"

# Per running task id: when it started and how to restore the request id it replaced (a stack, as an
# in-process task retried runs again under the same id inside the first run).
_running: dict[str, list[tuple[float, Token[str | None]]]] = {}


def carry_request_id(headers: dict[str, Any] | None = None, **_: Any) -> None:
    """``before_task_publish``: the current request id goes with the message."""
    request_id = request_id_var.get()
    if headers is not None and request_id and HEADER not in headers:
        headers[HEADER] = request_id


def task_started(task_id: str, task: Any, **_: Any) -> None:
    """``task_prerun``: the task runs under the id it was sent with (or the caller's, or a new one)."""
    request_id = _sent_id(task) or request_id_var.get() or new_request_id()
    token = request_id_var.set(request_id)
    _running.setdefault(task_id, []).append((time.perf_counter(), token))
    sentry_sdk.set_tag("request_id", request_id)


def task_ended(task_id: str, task: Any, state: str | None = None, **_: Any) -> None:
    """``task_postrun``: one line for the run, then the caller's request id back."""
    runs = _running.get(task_id)
    if not runs:
        return
    started, token = runs.pop()
    if not runs:
        del _running[task_id]
    # An in-process task whose error propagates to the caller ends before Celery names its state.
    outcome = (state or "FAILURE").lower()
    try:
        # Not ERROR for a failure: Celery's own "raised unexpected" line has the traceback (and
        # reaches Sentry); this line is the run's summary, not a second report of the error.
        logger.log(
            logging.INFO if outcome == "success" else logging.WARNING,
            "%s %s",
            task.name,
            outcome,
            extra={
                "task": task.name,
                "task_id": task_id,
                "request_id": request_id_var.get(),
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                "state": outcome,
            },
        )
    finally:
        request_id_var.reset(token)


def _sent_id(task: Any) -> str | None:
    request = getattr(task, "request", None)
    value = request.get(HEADER) if request is not None else None
    return value if isinstance(value, str) and value else None


def leave_logging_to_django(**_: Any) -> None:
    """``setup_logging``: having a receiver stops Celery from configuring logging; Django's did."""


def connect() -> None:
    """Wire the receivers (weak=False: they are module functions, kept for the process's life)."""
    signals.before_task_publish.connect(carry_request_id, weak=False, dispatch_uid="ccm_carry_request_id")
    signals.task_prerun.connect(task_started, weak=False, dispatch_uid="ccm_task_started")
    signals.task_postrun.connect(task_ended, weak=False, dispatch_uid="ccm_task_ended")
    signals.setup_logging.connect(leave_logging_to_django, weak=False, dispatch_uid="ccm_leave_logging")
