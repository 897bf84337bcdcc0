"""Article 7 reporting rates as of a date: initial reports (Art. 7(1)) and annual updates (Art. 7(2)).

A report is "submitted" on the day its first version was submitted through the portal, or on the day
the UN's records give for a report the ISU recorded as received outside the portal (``ReportingRecord``:
before the portal, or sent straight to the UN Secretary-General), whichever is earlier. Submission
dates are not restricted information (a restricted report still counts as submitted),
so the public and the ISU see the same rates.

Four queries whatever the number of States, reports and years: the States, every version submitted by
the date (a few columns each, no content), the reports received outside the portal, the ISU's rules.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import models
from django.db.models.functions import TruncDate
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from parties.models import State
from progress.types import Figure
from reporting import services
from reporting.models import RecordStatus, ReportingRecord, ReportingRules, ReportKind, ReportVersion

# The dashboard's section key (``progress.dashboard`` gives it its label and its place).
SECTION = "transparency"
SOURCE = _lazy(
    "Article 7 reports submitted through the portal, and reports the ISU recorded as received from the UN's records "
    "(submission dates); treaty dates from the registry "
    "(UN Treaty Collection, MTDSG chapter XXVI-6)."
)
# Art. 7(2): annual updates cover the previous calendar year and are due by 30 April.
ANNUAL_DUE_MONTH, ANNUAL_DUE_DAY = 4, 30


class Timeliness(models.TextChoices):
    """What became of one report due on a date, as it stood on another. The four are exclusive:
    a nil report is counted apart, whether it came on time or late."""

    ON_TIME = "on_time", _lazy("On time")
    LATE = "late", _lazy("Late")
    NIL = "nil", _lazy("Nil report")
    MISSING = "missing", _lazy("Missing")


@dataclass(frozen=True)
class Submission:
    """A report as it stood on the date: the day its first version came in, and whether the latest
    version submitted by then is a nil report."""

    first_on: dt.date
    is_nil: bool = False


def classify(*, due: dt.date, submission: Submission | None, as_of: dt.date) -> Timeliness:
    """On time: first submission on or before the due date. Late: after it, but by ``as_of``.
    Nil: a nil report submitted by ``as_of`` (on time or late). Missing: nothing submitted by ``as_of``."""
    if submission is None or submission.first_on > as_of:
        return Timeliness.MISSING
    if submission.is_nil:
        return Timeliness.NIL
    return Timeliness.ON_TIME if submission.first_on <= due else Timeliness.LATE


def annual_due(year: int) -> dt.date:
    """Art. 7(2): the update covering ``year`` is due by 30 April of the following year."""
    return dt.date(year + 1, ANNUAL_DUE_MONTH, ANNUAL_DUE_DAY)


def latest_due_year(as_of: dt.date) -> int:
    """The latest calendar year whose annual update was due on or before ``as_of``."""
    return as_of.year - 1 if as_of >= annual_due(as_of.year - 1) else as_of.year - 2


# One rule for the reporting pages and the rates: the ISU's first-year setting.
first_annual_year = services.first_annual_year


@dataclass(frozen=True)
class Party:
    """A State with its reporting dates computed once (the rates look at them for every year)."""

    state: State
    eif: dt.date | None
    initial_due: dt.date | None
    first_annual: int | None

    @classmethod
    def of(cls, state: State, first_annual_period: str) -> Party:
        return cls(
            state=state,
            eif=state.entry_into_force,
            initial_due=state.initial_report_due,
            first_annual=first_annual_year(state, first_annual_period),
        )

    def bound_on(self, day: dt.date) -> bool:
        """``State.is_bound_on``: from entry into force until a withdrawal takes effect."""
        withdrawn = self.state.withdrawal_effective_on
        return self.eif is not None and self.eif <= day and not (withdrawn and withdrawn <= day)

    def owes_annual(self, year: int) -> bool:
        """A State owes the update for ``year`` from its first annual year on, while the Convention binds it
        on the due date (a State whose withdrawal took effect before 30 April owes none, Art. 20)."""
        return self.first_annual is not None and self.first_annual <= year and self.bound_on(annual_due(year))


@dataclass(frozen=True)
class Outcome:
    """One reporting obligation (the initial reports, or the annual updates for one year) as of a date:
    the States expected and what each did."""

    kind: str  # ReportKind
    year: int | None
    due: dt.date | None  # the single due date of an annual update; None for initial reports (one per State)
    expected: tuple[State, ...]
    by_state: dict[str, Timeliness] = field(default_factory=dict)  # ISO3 → outcome

    def states(self, timeliness: Timeliness | None = None) -> tuple[str, ...]:
        return tuple(s.iso3 for s in self.expected if timeliness is None or self.by_state[s.iso3] == timeliness)

    def count(self, timeliness: Timeliness) -> int:
        return sum(1 for value in self.by_state.values() if value == timeliness)

    @property
    def submitted(self) -> tuple[str, ...]:
        return tuple(s.iso3 for s in self.expected if self.by_state[s.iso3] != Timeliness.MISSING)

    def by_region(self, iso3s: tuple[str, ...]) -> dict[str, int]:
        wanted = set(iso3s)
        counts: dict[str, int] = defaultdict(int)
        for state in self.expected:
            if state.iso3 in wanted:
                counts[state.region] += 1
        return dict(sorted(counts.items()))


@dataclass
class ReportingData:
    """Everything the rates need, loaded once (four queries)."""

    as_of: dt.date
    parties: list[Party]
    first_annual_period: str
    submissions: dict[tuple[int, str, int | None], Submission]


def _end_of_day(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def load(as_of: dt.date, *, states: list[State] | None = None) -> ReportingData:
    if states is None:
        states = list(State.objects.exclude(deposit_date=None).order_by("name"))
    # The submission day in the portal's time zone, computed by the database (no conversion per row here).
    rows = ReportVersion.objects.filter(submitted_at__lt=_end_of_day(as_of)).values_list(
        "report__state_id", "report__kind", "report__period_year", TruncDate("submitted_at"), "number", "is_nil"
    )
    first: dict[tuple[int, str, int | None], dt.date] = {}
    latest: dict[tuple[int, str, int | None], tuple[int, bool]] = {}
    for state_id, kind, year, submitted_on, number, is_nil in rows:
        key = (state_id, kind, year)
        if key not in first or submitted_on < first[key]:
            first[key] = submitted_on
        if key not in latest or number > latest[key][0]:
            latest[key] = (number, is_nil)
    # Reports the ISU recorded as received outside the portal (before it, or sent straight to the UN).
    for record in ReportingRecord.objects.filter(status=RecordStatus.SUBMITTED).select_related("listed_in"):
        state_id, kind, year, is_nil = record.state_id, record.kind, record.period_year, record.is_nil
        received_on = record.submitted_certainly_by
        if received_on is None or received_on > as_of:
            continue
        key = (state_id, kind, year)
        if key not in first or received_on < first[key]:
            first[key] = received_on
        latest.setdefault(key, (0, is_nil))
    rule = ReportingRules.current().first_annual_period
    return ReportingData(
        as_of=as_of,
        parties=[Party.of(s, rule) for s in states],
        first_annual_period=rule,
        submissions={key: Submission(first_on=day, is_nil=latest[key][1]) for key, day in first.items()},
    )


def initial_outcome(data: ReportingData) -> Outcome:
    """States Parties on the date (withdrawn ones no longer count) whose initial report was due by then."""
    as_of = data.as_of
    due = [
        p
        for p in data.parties
        if p.initial_due
        and p.initial_due <= as_of
        and not (p.state.withdrawal_effective_on and p.state.withdrawal_effective_on <= as_of)
    ]
    by_state = {
        p.state.iso3: classify(
            due=p.initial_due,
            # The nil mark concerns annual updates; an initial report counts as submitted whatever it holds.
            submission=_without_nil(data.submissions.get((p.state.pk, ReportKind.INITIAL, None))),
            as_of=as_of,
        )
        for p in due
    }
    expected = tuple(p.state for p in due)
    return Outcome(kind=ReportKind.INITIAL, year=None, due=None, expected=expected, by_state=by_state)


def _without_nil(submission: Submission | None) -> Submission | None:
    return Submission(first_on=submission.first_on) if submission else None


def annual_outcome(data: ReportingData, year: int) -> Outcome:
    due = annual_due(year)
    expected = tuple(p.state for p in data.parties if p.owes_annual(year))
    by_state = {
        s.iso3: classify(due=due, submission=data.submissions.get((s.pk, ReportKind.ANNUAL, year)), as_of=data.as_of)
        for s in expected
    }
    return Outcome(kind=ReportKind.ANNUAL, year=year, due=due, expected=expected, by_state=by_state)


def annual_outcomes(data: ReportingData) -> list[Outcome]:
    """Every reporting year whose 30 April deadline fell on or before the date, oldest first."""
    # The Convention entered into force on 1 August 2010: 2010 is the earliest year an update can cover.
    outcomes = [annual_outcome(data, year) for year in range(2010, latest_due_year(data.as_of) + 1)]
    return [o for o in outcomes if o.expected]


# --- Figures -----------------------------------------------------------------------------------------
def _date(day: dt.date) -> str:
    return formats.date_format(day, "DATE_FORMAT")


def _figure(key: str, label: str, outcome: Outcome, states: tuple[str, ...], definition: str) -> Figure:
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
    )


def _initial_figures(outcome: Outcome, as_of: dt.date) -> list[Figure]:
    due_rule = _(
        "Out of the States Parties on %(date)s (a State whose withdrawal took effect no longer counts) whose initial "
        "report was due by then: 180 days after entry into force (Art. 7(1)). A report's submission date is "
        "the day its first version was submitted through the portal, even if that version was later recalled or "
        "corrected, or the date the UN's records give for a report the ISU recorded as received outside the "
        "portal. Restricted reports count like public ones."
    ) % {"date": _date(as_of)}
    on_time = outcome.states(Timeliness.ON_TIME)
    late = outcome.states(Timeliness.LATE)
    return [
        _figure(
            "initial-reports-submitted",
            _("Initial reports submitted"),
            outcome,
            outcome.submitted,
            _("Initial reports submitted on or before %(date)s, on time or late.") % {"date": _date(as_of)}
            + " "
            + due_rule,
        ),
        _figure(
            "initial-reports-on-time",
            _("Initial reports submitted on time"),
            outcome,
            on_time,
            _("On time: first submission on or before the due date.") + " " + due_rule,
        ),
        _figure(
            "initial-reports-late",
            _("Initial reports submitted late"),
            outcome,
            late,
            _("Late: first submission after the due date but on or before %(date)s.") % {"date": _date(as_of)}
            + " "
            + due_rule,
        ),
        _figure(
            "initial-reports-missing",
            _("Initial reports missing"),
            outcome,
            outcome.states(Timeliness.MISSING),
            _("Missing: no version submitted on or before %(date)s.") % {"date": _date(as_of)} + " " + due_rule,
        ),
    ]


def _first_annual_rule(first_annual_period: str) -> str:
    return str(ReportingRules.FirstAnnual(first_annual_period).label)


def _annual_figures(outcome: Outcome, as_of: dt.date, first_annual_period: str) -> list[Figure]:
    year, due = outcome.year, outcome.due
    rule = _(
        "Out of the States Parties that owed the annual update for %(year)s, due by %(due)s (Art. 7(2): by 30 April, "
        "covering the previous calendar year): bound by the Convention on the due date, and past their first annual "
        "update under the ISU's rule (“%(rule)s”). A report's submission date is "
        "the day its first version was submitted through the portal, or the date the UN's records give for a report "
        "the ISU recorded as received outside the portal. Restricted reports count like public ones. "
        "Counted as of %(date)s."
    ) % {"year": year, "due": _date(due), "rule": _first_annual_rule(first_annual_period), "date": _date(as_of)}
    params = {"year": year}
    return [
        _figure(
            "annual-reports-submitted",
            _("Annual updates for %(year)s submitted") % params,
            outcome,
            outcome.submitted,
            _("Submitted: any version, nil reports included, on time or late.") + " " + rule,
        ),
        _figure(
            "annual-reports-on-time",
            _("Annual updates for %(year)s submitted on time") % params,
            outcome,
            outcome.states(Timeliness.ON_TIME),
            _("On time: first submission on or before the due date; nil reports are counted apart.") + " " + rule,
        ),
        _figure(
            "annual-reports-late",
            _("Annual updates for %(year)s submitted late") % params,
            outcome,
            outcome.states(Timeliness.LATE),
            _("Late: first submission after the due date; nil reports are counted apart.") + " " + rule,
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
            "annual-reports-missing",
            _("Annual updates for %(year)s missing") % params,
            outcome,
            outcome.states(Timeliness.MISSING),
            _("Missing: no version submitted by the date.") + " " + rule,
        ),
    ]


def figures(*, as_of: dt.date, audience: str) -> list[Figure]:
    """Initial reports due by ``as_of``, and the annual updates of the latest year whose 30 April deadline
    fell on or before it. ``audience`` does not change them: submission dates are not restricted."""
    data = load(as_of)
    out = _initial_figures(initial_outcome(data), as_of)
    year = latest_due_year(as_of)
    if year >= 2010:
        outcome = annual_outcome(data, year)
        if outcome.expected:
            out += _annual_figures(outcome, as_of, data.first_annual_period)
    return out
