"""Rate limits on work anyone can start: asking for a PDF queues a render on a worker; uploading a
report workbook unpacks and checks every cell.

The counting is allauth's (the login limits use it too): the same cache, the same reading of the
client's address (``ALLAUTH_TRUSTED_PROXY_COUNT`` behind a proxy), the same "N/period/scope" rates.
The rates are settings (``CCM_RATE_LIMITS``), so an ISU deployment can loosen or tighten them.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from allauth.core.internal import ratelimit as allauth_ratelimit
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

APP = "ccm_portal"


def allowed(request: HttpRequest, action: str) -> bool:
    """Count one ``action``: per signed-in user (rates ``<action>_user``), else per client address
    (rates ``<action>``); ``False`` once over the rate."""
    signed_in = request.user.is_authenticated
    return bool(
        allauth_ratelimit.consume(
            request,
            app=APP,
            action=f"{action}_user" if signed_in else action,
            config=settings.CCM_RATE_LIMITS,
            user=request.user if signed_in else None,
            limit_get=True,
        )
    )


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
