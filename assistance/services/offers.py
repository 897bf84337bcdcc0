"""Writes on donors and their assistance offers (Art. 6(2)): a donor focal point registers, changes and
withdraws their donor's offers; the donor itself is created the first time they offer. Atomic, audited,
with an explicit actor."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import ThematicArea, User
from assistance import access
from assistance.models import AssistanceKind, AssistanceOffer, Donor, OfferStatus
from assistance.services import changes, validation
from parties.models import Region, State


def _offer_donor(actor: User) -> Donor:
    """The donor a donor focal point acts for, created (audited) the first time they offer."""
    if not access.may_offer_assistance(actor):
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
    changes.record_created(actor, donor, "assistance.donor.created")
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
    errors = validation.check_budget(budget_min, budget_max, currency) | validation.check_period(
        period_start, period_end
    )
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
    changes.set_relations(offer, relations)
    changes.record_created(actor, offer, "assistance.offer.created")
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
    changes.save_changes(actor=actor, obj=offer, action="assistance.offer.changed", fields=fields, relations=relations)
    return offer


@transaction.atomic
def withdraw_offer(*, actor: User, offer: AssistanceOffer, reason: str) -> AssistanceOffer:
    """The donor withdraws an offer, saying why."""
    offer = _locked_offer(actor, offer)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the offer is withdrawn.")})
    return changes.set_status(
        actor=actor,
        obj=offer,
        status=OfferStatus.WITHDRAWN,
        action="assistance.offer.withdrawn",
        reason=reason.strip(),
    )
