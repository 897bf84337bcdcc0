"""Cross-checks a reviewer would otherwise do by hand.

They return warnings that ask for an explanation, never rejections: stockpile totals
are revised between years and surveys find new contamination (domain brief, section 5).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from parties.models import Article, ObligationStatus
from reporting.models import Report, ReportingRules


@dataclass(frozen=True)
class Finding:
    code: str
    form_code: str
    path: str
    message: str


def _key(text: Any) -> str:
    return " ".join(str(text or "").split()).casefold()


def _rows(content: dict[str, Any] | None, form: str, table: str) -> list[dict[str, Any]]:
    if not content:
        return []
    return ((content.get("forms") or {}).get(form) or {}).get("tables", {}).get(table) or []


def _number(value: Any) -> Decimal:
    try:
        return Decimal(str(value)) if value not in (None, "") else Decimal(0)
    except ArithmeticError:
        return Decimal(0)


def _by_type(rows: list[dict[str, Any]], field: str, key: str = "type") -> dict[str, Decimal]:
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for row in rows:
        totals[_key(row.get(key))] += _number(row.get(field))
    return totals


def _label(rows_by_key: dict[str, str], key: str) -> str:
    return rows_by_key.get(key, key)


def stockpile_balance(previous: dict[str, Any] | None, current: dict[str, Any]) -> list[Finding]:
    """Per type: last year's stock − destroyed − transferred + newly discovered = this year's stock."""
    if previous is None:
        return []
    findings = []
    labels = {
        _key(r.get("type")): str(r.get("type"))
        for content in (previous, current)
        for table in ("stockpile", "destroyed", "discovered")
        for r in _rows(content, "B", table)
    } | {_key(r.get("type")): str(r.get("type")) for r in _rows(current, "D", "transferred")}
    for field, noun in (("munitions", _("cluster munitions")), ("submunitions", _("submunitions"))):
        before = _by_type(_rows(previous, "B", "stockpile"), field)
        destroyed = _by_type(_rows(current, "B", "destroyed"), field)
        transferred = _by_type(_rows(current, "D", "transferred"), field)
        discovered = _by_type(_rows(current, "B", "discovered"), field)
        now = _by_type(_rows(current, "B", "stockpile"), field)
        for key in sorted(set(before) | set(destroyed) | set(transferred) | set(discovered) | set(now)):
            expected = before[key] - destroyed[key] - transferred[key] + discovered[key]
            if expected != now[key]:
                findings.append(
                    Finding(
                        code="stockpile_balance",
                        form_code="B",
                        path="forms.B.tables.stockpile",
                        message=_(
                            "%(type)s, %(noun)s: last year's stock %(before)s − destroyed %(destroyed)s − transferred "
                            "%(transferred)s + discovered %(discovered)s = %(expected)s, but the stock reported is "
                            "%(now)s. Explain the difference (a recount, a correction) or fix the figures."
                        )
                        % {
                            "type": _label(labels, key) or _("(no type)"),
                            "noun": noun,
                            "before": before[key],
                            "destroyed": destroyed[key],
                            "transferred": transferred[key],
                            "discovered": discovered[key],
                            "expected": expected,
                            "now": now[key],
                        },
                    )
                )
    return findings


def cleared_within_contaminated(previous: dict[str, Any] | None, current: dict[str, Any]) -> list[Finding]:
    """Area cleared in a location should not exceed the contaminated area known there."""
    known_rows = _rows(previous, "F", "areas") if previous else _rows(current, "F", "areas")
    known = _by_type(known_rows, "area", key="location")
    cleared = _by_type(_rows(current, "F", "cleared"), "area", key="location")
    findings = []
    for location, area in cleared.items():
        if location in known and area > known[location]:
            findings.append(
                Finding(
                    code="cleared_exceeds_contaminated",
                    form_code="F",
                    path="forms.F.tables.cleared",
                    message=_(
                        "%(location)s: %(cleared)s m² cleared, more than the %(known)s m² recorded as "
                        "contaminated there. Was more contamination found during survey?"
                    )
                    % {"location": location, "cleared": f"{area:,}", "known": f"{known[location]:,}"},
                )
            )
    if previous:
        total_known, total_cleared = sum(known.values(), Decimal(0)), sum(cleared.values(), Decimal(0))
        if total_known and total_cleared > total_known:
            findings.append(
                Finding(
                    code="cleared_exceeds_contaminated",
                    form_code="F",
                    path="forms.F",
                    message=_(
                        "In total %(cleared)s m² were cleared, more than the %(known)s m² contaminated at the end of "
                        "the previous period."
                    )
                    % {"cleared": f"{total_cleared:,}", "known": f"{total_known:,}"},
                )
            )
    return findings


def retained_while_stockpile_open(report: Report, current: dict[str, Any]) -> list[Finding]:
    """Art. 3.6 retention reported while the State still has to destroy its stockpile."""
    retained = sum(
        (_number(r.get("munitions")) + _number(r.get("submunitions")) for r in _rows(current, "D", "retained")),
        Decimal(0),
    )
    if not retained:
        return []
    day = (
        dt.date(report.period_year, 12, 31)
        if report.period_year
        else (report.state.entry_into_force or dt.date.today())
    )
    obligation = next((o for o in report.state.obligations.all() if o.article == Article.STOCKPILE_DESTRUCTION), None)
    if obligation is None:
        return []
    obligation.state = report.state
    if obligation.status_on(day) != ObligationStatus.OPEN:
        return []
    return [
        Finding(
            code="retained_while_art3_open",
            form_code="D",
            path="forms.D.tables.retained",
            message=_(
                "Cluster munitions are reported as retained (Art. 3.6) while the Art. 3 obligation to destroy the "
                "stockpile is still open on %(date)s. Confirm they are counted apart from the stockpile to destroy."
            )
            % {"date": day.isoformat()},
        )
    ]


def year_on_year(previous: dict[str, Any] | None, current: dict[str, Any], threshold_percent: Decimal) -> list[Finding]:
    """Totals that moved by more than the ISU's threshold ask for an explanation."""
    if previous is None:
        return []
    totals = [
        ("B", "stockpile", "munitions", _("Cluster munitions in stock")),
        ("B", "stockpile", "submunitions", _("Submunitions in stock")),
        ("F", "areas", "area", _("Contaminated area (m²)")),
    ]
    findings = []
    for form, table, field, label in totals:
        before = sum((_number(r.get(field)) for r in _rows(previous, form, table)), Decimal(0))
        now = sum((_number(r.get(field)) for r in _rows(current, form, table)), Decimal(0))
        if not before:
            continue
        change = (now - before) / before * 100
        if abs(change) > threshold_percent:
            findings.append(
                Finding(
                    code="year_on_year_change",
                    form_code=form,
                    path=f"forms.{form}.tables.{table}",
                    message=_(
                        "%(label)s changed by %(change)s%% since the last accepted report (%(before)s → %(now)s). "
                        "Add a word of explanation in the narrative."
                    )
                    % {"label": label, "change": f"{change:+.1f}", "before": f"{before:,}", "now": f"{now:,}"},
                )
            )
    return findings


def check_report(report: Report, cleaned: dict[str, Any] | None = None) -> list[Finding]:
    from reporting import services

    if cleaned is None:
        cleaned = services.validation_for(report).cleaned
    previous_version = (
        None if report.is_initial else services.last_accepted_version(report.state, before_year=report.period_year)
    )
    previous = previous_version.content if previous_version else None
    rules = ReportingRules.current()
    return [
        *stockpile_balance(previous, cleaned),
        *cleared_within_contaminated(previous, cleaned),
        *retained_while_stockpile_open(report, cleaned),
        *year_on_year(previous, cleaned, rules.year_on_year_warning_percent),
    ]
