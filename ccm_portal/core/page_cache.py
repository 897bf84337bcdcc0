"""Public pages rendered once per change of the public data, and answered "not modified" when the reader has them.

A public page (the States, a State, the archive and its versions, the figures for any date, and their JSON and
CSV twins) is the same for every anonymous reader for as long as the public data, the day, the language and the
address stay the same. ``public_page`` keeps the rendered page in the default cache (Redis in production, local
memory in ``make run``) under a key made of exactly these:

- the public data's version (``ccm_portal.core.data_version``), which every committed write to public data moves:
  nothing is ever invalidated, a new version simply finds no entry, and old entries expire
  (``CCM_PAGE_CACHE_SECONDS``);
- today's date (pages "as of today" change at midnight), the active language, the scheme and host the page was
  asked at (absolute links), and the full path with its query string.

Only anonymous GET and HEAD requests are served from it, and only complete 200 answers of the view are stored:
a signed-in reader's page shows their name and what their role may read, so it is always rendered for them. A
reader with a message waiting (signed out just now, say) gets the page rendered, so the message shows.

Two parts of a page belong to one request and are never shared: the Content-Security-Policy nonce and the CSRF
token of the page's forms (the language switcher). A page is rendered for the cache with a random placeholder in
their place, and every answer, fresh or from the cache, gets its own nonce and token put there.

Conditional GET: every answer carries an ETag made of the same key and the reader's CSRF cookie (the token in
the page belongs to it), so a reader who sends it back while nothing changed gets 304 without the page being
rendered or the database read. A 304 carries no Content-Security-Policy: the browser keeps the policy it stored
with the page, whose nonce matches the page it keeps.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
import zlib
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.csrf import get_token
from django.template.response import SimpleTemplateResponse
from django.utils.cache import get_conditional_response
from django.utils.translation import get_language

from ccm_portal.core import clock, data_version

# What a stored page keeps of the view's headers; the middleware adds the rest (Vary, the policy, cookies).
KEPT_HEADERS = (
    "Content-Type",
    "Content-Disposition",
    "Content-Language",
    "Cache-Control",
    "Access-Control-Allow-Origin",
)
PREFIX = "ccm:page:"

View = Callable[..., HttpResponseBase]


def public_page(view: View) -> View:
    """Serve ``view``'s anonymous GET answers from the page cache, with conditional GET (see the module)."""
    return _kept(view, anyone=False)


def shared_answer(view: View) -> View:
    """Serve ``view``'s GET answers from the page cache to every reader, signed in or not: for answers that are
    the same whoever asks (the open-data API reads as the public, ``api.http``). No conditional GET here: the
    view's own (the API's ETag and Last-Modified, from the same data version) answers it."""
    return _kept(view, anyone=True)


def _kept(view: View, *, anyone: bool) -> View:
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not enabled() or not _shareable(request, anyone=anyone):
            return view(request, *args, **kwargs)
        key = _key(request)
        etag = "" if anyone else _etag(request, key)
        not_modified = get_conditional_response(request, etag=etag) if etag else None
        if not_modified is not None:
            not_modified._csp_exempt = True  # the stored page's own policy stays (see the module)
            return not_modified
        stored = cache.get(key)
        if stored is None:
            response = _render(request, view, args, kwargs)
            if not isinstance(response, _Stored):
                return response
            stored = response
            cache.set(key, stored, timeout=settings.CCM_PAGE_CACHE_SECONDS)
        answer = stored.answer(request)
        if etag:
            answer["ETag"] = etag
        return answer

    return wrapper


def enabled() -> bool:
    """``CCM_PAGE_CACHE_SECONDS`` = 0 turns the page cache and its conditional GET off (the tests' default)."""
    return settings.CCM_PAGE_CACHE_SECONDS > 0


def placeholders(request: HttpRequest) -> dict[str, str]:
    """Context processor: while a page is rendered for the cache, its forms get the CSRF placeholder instead of
    the request's token (``{% csrf_token %}``), to be replaced in every answer."""
    marks = getattr(request, "_ccm_page_marks", None)
    return {"csrf_token": marks.csrf} if marks is not None else {}


class _Marks:
    def __init__(self) -> None:
        self.nonce = f"ccm-nonce-{secrets.token_hex(16)}"
        self.csrf = f"ccm-csrf-{secrets.token_hex(16)}"


class _Stored:
    """A rendered page with the placeholders in it, compressed (a page is kept for every address asked)."""

    def __init__(self, response: HttpResponse, marks: _Marks) -> None:
        self.status = response.status_code
        self.headers = {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
        self.body = zlib.compress(response.content, 1)
        self.nonce = marks.nonce.encode()
        self.csrf = marks.csrf.encode()

    def answer(self, request: HttpRequest) -> HttpResponse:
        """The page for this request: its own nonce (put in the policy by django-csp) and CSRF token."""
        body = zlib.decompress(self.body)
        return HttpResponse(_personal(body, request, self.nonce, self.csrf), status=self.status, headers=self.headers)


def _shareable(request: HttpRequest, *, anyone: bool = False) -> bool:
    """An anonymous reader's GET with no message waiting: the page everyone without an account sees (``anyone``:
    any reader's GET, for answers that never depend on who asks)."""
    if request.method not in ("GET", "HEAD"):
        return False
    if anyone:
        return True
    if request.user.is_authenticated:
        return False
    waiting = getattr(request, "_messages", None)
    return waiting is None or not len(messages.get_messages(request))


def _render(request: HttpRequest, view: View, args: tuple, kwargs: dict) -> HttpResponseBase:
    """Run the view with placeholders for the nonce and the CSRF token; a complete 200 answer comes back as
    ``_Stored``, anything else (a redirect, a refusal, a stream, a cookie set) as the view gave it."""
    marks = _Marks()
    lazy_nonce = getattr(request, "csp_nonce", "")  # django-csp's, made on first use and put in the policy
    request.csp_nonce = marks.nonce  # what templates get while the view renders
    request._ccm_page_marks = marks
    try:
        response = view(request, *args, **kwargs)
        if isinstance(response, SimpleTemplateResponse):
            response = response.render()
    finally:
        del request._ccm_page_marks
        request.csp_nonce = lazy_nonce
    if not isinstance(response, HttpResponse) or response.streaming:
        return response
    if response.status_code == 200 and not response.cookies and not _private(response):
        return _Stored(response, marks)
    # Not kept (a form's errors, a redirect): it still gets this request's own nonce and token.
    response.content = _personal(response.content, request, marks.nonce.encode(), marks.csrf.encode())
    return response


def _personal(body: bytes, request: HttpRequest, nonce: bytes, csrf: bytes) -> bytes:
    """``body`` with this request's nonce and CSRF token in place of the placeholders (asking for the token sets
    the cookie it belongs to, as rendering ``{% csrf_token %}`` does)."""
    if nonce in body:
        body = body.replace(nonce, str(getattr(request, "csp_nonce", "")).encode())
    if csrf in body:
        body = body.replace(csrf, get_token(request).encode())
    return body


def _private(response: HttpResponse) -> bool:
    control = response.get("Cache-Control", "")
    return "private" in control or "no-store" in control


def _key(request: HttpRequest) -> str:
    token, _ = data_version.current()
    parts = (
        token,
        clock.today().isoformat(),
        get_language() or "",
        request.scheme,
        request.get_host(),
        request.get_full_path(),
    )
    return PREFIX + hashlib.sha256("|".join(parts).encode()).hexdigest()


def _etag(request: HttpRequest, key: str) -> str:
    """The page's key and the reader's CSRF cookie: the token in a page belongs to the cookie it was sent with."""
    cookie = request.COOKIES.get(settings.CSRF_COOKIE_NAME, "")
    return '"' + hashlib.sha256(f"{key}|{cookie}".encode()).hexdigest()[:32] + '"'
