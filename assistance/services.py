"""Writes on assistance requests, offers, their supporting documents and donors. Atomic, audited,
with an explicit actor. (Matches: ``assistance.matching``.)"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
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

_Workflow = TypeVar("_Workflow", AssistanceRequest, AssistanceOffer)


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


# --- Writes shared by requests and offers ------------------------------------------------------------------
def _record_created(actor: User, obj: models.Model, action: str) -> None:
    """The audit entry of a new ``obj``: every field, from nothing."""
    audit.record(actor=actor, action=action, obj=obj, changes=audit.diff({}, audit.snapshot(obj)))


def _set_relations(obj: models.Model, relations: dict[str, list[Any]]) -> None:
    for name, values in relations.items():
        getattr(obj, name).set(values)


def _save_changes(
    *,
    actor: User,
    obj: models.Model,
    action: str,
    fields: dict[str, Any],
    relations: dict[str, list[Any]] | None = None,
) -> None:
    """Give the locked ``obj`` its checked ``fields`` (and many-to-many ``relations``), save them, and audit what
    changed, before and after, as ``action``; no entry when nothing changed.

    Without relations nothing is written unless a field changed; with them, the fields are saved first and the
    relations set, then the comparison is made (it reads the relations back)."""
    before = audit.snapshot(obj)
    for name, value in fields.items():
        setattr(obj, name, value)
    if relations is None:
        changes = audit.diff(before, audit.snapshot(obj))
        if changes:
            obj.save(update_fields=list(fields))
    else:
        obj.save(update_fields=list(fields))
        _set_relations(obj, relations)
        changes = audit.diff(before, audit.snapshot(obj))
    if changes:
        audit.record(actor=actor, action=action, obj=obj, changes=changes)


# --- Requests ------------------------------------------------------------------------------------------
def _request_fields(
    *,
    state_id: int,
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
) -> dict[str, Any]:
    """A request's fields as stored (text trimmed, the currency in capitals), once checked: a ValidationError
    names every problem."""
    errors = check_money(amount, currency) | check_period(period_start, period_end)
    if kind not in AssistanceKind.values:
        errors["kind"] = _("Choose technical, material or financial.")
    if obligation is not None and obligation.state_id != state_id:
        errors["obligation"] = _("Link an obligation of your own State.")
    if not title.strip():
        errors["title"] = _("Give the request a title.")
    if errors:
        raise ValidationError(errors)
    return {
        "area": area,
        "kind": kind,
        "title": title.strip(),
        "description": description.strip(),
        "period_start": period_start,
        "period_end": period_end,
        "amount": amount,
        "currency": currency.upper(),
        "location": location.strip(),
        "obligation": obligation,
        "is_public": is_public,
    }


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
    fields = _request_fields(
        state_id=actor.state_id,
        area=area,
        kind=kind,
        title=title,
        description=description,
        period_start=period_start,
        period_end=period_end,
        amount=amount,
        currency=currency,
        location=location,
        obligation=obligation,
        is_public=is_public,
    )
    request = AssistanceRequest.objects.create(state=actor.state, created_by=actor, **fields)
    shared = list(shared_with)
    if shared:
        request.shared_with.set(shared)
    _record_created(actor, request, "assistance.request.created")
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
    fields = _request_fields(
        state_id=request.state_id,
        area=area,
        kind=kind,
        title=title,
        description=description,
        period_start=period_start,
        period_end=period_end,
        amount=amount,
        currency=currency,
        location=location,
        obligation=obligation,
        is_public=is_public,
    )
    _save_changes(actor=actor, obj=request, action="assistance.request.changed", fields=fields)
    return request


def _set_status(*, actor: User, obj: _Workflow, status: str, action: str, reason: str) -> _Workflow:
    """A request or an offer leaves its open (active) status; the audit entry keeps the reason, if any."""
    before = obj.status
    obj.status = status
    obj.save(update_fields=["status"])
    audit.record(
        actor=actor,
        action=action,
        obj=obj,
        changes={"status": [before, status]},
        context={"reason": reason} if reason else None,
    )
    return obj


@transaction.atomic
def withdraw_request(*, actor: User, request: AssistanceRequest, reason: str) -> AssistanceRequest:
    """The State withdraws an open request, saying why (donors and coordinators read the reason)."""
    request = _locked_request(actor, request)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the request is withdrawn.")})
    return _set_status(
        actor=actor,
        obj=request,
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
        obj=request,
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
    _record_created(actor, donor, "assistance.donor.created")
    return donor


def _ordered(values: Iterable[str], order: list[str]) -> list[str]:
    chosen = set(values)
    return [v for v in order if v in chosen]


def _offer_fields(
    *,
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
) -> tuple[dict[str, Any], dict[str, list[Any]]]:
    """An offer's fields as stored (text trimmed, kinds and regions in their order, the currency in capitals)
    and its many-to-many relations, once checked: a ValidationError names every problem."""
    areas, kinds, regions, states = list(areas), list(kinds), list(regions), list(states)
    errors = check_budget(budget_min, budget_max, currency) | check_period(period_start, period_end)
    if not title.strip():
        errors["title"] = _("Give the offer a title.")
    if not areas:
        errors["areas"] = _("Choose at least one thematic area.")
    if not kinds or any(k not in AssistanceKind.values for k in kinds):
        errors["kinds"] = _("Choose technical, material or financial assistance, or several.")
    if any(r not in Region.values for r in regions):
        errors["regions"] = _("Choose regions from the list.")
    if errors:
        raise ValidationError(errors)
    fields = {
        "title": title.strip(),
        "kinds": _ordered(kinds, AssistanceKind.values),
        "regions": _ordered(regions, Region.values),
        "budget_min": budget_min,
        "budget_max": budget_max,
        "currency": currency.upper(),
        "period_start": period_start,
        "period_end": period_end,
        "conditions": conditions.strip(),
        "is_public": is_public,
    }
    return fields, {"areas": areas, "states": states}


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
    fields, relations = _offer_fields(
        title=title,
        areas=areas,
        kinds=kinds,
        regions=regions,
        states=states,
        budget_min=budget_min,
        budget_max=budget_max,
        currency=currency,
        period_start=period_start,
        period_end=period_end,
        conditions=conditions,
        is_public=is_public,
    )
    offer = AssistanceOffer.objects.create(donor=donor, created_by=actor, **fields)
    _set_relations(offer, relations)
    _record_created(actor, offer, "assistance.offer.created")
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
    fields, relations = _offer_fields(
        title=title,
        areas=areas,
        kinds=kinds,
        regions=regions,
        states=states,
        budget_min=budget_min,
        budget_max=budget_max,
        currency=currency,
        period_start=period_start,
        period_end=period_end,
        conditions=conditions,
        is_public=is_public,
    )
    _save_changes(actor=actor, obj=offer, action="assistance.offer.changed", fields=fields, relations=relations)
    return offer


@transaction.atomic
def withdraw_offer(*, actor: User, offer: AssistanceOffer, reason: str) -> AssistanceOffer:
    """The donor withdraws an offer, saying why."""
    offer = _locked_offer(actor, offer)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the offer is withdrawn.")})
    return _set_status(
        actor=actor,
        obj=offer,
        status=OfferStatus.WITHDRAWN,
        action="assistance.offer.withdrawn",
        reason=reason.strip(),
    )
