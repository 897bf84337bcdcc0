"""Reconciling Article 7 Form I with the assistance recorded in the portal.

Form I of the 2010 reporting format has a table ``international`` (Art. 7(1)(n)): each row is
assistance *given* or *received*, with a counterpart in free text (a State, a territory or an
organization), a type, an amount and a currency. A donor State's "given" rows are compared, per
(donor, recipient, year, currency), with

- what the recipient State acknowledges in its own Form I ("received" rows naming the donor), and
- the deliveries recorded in the portal: matches from the donor State's offers to the recipient's
  requests marked delivered. A match has no delivery date; the year is that of its
  ``assistance.match.delivered`` audit entry, or the start of the request's period when there is none.

Only the figures in force are read: for the ISU, the latest accepted version of each report; for
everyone else, the latest version the ISU published that they may read
(``reporting.access.readable_versions``), and for a State's focal points also their own accepted ones
(``assistance.access.reconciled_versions``; whose rows each reader sees: ``reconciliation_states``).
Annual updates cover a calendar year (Art. 7(2)): that year is the row's year. Amounts are compared
in the same currency only; nothing is converted.

Rows that cannot be compared are listed apart with the reason, never dropped: a counterpart that
names no State in the register (an organization, a territory, unknown text), the reporting State
itself, a row without an amount or currency, or an initial report (it covers no calendar year).
Rows of a Form I marked "not applicable", and nil reports, state that nothing was given or received:
their leftover rows are not read. A Form I marked "unchanged" restates its rows for the year.

The rows are read from their copy beside each version (``assistance.models.ReportedAssistance``, made the first
time a version is read), never out of the versions' content, and one year at a time when a year is asked for: the
page shows the latest year with data by default (``reconciled_years``), every year only when asked.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import JSONField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, ExtractYear
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assistance import access
from assistance.models import Match, MatchStatus, ReportedAssistance
from assistance.services.reported import copy_reported_assistance
from audit import selectors as audit
from parties.models import State
from reporting.models import ReportKind, ReportVersion

GIVEN, RECEIVED = "given", "received"
DELIVERED_ACTION = "assistance.match.delivered"

# Common short forms of the registered names that reports use. States.csv carries only the
# official names (UN style); each alias here names exactly one State.
ALIASES: dict[str, tuple[str, ...]] = {
    "BIH": ("Bosnia", "Bosnia-Herzegovina"),
    "BOL": ("Bolivia",),
    "CHE": ("Swiss Confederation",),
    "CIV": ("Ivory Coast",),
    "COD": ("DRC", "DR Congo", "Democratic Republic of Congo", "Congo-Kinshasa", "Congo, Democratic Republic of the"),
    "COG": ("Republic of the Congo", "Republic of Congo", "Congo-Brazzaville", "Congo, Republic of the"),
    "CPV": ("Cape Verde",),
    "CZE": ("Czechia",),
    "DEU": ("Federal Republic of Germany",),
    "GBR": ("United Kingdom", "UK", "U.K.", "Great Britain", "Britain"),
    "LAO": ("Laos", "Lao PDR", "Lao P.D.R.", "Lao"),
    "MDA": ("Moldova",),
    "MKD": ("Macedonia", "Republic of North Macedonia"),
    "NLD": ("Holland", "Kingdom of the Netherlands"),
    "PSE": ("Palestine",),
    "SWZ": ("Swaziland",),
    "TZA": ("Tanzania",),
    "VAT": ("Vatican", "Vatican City"),
}
# Words around a State's name that do not change which State it is.
_PREFIXES = ("government of ", "the government of ", "kingdom of ")


def normalize(text: str) -> str:
    """Case, accents, punctuation, "St." and a leading "the" do not matter."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = text.replace("&", " and ")
    text = re.sub(r"\bst\.?(?=\s)", "saint", text)
    text = re.sub(r"['’.]", "", text)
    text = re.sub(r"[^\w]+", " ", text).strip()
    return text.removeprefix("the ")


def _without_parenthesis(text: str) -> str:
    return re.sub(r"\s*\(.*?\)\s*", " ", text).strip()


@dataclass(frozen=True)
class StateRef:
    pk: int
    iso3: str
    name: str


class StateResolver:
    """Which registered State a free-text counterpart names, if any: by ISO3 code, by name
    (with or without its parenthesised part: "Bolivia (Plurinational State of)"), or by a
    common short form (``ALIASES``); case, accents and punctuation aside."""

    def __init__(self, states: Iterable[StateRef]) -> None:
        self._resolved: dict[str, StateRef | None] = {}  # the same counterpart is named again and again
        self.by_pk: dict[int, StateRef] = {}
        self._codes: dict[str, StateRef] = {}
        self._names: dict[str, StateRef] = {}
        for state in states:
            self.by_pk[state.pk] = state
            self._codes[state.iso3] = state
            self._names[normalize(state.name)] = state
        for state in self.by_pk.values():
            self._names.setdefault(normalize(_without_parenthesis(state.name)), state)
        for iso3, aliases in ALIASES.items():
            if iso3 in self._codes:
                for alias in aliases:
                    self._names.setdefault(normalize(alias), self._codes[iso3])

    @classmethod
    def from_database(cls) -> StateResolver:
        return cls(StateRef(*row) for row in State.objects.order_by().values_list("pk", "iso3", "name"))

    def resolve(self, text: Any) -> StateRef | None:
        if not isinstance(text, str) or not text.strip():
            return None
        if text not in self._resolved:
            self._resolved[text] = self._resolve(text.strip())
        return self._resolved[text]

    def _resolve(self, text: str) -> StateRef | None:
        if len(text) == 3 and text.isalpha() and text.upper() in self._codes:
            return self._codes[text.upper()]
        for candidate in (text, _without_parenthesis(text)):
            name = normalize(candidate)
            if name in self._names:
                return self._names[name]
            for prefix in _PREFIXES:
                if name.startswith(prefix) and normalize(name.removeprefix(prefix)) in self._names:
                    return self._names[normalize(name.removeprefix(prefix))]
        return None


# --- Who sees which rows --------------------------------------------------------------------
@dataclass(frozen=True)
class Scope:
    """The rows a reader may see: ``state_ids`` None for every State; a donor sees the rows
    where their State is the donor; a focal point those where their State gives or receives."""

    state_ids: frozenset[int] | None
    donor_only: bool = False

    def covers(self, donor_id: int, recipient_id: int) -> bool:
        if self.state_ids is None:
            return True
        if self.donor_only:
            return donor_id in self.state_ids
        return donor_id in self.state_ids or recipient_id in self.state_ids

    def covers_reporter(self, state_id: int) -> bool:
        return self.state_ids is None or state_id in self.state_ids


def scope_for(user: Any) -> Scope:
    """ISU staff and thematic coordinators see every row; a donor focal point acting for a State
    sees that State's rows as a donor; a focal point sees the rows about their State. Anyone
    else (a donor acting for an organization, which files no Article 7 report) gets 403
    (``assistance.access.reconciliation_states`` decides)."""
    state_ids, donor_only = access.reconciliation_states(user)
    return Scope(state_ids, donor_only=donor_only)


# --- The comparison ---------------------------------------------------------------------------
@dataclass
class Line:
    """One donor, one recipient, one year, one currency."""

    donor: StateRef
    recipient: StateRef
    year: int
    currency: str
    reported_given: Decimal = Decimal(0)
    given_rows: int = 0
    acknowledged: Decimal = Decimal(0)
    acknowledged_rows: int = 0
    delivered: Decimal = Decimal(0)
    deliveries: int = 0
    donor_reported: bool = False  # the donor's accepted report for the year is read
    recipient_reported: bool = False

    @property
    def unacknowledged(self) -> Decimal:
        """Reported by the donor, not yet acknowledged by the recipient."""
        return max(self.reported_given - self.acknowledged, Decimal(0))


class Reason:
    NO_STATE = "no_state"
    SELF = "self"
    NO_AMOUNT = "no_amount"
    NOT_A_NUMBER = "not_a_number"
    NO_YEAR = "no_year"


REASONS = {
    Reason.NO_STATE: _(
        "The counterpart names no State in the register (an organization, a territory or unknown text)."
    ),
    Reason.SELF: _("The counterpart is the reporting State itself."),
    Reason.NO_AMOUNT: _("No amount or no currency: nothing to compare."),
    Reason.NOT_A_NUMBER: _("The amount is not a number."),
    Reason.NO_YEAR: _("Initial report: it covers no calendar year."),
}


@dataclass
class Unresolved:
    """A Form I row that is not compared, with why."""

    reporter: StateRef
    year: int | None
    direction: str
    counterpart: str
    kind: str
    amount: str
    currency: str
    reason: str
    counterpart_state: StateRef | None = None

    @property
    def reason_label(self) -> str:
        return str(REASONS[self.reason])


@dataclass
class Reconciliation:
    lines: list[Line]
    unresolved: list[Unresolved]

    @property
    def unacknowledged_lines(self) -> int:
        return sum(1 for line in self.lines if line.unacknowledged)


def _amount(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        raise ValueError from None
    if not amount.is_finite():
        raise ValueError
    return amount


def _accepted_forms(user: Any, year: int | None) -> list[tuple[int, int | None, list[dict]]]:
    """(State id, year or None, Form I rows) of the latest version of each report ``user`` may read
    (``access.reconciled_versions``), of ``year``'s annual reports (None: every report). One query, the rows
    from their copy (``ReportedAssistance``); versions read for the first time are copied (two more)."""
    versions = ReportVersion.objects.filter(access.reconciled_versions(user))
    if year is not None:
        versions = versions.filter(report__kind=ReportKind.ANNUAL, report__period_year=year)
    copied = ReportedAssistance.objects.filter(version=OuterRef("pk")).values("rows")
    rows = (
        versions.order_by("report_id", "number")
        .annotate(form_i=Subquery(copied, output_field=JSONField()))
        .values_list("pk", "report_id", "report__state_id", "report__kind", "report__period_year", "form_i")
    )
    latest: dict[int, tuple[int, int, int | None, list[dict] | None]] = {}
    for pk, report_id, state_id, kind, period_year, form_i in rows:
        latest[report_id] = (pk, state_id, period_year if kind == ReportKind.ANNUAL else None, form_i)
    missing = [pk for pk, _state, _year, form_i in latest.values() if form_i is None]
    copies = copy_reported_assistance(missing)
    return [
        (state_id, report_year, copies[pk] if form_i is None else form_i)
        for pk, state_id, report_year, form_i in latest.values()
    ]


def _delivery_year() -> Any:
    """The year a delivery counts in: when it was marked delivered (in the portal's time zone, as
    ``timezone.localtime``), else the start of the request's period."""
    return Coalesce(ExtractYear("delivered_at"), ExtractYear("request__period_start"))


def _delivered_matches() -> Any:
    """Delivered matches from donor States with an amount, each with when it was marked delivered."""
    return (
        Match.objects.filter(status=MatchStatus.DELIVERED, offer__donor__state__isnull=False, amount__isnull=False)
        .exclude(currency="")
        .order_by()
        .annotate(delivered_at=audit.latest_time(DELIVERED_ACTION, Match))
    )


def _deliveries(year: int | None) -> Iterable[tuple[int, int, Any, Any, Decimal, str]]:
    """Delivered matches from donor States (of ``year``, None: every year): (donor State, recipient State,
    delivered at or None, request start, amount, currency), in one query."""
    matches = _delivered_matches()
    if year is not None:
        matches = matches.annotate(delivery_year=_delivery_year()).filter(delivery_year=year)
    return matches.values_list(
        "offer__donor__state_id", "request__state_id", "delivered_at", "request__period_start", "amount", "currency"
    )


def reconciled_years(*, user: Any, scope: Scope) -> list[int]:
    """The years the reconciliation has something for ``user`` in, newest first: those of the annual reports
    they may read (``access.reconciled_versions``) and of the deliveries recorded in their ``scope``. One query;
    no content or Form I row is read."""
    reports = (
        ReportVersion.objects.filter(access.reconciled_versions(user), report__kind=ReportKind.ANNUAL)
        .order_by()
        .values_list("report__period_year")
    )
    deliveries = _delivered_matches()
    if scope.state_ids is not None:
        gives = Q(offer__donor__state_id__in=scope.state_ids)
        deliveries = deliveries.filter(gives if scope.donor_only else gives | Q(request__state_id__in=scope.state_ids))
    deliveries = deliveries.annotate(delivery_year=_delivery_year()).values_list("delivery_year")
    return sorted({int(year) for (year,) in reports.union(deliveries)}, reverse=True)  # EXTRACT gives decimals


@dataclass(frozen=True)
class RecordedDelivery:
    """One delivery recorded in the portal, dated as ``reconcile`` dates it."""

    match_id: int
    donor_id: int
    donor_name: str
    recipient_id: int
    recipient_name: str
    year: int
    amount: Decimal
    currency: str


def recorded_deliveries(*, state_id: int, year: int) -> list[RecordedDelivery]:
    """Deliveries recorded in ``year`` with the State as donor or recipient, for the Form I cross-check
    of its annual update (``reporting.checks``). One query."""
    rows = (
        _delivered_matches()
        .filter(Q(offer__donor__state_id=state_id) | Q(request__state_id=state_id))
        .values_list(
            "pk",
            "offer__donor__state_id",
            "offer__donor__state__name",
            "request__state_id",
            "request__state__name",
            "delivered_at",
            "request__period_start",
            "amount",
            "currency",
        )
        .order_by("pk")
    )
    out = []
    for pk, donor_id, donor_name, recipient_id, recipient_name, delivered_at, start, amount, currency in rows:
        delivery_year = timezone.localtime(delivered_at).year if delivered_at else start.year
        if delivery_year == year and donor_id != recipient_id:
            out.append(RecordedDelivery(pk, donor_id, donor_name, recipient_id, recipient_name, year, amount, currency))
    return out


def _set_apart(
    amount_text: Any, *, reporter: StateRef, counterpart: StateRef | None, year: int | None, currency: str
) -> tuple[Decimal | None, str]:
    """A row's amount, and why it cannot be compared ("" when it can): no State named, the reporter itself,
    no calendar year (an initial report), an amount that is no number, no amount or currency (in this order)."""
    try:
        amount, reason = _amount(amount_text), ""
    except ValueError:
        amount, reason = None, Reason.NOT_A_NUMBER
    if counterpart is None:
        return amount, Reason.NO_STATE
    if counterpart.pk == reporter.pk:
        return amount, Reason.SELF
    if year is None:
        return amount, Reason.NO_YEAR
    if not reason and (amount is None or not currency):
        return amount, Reason.NO_AMOUNT
    return amount, reason


@dataclass
class _Tally:
    """What ``reconcile`` adds up for the rows in ``scope``: the lines per (donor, recipient, year, currency),
    the rows set apart, and the (State, year) pairs whose accepted annual report was read."""

    resolver: StateResolver
    scope: Scope
    lines: dict[tuple[int, int, int, str], Line] = field(default_factory=dict)
    unresolved: list[Unresolved] = field(default_factory=list)
    reported: set[tuple[int, int]] = field(default_factory=set)

    def line(self, donor: StateRef, recipient: StateRef, year: int, currency: str) -> Line:
        key = (donor.pk, recipient.pk, year, currency)
        if key not in self.lines:
            self.lines[key] = Line(donor, recipient, year, currency)
        return self.lines[key]

    def add_form(self, state_id: int, report_year: int | None, rows: list[dict]) -> None:
        """The given and received rows of one State's Form I for ``report_year`` (None: an initial report)."""
        reporter = self.resolver.by_pk[state_id]
        if report_year is not None:
            self.reported.add((state_id, report_year))
        for row in rows:
            self.add_row(reporter, report_year, row)

    def add_row(self, reporter: StateRef, report_year: int | None, row: dict) -> None:
        direction = row.get("direction")
        if direction not in (GIVEN, RECEIVED):
            return  # the format requires one of the two; a version without is not comparable
        counterpart_text = str(row.get("counterpart") or "")
        currency = str(row.get("currency") or "").strip().upper()
        counterpart = self.resolver.resolve(counterpart_text)
        donor, recipient = (reporter, counterpart) if direction == GIVEN else (counterpart, reporter)
        covers_reporter = self.scope.covers_reporter(reporter.pk)
        if not covers_reporter and not (counterpart and self.scope.covers(donor.pk, recipient.pk)):
            return
        amount, reason = _set_apart(
            row.get("amount"), reporter=reporter, counterpart=counterpart, year=report_year, currency=currency
        )
        if reason:
            if covers_reporter:
                self.unresolved.append(
                    Unresolved(
                        reporter=reporter,
                        year=report_year,
                        direction=direction,
                        counterpart=counterpart_text,
                        kind=str(row.get("kind") or ""),
                        amount=str(row.get("amount") or ""),
                        currency=currency,
                        reason=reason,
                        counterpart_state=counterpart,
                    )
                )
            return
        if not self.scope.covers(donor.pk, recipient.pk):
            return
        entry = self.line(donor, recipient, report_year, currency)
        if direction == GIVEN:
            entry.reported_given += amount
            entry.given_rows += 1
        else:
            entry.acknowledged += amount
            entry.acknowledged_rows += 1

    def add_delivery(
        self, donor_id: int, recipient_id: int, delivered_at: Any, period_start: Any, amount: Decimal, currency: str
    ) -> None:
        """A delivery recorded in the portal, in the year it was marked delivered (else its period's start)."""
        if not self.scope.covers(donor_id, recipient_id) or donor_id == recipient_id:
            return
        delivery_year = timezone.localtime(delivered_at).year if delivered_at else period_start.year
        entry = self.line(self.resolver.by_pk[donor_id], self.resolver.by_pk[recipient_id], delivery_year, currency)
        entry.delivered += amount
        entry.deliveries += 1

    def result(self) -> Reconciliation:
        for entry in self.lines.values():
            entry.donor_reported = (entry.donor.pk, entry.year) in self.reported
            entry.recipient_reported = (entry.recipient.pk, entry.year) in self.reported
        chosen = sorted(self.lines.values(), key=lambda e: (-e.year, e.donor.name, e.recipient.name, e.currency))
        unresolved = sorted(
            self.unresolved, key=lambda u: (-(u.year or 0), u.reporter.name, u.direction, u.counterpart.casefold())
        )
        return Reconciliation(lines=chosen, unresolved=unresolved)


def reconcile(*, user: Any, scope: Scope, year: int | None = None) -> Reconciliation:
    """Form I given/received rows and recorded deliveries per (donor, recipient, year, currency),
    for the rows in ``scope``, read from the reports ``user`` may read: of ``year`` (its annual reports and
    deliveries), or of every year and the initial reports when ``year`` is None. Three queries (two more
    the first time a version is read), whatever the number of years."""
    tally = _Tally(StateResolver.from_database(), scope)
    for state_id, report_year, rows in _accepted_forms(user, year):
        tally.add_form(state_id, report_year, rows)
    for delivery in _deliveries(year):
        tally.add_delivery(*delivery)
    return tally.result()
