"""Which reports a State owes (its initial report, and an annual update for each year under the ISU's
rule: ``ReportingRules``, on ``parties.rules``) and the accepted version a new report starts from."""

from __future__ import annotations

import datetime as dt

from django.db.models import F, Q

from parties import rules
from parties.models import State
from reporting.models import ReportingRules, ReportKind, ReportVersion, VersionOutcome


def first_annual_year(state: State, first_annual_period: str) -> int | None:
    """The first calendar year a State's annual update covers, under the ISU's rule
    (``ReportingRules.first_annual_period``: the sources leave it open). The rule is ``parties.rules``'."""
    return rules.first_annual_year(
        state.entry_into_force, after_initial=first_annual_period == ReportingRules.FirstAnnual.YEAR_AFTER_INITIAL_DUE
    )


def expected_annual_years(state: State, *, today: dt.date, rules_row: ReportingRules | None = None) -> list[int]:
    """Calendar years a State owes an annual update for, up to last year (a State starts the update for a
    year once the year is over; ``parties.rules.owes_annual_report`` says which years it owes)."""
    eif = state.entry_into_force
    if eif is None or eif > today:
        return []
    after_initial = (rules_row or ReportingRules.current()).first_annual_period == (
        ReportingRules.FirstAnnual.YEAR_AFTER_INITIAL_DUE
    )
    first = rules.first_annual_year(eif, after_initial=after_initial)
    return [
        year
        for year in range(first, today.year)
        if rules.owes_annual_report(eif, state.withdrawal_effective_on, year, after_initial=after_initial)
    ]


def last_accepted_version(state: State, *, before_year: int | None = None) -> ReportVersion | None:
    """The State's most recent accepted version, for a period before ``before_year`` when given.
    An initial report counts as earlier than every annual update."""
    versions = ReportVersion.objects.filter(report__state=state, outcome=VersionOutcome.ACCEPTED).select_related(
        "report"
    )
    if before_year is not None:
        versions = versions.filter(Q(report__kind=ReportKind.INITIAL) | Q(report__period_year__lt=before_year))
    # NULL period (the initial report) sorts last in a descending order on both databases.
    return versions.order_by(F("report__period_year").desc(nulls_last=True), "-number").first()
