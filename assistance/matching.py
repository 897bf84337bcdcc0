"""Writes on matches: a coordinator proposes, the donor and the State decide, the donor records
commitment and delivery. Atomic, audited, with an explicit actor."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.models import User
from assistance.access import acts_for_donor, coordinates
from assistance.models import AssistanceOffer, AssistanceRequest, Decision, Match, MatchStatus, RequestStatus
from assistance.services import check_money
from audit import services as audit


@transaction.atomic
def propose_match(
    *, actor: User, request: AssistanceRequest, offer: AssistanceOffer, amount: Decimal | None, currency: str
) -> Match:
    """A coordinator of the request's area (or the ISU) proposes that an offer funds a request."""
    if not coordinates(actor, request.area_id):
        raise PermissionDenied
    request = AssistanceRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != RequestStatus.OPEN:
        raise ValidationError(
            _("This request is %(status)s: it cannot be matched.") % {"status": request.get_status_display()}
        )
    errors = check_money(amount, currency)
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


@transaction.atomic
def decide_match(*, actor: User, match: Match, accept: bool, reason: str = "") -> Match:
    """The donor and the requesting State each accept or decline a proposed match; a decline needs a reason."""
    match = Match.objects.select_for_update().select_related("request", "offer__donor").get(pk=match.pk)
    if match.status != MatchStatus.PROPOSED:
        raise ValidationError(_("This match was already decided."))
    if not accept and not reason.strip():
        raise ValidationError({"reason": _("Say why the match is declined.")})
    decision = Decision.ACCEPTED if accept else Decision.DECLINED
    if acts_for_donor(actor, match.offer.donor):
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
    if not acts_for_donor(actor, match.offer.donor):
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
