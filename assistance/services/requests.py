"""Writes on assistance requests (Art. 6(1)): a State's focal point files, changes, shares, withdraws and
closes a request. Atomic, audited, with an explicit actor. (Supporting documents: ``documents``; offers:
``offers``; matches: ``matching``.)"""

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
from assistance.models import AssistanceKind, AssistanceRequest, Donor, RequestStatus
from assistance.services import changes, validation
from audit import services as audit
from parties.models import Obligation


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
    errors = validation.check_money(amount, currency) | validation.check_period(period_start, period_end)
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
    if not access.may_request_assistance(actor):
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
    changes.record_created(actor, request, "assistance.request.created")
    return request


def locked_request(actor: User, request: AssistanceRequest) -> AssistanceRequest:
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
    request = locked_request(actor, request)
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
    changes.save_changes(actor=actor, obj=request, action="assistance.request.changed", fields=fields)
    return request


@transaction.atomic
def withdraw_request(*, actor: User, request: AssistanceRequest, reason: str) -> AssistanceRequest:
    """The State withdraws an open request, saying why (donors and coordinators read the reason)."""
    request = locked_request(actor, request)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the request is withdrawn.")})
    return changes.set_status(
        actor=actor,
        obj=request,
        status=RequestStatus.WITHDRAWN,
        action="assistance.request.withdrawn",
        reason=reason.strip(),
    )


@transaction.atomic
def close_request(*, actor: User, request: AssistanceRequest, note: str = "") -> AssistanceRequest:
    """The State closes an open request, e.g. once it is fully funded."""
    request = locked_request(actor, request)
    return changes.set_status(
        actor=actor,
        obj=request,
        status=RequestStatus.CLOSED,
        action="assistance.request.closed",
        reason=note.strip(),
    )


@transaction.atomic
def share_request(*, actor: User, request: AssistanceRequest, donors: Iterable[Donor]) -> AssistanceRequest:
    """The State chooses the donors a restricted request is shown to."""
    request = locked_request(actor, request)
    before = sorted(str(pk) for pk in request.shared_with.values_list("pk", flat=True))
    donors = list(donors)
    after = sorted(str(d.pk) for d in donors)
    if before != after:
        request.shared_with.set(donors)
        audit.record(
            actor=actor, action="assistance.request.shared", obj=request, changes={"shared_with": [before, after]}
        )
    return request
