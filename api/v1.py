"""The API object of version 1: its description, routers, error answers and rate limit. ``ccm_portal.urls``
mounts ``api.urls`` at ``/api/v1/``.

Why django-ninja: the answers are described once, as typed schemas (pydantic), and the same schemas validate
what is sent and write the OpenAPI 3 document, so the schema cannot drift from the answers; it is small, fits
Django's views, URLs and middleware without a second framework of serializers, viewsets and permissions
(the portal's access rules already live in each app's ``access.py``), and it is well kept.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_safe
from ninja import NinjaAPI
from ninja.errors import Throttled

from api.http import AddressThrottle
from api.routers import assistance, meetings, obligations, open_data, progress, reports, states

DESCRIPTION = _lazy(
    "The public data of the Convention on Cluster Munitions' States Parties, as the CCM Portal publishes it: "
    "States and their treaty dates, meetings, obligations and extensions, published Article 7 reports, the "
    "progress figures for any date, and public assistance. Read-only and open: every answer carries an ETag "
    "and Last-Modified (send them back for a 304), lists are paged as {count, next, previous, results}, dates "
    "are ISO 8601, amounts are decimal strings with their currency, and every link is absolute. The whole "
    "public record is also a Frictionless data package of CSV files at /api/v1/open-data/datapackage.json."
)

api = NinjaAPI(
    title="CCM Portal open data",
    version="1",
    description=str(DESCRIPTION),
    urls_namespace="api-v1",
    docs_url="/docs/",
    openapi_url="/openapi.json",
    throttle=[AddressThrottle()],
    docs_decorator=require_safe,  # the document and its docs page answer GET and HEAD only
)

api.add_router("/states", states.router, tags=["States"])
api.add_router("/meetings", meetings.router, tags=["Meetings"])
api.add_router("/obligations", obligations.router, tags=["Obligations"])
api.add_router("/reports", reports.router, tags=["Reports"])
api.add_router("/progress", progress.router, tags=["Progress"])
api.add_router("/assistance", assistance.router, tags=["Assistance"])
api.add_router("/open-data", open_data.router, tags=["Open data"])


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or _("Not found.")}, status=404)


@api.exception_handler(Throttled)
def throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    seconds = int(exc.wait or 60)
    message = _("Too many requests from your address. Try again in %(seconds)s seconds.") % {"seconds": seconds}
    return api.create_response(request, {"detail": message}, status=429)
