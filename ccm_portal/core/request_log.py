"""One log line per request, and a request id on every line logged while it runs.

``RequestLogMiddleware`` (first in ``MIDDLEWARE``) gives each request an id: the one a proxy sent in
``X-Request-ID`` when it is a sane token, else a new one. The id goes back in the response's
``X-Request-ID``, into a context variable that ``RequestIdFilter`` adds to every log record made
meanwhile (the tasks the request enqueues carry it on: ``ccm_portal.core.task_log``), and into error
reports as a tag. When the response is ready the middleware logs one line on the ``ccm_portal.request``
logger with the method, the path, the view, the status, the duration and the user's id.

What is never logged: the query string (a search or a link can carry a name or an address), the
user's e-mail or name, and the secret a path may carry (an invitation or calendar token, a password
reset key: such URL parameters are replaced by ``[redacted]``).
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar

import sentry_sdk
from django.http import HttpRequest, HttpResponse
from django.urls import ResolverMatch
from django.utils.functional import SimpleLazyObject, empty
from django.utils.log import log_response

logger = logging.getLogger("ccm_portal.request")

HEADER = "X-Request-ID"
# What a proxy's id looks like (nginx's $request_id, a UUID, a trace id): nothing a log reader could
# mistake for another field, no spaces or line breaks, not so long that a client can bloat every line.
_SANE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,127}")
# URL parameters that are credentials: their value is replaced in the logged path.
_SECRET_PARAMETER = re.compile(r"token|key|secret|password|uid", re.IGNORECASE)
REDACTED = "[redacted]"

request_id_var: ContextVar[str | None] = ContextVar("ccm_request_id", default=None)


def current_request_id() -> str | None:
    """The id of the request (or of the task) this code runs for, if any."""
    return request_id_var.get()


def new_request_id() -> str:
    return uuid.uuid4().hex


def accepted_request_id(value: str | None) -> str:
    """``value`` when it is a sane token, else a new id: a malformed header is replaced, not trusted."""
    if value and _SANE_ID.fullmatch(value):
        return value
    return new_request_id()


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record going through the handler (``None`` outside a request or task)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
        return True


class RequestLogMiddleware:
    """Gives the request its id and logs one line when the response is ready (see the module)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = accepted_request_id(request.headers.get(HEADER))
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            sentry_sdk.set_tag("request_id", request_id)
            try:
                response = self.get_response(request)
            except Exception:
                # Only when even the error page failed (Django turns a view's error into a 500 response):
                # the request still gets its line before the server reports the error.
                _log(request, 500, started)
                raise
            response[HEADER] = request_id
            if response.status_code >= 400:
                # Django's "Not Found: /path" line, logged here while the id is set (the handler would
                # log it after this middleware returns, without the id; it skips a response logged once).
                log_response("%s: %s", response.reason_phrase, request.path, response=response, request=request)
            _log(request, response.status_code, started)
            return response
        finally:
            request_id_var.reset(token)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        """An error report names the user by id only (``send_default_pii`` is off, so Sentry adds nobody)."""
        user_id = user_id_of(request)
        if user_id is not None:
            sentry_sdk.set_user({"id": str(user_id)})


def _log(request: HttpRequest, status: int, started: float) -> None:
    duration_ms = round((time.perf_counter() - started) * 1000, 1)
    path = logged_path(request)
    match = getattr(request, "resolver_match", None)
    # A 5xx is a warning here: Django's own "django.request" error line carries the traceback (and is
    # what mails the admins and reaches Sentry), so this line does not report the error a second time.
    level = logging.WARNING if status >= 500 else logging.INFO
    logger.log(
        level,
        "%s %s %s",
        request.method,
        path,
        status,
        extra={
            "method": request.method,
            "path": path,
            "view": match.view_name if match else None,
            "status": status,
            "duration_ms": duration_ms,
            "user_id": user_id_of(request),
        },
    )


def logged_path(request: HttpRequest) -> str:
    """The path without its query string, any credential in it replaced by ``[redacted]``."""
    return redacted(request.path, secrets_in(getattr(request, "resolver_match", None)))


def secrets_in(match: ResolverMatch | None) -> list[str]:
    """The credentials a resolved URL carries (its token, key, uid… parameters), longest first: a short
    one (a reset link's user part) inside a longer one is then not left half-shown."""
    if match is None:
        return []
    values = {str(value) for name, value in match.kwargs.items() if _SECRET_PARAMETER.search(name)}
    return sorted(filter(None, values), key=len, reverse=True)


def redacted(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, REDACTED)
    return text


class SecretPathFilter(logging.Filter):
    """Django's own request lines ("Not Found: /calendar/<token>.ics", "Internal Server Error: …") name
    the path: its credentials are replaced, as in the request's line."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        secrets = secrets_in(getattr(request, "resolver_match", None)) if isinstance(request, HttpRequest) else []
        if secrets:
            record.msg, record.args = redacted(record.getMessage(), secrets), ()
        return True


def user_id_of(request: HttpRequest) -> int | None:
    """The signed-in user's id, if the request already looked the user up (logging adds no query)."""
    user = getattr(request, "user", None)
    if user is None or (isinstance(user, SimpleLazyObject) and user._wrapped is empty):
        return None
    return user.pk if user.is_authenticated else None
