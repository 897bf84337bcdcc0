"""What every answer of the API shares: absolute links from the request's host, conditional GET (ETag and
Last-Modified from the public data's version, 304 when nothing changed) and the rate limit per address.

The API answers as the public, whoever asks: a signed-in focal point or ISU officer reads what anyone reads
here (restricted reports and drafts have their own pages), so one answer fits every client and its cache.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from datetime import datetime, time
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponseBase
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.http import condition
from ninja.throttling import BaseThrottle

from ccm_portal.core import clock, data_version, page_cache, ratelimit

# Who the API reads as: the public, whoever is signed in.
PUBLIC = AnonymousUser()


def link(request: HttpRequest, viewname: str, *args: Any, query: dict[str, Any] | None = None) -> str:
    """The absolute URL of a named page or API operation, from the host this request came to (which
    ``ALLOWED_HOSTS`` vouches for), so links work from wherever the API is read."""
    path = reverse(viewname, args=args)
    if query:
        path += "?" + urlencode({key: value for key, value in query.items() if value not in (None, "")})
    return request.build_absolute_uri(path)


def _etag(request: HttpRequest, *args: Any, **kwargs: Any) -> str:
    """The same address, language, day and data version always give the same answer, so the same tag."""
    token, _ = data_version.current()
    key = "|".join((token, request.get_full_path(), get_language() or "", clock.today().isoformat()))
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def _last_modified(request: HttpRequest, *args: Any, **kwargs: Any) -> datetime:
    """When the public data last changed, or the start of today if later: answers "as of today" change at
    midnight even when no data did."""
    _, changed_at = data_version.current()
    midnight = timezone.make_aware(datetime.combine(clock.today(), time.min))
    return max(changed_at, midnight)


def conditional(run: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """View decorator (``ninja.decorators.decorate_view(conditional)``) for every read operation: the reader's
    rate limit first, then 304 when the reader's ETag or date still holds, else the answer, rendered once per
    change of the public data and kept for every reader (``page_cache.shared_answer``: the same key of data
    version, day, language, host and address). Every request counts once against the limit, a 304 or a kept
    answer too."""
    answer = condition(etag_func=_etag, last_modified_func=_last_modified)(page_cache.shared_answer(run))

    @functools.wraps(run)
    def counted(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not ratelimit.allowed(request, "api"):
            return run(request, *args, **kwargs)  # over the limit: the operation's throttle answers 429
        request._ccm_api_counted = True  # the operation's throttle does not count it again
        return answer(request, *args, **kwargs)

    return counted


class AddressThrottle(BaseThrottle):
    """The portal's rate limit for the API (``CCM_RATE_LIMITS["api"]``, per client address as every limit
    of the portal counts it, behind the TLS proxy too); over it, 429 with ``Retry-After``: the longest period
    of those rates, after which every count has started again."""

    def allow_request(self, request: HttpRequest) -> bool:
        return getattr(request, "_ccm_api_counted", False) or ratelimit.allowed(request, "api")

    def wait(self) -> float | None:
        return ratelimit.longest_period("api") or None
