"""The checks requests, offers and matches share before anything is written: an amount and its currency,
a period, a budget range. Each returns ``{field: message}`` (empty when all is well), so that a service
names every problem at once; the forms run them too, to show the problems next to their fields."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext as _

from assistance.models import MAX_AMOUNT
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
