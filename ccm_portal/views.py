from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from ccm_portal.core import clock
from ccm_portal.core.page_cache import public_page
from ccm_portal.operations import health
from parties.selectors import membership_totals


@public_page
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    today = clock.today()
    return render(request, "home.html", {"totals": membership_totals(today), "today": today})


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness: the process answers and the database does too (one query; readiness is ``readyz``)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@require_GET
@never_cache
def readyz(request: HttpRequest) -> HttpResponse:
    """Readiness for the container healthcheck and monitoring: database, cache, broker and beat's heartbeat
    (``ccm_portal.operations.health``). 200 when every check is ok, 503 otherwise; the body names each check
    ``ok``/``failed`` with a short reason, never a host or a secret."""
    state = health.readiness()
    response = JsonResponse(state.as_json(), status=200 if state.ok else 503)
    # Each failed check is logged once as a warning (ccm_portal.operations.health); without this, Django would
    # log every 503 as an error again, and a probe every 30 s would flood the error reports and ADMINS' mail.
    response._has_been_logged = True
    return response
