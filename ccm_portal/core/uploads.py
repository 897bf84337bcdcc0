"""The ceiling on what any request may send: checked from the announced length, before the body
is read, so an oversized upload costs neither memory nor disk (issue 12: uploads bounded before
they cost). Each upload's own limits (a workbook's CCM_WORKBOOK_MAX_MB, a supporting document's
limit in the assistance settings) stay below it and are checked by their forms.

Under WSGI a body without Content-Length is read as empty, so the announced length is the whole
of what can arrive.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

MB = 1024 * 1024


def announced_length(request: HttpRequest) -> int:
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


class RequestSizeLimitMiddleware:
    """Answer 413 to a request announcing more than ``CCM_UPLOAD_MAX_MB``, without reading it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        ceiling = settings.CCM_UPLOAD_MAX_MB
        if announced_length(request) > ceiling * MB:
            message = _(
                "This upload is larger than %(ceiling)s MB, the most the portal accepts in one request. "
                "Nothing was read or saved. Send a smaller file, or split it."
            ) % {"ceiling": ceiling}
            response = render(request, "413.html", {"message": message}, status=413)
            # The unread body must not be taken for the next request on a kept-alive connection.
            response["Connection"] = "close"
            return response
        return self.get_response(request)
