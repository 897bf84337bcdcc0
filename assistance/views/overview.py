"""Assistance pages: the overview of needs and their coverage, and the reconciliation with
Article 7 Form I.

- ``overview`` (public, with a JSON twin): figures only. Open requests are counted and their
  amounts summed per thematic area and per region, each currency apart; restricted requests are
  in the sums but never named. Public requests are listed by title.
- ``overview_full`` (thematic coordinators and the ISU): the same figures, filters, and the
  largest unfunded gaps by request. The figures cover every area (they are public anyway); the
  gaps list only requests the reader may see under ``assistance.access``: for a coordinator,
  the requests of their own areas and public requests of other areas; for the ISU, all.
- ``reconciliation`` (signed in; whose rows, see ``assistance.access.reconciliation_states``).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.views.decorators.http import require_GET

from accounts.models import ThematicArea
from assistance import access, cached
from assistance.access import coordinator_required
from assistance.forms import OverviewFilterForm, ReconciliationFilterForm
from assistance.reconciliation import scope_for
from assistance.selectors.coalitions import coalitions_with_partner_counts
from assistance.selectors.funding import funding, funding_definitions
from assistance.selectors.overview import (
    CURRENCY_NOTE,
    largest_gaps,
    open_request_currencies,
    public_offer_count,
    public_open_requests,
)
from ccm_portal.core import links
from ccm_portal.core.page_cache import public_page
from ccm_portal.core.responses import form_errors, json_response, wants_json

GAPS_PER_CURRENCY = 20
PUBLIC_REQUESTS_PER_PAGE = 50  # the public requests a page of the overview (and its JSON twin) lists
# The reconciliation shows one of its two lists at a time (``?list=``), a page at a time.
LINES, UNRESOLVED = "lines", "unresolved"
RECONCILIATION_PER_PAGE = 50


def request_url(pk: int) -> str:
    """The request's page (``views/requests.py``); it decides what the reader may see there."""
    return reverse("assistance:request_detail", args=[pk])


def openable_coalitions(user: Any) -> set[int]:
    """The coalitions whose page ``user`` may open (one query for those signed in, none otherwise)."""
    if not user.is_authenticated:
        return set()
    return set(access.coalitions_visible_to(user).values_list("pk", flat=True))


def coalition_row(coalition) -> dict[str, Any]:
    return {
        "state": coalition.state.iso3,
        "state_name": coalition.state.local_name,
        "formed_on": coalition.formed.isoformat() if coalition.formed else None,
        "formed_precision": coalition.formed_precision if coalition.formed else None,
        "established_by": coalition.formed_by,  # a bound, when no source gives the launch date
        "partners": coalition.partner_count,
        "partner_names": coalition.partner_names,
        "source": coalition.source,
    }


# --- Public overview --------------------------------------------------------------------------
@public_page
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    """The figures (the same for everyone, kept until the data changes) and the public requests a page at a
    time (``?page=``, in the JSON twin too), each with its funding."""
    figures = cached.overview_figures()
    page = Paginator(public_open_requests(), PUBLIC_REQUESTS_PER_PAGE).get_page(request.GET.get("page"))
    public_requests = list(page.object_list)
    money = funding(public_requests)
    for item in public_requests:
        item.funding = money[item.pk]
        item.url = request_url(item.pk)
    coalitions = list(coalitions_with_partner_counts())
    public_offers = public_offer_count()
    if wants_json(request):
        return json_response(
            {
                "open_requests": figures.total.open_requests,
                "public_offers": public_offers,
                "note": str(CURRENCY_NOTE),
                "definitions": funding_definitions(),
                "total": figures.total.as_dict(),
                "by_area": [group.as_dict() for group in figures.by_area],
                "by_region": [group.as_dict() for group in figures.by_region],
                "public_requests_count": page.paginator.count,
                "page": page.number,
                "pages": page.paginator.num_pages,
                "public_requests": [
                    {
                        "id": item.pk,
                        "title": item.title,
                        "state": item.state.iso3,
                        "state_name": item.state.local_name,
                        "area": item.area.code,
                        "needed": item.funding.needed,
                        "currency": item.currency,
                        "gap": item.funding.gap,
                        "url": links.absolute(item.url, request),
                    }
                    for item in public_requests
                ],
                "coalitions": [coalition_row(c) for c in coalitions],
            }
        )
    return render(
        request,
        "assistance/overview/overview.html",
        {
            "figures": figures,
            "public_requests": public_requests,
            "page": page,
            "coalitions": coalitions,
            "public_offers": public_offers,
            "currency_note": CURRENCY_NOTE,
            "openable_coalitions": openable_coalitions(request.user),
        },
    )


# --- Full overview (coordinators and the ISU) ----------------------------------------------------
@require_GET
@coordinator_required
def overview_full(request: HttpRequest) -> HttpResponse:
    areas = list(ThematicArea.objects.order_by("position", "name"))
    currencies = open_request_currencies()
    form = OverviewFilterForm(request.GET or None, areas=areas, currencies=currencies)
    valid = form.is_valid() if request.GET else True
    data = form.cleaned_data if request.GET else {}  # the valid filters, even when another is not
    area = next((a for a in areas if a.code == data.get("area")), None)
    figures = cached.overview_figures(
        area_id=area.pk if area else None,
        region=data.get("region") or None,
        currency=data.get("currency") or None,
        per_request=True,  # the largest gaps are read from each request's funding
    )
    gaps = largest_gaps(figures, visible=access.requests_visible_to(request.user), per_currency=GAPS_PER_CURRENCY)
    for _currency, rows in gaps:
        for row in rows:
            row.url = request_url(row.request.pk)
    own_areas = access.coordinated_area_ids(request.user)
    return render(
        request,
        "assistance/overview/overview_full.html",
        {
            "form": form if request.GET else OverviewFilterForm(areas=areas, currencies=currencies),
            "figures": figures,
            "gaps": gaps,
            "gaps_per_currency": GAPS_PER_CURRENCY,
            "own_area_codes": None if own_areas is None else {a.code for a in areas if a.pk in own_areas},
            "filtered": any(data.get(key) for key in ("area", "region", "currency")),
            "coalitions": list(coalitions_with_partner_counts()),
            "openable_coalitions": openable_coalitions(request.user),
            "public_offers": public_offer_count(),
            "currency_note": CURRENCY_NOTE,
        },
        status=200 if valid else 400,
    )


# --- Reconciliation with Article 7 Form I --------------------------------------------------------
@require_GET
@login_required
def reconciliation(request: HttpRequest) -> HttpResponse:
    """One year at a time: the latest year with something to show unless another year, or every year, is
    asked for (``?year=``); the lines or the rows not resolved (``?list=``), a page at a time. The JSON twin
    has the same year and both lists whole."""
    scope = scope_for(request.user)  # PermissionDenied for those with no rows to see
    years = cached.years(user=request.user, scope=scope)
    latest = str(years[0]) if years else ReconciliationFilterForm.ALL_YEARS
    asked = request.GET.get("year") or ""
    data = request.GET.copy()
    data["year"] = asked or latest
    form = ReconciliationFilterForm(data, years=years)
    valid = form.is_valid()
    chosen = form.cleaned_data.get("year") or latest  # an invalid year is answered with the latest's figures
    year = None if chosen == ReconciliationFilterForm.ALL_YEARS else int(chosen)
    result = cached.reconciliation(user=request.user, scope=scope, year=year)
    if wants_json(request):
        if not valid:
            return json_response({"errors": form_errors(form)}, status=400)
        return json_response(
            {
                "year": year,
                "years": years,
                "lines": [
                    {
                        "donor": line.donor.iso3,
                        "recipient": line.recipient.iso3,
                        "year": line.year,
                        "currency": line.currency,
                        "reported_given": line.reported_given,
                        "acknowledged_by_recipient": line.acknowledged if line.recipient_reported else None,
                        "recorded_deliveries": line.delivered,
                        "reported_not_acknowledged": line.unacknowledged,
                    }
                    for line in result.lines
                ],
                "not_resolved": [
                    {
                        "reporter": row.reporter.iso3,
                        "year": row.year,
                        "direction": row.direction,
                        "counterpart": row.counterpart,
                        "amount": row.amount,
                        "currency": row.currency,
                        "reason": row.reason,
                    }
                    for row in result.unresolved
                ],
            }
        )
    shown = UNRESOLVED if request.GET.get("list") == UNRESOLVED else LINES
    rows = result.unresolved if shown == UNRESOLVED else result.lines
    return render(
        request,
        "assistance/reconciliation/reconciliation.html",
        {
            "form": form,
            "result": result,
            "year": year,
            "latest_shown": not asked and year is not None,
            "shown": shown,
            "page": Paginator(rows, RECONCILIATION_PER_PAGE).get_page(request.GET.get("page")),
            "sees_all": scope.state_ids is None,
            "donor_only": scope.donor_only,
        },
        status=200 if valid else 400,
    )


urlpatterns = [
    path("assistance/", overview, name="overview"),
    path("assistance/overview/", overview_full, name="overview_full"),
    path("assistance/reconciliation/", reconciliation, name="reconciliation"),
]
