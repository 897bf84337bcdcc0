"""Article 7 reporting rates as of a date: initial reports (Art. 7(1)) and annual updates (Art. 7(2)).

What is known of each report comes from the one selector of reporting records (``reporting.records``): a
report is *submitted* (through the portal, or a source outside it says so, with the date and its precision
or a bound), *not submitted* (a source says so, or it fell due when the portal already was the complete
record), or there is *no record* of it. "No record" is never counted as a failure: each rate says how many
of the reports it counts have a record at all (its coverage), and shows the nearest published total beside
the computed one. Submission dates are not restricted information (a restricted report still counts as
submitted), so the public and the ISU see the same rates.

Five queries whatever the number of States, reports and years: the States, the portal's versions, the
records, the ISU's rules (``reporting.records.load``) and the published totals.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import models
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from parties import rules
from parties.models import PublishedFigure, PublishedFigureTopic, State
from progress.types import Coverage, Figure, Published
from reporting import periods, records
from reporting.models import ReportingRules, ReportKind

# The dashboard's section key (``progress.selectors`` gives it its label and its place).
SECTION = "transparency"
SOURCE = _lazy(
    "Article 7 reports submitted through the portal (their submission dates), and what sources outside the "
    "portal say of reports received or not received (the UN's records, the ISU, the Cluster Munition Coalition, "
    "the Cluster Munition Monitor: each record names its source); treaty dates from the registry "
    "(UN Treaty Collection, MTDSG chapter XXVI-6)."
)


class Timeliness(models.TextChoices):
    """What is known of one report due on a date, as it stood on another. Exclusive: a nil report is
    counted apart, whether it came on time or late."""

    ON_TIME = "on_time", _lazy("Submitted on time")
    LATE = "late", _lazy("Submitted late")
    TIMING_UNKNOWN = "timing_unknown", _lazy("Submitted, date unknown")
    NIL = "nil", _lazy("Nil report")
    NOT_SUBMITTED = "not_submitted", _lazy("Not submitted")
    NO_RECORD = "no_record", _lazy("No record")


SUBMITTED = (Timeliness.ON_TIME, Timeliness.LATE, Timeliness.TIMING_UNKNOWN, Timeliness.NIL)


def classify(report: records.ReportState) -> Timeliness:
    if report.status == records.Status.SUBMITTED:
        if report.is_nil:
            return Timeliness.NIL
        return {
            records.Timing.ON_TIME: Timeliness.ON_TIME,
            records.Timing.LATE: Timeliness.LATE,
        }.get(report.timing, Timeliness.TIMING_UNKNOWN)
    if report.status == records.Status.NO_RECORD:
        return Timeliness.NO_RECORD
    return Timeliness.NOT_SUBMITTED


@dataclass(frozen=True)
class Outcome:
    """One reporting obligation (the initial reports, or the annual updates for one year) as of a date:
    the States expected and what is known of each one's report."""

    kind: str  # ReportKind
    year: int | None
    due: dt.date | None  # the single due date of an annual update; None for initial reports (one per State)
    expected: tuple[State, ...]
    by_state: dict[str, Timeliness] = field(default_factory=dict)  # ISO3 → outcome
    reports: dict[str, records.ReportState] = field(default_factory=dict)  # ISO3 → what is known

    def states(self, *timeliness: Timeliness) -> tuple[str, ...]:
        return tuple(s.iso3 for s in self.expected if not timeliness or self.by_state[s.iso3] in timeliness)

    def count(self, timeliness: Timeliness) -> int:
        return sum(1 for value in self.by_state.values() if value == timeliness)

    @property
    def submitted(self) -> tuple[str, ...]:
        return self.states(*SUBMITTED)

    @property
    def recorded(self) -> tuple[str, ...]:
        return tuple(s.iso3 for s in self.expected if self.by_state[s.iso3] != Timeliness.NO_RECORD)

    @property
    def disputed(self) -> tuple[str, ...]:
        return tuple(iso3 for iso3, report in self.reports.items() if report.disputed)

    def coverage(self) -> Coverage:
        return Coverage(
            recorded=len(self.recorded),
            of=len(self.expected),
            no_record=self.states(Timeliness.NO_RECORD),
            disputed=self.disputed,
        )

    def by_region(self, iso3s: tuple[str, ...]) -> dict[str, int]:
        wanted = set(iso3s)
        counts: dict[str, int] = defaultdict(int)
        for state in self.expected:
            if state.iso3 in wanted:
                counts[state.region] += 1
        return dict(sorted(counts.items()))


# Everything the rates need, loaded once.
ReportingData = records.Records


def load(as_of: dt.date, *, states: list[State] | None = None) -> ReportingData:
    return records.load(as_of, states=states)


def _outcome(kind: str, year: int | None, due: dt.date | None, reports: list[records.ReportState]) -> Outcome:
    return Outcome(
        kind=kind,
        year=year,
        due=due,
        expected=tuple(r.state for r in reports),
        by_state={r.state.iso3: classify(r) for r in reports},
        reports={r.state.iso3: r for r in reports},
    )


def initial_outcome(data: ReportingData) -> Outcome:
    """States Parties on the date (withdrawn ones no longer count) whose initial report was due by then."""
    return _outcome(ReportKind.INITIAL, None, None, data.initial_owed())


def annual_outcome(data: ReportingData, year: int) -> Outcome:
    return _outcome(ReportKind.ANNUAL, year, rules.annual_report_due(year), data.annual_owed(year))


def annual_outcomes(data: ReportingData) -> list[Outcome]:
    """Every reporting year whose 30 April deadline fell on or before the date, oldest first."""
    years = range(rules.FIRST_REPORTING_YEAR, rules.latest_annual_year_due(data.as_of) + 1)
    return [o for o in (annual_outcome(data, year) for year in years) if o.expected]


# One rule for the reporting pages and the rates: the ISU's first-year setting, through ``parties.rules``.
first_annual_year = periods.first_annual_year


# --- Published totals ---------------------------------------------------------------------------------
def published_totals(as_of: dt.date) -> list[PublishedFigure]:
    """The Art. 7 totals published by ``as_of`` (one query)."""
    topics = (
        PublishedFigureTopic.INITIAL_REPORTS_SUBMITTED,
        PublishedFigureTopic.INITIAL_REPORTS_LATE,
        PublishedFigureTopic.ANNUAL_REPORTS_OVERDUE,
    )
    found = PublishedFigure.objects.filter(topic__in=topics, value__isnull=False)
    return [f for f in found if f.known_from <= as_of]


def nearest_published(totals: list[PublishedFigure], topic: str, year: int | None = None) -> Published | None:
    """The published total of ``topic`` (for ``year``) describing the latest day on or before the date."""
    candidates = [f for f in totals if f.topic == topic and f.period_year == year]
    if not candidates:
        return None
    figure = max(candidates, key=lambda f: (f.holds_on, f.pk))
    return Published(
        value=figure.value,
        out_of=figure.out_of,
        date_label=str(figure.date_label),
        holds_on=figure.holds_on,
        source=figure.source,
        statement=figure.statement,
        is_complete_list=figure.is_complete_list,
    )


# --- Figures -----------------------------------------------------------------------------------------
def _date(day: dt.date) -> str:
    return formats.date_format(day, "DATE_FORMAT")


def _figure(
    key: str,
    label: str,
    outcome: Outcome,
    states: tuple[str, ...],
    definition: str,
    published: Published | None = None,
) -> Figure:
    return Figure(
        key=key,
        section=SECTION,
        label=label,
        numerator=len(states),
        denominator=len(outcome.expected),
        states=states,
        out_of=outcome.states(),
        definition=definition,
        source=str(SOURCE),
        breakdown=outcome.by_region(states),
        coverage=outcome.coverage(),
        published=published,
    )


def _record_rule(as_of: dt.date, complete_from: dt.date) -> str:
    return _(
        "Submitted: a version submitted through the portal by %(date)s (the day of its first version, even if "
        "recalled or corrected), or a source says it was submitted (the date it gives, or the latest day a "
        "complete published list of late States shows it in). Not submitted: a source says it was not in, or it "
        "fell due on or after %(complete)s, from when the portal is the complete record, and is not in the portal. "
        "No record: neither; such a report is counted apart, never as a failure to report, and the coverage "
        "beside each figure says how many reports have a record at all. Where sources disagree every statement is "
        "kept. Restricted reports count like public ones."
    ) % {"date": _date(as_of), "complete": _date(complete_from)}


def _initial_figures(outcome: Outcome, data: ReportingData, totals: list[PublishedFigure]) -> list[Figure]:
    as_of = data.as_of
    rule = (
        _(
            "Out of the States Parties on %(date)s (a State whose withdrawal took effect no longer counts) whose "
            "initial report was due by then: 180 days after entry into force (Art. 7(1))."
        )
        % {"date": _date(as_of)}
        + " "
        + _record_rule(as_of, data.complete_from)
    )
    return [
        _figure(
            "initial-reports-submitted",
            _("Initial reports recorded as submitted"),
            outcome,
            outcome.submitted,
            _("Initial reports recorded as submitted on or before %(date)s, on time, late or at a date not known.")
            % {"date": _date(as_of)}
            + " "
            + rule,
            nearest_published(totals, PublishedFigureTopic.INITIAL_REPORTS_SUBMITTED),
        ),
        _figure(
            "initial-reports-on-time",
            _("Initial reports recorded as submitted on time"),
            outcome,
            outcome.states(Timeliness.ON_TIME),
            _("On time: submitted on or before the due date.") + " " + rule,
        ),
        _figure(
            "initial-reports-late",
            _("Initial reports recorded as submitted late"),
            outcome,
            outcome.states(Timeliness.LATE),
            _("Late: submitted after the due date but on or before %(date)s.") % {"date": _date(as_of)} + " " + rule,
        ),
        _figure(
            "initial-reports-timing-unknown",
            _("Initial reports recorded as submitted, date unknown"),
            outcome,
            outcome.states(Timeliness.TIMING_UNKNOWN),
            _("Submitted, but no source says whether before or after the due date (only a later bound is known).")
            + " "
            + rule,
        ),
        _figure(
            "initial-reports-not-submitted",
            _("Initial reports recorded as not submitted"),
            outcome,
            outcome.states(Timeliness.NOT_SUBMITTED),
            _("Not submitted by %(date)s according to a source, or to the portal once it is the complete record.")
            % {"date": _date(as_of)}
            + " "
            + rule,
            nearest_published(totals, PublishedFigureTopic.INITIAL_REPORTS_LATE),
        ),
        _figure(
            "initial-reports-no-record",
            _("Initial reports with no record"),
            outcome,
            outcome.states(Timeliness.NO_RECORD),
            _("No record: neither the portal nor any source recorded says whether the report was submitted.")
            + " "
            + rule,
        ),
    ]


def _first_annual_rule(first_annual_period: str) -> str:
    return str(ReportingRules.FirstAnnual(first_annual_period).label)


def _annual_figures(outcome: Outcome, data: ReportingData, totals: list[PublishedFigure]) -> list[Figure]:
    year, due, as_of = outcome.year, outcome.due, data.as_of
    period = data.first_annual_period
    rule = (
        _(
            "Out of the States Parties that owed the annual update for %(year)s, due by %(due)s (Art. 7(2): by "
            "30 April, covering the previous calendar year): bound by the Convention on the due date, and past "
            "their first annual update under the ISU's rule (“%(rule)s”). Counted as of %(date)s."
        )
        % {"year": year, "due": _date(due), "rule": _first_annual_rule(period), "date": _date(as_of)}
        + " "
        + _record_rule(as_of, data.complete_from)
    )
    params = {"year": year}
    return [
        _figure(
            "annual-reports-submitted",
            _("Annual updates for %(year)s recorded as submitted") % params,
            outcome,
            outcome.submitted,
            _("Submitted: any version, nil reports included, on time, late or at a date not known.") + " " + rule,
        ),
        _figure(
            "annual-reports-on-time",
            _("Annual updates for %(year)s recorded as submitted on time") % params,
            outcome,
            outcome.states(Timeliness.ON_TIME),
            _("On time: submitted on or before the due date; nil reports are counted apart.") + " " + rule,
        ),
        _figure(
            "annual-reports-late",
            _("Annual updates for %(year)s recorded as submitted late") % params,
            outcome,
            outcome.states(Timeliness.LATE),
            _("Late: submitted after the due date; nil reports are counted apart.") + " " + rule,
        ),
        _figure(
            "annual-reports-timing-unknown",
            _("Annual updates for %(year)s recorded as submitted, date unknown") % params,
            outcome,
            outcome.states(Timeliness.TIMING_UNKNOWN),
            _("Submitted, but no source says whether before or after the due date.") + " " + rule,
        ),
        _figure(
            "annual-reports-nil",
            _("Nil reports for %(year)s") % params,
            outcome,
            outcome.states(Timeliness.NIL),
            _(
                "Nil report: the latest version submitted by the date is marked as a nil report (every form that "
                "may be not applicable is marked so; Form A is kept); counted here whether it came on time or late."
            )
            + " "
            + rule,
        ),
        _figure(
            "annual-reports-not-submitted",
            _("Annual updates for %(year)s recorded as not submitted") % params,
            outcome,
            outcome.states(Timeliness.NOT_SUBMITTED),
            _("Not submitted by the date according to a source, or to the portal once it is the complete record.")
            + " "
            + rule,
            nearest_published(totals, PublishedFigureTopic.ANNUAL_REPORTS_OVERDUE, year),
        ),
        _figure(
            "annual-reports-no-record",
            _("Annual updates for %(year)s with no record") % params,
            outcome,
            outcome.states(Timeliness.NO_RECORD),
            _("No record: neither the portal nor any source recorded says whether the update was submitted.")
            + " "
            + rule,
        ),
    ]


def figures(*, as_of: dt.date, audience: str) -> list[Figure]:
    """Initial reports due by ``as_of``, and the annual updates of the latest year whose 30 April deadline
    fell on or before it, each with its coverage and the nearest published total. ``audience`` does not
    change them: submission dates are not restricted."""
    data = load(as_of)
    totals = published_totals(as_of)
    out = _initial_figures(initial_outcome(data), data, totals)
    year = rules.latest_annual_year_due(as_of)
    if year >= rules.FIRST_REPORTING_YEAR:
        outcome = annual_outcome(data, year)
        if outcome.expected:
            out += _annual_figures(outcome, data, totals)
    return out


# --- The States behind a figure, with every record behind each one's status ----------------------------------
def _evidence_text(evidence: records.Evidence) -> str:
    source = _("the portal") if evidence.in_portal else evidence.source
    what = {
        "submitted": _("submitted"),
        "not_submitted": _("not submitted"),
        "late": _("not submitted by its due date"),
    }.get(evidence.status, evidence.status)
    return f"{what}, {evidence.date_label}: {source}" if evidence.date_label else f"{what}: {source}"


def row_details(key: str, as_of: dt.date) -> dict[str, dict]:
    """For an Art. 7 figure's page: each State's report as the records show it on ``as_of`` — the date (with
    its precision, or "by" a bound), what is known, the source it rests on, and every other statement (where
    sources disagree, both). Four queries (``reporting.records.load``)."""
    data = load(as_of)
    if key.startswith("initial-"):
        reports = data.initial_owed()
    else:
        reports = data.annual_owed(rules.latest_annual_year_due(as_of))
    out = {}
    for report in reports:
        found = report.submitted
        main = found or next(
            iter(sorted(report.evidence, key=lambda e: e.not_in_on or dt.date.min, reverse=True)), None
        )
        others = [e for e in report.evidence if e is not main]
        disputed = report.disputed
        record = main.record if main else None
        out[report.state.iso3] = {
            "date": found.certainly_by if found else (main.not_in_on if main else None),
            "date_display": main.date_label if main else "",
            "date_label": str(classify(report).label),
            "precision": (found.submitted.precision.value if found and found.submitted else None),
            "status": classify(report).value,
            "status_label": str(classify(report).label),
            "confidence": "disputed" if disputed else (record.confidence if record else None),
            "confidence_label": str(_("Sources disagree"))
            if disputed
            else (record.get_confidence_display() if record else ""),
            "source": (str(_("Submitted through the portal")) if main.in_portal else main.source) if main else "",
            "source_url": record.source_url if record else "",
            "note": "; ".join(
                [*([record.notes] if record and record.notes else []), *(_evidence_text(e) for e in others)]
            ),
            "records": [
                {"status": e.status, "date": e.date_label, "source": "portal" if e.in_portal else e.source}
                for e in report.evidence
            ],
        }
    return out
