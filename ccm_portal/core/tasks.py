"""Enqueueing a Celery task from a service: by the task's registered name, once the transaction commits.

Tasks import services (a task is a thin adapter that calls one); services never import tasks. A service
that starts background work names the task (``"reporting.tasks.queue_version_pdf"``: Celery's name for
a task is its dotted path), and the work is enqueued only if the change it follows is committed, so
nothing is sent or rendered for a change that was rolled back. Without a broker (``make run``) Celery
runs the task in-process, after the commit all the same. The task builds its links from the origin served
when it was enqueued (``ccm_portal.core.links``), whenever the commit happens.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from celery import current_app
from django.db import transaction

from ccm_portal.core import links


def enqueue(name: str, *args: Any, **kwargs: Any) -> None:
    """Run task ``name`` with ``args`` once the current transaction commits (at once outside one)."""
    transaction.on_commit(links.keeping_origin(lambda: _task(name).delay(*args, **kwargs)))


def enqueue_each(name: str, ids: list[Any]) -> None:
    """Run task ``name`` once per id, once the current transaction commits."""
    transaction.on_commit(links.keeping_origin(lambda: [_task(name).delay(pk) for pk in ids]))


def _task(name: str) -> Any:
    """The task registered as ``name``, its module imported first: Celery's autodiscovery imports the apps'
    ``tasks`` modules in a worker only, and a web process may not have imported the one it enqueues from."""
    import_module(name.rpartition(".")[0])
    return current_app.tasks[name]


def redelivered(request: Any) -> bool:
    """Whether a task's message (``task.request``) was delivered before to a worker that died without
    acknowledging it: tasks acknowledged late (``acks_late``) come back to the queue when their worker is
    killed, at once when a pool child dies (``reject_on_worker_lost``), otherwise after the broker's
    visibility timeout. Always false for a task run in-process."""
    return bool((getattr(request, "delivery_info", None) or {}).get("redelivered"))
