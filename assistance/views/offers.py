"""Assistance offers and capacities (Art. 6(2)): the list, an offer's page, and the donor focal
points' pages to register, change and withdraw their donor's offers.

Views are thin: parse, fetch and authorize through ``assistance.access`` (404 to those who may
not know the offer exists, 403 to those who may read but not change it), call one service,
render or redirect. Every write goes through ``assistance.services``, which audits it.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import permissions
from accounts.permissions import Capability
from assistance import access, services
from assistance.forms import OfferFilterForm, OfferForm, ReasonForm
from assistance.models import AssistanceKind, AssistanceOffer, OfferStatus
from assistance.views.requests import (
    DECISION_BADGES,
    EVERYTHING,
    MATCH_BADGES,
    MINE,
    PER_PAGE,
    not_found_or_sign_in,
)
from audit.models import AuditEntry
from parties.models import Region
from reporting.formats import currencies

STATUS_BADGES = {OfferStatus.ACTIVE: "active", OfferStatus.WITHDRAWN: "withdrawn"}
KIND_LABELS = dict(AssistanceKind.choices)
REGION_LABELS = dict(Region.choices)


def _back(offer: AssistanceOffer) -> HttpResponse:
    return redirect(reverse("assistance:offer_detail", args=[offer.pk]))


def _decorate(offer: AssistanceOffer) -> AssistanceOffer:
    offer.badge = STATUS_BADGES.get(offer.status, "neutral")
    offer.kind_labels = [KIND_LABELS.get(k, k) for k in offer.kinds or []]
    offer.region_labels = [REGION_LABELS.get(r, r) for r in offer.regions or []]
    return offer


# --- List -----------------------------------------------------------------------------------------------
@require_GET
def offer_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = OfferFilterForm(request.GET or None)
    valid = form.is_valid() if request.GET else True
    data = form.cleaned_data if request.GET else {}
    offers = access.offers_visible_to(user)
    # A donor's focal point starts from their own donor's offers; the others they may read are one click away.
    can_offer = permissions.can(user, Capability.OFFER_ASSISTANCE)
    scope = EVERYTHING if request.GET.get("scope") == EVERYTHING or not can_offer else MINE
    if scope == MINE:
        offers = offers.filter(donor__in=access.donors_of(user))
    if data.get("status"):
        offers = offers.filter(status=data["status"])
    if data.get("area"):
        offers = offers.filter(pk__in=AssistanceOffer.objects.filter(areas=data["area"]).values("pk"))
    if data.get("kind"):
        # Kinds are a JSON list; a containment lookup is not portable to SQLite, a text match is
        # (the values are fixed words, quoted in the stored JSON).
        offers = offers.filter(kinds__icontains=f'"{data["kind"]}"')
    page = Paginator(
        offers.select_related("donor__state").prefetch_related("areas").order_by("-created_at", "-pk"), PER_PAGE
    ).get_page(request.GET.get("page"))
    rows = [_decorate(offer) for offer in page.object_list]
    for row in rows:
        row.own = access.acts_for_donor(user, row.donor)
    query = request.GET.copy()
    query.pop("page", None)
    filters = query.copy()
    filters.pop("scope", None)
    return render(
        request,
        "assistance/offers/list.html",
        {
            "form": form if request.GET else OfferFilterForm(),
            "rows": rows,
            "page": page,
            "query": query.urlencode(),
            "filter_query": filters.urlencode(),
            "scope": scope,
            "scope_label": _("Your offers") if can_offer else None,
            "filtered": any(data.get(key) for key in ("status", "area", "kind")),
            "can_offer": can_offer,
        },
        status=200 if valid else 400,
    )


# --- Registering and changing ----------------------------------------------------------------------------
def _render_form(
    request: HttpRequest, form: OfferForm, *, offer: AssistanceOffer | None = None, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "assistance/offers/form.html",
        {"form": form, "object": offer, "currencies": sorted(currencies())},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def offer_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not permissions.can(user, Capability.OFFER_ASSISTANCE):
        raise PermissionDenied
    if request.method == "GET":
        return _render_form(request, OfferForm())
    form = OfferForm(request.POST)
    if form.is_valid():
        try:
            offer = services.create_offer(actor=user, **form.service_arguments())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Offer registered: “%(title)s”.") % {"title": offer.title})
            return _back(offer)
    return _render_form(request, form, status=400)


def _detail_queryset() -> QuerySet[AssistanceOffer]:
    return AssistanceOffer.objects.select_related("donor__state", "created_by").prefetch_related("areas", "states")


@login_required
@require_http_methods(["GET", "POST"])
def offer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    offer = access.get_offer(request.user, pk, to="edit", queryset=_detail_queryset())
    if offer.status != OfferStatus.ACTIVE:
        messages.info(request, _("This offer is withdrawn: it can no longer be changed."))
        return _back(offer)
    if request.method == "GET":
        return _render_form(request, OfferForm(initial=OfferForm.initial_for(offer)), offer=offer)
    form = OfferForm(request.POST)
    if form.is_valid():
        try:
            services.update_offer(actor=request.user, offer=offer, **form.service_arguments())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Offer saved."))
            return _back(offer)
    return _render_form(request, form, offer=offer, status=400)


# --- An offer's page ----------------------------------------------------------------------------------------
def _withdraw_form(*args: Any) -> ReasonForm:
    return ReasonForm(
        *args, label=_("Why the offer is withdrawn"), required_message=_("Say why the offer is withdrawn.")
    )


def _render_detail(
    request: HttpRequest, offer: AssistanceOffer, *, withdraw_form: ReasonForm | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    owner = access.acts_for_donor(user, offer.donor)
    matches = list(
        access.matches_visible_to(user, offer.matches.all())
        .select_related("request__state", "request__area")
        .order_by("created_at")
    )
    for match in matches:
        match.badge = MATCH_BADGES.get(match.status, "neutral")
        match.donor_badge = DECISION_BADGES.get(match.donor_decision, "neutral")
        match.state_badge = DECISION_BADGES.get(match.state_decision, "neutral")
    withdrawal = None
    if offer.status == OfferStatus.WITHDRAWN:
        withdrawal = AuditEntry.objects.for_object(offer).filter(action="assistance.offer.withdrawn").first()
    return render(
        request,
        "assistance/offers/detail.html",
        {
            "object": _decorate(offer),
            "withdrawal": withdrawal,
            "withdrawal_reason": (withdrawal.context or {}).get("reason", "") if withdrawal else "",
            "owner": owner,
            "editable": owner and offer.status == OfferStatus.ACTIVE,
            "matches": matches,
            "sees_matches": bool(matches) or owner or access.is_isu(user),
            "withdraw_form": withdraw_form or _withdraw_form(),
        },
        status=status,
    )


@require_GET
def offer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        offer = access.get_offer(request.user, pk, queryset=_detail_queryset())
    except Http404:
        return not_found_or_sign_in(request)
    return _render_detail(request, offer)


@login_required
@require_POST
def offer_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    offer = access.get_offer(request.user, pk, to="edit", queryset=_detail_queryset())
    form = _withdraw_form(request.POST)
    if not form.is_valid():
        return _render_detail(request, offer, withdraw_form=form, status=400)
    try:
        services.withdraw_offer(actor=request.user, offer=offer, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Offer withdrawn."))
    return _back(offer)


urlpatterns = [
    path("assistance/offers/", offer_list, name="offer_list"),
    path("assistance/offers/new/", offer_new, name="offer_new"),
    path("assistance/offers/<int:pk>/", offer_detail, name="offer_detail"),
    path("assistance/offers/<int:pk>/edit/", offer_edit, name="offer_edit"),
    path("assistance/offers/<int:pk>/withdraw/", offer_withdraw, name="offer_withdraw"),
]
