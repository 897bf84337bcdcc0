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
    AssistanceRequest,
)
from audit import services as audit
from reporting.formats import currencies


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
    errors = check_money(amount, currency) | check_period(period_start, period_end)
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
