"""The one selector of Article 7 reporting records: for each report a State owes, what is known of it on a day.

Each report (the initial report, Art. 7(1); the annual update for a calendar year, Art. 7(2)) is, as of a
day, in one of three states:

- *submitted*: the portal holds a version submitted by then (``ReportVersion.submitted_on``), or a source
  says it was submitted (``ReportingRecord``), with the date and its precision or only a bound ("by
  10 November 2019", from a complete published list that does not name the State);
- *not submitted*: a source says so, or the report fell due on or after the day from which the portal is
  the complete record (``ReportingRules.records_complete_from``) and is not in it;
- *no record*: neither. Absence of a record is never read as non-compliance.

Every statement behind a status stays visible (``ReportState.evidence``): where a source says a report was
not in on a day after another source dates its submission (Chad, 2014–2015), both are kept and the report
is marked ``disputed``; nothing is resolved silently. As of a day, a portal version submitted after it and a
record known only after it (``ReportingRecord.known_from``) are invisible.

Reads only. Four queries whatever the number of States, reports and records: the States (unless given), the
portal's versions, the records (with the lists they cite) and the ISU's rules. The treaty's date rules come
from ``parties.rules``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from parties import rules
from parties.dates import PartialDate, Precision
from parties.models import State
from reporting.models import RecordStatus, ReportingRecord, ReportingRules, ReportKind, ReportVersion

PORTAL = "portal"


class Status(models.TextChoices):
    SUBMITTED = "submitted", pgettext_lazy("status of a report", "Submitted")
    NOT_SUBMITTED = "not_submitted", _("Not submitted")
    NO_RECORD = "no_record", _("No record")
    NOT_YET_DUE = "not_yet_due", _("Not yet due")


class Timing(models.TextChoices):
    ON_TIME = "on_time", _("On time")
    LATE = "late", _("Late")
    UNKNOWN = "unknown", _("Timing unknown")


@dataclass(frozen=True)
class Evidence:
    """One statement behind a report's status: a portal version, or a source's record."""

    status: str  # RecordStatus (a portal version is "submitted")
    source: str  # PORTAL, or the record's source
    submitted: PartialDate | None = None  # the submission date with its precision
    submitted_by: dt.date | None = None  # only a bound is known
    not_in_on: dt.date | None = None  # for "not submitted": the latest day the statement certainly covers
    is_nil: bool = False
    record: ReportingRecord | None = None

    @property
    def in_portal(self) -> bool:
        return self.source == PORTAL

    @property
    def certainly_by(self) -> dt.date | None:
        """The first day the report is certainly in (end of a month or year; or the bound)."""
        days = [d for d in (self.submitted.end if self.submitted else None, self.submitted_by) if d]
        return min(days) if days else None

    @property
    def date_label(self) -> str:
        if self.submitted:
            return self.submitted.display()
        if self.submitted_by:
            return str(_("by %(date)s")) % {"date": PartialDate(self.submitted_by, Precision.DAY).display()}
        if self.not_in_on:
            return str(_("not in on %(date)s")) % {"date": PartialDate(self.not_in_on, Precision.DAY).display()}
        return ""


@dataclass(frozen=True)
class ReportState:
    """One report a State owes, as it stood on ``as_of``."""

    state: State
    kind: str  # ReportKind
    year: int | None
    due: dt.date
    as_of: dt.date
    status: str  # Status
    timing: str | None = None  # Timing, for a submitted report
    is_nil: bool = False
    in_portal: bool = False
    evidence: tuple[Evidence, ...] = ()
    portal_is_complete: bool = False  # due on or after ``records_complete_from``: the portal owns it
    disputed: bool = False  # a source says it was not in on a day after another dates its submission

    @property
    def submitted(self) -> Evidence | None:
        """The statement that dates the submission earliest (the portal first where equal)."""
        dated = [e for e in self.evidence if e.status == RecordStatus.SUBMITTED and e.certainly_by]
        return min(dated, key=lambda e: (e.certainly_by, not e.in_portal)) if dated else None

    @property
    def submitted_on(self) -> dt.date | None:
        found = self.submitted
        return found.certainly_by if found else None

    @property
    def source(self) -> str:
        """Where the status comes from: the portal or the source of the statement it rests on."""
        if self.status == Status.SUBMITTED:
            return self.submitted.source
        said = [e for e in self.evidence if e.status != RecordStatus.SUBMITTED]
        if said:
            return max(said, key=lambda e: e.not_in_on or dt.date.min).source
        return PORTAL if self.portal_is_complete else ""

    @property
    def is_overdue(self) -> bool:
        return self.status == Status.NOT_SUBMITTED and self.due < self.as_of

    @property
    def status_label(self) -> str:
        return str(Status(self.status).label)


@dataclass
class Records:
    """Everything known of the reports of a set of States on a day, loaded once."""

    as_of: dt.date
    states: list[State]
    complete_from: dt.date
    after_initial: bool  # ReportingRules.first_annual_period
    evidence: dict[tuple[int, str, int | None], list[Evidence]] = field(default_factory=dict)

    @property
    def first_annual_period(self) -> str:
        """The ISU's rule as its ``ReportingRules.FirstAnnual`` value."""
        if self.after_initial:
            return ReportingRules.FirstAnnual.YEAR_AFTER_INITIAL_DUE
        return ReportingRules.FirstAnnual.YEAR_OF_ENTRY_INTO_FORCE

    def first_annual_year(self, state: State) -> int | None:
        return rules.first_annual_year(state.entry_into_force, after_initial=self.after_initial)

    def owes_annual(self, state: State, year: int) -> bool:
        return rules.owes_annual_report(
            state.entry_into_force, state.withdrawal_effective_on, year, after_initial=self.after_initial
        )

    def report(self, state: State, kind: str, year: int | None = None) -> ReportState:
        """The report's state on ``as_of`` (whether or not it is owed or due)."""
        due = state.initial_report_due if kind == ReportKind.INITIAL else rules.annual_report_due(year)
        found = tuple(self.evidence.get((state.pk, kind, year), ()))
        portal_is_complete = due >= self.complete_from
        submitted = [e for e in found if e.status == RecordStatus.SUBMITTED]
        said_not = [e for e in found if e.status != RecordStatus.SUBMITTED]
        if submitted:
            first = min(e.certainly_by for e in submitted)
            # The latest version's nil mark counts (a portal version outranks a record's).
            latest = max(submitted, key=lambda e: (e.in_portal, e.certainly_by))
            return ReportState(
                state=state,
                kind=kind,
                year=year,
                due=due,
                as_of=self.as_of,
                status=Status.SUBMITTED,
                timing=_timing(due, submitted, said_not),
                is_nil=kind == ReportKind.ANNUAL and latest.is_nil,
                in_portal=any(e.in_portal for e in submitted),
                evidence=found,
                portal_is_complete=portal_is_complete,
                disputed=any(e.not_in_on and e.not_in_on >= first for e in said_not),
            )
        if said_not:
            status = Status.NOT_SUBMITTED
        elif due > self.as_of:
            status = Status.NOT_YET_DUE
        elif portal_is_complete:
            status = Status.NOT_SUBMITTED
        else:
            status = Status.NO_RECORD
        return ReportState(
            state=state,
            kind=kind,
            year=year,
            due=due,
            as_of=self.as_of,
            status=status,
            evidence=found,
            portal_is_complete=portal_is_complete,
        )

    def initial_owed(self) -> list[ReportState]:
        """Initial reports due by ``as_of`` from States Parties bound then (a withdrawal that took effect
        ends the count)."""
        return [
            self.report(s, ReportKind.INITIAL)
            for s in self.states
            if s.initial_report_due
            and s.initial_report_due <= self.as_of
            and not (s.withdrawal_effective_on and s.withdrawal_effective_on <= self.as_of)
        ]

    def annual_owed(self, year: int) -> list[ReportState]:
        """Updates for ``year`` from every State that owes one (Art. 7(2), Art. 20)."""
        return [self.report(s, ReportKind.ANNUAL, year) for s in self.states if self.owes_annual(s, year)]

    def owed(self, state: State, *, until: dt.date | None = None) -> list[ReportState]:
        """Every report ``state`` owes that fell due by ``until`` (``as_of`` by default), oldest first."""
        until = until or self.as_of
        out = []
        if state.initial_report_due and state.initial_report_due <= until:
            out.append(self.report(state, ReportKind.INITIAL))
        first = self.first_annual_year(state)
        if first is not None:
            for year in range(first, rules.latest_annual_year_due(until) + 1):
                if self.owes_annual(state, year):
                    out.append(self.report(state, ReportKind.ANNUAL, year))
        return out


def _timing(due: dt.date, submitted: list[Evidence], said_not: list[Evidence]) -> str:
    """On time if any statement shows it in by the due date; late if every possible day is after it or a
    source says it was not in on a day after the due date; otherwise unknown (only a later bound)."""
    if any(e.certainly_by <= due for e in submitted):
        return Timing.ON_TIME
    if any(e.not_in_on and e.not_in_on > due for e in said_not):
        return Timing.LATE
    if any(e.submitted and e.submitted.start > due for e in submitted):
        return Timing.LATE
    return Timing.UNKNOWN


def load(as_of: dt.date, *, states: Iterable[State] | None = None) -> Records:
    """What is known on ``as_of`` of the reports of ``states`` (every State that joined, by default)."""
    state_list = list(states) if states is not None else list(State.objects.exclude(deposit_date=None).order_by("name"))
    ids = [s.pk for s in state_list]
    evidence: dict[tuple[int, str, int | None], list[Evidence]] = defaultdict(list)
    # The portal: per report, the first day a version counts as submitted and the latest version's nil mark.
    first: dict[tuple[int, str, int | None], dt.date] = {}
    latest: dict[tuple[int, str, int | None], tuple[int, bool]] = {}
    for state_id, kind, year, submitted_on, number, is_nil in ReportVersion.objects.filter(
        report__state_id__in=ids, submitted_on__lte=as_of
    ).values_list("report__state_id", "report__kind", "report__period_year", "submitted_on", "number", "is_nil"):
        key = (state_id, kind, year)
        if key not in first or submitted_on < first[key]:
            first[key] = submitted_on
        if key not in latest or number > latest[key][0]:
            latest[key] = (number, is_nil)
    for key, day in first.items():
        evidence[key].append(
            Evidence(
                status=RecordStatus.SUBMITTED,
                source=PORTAL,
                submitted=PartialDate(day, Precision.DAY),
                is_nil=latest[key][1],
            )
        )
    # What sources say outside the portal, each statement from the day it can be known.
    for record in ReportingRecord.objects.filter(state_id__in=ids).select_related("listed_in").order_by("pk"):
        known = record.known_from
        if known is None or known > as_of:
            continue
        evidence[(record.state_id, record.kind, record.period_year)].append(
            Evidence(
                status=record.status,
                source=record.source,
                submitted=record.submitted,
                submitted_by=record.submitted_by,
                not_in_on=record.not_submitted_on,
                is_nil=record.is_nil,
                record=record,
            )
        )
    if not state_list:  # e.g. the calendar of meetings only: no query at all
        return Records(
            as_of=as_of,
            states=[],
            complete_from=ReportingRules._meta.get_field("records_complete_from").default,
            after_initial=False,
        )
    settings = ReportingRules.current()
    return Records(
        as_of=as_of,
        states=state_list,
        complete_from=settings.records_complete_from,
        after_initial=settings.first_annual_period == ReportingRules.FirstAnnual.YEAR_AFTER_INITIAL_DUE,
        evidence=dict(evidence),
    )
