"""Form I of a report (international assistance given or received) against the deliveries this app records:
a cross-check the review shows beside reporting's own (registered with ``reporting.checks.register``)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from assistance.reconciliation import StateResolver, recorded_deliveries
from reporting.checks import Finding, Place, as_number, form_given, make_finding, row_place, table_place, table_rows
from reporting.models import Report


def assistance_against_registry(report: Report, current: dict[str, Any]) -> list[Finding]:
    """Form I (international assistance given or received) against the deliveries recorded in the
    portal for the State and the year (``assistance.reconciliation``). An initial report covers no
    calendar year: nothing to compare."""
    if report.is_initial or report.period_year is None:
        return []
    deliveries = recorded_deliveries(state_id=report.state_id, year=report.period_year)
    if not deliveries:
        return []
    resolver = StateResolver.from_database()
    rows = list(enumerate(table_rows(current, "I", "international"), start=1)) if form_given(current, "I") else []
    reported: dict[tuple[str, int, str], Decimal] = defaultdict(Decimal)
    row_for: dict[tuple[str, int, str], tuple[int, dict[str, Any]]] = {}
    for n, row in rows:
        counterpart = resolver.resolve(row.get("counterpart"))
        if counterpart is None:
            continue
        key = (str(row.get("direction") or ""), counterpart.pk, str(row.get("currency") or "").upper())
        reported[key] += as_number(row.get("amount"))
        row_for.setdefault(key, (n, row))
    recorded: dict[tuple[str, int, str], Decimal] = defaultdict(Decimal)
    first: dict[tuple[str, int, str], Any] = {}
    for delivery in deliveries:
        if delivery.recipient_id == report.state_id:
            key = ("received", delivery.donor_id, delivery.currency)
        else:
            key = ("given", delivery.recipient_id, delivery.currency)
        recorded[key] += delivery.amount
        first.setdefault(key, delivery)
    findings = []
    for key, amount in recorded.items():
        direction, _counterpart, currency = key
        delivery = first[key]
        other = delivery.donor_name if direction == "received" else delivery.recipient_name
        registry = Place(
            label=_("Assistance registry: delivery from %(donor)s to %(recipient)s in %(year)s")
            % {"donor": delivery.donor_name, "recipient": delivery.recipient_name, "year": delivery.year},
            url=reverse("assistance:match_detail", args=[delivery.match_id]),
        )
        if reported.get(key, Decimal(0)) == amount:
            continue
        values = {
            "amount": f"{amount:,}",
            "currency": currency,
            "other": other,
            "year": report.period_year,
            "reported": f"{reported.get(key, Decimal(0)):,}",
        }
        if key not in row_for:
            message = (
                _(
                    "The portal records %(amount)s %(currency)s delivered by %(other)s in %(year)s, but Form I lists "
                    "no assistance received from %(other)s in %(currency)s."
                )
                if direction == "received"
                else _(
                    "The portal records %(amount)s %(currency)s delivered to %(other)s in %(year)s, but Form I lists "
                    "no assistance given to %(other)s in %(currency)s."
                )
            ) % values
            findings.append(
                make_finding("i_missing_registry_delivery", message, table_place("I", "international"), registry)
            )
        else:
            n, row = row_for[key]
            message = (
                _(
                    "Form I gives %(reported)s %(currency)s with %(other)s in %(year)s; the portal records %(amount)s "
                    "%(currency)s delivered."
                )
                % values
            )
            findings.append(
                make_finding(
                    "i_differs_from_registry", message, row_place("I", "international", row, n, other), registry
                )
            )
    return findings
