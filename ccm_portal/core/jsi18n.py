"""The portal's JavaScript catalogue (``/jsi18n/``): the words the scripts build themselves (locale/*/djangojs.po)
and the page's number formats (``get_format("THOUSAND_SEPARATOR")``, from CLDR: ccm_portal.core.formats), so a
script shows "(1 234 / 5 000)" in French as the page around it does, not in the browser's own language.

It is public and the same for every reader of a language, and changes only when the catalogues or the formats
do (a deploy): it is rendered once per language and version and kept in the default cache, browsers keep it an
hour, then ask again with its ETag and get 304. Pages load it with ``includes/jsi18n.html``, whose address names
the page's language (``?lang=fr``), so a browser never keeps one language's catalogue for another's page.
"""

from __future__ import annotations

import functools
import hashlib

import babel
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.views.decorators.http import condition, require_safe
from django.views.i18n import JavaScriptCatalog

BROWSER_SECONDS = 3600
CACHE_SECONDS = 86400
PREFIX = "ccm:jsi18n:"

# Only the portal's own catalogue (LOCALE_PATHS): not the admin's and the other apps' djangojs.
_render = JavaScriptCatalog.as_view(packages=["ccm_portal"])


@functools.cache
def version() -> str:
    """What the catalogue is made of: the compiled djangojs catalogues and the CLDR data of the formats."""
    digest = hashlib.sha256(babel.__version__.encode())
    for path in sorted(p for base in settings.LOCALE_PATHS for p in base.glob("*/LC_MESSAGES/djangojs.mo")):
        digest.update(path.name.encode() + str(path.parent.parent).encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def _language(request: HttpRequest) -> str:
    """The language the address names (``?lang=``), else the reader's."""
    asked = request.GET.get("lang", "")
    if asked in dict(settings.LANGUAGES):
        return asked
    return translation.get_language() or settings.LANGUAGE_CODE


def _etag(request: HttpRequest) -> str:
    return f"{version()}-{_language(request)}"


@require_safe
@condition(etag_func=_etag)
def javascript_catalog(request: HttpRequest) -> HttpResponse:
    """The catalogue of the language asked, from the cache when it was rendered for this version."""
    language = _language(request)
    key = f"{PREFIX}{version()}:{language}"
    body = cache.get(key)
    if body is None:
        with translation.override(language):
            body = _render(request).content
        cache.set(key, body, timeout=CACHE_SECONDS)
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Content-Language"] = language
    patch_cache_control(response, public=True, max_age=BROWSER_SECONDS)
    return response
