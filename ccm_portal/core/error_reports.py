"""Error reports to Sentry, without personal data.

Settings call ``sentry_sdk.init(**sentry_options(...))`` only when ``SENTRY_DSN`` is set; otherwise
nothing is sent anywhere (and ``DJANGO_ADMINS`` gets 500s by mail, see settings). What a report keeps:
the exception and its stack (without local variables), the URL's path, the method, a few harmless
headers, the request id (a tag, to find the request's log line) and the user's id. What it never
holds, whichever integration added it: request bodies, cookies, query strings, client addresses, and
users' e-mails or names. ``scrub`` (the ``before_send`` hook) removes them, replaces any e-mail
address left in a message, a breadcrumb or an exception's text by ``[email]``, and a credential the
URL's path carries (a calendar feed's token) by ``[redacted]`` wherever it appears.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from django.urls import Resolver404, resolve

from ccm_portal.core.request_log import redacted, secrets_in

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
EMAIL_PLACEHOLDER = "[email]"
# Request headers a report may keep: nothing identifying a person, a session or an address.
KEPT_HEADERS = frozenset(
    {"accept", "accept-language", "content-length", "content-type", "host", "user-agent", "x-forwarded-proto"}
    | {"x-request-id"}
)
KEPT_ENV = frozenset({"SERVER_NAME", "SERVER_PORT"})


def sentry_options(*, dsn: str, environment: str, traces_sample_rate: float) -> dict[str, Any]:
    """``sentry_sdk.init`` keyword arguments: Django and Celery integrations, no personal data."""
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    return {
        "dsn": dsn,
        "environment": environment,
        "traces_sample_rate": traces_sample_rate,
        "integrations": [DjangoIntegration(), CeleryIntegration()],
        # What the integrations collect by themselves: nothing personal. This is sentry-sdk's successor to
        # ``send_default_pii=False`` (deprecated since 2.7x, and unset it means False): no user, cookies,
        # query parameters, bodies, SQL parameters or frame locals (they hold what a user typed).
        "data_collection": {
            "user_info": False,
            "cookies": {"mode": "off"},
            "http_headers": {"request": {"mode": "allowlist", "terms": sorted(KEPT_HEADERS)}},
            "http_bodies": [],
            "url_query_params": {"mode": "off"},
            "graphql": {"document": False, "variables": False},
            "gen_ai": {"inputs": False, "outputs": False},
            "database_query_data": False,
            "queues": False,
            "stack_frame_variables": False,
        },
        "max_request_body_size": "never",
        "before_send": scrub,
        "before_send_transaction": scrub,
    }


def scrub(event: dict[str, Any], hint: dict[str, Any] | None = None) -> dict[str, Any]:
    """``before_send`` (and ``before_send_transaction``): the event without personal data (see the module)."""
    request = event.get("request")
    secrets: list[str] = []
    if isinstance(request, dict):
        event["request"] = _scrubbed_request(request)
        secrets = _secrets_in_url(event["request"].get("url"))
    user = event.get("user")
    if isinstance(user, dict):
        event["user"] = {"id": user["id"]} if user.get("id") is not None else {}
    for exception in (event.get("exception") or {}).get("values") or []:
        for frame in (exception.get("stacktrace") or {}).get("frames") or []:
            frame.pop("vars", None)
    for crumb in (event.get("breadcrumbs") or {}).get("values") or []:
        data = crumb.get("data")
        if isinstance(data, dict):
            data.pop("request", None)  # Django's request object: its text has the query string
            if isinstance(data.get("url"), str):
                data["url"] = _without_query(data["url"])
    return _without_personal_text(event, secrets)


def _scrubbed_request(request: dict[str, Any]) -> dict[str, Any]:
    kept: dict[str, Any] = {}
    if isinstance(request.get("url"), str):
        kept["url"] = _without_query(request["url"])
    if "method" in request:
        kept["method"] = request["method"]
    if isinstance(request.get("headers"), dict):
        kept["headers"] = {k: v for k, v in request["headers"].items() if k.lower() in KEPT_HEADERS}
    if isinstance(request.get("env"), dict):
        kept["env"] = {k: v for k, v in request["env"].items() if k in KEPT_ENV}
    return kept  # no data (the body), cookies or query_string


def _without_query(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def _secrets_in_url(url: Any) -> list[str]:
    """The credentials in the URL's path (a calendar token, an invitation's): the same as the logs hide."""
    if not isinstance(url, str):
        return []
    try:
        return secrets_in(resolve(urlsplit(url).path))
    except Resolver404:
        return []


def _without_personal_text(value: Any, secrets: list[str]) -> Any:
    """``value`` with every e-mail address and every one of ``secrets`` replaced, in every string in it."""
    if isinstance(value, str):
        return EMAIL.sub(EMAIL_PLACEHOLDER, redacted(value, secrets))
    if isinstance(value, dict):
        return {key: _without_personal_text(item, secrets) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_without_personal_text(item, secrets) for item in value]
    return value
