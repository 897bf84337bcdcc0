"""Cross-checks a reviewer would otherwise do by hand.

They return warnings that ask for an explanation, never rejections: stockpile totals
are revised between years and surveys find new contamination (domain brief, section 5).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from ccm_portal.core import clock
from parties.models import Article, ObligationStatus
from reporting import periods
from reporting.content import detect_unchanged, validation_for
from reporting.formats import Choice, FormatDefinition
from reporting.models import Report, ReportingRules, ReportVersion


@dataclass(frozen=True)
class Place:
    """One side of a warning: a form's choice, a table or a row (``path`` as validation names it),
    or a record outside the report (``url``: e.g. a delivery in the assistance registry)."""

    label: str
    form_code: str = ""
    path: str = ""
    url: str = ""

    @property
    def anchor(self) -> str:
        """The element id of the place on the form's editing page."""
        parts = self.path.split(".")
        if len(parts) >= 5 and parts[2] == "tables":
            return f"row-{parts[4]}"
        if len(parts) == 4 and parts[2] == "tables":
            return f"table-{parts[3]}"
        if len(parts) == 3 and parts[2] == "choice":
            return f"f-{parts[1]}-choice"
        return ""


@dataclass(frozen=True)
class Finding:
    code: str
    form_code: str
    path: str
    message: str
    # Cross-form warnings name both places (the first is ``form_code``/``path``).
    places: tuple[Place, ...] = ()

    def concerns(self, code: str) -> bool:
        """Whether the warning is about Form ``code`` (on either side)."""
        return concerns(self, code)


def _grouped(number: Any) -> str:
    """A quantity in a message, grouped as the reader's language groups figures (1,234 · 1 234)."""
    return number_format(number, force_grouping=True)


def _key(text: Any) -> str:
    return " ".join(str(text or "").split()).casefold()


def table_rows(content: dict[str, Any] | None, form: str, table: str) -> list[dict[str, Any]]:
    if not content:
        return []
    return ((content.get("forms") or {}).get(form) or {}).get("tables", {}).get(table) or []


def as_number(value: Any) -> Decimal:
    try:
        return Decimal(str(value)) if value not in (None, "") else Decimal(0)
    except ArithmeticError:
        return Decimal(0)


def _by_type(rows: list[dict[str, Any]], field: str, key: str = "type") -> dict[str, Decimal]:
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for row in rows:
        totals[_key(row.get(key))] += as_number(row.get(field))
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
        for r in table_rows(content, "B", table)
    } | {_key(r.get("type")): str(r.get("type")) for r in table_rows(current, "D", "transferred")}
    for field, noun in (("munitions", _("cluster munitions")), ("submunitions", _("submunitions"))):
        before = _by_type(table_rows(previous, "B", "stockpile"), field)
        destroyed = _by_type(table_rows(current, "B", "destroyed"), field)
        transferred = _by_type(table_rows(current, "D", "transferred"), field)
        discovered = _by_type(table_rows(current, "B", "discovered"), field)
        now = _by_type(table_rows(current, "B", "stockpile"), field)
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
    known_rows = table_rows(previous, "F", "areas") if previous else table_rows(current, "F", "areas")
    known = _by_type(known_rows, "area", key="location")
    cleared = _by_type(table_rows(current, "F", "cleared"), "area", key="location")
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
                    % {"location": location, "cleared": _grouped(area), "known": _grouped(known[location])},
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
                    % {"cleared": _grouped(total_cleared), "known": _grouped(total_known)},
                )
            )
    return findings


def retained_while_stockpile_open(report: Report, current: dict[str, Any]) -> list[Finding]:
    """Art. 3.6 retention reported while the State still has to destroy its stockpile."""
    retained = sum(
        (
            as_number(r.get("munitions")) + as_number(r.get("submunitions"))
            for r in table_rows(current, "D", "retained")
        ),
        Decimal(0),
    )
    if not retained:
        return []
    day = (
        dt.date(report.period_year, 12, 31) if report.period_year else (report.state.entry_into_force or clock.today())
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
        before = sum((as_number(r.get(field)) for r in table_rows(previous, form, table)), Decimal(0))
        now = sum((as_number(r.get(field)) for r in table_rows(current, form, table)), Decimal(0))
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
                    % {"label": label, "change": f"{change:+.1f}", "before": _grouped(before), "now": _grouped(now)},
                )
            )
    return findings


# --- Contradictions between forms (issue 12) ------------------------------------------------------
def _form(content: dict[str, Any], code: str) -> dict[str, Any]:
    return (content.get("forms") or {}).get(code) or {}


def _not_applicable(content: dict[str, Any], code: str) -> bool:
    return _form(content, code).get("choice") == Choice.NOT_APPLICABLE


def form_given(content: dict[str, Any], code: str) -> bool:
    """The form gives its content (changed, or restated as unchanged): its rows can be read."""
    return _form(content, code).get("choice") in (Choice.CHANGED, Choice.UNCHANGED)


def _quantity(row: dict[str, Any]) -> Decimal:
    return as_number(row.get("munitions")) + as_number(row.get("submunitions"))


def typed(text: str) -> str:
    """What the State typed, set apart (Unicode's first-strong isolate) inside a sentence of the portal's: an
    English statement quoted in an Arabic warning keeps its punctuation at its own end."""
    return f"\u2068{text}\u2069"


# The format of the report being checked (``check_report`` sets it), in the reader's language: a place names the
# table by its label ("Stockpiles" in English, « Stocks » in French), not its key; the key when checked alone.
_format: ContextVar[FormatDefinition | None] = ContextVar("checked_format", default=None)


def _table_label(code: str, table: str) -> str:
    spec = _format.get()
    try:
        return spec.form(code).table(table).label if spec is not None else table
    except (KeyError, StopIteration):
        return table


def _choice_place(content: dict[str, Any], code: str) -> Place:
    statement = _form(content, code).get("na_statement") or ""
    label = _("Form %(code)s: not applicable") % {"code": code}
    if statement:
        label += f" (“{typed(statement)}”)"
    return Place(label=label, form_code=code, path=f"forms.{code}.choice")


def row_place(code: str, table: str, row: dict[str, Any], position: int, what: str) -> Place:
    label = _("Form %(code)s, %(table)s, row %(n)s (%(what)s)") % {
        "code": code,
        "table": _table_label(code, table),
        "n": position,
        "what": typed(what),
    }
    return Place(label=label, form_code=code, path=f"forms.{code}.tables.{table}.{row.get('_id') or ''}")


def table_place(code: str, table: str) -> Place:
    return Place(
        label=_("Form %(code)s, %(table)s") % {"code": code, "table": _table_label(code, table)},
        form_code=code,
        path=f"forms.{code}.tables.{table}",
    )


def concerns(finding: Any, code: str) -> bool:
    """Whether a warning is about Form ``code``, on either side (any object with ``form_code``)."""
    return getattr(finding, "form_code", "") == code or any(
        getattr(place, "form_code", "") == code for place in getattr(finding, "places", ())
    )


def make_finding(code: str, message: str, first: Place, second: Place) -> Finding:
    return Finding(code=code, form_code=first.form_code, path=first.path, message=message, places=(first, second))


def stocks_against_types(current: dict[str, Any]) -> list[Finding]:
    """Form B (stocks held) against Form C (the types produced or held, with their characteristics)."""
    findings = []
    held = (
        [(n, row) for n, row in enumerate(table_rows(current, "B", "stockpile"), start=1) if _quantity(row) > 0]
        if form_given(current, "B")
        else []
    )
    types_rows = list(enumerate(table_rows(current, "C", "types"), start=1)) if form_given(current, "C") else []
    listed = {_key(row.get("type")) for _n, row in types_rows}
    for n, row in held:
        kind = str(row.get("type") or _("(no type)"))
        place = row_place("B", "stockpile", row, n, kind)
        if _not_applicable(current, "C"):
            findings.append(
                make_finding(
                    "b_stock_while_c_none",
                    _(
                        "Form B declares %(munitions)s cluster munitions and %(submunitions)s submunitions of type "
                        "%(type)s held, but Form C says it does not apply: the State neither produced nor holds any "
                        "type. Give the type's characteristics in Form C, or correct Form B."
                    )
                    % {
                        "munitions": as_number(row.get("munitions")),
                        "submunitions": as_number(row.get("submunitions")),
                        "type": typed(kind),
                    },
                    place,
                    _choice_place(current, "C"),
                )
            )
        elif types_rows and _key(row.get("type")) not in listed:
            findings.append(
                make_finding(
                    "b_type_missing_in_c",
                    _(
                        "Form B declares type %(type)s held, but Form C lists no type %(type)s with its technical "
                        "characteristics."
                    )
                    % {"type": typed(kind)},
                    place,
                    table_place("C", "types"),
                )
            )
    held_types = {_key(row.get("type")) for _n, row in held}
    for n, row in types_rows:
        if row.get("currently_held") is not True:
            continue
        kind = str(row.get("type") or _("(no type)"))
        place = row_place("C", "types", row, n, kind)
        if _not_applicable(current, "B"):
            findings.append(
                make_finding(
                    "c_held_while_b_none",
                    _(
                        "Form C says type %(type)s is currently owned or possessed, but Form B says it does not "
                        "apply: the State holds no cluster munitions."
                    )
                    % {"type": typed(kind)},
                    place,
                    _choice_place(current, "B"),
                )
            )
        elif held and _key(row.get("type")) not in held_types:
            findings.append(
                make_finding(
                    "c_held_missing_in_b",
                    _("Form C says type %(type)s is currently held, but Form B declares no stock of type %(type)s.")
                    % {"type": typed(kind)},
                    place,
                    table_place("B", "stockpile"),
                )
            )
    return findings


def retention_against_stocks(current: dict[str, Any]) -> list[Finding]:
    """Form D (retained or transferred under Art. 3.6–3.8) against Form B saying the State holds none."""
    if not _not_applicable(current, "B") or not form_given(current, "D"):
        return []
    findings = []
    for table, noun in (("retained", _("retained")), ("transferred", _("transferred"))):
        for n, row in enumerate(table_rows(current, "D", table), start=1):
            if _quantity(row) <= 0:
                continue
            kind = str(row.get("type") or _("(no type)"))
            findings.append(
                make_finding(
                    "d_retained_while_b_none",
                    _(
                        "Form D reports %(munitions)s cluster munitions and %(submunitions)s submunitions of type "
                        "%(type)s %(noun)s, but Form B says it does not apply: the State holds no cluster munitions "
                        "and destroyed none. Retained munitions are held: say so in Form B."
                    )
                    % {
                        "munitions": as_number(row.get("munitions")),
                        "submunitions": as_number(row.get("submunitions")),
                        "type": typed(kind),
                        "noun": noun,
                    },
                    row_place("D", table, row, n, kind),
                    _choice_place(current, "B"),
                )
            )
    return findings


def contamination_against_education_and_victims(current: dict[str, Any]) -> list[Finding]:
    """Form F (contaminated areas) against Forms G (risk education) and H (victims) declared not applicable."""
    areas = table_rows(current, "F", "areas") if form_given(current, "F") else []
    findings = []
    if areas:
        place = table_place("F", "areas")
        count = len(areas)
        if _not_applicable(current, "G"):
            findings.append(
                make_finding(
                    "f_areas_while_g_none",
                    _(
                        "Form F lists %(n)s contaminated area(s), but Form G says it does not apply because no area "
                        "is known to be contaminated. Describe the risk education and warnings in Form G, or "
                        "correct Form F."
                    )
                    % {"n": count},
                    place,
                    _choice_place(current, "G"),
                )
            )
        if _not_applicable(current, "H"):
            findings.append(
                make_finding(
                    "f_areas_while_h_none",
                    _(
                        "Form F lists %(n)s contaminated area(s), but Form H says it does not apply: no victims "
                        "known. Confirm that no cluster munition casualties are known in those areas."
                    )
                    % {"n": count},
                    place,
                    _choice_place(current, "H"),
                )
            )
    elif _not_applicable(current, "F") and form_given(current, "G"):
        findings.append(
            make_finding(
                "g_education_while_f_none",
                _(
                    "Form G describes risk reduction education in contaminated areas, but Form F says it does not "
                    "apply: no area is known to be contaminated."
                ),
                Place(
                    label=_("Form %(code)s: risk reduction education") % {"code": "G"},
                    form_code="G",
                    path="forms.G.choice",
                ),
                _choice_place(current, "F"),
            )
        )
    return findings


def unchanged_but_differs(report: Report, current: dict[str, Any]) -> list[Finding]:
    """A form the focal point marked "unchanged since" whose content differs from the accepted report
    the draft was started from. The choice is theirs and is kept; the contradiction is shown."""

    if report.based_on_id is None:
        return []
    base = ReportVersion.objects.select_related("report").get(pk=report.based_on_id)
    same = detect_unchanged(base.content, current)
    year = base.report.period_year or base.submitted_at.year
    findings = []
    for code, form in (current.get("forms") or {}).items():
        if form.get("choice") != Choice.UNCHANGED or same.get(code, True):
            continue
        since = form.get("unchanged_since") or year
        findings.append(
            make_finding(
                "unchanged_but_differs",
                _(
                    "Form %(code)s is marked “Unchanged since %(since)s”, but its content differs from the accepted "
                    "report for %(year)s it was started from. Choose “Changed”, or undo the edits."
                )
                % {"code": code, "since": since, "year": year},
                Place(
                    label=_("Form %(code)s: “Unchanged since %(since)s”") % {"code": code, "since": since},
                    form_code=code,
                    path=f"forms.{code}.choice",
                ),
                Place(
                    label=_("Form %(code)s in the accepted report for %(year)s") % {"code": code, "year": year},
                    url=reverse("reporting:version_detail", args=[base.report_id, base.number]) + f"#form-{code}",
                ),
            )
        )
    return findings


# Cross-checks against records other apps keep, registered from their ``AppConfig.ready`` so that this
# app knows none of them: each is ``check(report, cleaned) -> list[Finding]``.
_REGISTERED: list[Callable[[Report, dict[str, Any]], list[Finding]]] = []


def register(check: Callable[[Report, dict[str, Any]], list[Finding]]) -> None:
    """Run ``check`` with the others on every report (once, however often it is registered)."""
    if check not in _REGISTERED:
        _REGISTERED.append(check)


def check_report(report: Report, cleaned: dict[str, Any] | None = None) -> list[Finding]:

    if cleaned is None:
        cleaned = validation_for(report).cleaned
    previous_version = (
        None if report.is_initial else periods.last_accepted_version(report.state, before_year=report.period_year)
    )
    previous = previous_version.content if previous_version else None
    rules = ReportingRules.current()
    token = _format.set(report.format_version.spec)
    try:
        return _findings(report, previous, cleaned, rules)
    finally:
        _format.reset(token)


def _findings(
    report: Report, previous: dict[str, Any] | None, cleaned: dict[str, Any], rules: ReportingRules
) -> list[Finding]:
    return [
        *stockpile_balance(previous, cleaned),
        *cleared_within_contaminated(previous, cleaned),
        *retained_while_stockpile_open(report, cleaned),
        *year_on_year(previous, cleaned, rules.year_on_year_warning_percent),
        *stocks_against_types(cleaned),
        *retention_against_stocks(cleaned),
        *contamination_against_education_and_victims(cleaned),
        # Checks other apps register (assistance: Form I against the deliveries it records).
        *(found for check in _REGISTERED for found in check(report, cleaned)),
        *unchanged_but_differs(report, cleaned),
    ]
