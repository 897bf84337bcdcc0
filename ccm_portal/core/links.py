"""Absolute links (e-mails, the citation box, calendar feeds, exports, PDFs) and the origin they start with.

One rule everywhere: ``settings.CCM_SITE_URL`` when it is set (production sets it, and docker-compose refuses
to start without it); otherwise the origin the portal is actually served on, so that ``make run PORT=8123``
or a test server links to itself rather than to a port nobody serves:

- a page takes the origin of its request (``absolute(path, request)``, or ``absolute(path)`` anywhere below a
  view: ``OriginMiddleware`` records the request's origin for as long as the request is served);
- background work takes the origin of the request that enqueued it: the origin travels in the task's message
  (the ``ccm_origin`` header, added when a task is published and restored in the worker before it runs), so
  tasks and the services they call need no extra argument;
- work that no request started (beat's daily reminders, a management command) falls back to ``FALLBACK``.

Knows no app: a helper of ``ccm_portal.core``. ``connect()`` wires the two Celery receivers that carry the
origin; ``ccm_portal/celery.py`` calls it, as it does for the request id (``ccm_portal.core.task_log``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from celery import signals
from django.conf import settings
from django.core.exceptions import DisallowedHost

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

# Where links point when CCM_SITE_URL is unset and no request says where the portal is served.
FALLBACK = "http://127.0.0.1:8000"
# The task message header carrying the origin. Not "origin": Celery's own header of that name is the sender's host.
HEADER = "ccm_origin"

_origin: ContextVar[str | None] = ContextVar("ccm_origin", default=None)


def site_url(request: HttpRequest | None = None) -> str:
    """``scheme://host[:port]`` without a trailing slash: CCM_SITE_URL when set, else where the portal is served."""
    if settings.CCM_SITE_URL:
        return settings.CCM_SITE_URL
    served = origin_of(request) if request is not None else None
    return served or _origin.get() or FALLBACK


def absolute(path: str, request: HttpRequest | None = None) -> str:
    """The absolute URL of ``path`` (a path from ``reverse``, starting with "/") by the rule above."""
    return site_url(request) + path


def origin_of(request: HttpRequest) -> str | None:
    """The origin ``request`` was served on (its scheme, host and port), or ``None`` for a host the portal does
    not serve (``ALLOWED_HOSTS`` refuses it, so no link is ever built from a forged Host header)."""
    try:
        return request.build_absolute_uri("/").rstrip("/")
    except DisallowedHost:
        return None


@contextmanager
def served_from(origin: str | None) -> Iterator[None]:
    """Build links as if served from ``origin`` inside the block (a request, a task, a test)."""
    token = _origin.set(origin)
    try:
        yield
    finally:
        _origin.reset(token)


def keeping_origin(work: Callable[[], Any]) -> Callable[[], Any]:
    """``work`` to run later (on commit) under the origin served now: what it enqueues carries that origin."""
    origin = _origin.get()

    def run() -> Any:
        with served_from(origin):
            return work()

    return run


class OriginMiddleware:
    """Records the origin of the request being served, for links built below the view and for the tasks it
    enqueues."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with served_from(origin_of(request)):
            return self.get_response(request)


def carry_origin(headers: dict[str, Any] | None = None, **_: Any) -> None:
    """``before_task_publish``: a task published while a request is served (or by a task that knows its
    origin) carries the origin in its message."""
    origin = _origin.get()
    if origin and headers is not None and HEADER not in headers:
        headers[HEADER] = origin


def restore_origin(task: Any = None, **_: Any) -> None:
    """``task_prerun``: in the worker, a task builds links from the origin its message carries (none: the
    fallback). A task run in-process (no broker: ``make run``, most tests) runs inside the request that
    enqueued it and keeps that request's origin."""
    request = getattr(task, "request", None)
    if request is None or request.is_eager:
        return
    value = request.get(HEADER)
    _origin.set(value if isinstance(value, str) and value else None)


def connect() -> None:
    """Wire the receivers (``ccm_portal/celery.py`` calls it, so the web process and the worker both do)."""
    signals.before_task_publish.connect(carry_origin, weak=False, dispatch_uid="ccm_carry_origin")
    signals.task_prerun.connect(restore_origin, weak=False, dispatch_uid="ccm_restore_origin")
