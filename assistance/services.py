"""Writes on assistance requests, offers, their supporting documents and donors. Atomic, audited,
with an explicit actor. (Matches: ``assistance.matching``.)"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.models import ThematicArea, User
from assistance import access, uploads
from assistance.models import (
    MAX_AMOUNT,
    AssistanceKind,
    AssistanceOffer,
    AssistanceRequest,
    AssistanceSettings,
    Donor,
    OfferStatus,
    RequestDocument,
    RequestStatus,
)
from audit import services as audit
from parties.models import Obligation, Region, State
from reporting.formats import currencies


# --- Checks shared by requests, offers (and matches) ------------------------------------------------
def check_money(amount: Decimal | None, currency: str, field: str = "amount") -> dict[str, str]:
    errors = {}
    if amount is not None:
        if amount < 0:
            errors[field] = _("An amount cannot be negative.")
        elif amount > MAX_AMOUNT:
            errors[field] = _("This amount is larger than any assistance on record; check the figure.")
        if not currency:
            errors["currency"] = _("Give the currency of the amount.")
    if currency and currency.upper() not in currencies():
        errors["currency"] = _("“%(code)s” is not an ISO 4217 currency code (e.g. EUR, USD, JPY).") % {"code": currency}
    return errors


def check_period(start: dt.date, end: dt.date) -> dict[str, str]:
    return {"period_end": _("The period ends before it starts.")} if end < start else {}


def check_budget(budget_min: Decimal | None, budget_max: Decimal | None, currency: str) -> dict[str, str]:
    """An offer's budget range: each bound a sensible amount, in a currency, the upper not below the lower."""
    errors = check_money(budget_min, currency, "budget_min") | check_money(budget_max, currency, "budget_max")
    if (
        budget_min is not None
        and budget_max is not None
        and "budget_min" not in errors
        and "budget_max" not in errors
        and budget_max < budget_min
    ):
        errors["budget_max"] = _("The upper end of the budget is below the lower end.")
    return errors


def _check_request(
    *,
    state_id: int,
    kind: str,
    title: str,
    amount: Decimal | None,
    currency: str,
    period_start: dt.date,
    period_end: dt.date,
    obligation: Obligation | None,
) -> dict[str, str]:
    errors = check_money(amount, currency) | check_period(period_start, period_end)
    if kind not in AssistanceKind.values:
        errors["kind"] = _("Choose technical, material or financial.")
    if obligation is not None and obligation.state_id != state_id:
        errors["obligation"] = _("Link an obligation of your own State.")
    if not title.strip():
        errors["title"] = _("Give the request a title.")
    return errors


# --- Requests ------------------------------------------------------------------------------------------
@transaction.atomic
def create_request(
    *,
    actor: User,
    area: ThematicArea,
    kind: str,
    title: str,
    description: str,
    period_start: dt.date,
    period_end: dt.date,
    amount: Decimal | None = None,
    currency: str = "",
    location: str = "",
    obligation=None,
    is_public: bool = False,
    shared_with: Iterable[Donor] = (),
) -> AssistanceRequest:
    """A State Party's focal point asks for assistance (Art. 6(1)); restricted unless made public."""
    if not permissions.can(actor, permissions.Capability.REQUEST_ASSISTANCE) or actor.state_id is None:
        raise PermissionDenied
    errors = _check_request(
        state_id=actor.state_id,
        kind=kind,
        title=title,
        amount=amount,
        currency=currency,
        period_start=period_start,
        period_end=period_end,
        obligation=obligation,
    )
    if errors:
        raise ValidationError(errors)
    request = AssistanceRequest.objects.create(
        state=actor.state,
        area=area,
        kind=kind,
        title=title.strip(),
        description=description.strip(),
        period_start=period_start,
        period_end=period_end,
        amount=amount,
        currency=currency.upper(),
        location=location.strip(),
        obligation=obligation,
        is_public=is_public,
        created_by=actor,
    )
    shared = list(shared_with)
    if shared:
        request.shared_with.set(shared)
    audit.record(
        actor=actor, action="assistance.request.created", obj=request, changes=audit.diff({}, audit.snapshot(request))
    )
    return request


def _locked_request(actor: User, request: AssistanceRequest) -> AssistanceRequest:
    """The request, locked for this transaction, if ``actor`` may change it and it is still open."""
    if not access.may_edit_request(actor, request):
        raise PermissionDenied
    request = AssistanceRequest.objects.select_for_update().select_related("state").get(pk=request.pk)
    if request.status != RequestStatus.OPEN:
        raise ValidationError(
            _("This request is %(status)s: it can no longer be changed.")
            % {"status": request.get_status_display().lower()}
        )
    return request


@transaction.atomic
def update_request(
    *,
    actor: User,
    request: AssistanceRequest,
    area: ThematicArea,
    kind: str,
    title: str,
    description: str,
    period_start: dt.date,
    period_end: dt.date,
    amount: Decimal | None,
    currency: str,
    location: str,
    obligation: Obligation | None,
    is_public: bool,
) -> AssistanceRequest:
    """The requesting State's focal point changes an open request; the audit entry keeps before and after."""
    request = _locked_request(actor, request)
    errors = _check_request(
        state_id=request.state_id,
        kind=kind,
        title=title,
        amount=amount,
        currency=currency,
        period_start=period_start,
        period_end=period_end,
        obligation=obligation,
    )
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(request)
    request.area = area
    request.kind = kind
    request.title = title.strip()
    request.description = description.strip()
    request.period_start = period_start
    request.period_end = period_end
    request.amount = amount
    request.currency = currency.upper()
    request.location = location.strip()
    request.obligation = obligation
    request.is_public = is_public
    changes = audit.diff(before, audit.snapshot(request))
    if changes:
        request.save(
            update_fields=[
                "area",
                "kind",
                "title",
                "description",
                "period_start",
                "period_end",
                "amount",
                "currency",
                "location",
                "obligation",
                "is_public",
            ]
        )
        audit.record(actor=actor, action="assistance.request.changed", obj=request, changes=changes)
    return request


def _set_status(*, actor: User, request: AssistanceRequest, status: str, action: str, reason: str) -> AssistanceRequest:
    before = request.status
    request.status = status
    request.save(update_fields=["status"])
    audit.record(
        actor=actor,
        action=action,
        obj=request,
        changes={"status": [before, status]},
        context={"reason": reason} if reason else None,
    )
    return request


@transaction.atomic
def withdraw_request(*, actor: User, request: AssistanceRequest, reason: str) -> AssistanceRequest:
    """The State withdraws an open request, saying why (donors and coordinators read the reason)."""
    request = _locked_request(actor, request)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the request is withdrawn.")})
    return _set_status(
        actor=actor,
        request=request,
        status=RequestStatus.WITHDRAWN,
        action="assistance.request.withdrawn",
        reason=reason.strip(),
    )


@transaction.atomic
def close_request(*, actor: User, request: AssistanceRequest, note: str = "") -> AssistanceRequest:
    """The State closes an open request, e.g. once it is fully funded."""
    request = _locked_request(actor, request)
    return _set_status(
        actor=actor,
        request=request,
        status=RequestStatus.CLOSED,
        action="assistance.request.closed",
        reason=note.strip(),
    )


@transaction.atomic
def share_request(*, actor: User, request: AssistanceRequest, donors: Iterable[Donor]) -> AssistanceRequest:
    """The State chooses the donors a restricted request is shown to."""
    request = _locked_request(actor, request)
    before = sorted(str(pk) for pk in request.shared_with.values_list("pk", flat=True))
    donors = list(donors)
    after = sorted(str(d.pk) for d in donors)
    if before != after:
        request.shared_with.set(donors)
        audit.record(
            actor=actor, action="assistance.request.shared", obj=request, changes={"shared_with": [before, after]}
        )
    return request


# --- Supporting documents ----------------------------------------------------------------------------
@transaction.atomic
def add_document(*, actor: User, request: AssistanceRequest, upload: Any) -> RequestDocument:
    """A supporting document of an open request, checked (type, size, content) before it is stored."""
    request = _locked_request(actor, request)
    rules = AssistanceSettings.current()
    checked = uploads.check_upload(upload, upload_types=rules.upload_types, max_upload_mb=rules.max_upload_mb)
    document = RequestDocument(
        request=request,
        name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        uploaded_by=actor,
    )
    document.file.save(checked.name, upload, save=False)  # the model gives it a random stored name
    try:
        document.save()
        audit.record(
            actor=actor,
            action="assistance.request.document_added",
            obj=request,
            changes={"documents": [None, checked.name]},
            context={"document": document.pk, "size": checked.size, "content_type": checked.content_type},
        )
    except Exception:
        document.file.delete(save=False)
        raise
    return document


@transaction.atomic
def remove_document(*, actor: User, document: RequestDocument) -> None:
    """The requesting State removes a supporting document; the file goes once the removal is committed."""
    request = _locked_request(actor, document.request)
    document = RequestDocument.objects.get(pk=document.pk, request=request)
    storage, path = document.file.storage, document.file.name
    audit.record(
        actor=actor,
        action="assistance.request.document_removed",
        obj=request,
        changes={"documents": [document.name, None]},
        context={"document": document.pk, "size": document.size},
    )
    document.delete()
    transaction.on_commit(lambda: storage.delete(path))


# --- Donors and offers -------------------------------------------------------------------------------
def _offer_donor(actor: User) -> Donor:
    """The donor a donor focal point acts for, created (audited) the first time they offer."""
    if not permissions.can(actor, permissions.Capability.OFFER_ASSISTANCE):
        raise PermissionDenied
    donor = access.donors_of(actor).first()
    if donor is not None:
        return donor
    if actor.state_id:
        donor = Donor.objects.create(state_id=actor.state_id)
    elif actor.organization.strip():
        donor = Donor.objects.create(organization=actor.organization.strip())
    else:
        raise PermissionDenied
    audit.record(
        actor=actor, action="assistance.donor.created", obj=donor, changes=audit.diff({}, audit.snapshot(donor))
    )
    return donor


def _check_offer(
    *,
    title: str,
    areas: list[ThematicArea],
    kinds: list[str],
    regions: list[str],
    budget_min: Decimal | None,
    budget_max: Decimal | None,
    currency: str,
    period_start: dt.date,
    period_end: dt.date,
) -> dict[str, str]:
    errors = check_budget(budget_min, budget_max, currency) | check_period(period_start, period_end)
    if not title.strip():
        errors["title"] = _("Give the offer a title.")
    if not areas:
        errors["areas"] = _("Choose at least one thematic area.")
    if not kinds or any(k not in AssistanceKind.values for k in kinds):
        errors["kinds"] = _("Choose technical, material or financial assistance, or several.")
    if any(r not in Region.values for r in regions):
        errors["regions"] = _("Choose regions from the list.")
    return errors


def _ordered(values: Iterable[str], order: list[str]) -> list[str]:
    chosen = set(values)
    return [v for v in order if v in chosen]


@transaction.atomic
def create_offer(
    *,
    actor: User,
    title: str,
    areas: Iterable[ThematicArea],
    kinds: Iterable[str],
    period_start: dt.date,
    period_end: dt.date,
    regions: Iterable[str] = (),
    states: Iterable[State] = (),
    budget_min: Decimal | None = None,
    budget_max: Decimal | None = None,
    currency: str = "",
    conditions: str = "",
    is_public: bool = False,
) -> AssistanceOffer:
    """A donor focal point registers an offer or a capacity of their donor (Art. 6(2))."""
    donor = _offer_donor(actor)
    areas, kinds, regions, states = list(areas), list(kinds), list(regions), list(states)
    errors = _check_offer(
        title=title,
        areas=areas,
        kinds=kinds,
        regions=regions,
        budget_min=budget_min,
        budget_max=budget_max,
        currency=currency,
        period_start=period_start,
        period_end=period_end,
    )
    if errors:
        raise ValidationError(errors)
    offer = AssistanceOffer.objects.create(
        donor=donor,
        title=title.strip(),
        kinds=_ordered(kinds, AssistanceKind.values),
        regions=_ordered(regions, Region.values),
        budget_min=budget_min,
        budget_max=budget_max,
        currency=currency.upper(),
        period_start=period_start,
        period_end=period_end,
        conditions=conditions.strip(),
        is_public=is_public,
        created_by=actor,
    )
    offer.areas.set(areas)
    offer.states.set(states)
    audit.record(
        actor=actor, action="assistance.offer.created", obj=offer, changes=audit.diff({}, audit.snapshot(offer))
    )
    return offer


def _locked_offer(actor: User, offer: AssistanceOffer) -> AssistanceOffer:
    offer = AssistanceOffer.objects.select_for_update().select_related("donor").get(pk=offer.pk)
    if not access.acts_for_donor(actor, offer.donor):
        raise PermissionDenied
    if offer.status != OfferStatus.ACTIVE:
        raise ValidationError(
            _("This offer is %(status)s: it can no longer be changed.") % {"status": offer.get_status_display().lower()}
        )
    return offer


@transaction.atomic
def update_offer(
    *,
    actor: User,
    offer: AssistanceOffer,
    title: str,
    areas: Iterable[ThematicArea],
    kinds: Iterable[str],
    regions: Iterable[str],
    states: Iterable[State],
    budget_min: Decimal | None,
    budget_max: Decimal | None,
    currency: str,
    period_start: dt.date,
    period_end: dt.date,
    conditions: str,
    is_public: bool,
) -> AssistanceOffer:
    """The donor's focal point changes an active offer; the audit entry keeps before and after."""
    offer = _locked_offer(actor, offer)
    areas, kinds, regions, states = list(areas), list(kinds), list(regions), list(states)
    errors = _check_offer(
        title=title,
        areas=areas,
        kinds=kinds,
        regions=regions,
        budget_min=budget_min,
        budget_max=budget_max,
        currency=currency,
        period_start=period_start,
        period_end=period_end,
    )
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(offer)
    offer.title = title.strip()
    offer.kinds = _ordered(kinds, AssistanceKind.values)
    offer.regions = _ordered(regions, Region.values)
    offer.budget_min = budget_min
    offer.budget_max = budget_max
    offer.currency = currency.upper()
    offer.period_start = period_start
    offer.period_end = period_end
    offer.conditions = conditions.strip()
    offer.is_public = is_public
    offer.save(
        update_fields=[
            "title",
            "kinds",
            "regions",
            "budget_min",
            "budget_max",
            "currency",
            "period_start",
            "period_end",
            "conditions",
            "is_public",
        ]
    )
    offer.areas.set(areas)
    offer.states.set(states)
    changes = audit.diff(before, audit.snapshot(offer))
    if changes:
        audit.record(actor=actor, action="assistance.offer.changed", obj=offer, changes=changes)
    return offer


@transaction.atomic
def withdraw_offer(*, actor: User, offer: AssistanceOffer, reason: str) -> AssistanceOffer:
    """The donor withdraws an offer, saying why."""
    offer = _locked_offer(actor, offer)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the offer is withdrawn.")})
    before = offer.status
    offer.status = OfferStatus.WITHDRAWN
    offer.save(update_fields=["status"])
    audit.record(
        actor=actor,
        action="assistance.offer.withdrawn",
        obj=offer,
        changes={"status": [before, offer.status]},
        context={"reason": reason.strip()},
    )
    return offer
