"""Writes on assistance requests, offers and matches. Atomic, audited, with an explicit actor."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.models import ThematicArea, User
from assistance.models import (
    MAX_AMOUNT,
    AssistanceKind,
    AssistanceOffer,
    AssistanceRequest,
    Decision,
    Match,
    MatchStatus,
    RequestStatus,
)
from audit import services as audit
from reporting.formats import currencies


def _check_money(amount: Decimal | None, currency: str, field: str = "amount") -> dict[str, str]:
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


def _check_period(start: dt.date, end: dt.date) -> dict[str, str]:
    return {"period_end": _("The period ends before it starts.")} if end < start else {}


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
) -> AssistanceRequest:
    """A State Party's focal point asks for assistance (Art. 6(1))."""
    if not permissions.can(actor, permissions.Capability.REQUEST_ASSISTANCE) or actor.state_id is None:
        raise PermissionDenied
    errors = _check_money(amount, currency) | _check_period(period_start, period_end)
    if kind not in AssistanceKind.values:
        errors["kind"] = _("Choose technical, material or financial.")
    if obligation is not None and obligation.state_id != actor.state_id:
        errors["obligation"] = _("Link an obligation of your own State.")
    if not title.strip():
        errors["title"] = _("Give the request a title.")
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
        created_by=actor,
    )
    audit.record(
        actor=actor, action="assistance.request.created", obj=request, changes=audit.diff({}, audit.snapshot(request))
    )
    return request


@transaction.atomic
def propose_match(
    *, actor: User, request: AssistanceRequest, offer: AssistanceOffer, amount: Decimal | None, currency: str
) -> Match:
    """A coordinator of the request's area (or the ISU) proposes that an offer funds a request."""
    coordinator = permissions.can(actor, permissions.Capability.MATCH_ASSISTANCE) and (
        permissions.can(actor, permissions.Capability.USE_STAFF_PAGES)
        or actor.thematic_areas.filter(pk=request.area_id).exists()
    )
    if not coordinator:
        raise PermissionDenied
    request = AssistanceRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != RequestStatus.OPEN:
        raise ValidationError(
            _("This request is %(status)s: it cannot be matched.") % {"status": request.get_status_display()}
        )
    errors = _check_money(amount, currency)
    if errors:
        raise ValidationError(errors)
    if Match.objects.filter(request=request, offer=offer).exists():
        raise ValidationError(_("This offer is already proposed for this request."))
    match = Match.objects.create(
        request=request, offer=offer, amount=amount, currency=currency.upper(), proposed_by=actor
    )
    audit.record(
        actor=actor, action="assistance.match.proposed", obj=match, changes=audit.diff({}, audit.snapshot(match))
    )
    return match


def _acts_for_donor(actor: User, donor) -> bool:
    if not permissions.can(actor, permissions.Capability.OFFER_ASSISTANCE):
        return False
    if donor.state_id:
        return actor.state_id == donor.state_id
    return bool(actor.organization) and actor.organization.casefold() == donor.organization.casefold()


@transaction.atomic
def decide_match(*, actor: User, match: Match, accept: bool, reason: str = "") -> Match:
    """The donor and the requesting State each accept or decline a proposed match; a decline needs a reason."""
    match = Match.objects.select_for_update().select_related("request", "offer__donor").get(pk=match.pk)
    if match.status != MatchStatus.PROPOSED:
        raise ValidationError(_("This match was already decided."))
    if not accept and not reason.strip():
        raise ValidationError({"reason": _("Say why the match is declined.")})
    decision = Decision.ACCEPTED if accept else Decision.DECLINED
    if _acts_for_donor(actor, match.offer.donor):
        side = "donor"
    elif permissions.acts_for_state(actor, match.request.state):
        side = "state"
    else:
        raise PermissionDenied
    before = {"status": match.status, f"{side}_decision": getattr(match, f"{side}_decision")}
    setattr(match, f"{side}_decision", decision)
    setattr(match, f"{side}_reason", reason.strip())
    if Decision.DECLINED in (match.donor_decision, match.state_decision):
        match.status = MatchStatus.DECLINED
    elif match.donor_decision == match.state_decision == Decision.ACCEPTED:
        match.status = MatchStatus.ACCEPTED
    match.save(update_fields=["status", f"{side}_decision", f"{side}_reason"])
    audit.record(
        actor=actor,
        action=f"assistance.match.{side}_{decision}",
        obj=match,
        changes={key: [value, getattr(match, key)] for key, value in before.items()},
        context={"reason": reason.strip()},
    )
    return match


@transaction.atomic
def advance_match(*, actor: User, match: Match) -> Match:
    """The donor records the next step of an accepted match: committed, then delivered."""
    match = Match.objects.select_for_update().select_related("offer__donor").get(pk=match.pk)
    if not _acts_for_donor(actor, match.offer.donor):
        raise PermissionDenied
    following = {MatchStatus.ACCEPTED: MatchStatus.COMMITTED, MatchStatus.COMMITTED: MatchStatus.DELIVERED}
    if match.status not in following:
        raise ValidationError(_("Only an accepted match can be committed, and only a committed one delivered."))
    before = match.status
    match.status = following[before]
    match.save(update_fields=["status"])
    audit.record(
        actor=actor, action=f"assistance.match.{match.status}", obj=match, changes={"status": [before, match.status]}
    )
    return match
