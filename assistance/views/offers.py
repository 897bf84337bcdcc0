"""Assistance offers and capacities (Art. 6(2)): the list, an offer's page, and the donor focal
points' pages to register, change and withdraw their donor's offers.

Views are thin: parse, fetch and authorize through ``assistance.access`` (404 to those who may
not know the offer exists, 403 to those who may read but not change it), call one service,
render or redirect. Every write goes through ``assistance.services.offers``, which audits it.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assistance import access
from assistance.forms import OfferFilterForm, OfferForm, ReasonForm
from assistance.models import AssistanceKind, AssistanceOffer, OfferStatus
from assistance.selectors.history import ending
from assistance.services.offers import create_offer, update_offer, withdraw_offer
from assistance.views.requests import (
    MINE,
    not_found_or_sign_in,
    paginate,
    read_filters,
    render_form,
    render_list,
    scope_of,
    visible_matches,
)
from ccm_portal.core.page_cache import public_page
from ccm_portal.core.views import attempt, submit
from parties.models import Region

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
# The same for every anonymous reader (the public offers, no "mine", no "Your offer", nothing to register), so kept
# in the page cache as the request list is; a signed-in reader's list is always their own.
@public_page
@require_GET
def offer_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    form, valid, data = read_filters(request, OfferFilterForm)
    offers = access.offers_visible_to(user)
    # A donor's focal point starts from their own donor's offers; the others they may read are one click away.
    can_offer = access.may_offer_assistance(user)
    scope = scope_of(request, has_mine=can_offer)
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
    page = paginate(request, offers.select_related("donor__state").prefetch_related("areas"))
    rows = [_decorate(offer) for offer in page.object_list]
    for row in rows:
        row.own = access.acts_for_donor(user, row.donor)
    return render_list(
        request,
        "assistance/offers/list.html",
        form,
        valid=valid,
        filters=data,
        page=page,
        rows=rows,
        scope=scope,
        scope_label=_("Your offers") if can_offer else None,
        can_offer=can_offer,
    )


# --- Registering and changing ----------------------------------------------------------------------------
FORM_TEMPLATE = "assistance/offers/form.html"


@login_required
@require_http_methods(["GET", "POST"])
def offer_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not access.may_offer_assistance(user):
        raise PermissionDenied
    if request.method == "GET":
        return render_form(request, FORM_TEMPLATE, OfferForm())
    form = OfferForm(request.POST)
    offer = submit(form, lambda: create_offer(actor=user, **form.service_arguments()))
    if offer is None:
        return render_form(request, FORM_TEMPLATE, form, status=400)
    messages.success(request, _("Offer registered: “%(title)s”.") % {"title": offer.title})
    return _back(offer)


def _detail_queryset() -> QuerySet[AssistanceOffer]:
    return AssistanceOffer.objects.select_related("donor__state", "created_by").prefetch_related("areas", "states")


@login_required
@require_http_methods(["GET", "POST"])
def offer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    offer = access.get_offer(user, pk, to="edit", queryset=_detail_queryset())
    if offer.status != OfferStatus.ACTIVE:
        messages.info(request, _("This offer is withdrawn: it can no longer be changed."))
        return _back(offer)
    if request.method == "GET":
        return render_form(request, FORM_TEMPLATE, OfferForm(initial=OfferForm.initial_for(offer)), offer)
    form = OfferForm(request.POST)
    saved = submit(form, lambda: update_offer(actor=user, offer=offer, **form.service_arguments()))
    if saved is None:
        return render_form(request, FORM_TEMPLATE, form, offer, status=400)
    messages.success(request, _("Offer saved."))
    return _back(offer)


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
    matches = visible_matches(user, offer.matches.all(), "request__state", "request__area")
    withdrawal, withdrawal_reason = None, ""
    if offer.status == OfferStatus.WITHDRAWN:
        withdrawal, withdrawal_reason = ending(offer, "assistance.offer.withdrawn")
    return render(
        request,
        "assistance/offers/detail.html",
        {
            "object": _decorate(offer),
            "withdrawal": withdrawal,
            "withdrawal_reason": withdrawal_reason,
            "owner": owner,
            "editable": owner and offer.status == OfferStatus.ACTIVE,
            "matches": matches,
            "sees_matches": bool(matches) or owner or access.is_isu(user),
            "withdraw_form": withdraw_form or _withdraw_form(),
        },
        status=status,
    )


@public_page
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
    attempt(
        request,
        lambda: withdraw_offer(actor=request.user, offer=offer, reason=form.cleaned_data["reason"]),
        _("Offer withdrawn."),
    )
    return _back(offer)


urlpatterns = [
    path("assistance/offers/", offer_list, name="offer_list"),
    path("assistance/offers/new/", offer_new, name="offer_new"),
    path("assistance/offers/<int:pk>/", offer_detail, name="offer_detail"),
    path("assistance/offers/<int:pk>/edit/", offer_edit, name="offer_edit"),
    path("assistance/offers/<int:pk>/withdraw/", offer_withdraw, name="offer_withdraw"),
]
