from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ccm_portal.core import clock
from parties.selectors import membership_totals


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    today = clock.today()
    return render(request, "home.html", {"totals": membership_totals(today), "today": today})


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness for the container healthcheck: the process answers and the database does too."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
