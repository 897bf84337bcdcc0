"""Rate limits on work anyone can start: asking for a PDF queues a render on a worker; uploading a
report workbook or a document unpacks and checks it.

The counting is django-ratelimit's (``is_ratelimited``, its public API) in the default cache: Redis in
production, whose INCR is atomic across workers; local memory in development, where one process
serves. The rates are settings (``CCM_RATE_LIMITS``, "N/period/scope" as in allauth's login limits,
several separated by commas), so an ISU deployment can loosen or tighten them. A visitor's address is
read as allauth reads it for the login limits (``client_ip``), so both count the same visitor behind the
TLS proxy.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_ratelimit.core import is_ratelimited

_SCOPES = {"ip": "ip", "user": "user", "key": "user"}


def client_ip(request: HttpRequest) -> str:
    """The visitor's address: the one ``ALLAUTH_TRUSTED_PROXY_COUNT`` proxies back in ``X-Forwarded-For``
    behind the TLS proxy, else the connection's (``RATELIMIT_IP_META_KEY`` points here)."""
    proxies = settings.ALLAUTH_TRUSTED_PROXY_COUNT
    forwarded = request.headers.get("x-forwarded-for", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",")]
        if len(hops) >= proxies and hops[-proxies]:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def _rates(action: str) -> list[tuple[str, str]]:
    """("30/h", "ip") pairs from the setting "30/h/ip,5/5m/user"; none when the action has no limit."""
    rates = []
    for spec in filter(None, (part.strip() for part in settings.CCM_RATE_LIMITS.get(action, "").split(","))):
        amount, period, scope = spec.split("/")
        rates.append((f"{amount}/{period}", _SCOPES[scope]))
    return rates


def longest_period(action: str) -> int:
    """The longest period, in seconds, of ``action``'s rates (0 without a limit): by then every count restarted."""
    seconds = [_period_seconds(rate.split("/")[1]) for rate, _ in _rates(action)]
    return max(seconds, default=0)


def _period_seconds(period: str) -> int:
    """django-ratelimit's periods: "m", "5m", "h", "2h", "d", "s"."""
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    count = period[:-1]
    return (int(count) if count else 1) * units[period[-1]]


def allowed(request: HttpRequest, action: str) -> bool:
    """Count one ``action``: per signed-in user (rates ``<action>_user``), else per client address
    (rates ``<action>``); ``False`` once over any of its rates."""
    name = f"{action}_user" if request.user.is_authenticated else action
    over = [
        is_ratelimited(request, group=f"ccm_portal.{name}.{scope}.{rate}", key=scope, rate=rate, increment=True)
        for rate, scope in _rates(name)
    ]
    return not any(over)


def refused(request: HttpRequest, message: str = "") -> HttpResponse:
    """The 429 page: what happened (``message``, else the PDF limits' explanation) and when to try again."""
    return render(request, "429.html", {"message": message}, status=429)


def limited(action: str) -> Callable:
    """View decorator: answer 429 with an explanation once the client is over the rate for ``action``."""

    def wrap(view: Callable) -> Callable:
        @wraps(view)
        def inner(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not allowed(request, action):
                return refused(request)
            return view(request, *args, **kwargs)

        return inner

    return wrap
