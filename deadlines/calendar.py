"""Every State's obligation calendar, derived from its dates and kept current as facts change.

Nothing here is stored: the calendar is computed from treaty dates (``parties.rules``), obligations,
extensions, meetings and what is known of each report (``reporting.records``, the one selector of reporting
records) whenever it is asked for, in a fixed number of queries whatever the number of States.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from ccm_portal.core import clock
from deadlines.models import DeadlineKind
from parties import rules
from parties.models import Article, ExtensionRequest, ExtensionStage, Meeting, Obligation, ObligationStatus, State
from reporting import records as reporting_records
from reporting.models import ReportKind


@dataclass(frozen=True)
class Deadline:
    key: str
    kind: str
    date: dt.date
    title: str
    basis: str  # the rule it comes from, for people
    state_iso3: str | None = None
    state_name: str | None = None
    region: str | None = None
    met: bool = False  # report submitted, obligation completed
    met_on: dt.date | None = None
    period_year: int | None = None
    # Reports: what is known of it (``reporting.records.Status``), whether the portal is its complete record
    # (due on or after ``ReportingRules.records_complete_from``: only then may a reminder go out), and where
    # the status comes from.
    record: str | None = None
    met_label: str = ""  # the submission date as precise as its source ("March 2013", "by 10 November 2019")
    portal_owned: bool = False
    record_source: str = ""
    # Obligations: how precisely the deadline is known (a source may give only "October 2026": ``date`` is then
    # the period's last day, shown as the month), and the meeting of an extension request made for it whose
    # decision is not recorded as of the day (the deadline is then not "overdue": the State asked in time).
    precision: str = "day"
    extension_pending_at: str = ""
    # Internal due dates (``deadlines.selectors.team``): the page to open, a path on the portal.
    url: str = ""

    @property
    def has_no_record(self) -> bool:
        return self.record == reporting_records.Status.NO_RECORD

    @property
    def remindable(self) -> bool:
        """Reminders go out for obligations, meetings and reports the portal owns, never for a report due
        before the portal was the complete record (it may well have been sent outside it)."""
        return self.record is None or self.portal_owned

    @property
    def kind_label(self) -> str:
        return DeadlineKind(self.kind).label

    def days_left(self, today: dt.date) -> int:
        return (self.date - today).days


@dataclass
class CalendarData:
    """Everything the calendar needs, loaded once."""

    states: list[State]
    obligations: dict[int, list[Obligation]]
    meetings: list[Meeting]
    records: reporting_records.Records  # what is known of each report (``reporting.records``), as of a day
    _by_day: dict[dt.date, reporting_records.Records] = field(default_factory=dict)

    @property
    def as_of(self) -> dt.date:
        return self.records.as_of

    def records_on(self, day: dt.date) -> reporting_records.Records:
        """What is known of the reports on ``day`` (four more queries for a day other than the loaded one)."""
        if day == self.records.as_of:
            return self.records
        if day not in self._by_day:
            self._by_day[day] = reporting_records.load(day, states=self.states)
        return self._by_day[day]


def load(states: Iterable[State] | None = None, *, as_of: dt.date | None = None) -> CalendarData:
    """Six queries for any number of States: the obligations (with extensions and completions), the meetings,
    and what is known of the reports on ``as_of`` (today by default; ``reporting.records``)."""
    state_list = list(states) if states is not None else list(State.objects.exclude(deposit_date=None))
    ids = [s.pk for s in state_list]
    obligations: dict[int, list[Obligation]] = defaultdict(list)
    if ids:
        for obligation in Obligation.objects.filter(state_id__in=ids).prefetch_related(
            Prefetch("extensions", queryset=ExtensionRequest.objects.select_related("meeting")), "completion_records"
        ):
            obligations[obligation.state_id].append(obligation)
    return CalendarData(
        states=state_list,
        obligations=obligations,
        meetings=list(Meeting.objects.order_by("start_date")),
        records=reporting_records.load(as_of or clock.today(), states=state_list),
    )


def _report_deadline(
    report: reporting_records.ReportState, *, key: str, kind: str, title: str, basis: str, base: dict
) -> Deadline:
    met = report.status == reporting_records.Status.SUBMITTED
    found = report.submitted
    return Deadline(
        key=key,
        kind=kind,
        date=report.due,
        title=title,
        basis=basis,
        met=met,
        # The first day the report is certainly in (the day, the end of its month or year, or a bound);
        # ``met_label`` says which, for people.
        met_on=report.submitted_on if met else None,
        met_label=found.date_label if met else "",
        period_year=report.year,
        record=report.status,
        portal_owned=report.portal_is_complete,
        record_source=report.source,
        **base,
    )


@dataclass(frozen=True)
class _Span:
    """The days a calendar shows: from ``start`` to ``end`` (inclusive), before a withdrawal takes effect."""

    start: dt.date
    end: dt.date
    withdrawn: dt.date | None = None

    def __contains__(self, day: dt.date | None) -> bool:
        return day is not None and self.start <= day <= self.end and not (self.withdrawn and day >= self.withdrawn)


def state_deadlines(
    state: State, data: CalendarData, *, start: dt.date, end: dt.date, as_of: dt.date | None = None
) -> list[Deadline]:
    """The State's deadlines falling between ``start`` and ``end`` (inclusive); "met" as it stood
    on ``as_of`` (the day the data was loaded for by default): a report submitted by then, an obligation
    completed by then."""
    as_of = as_of or data.as_of
    if state.entry_into_force is None:
        return []
    span = _Span(start, end, withdrawn=state.withdrawal_effective_on)
    base = {"state_iso3": state.iso3, "state_name": state.local_name, "region": state.region}
    out = _report_deadlines(state, data.records_on(as_of), span, base)
    for obligation in data.obligations.get(state.pk, []):
        obligation.state = state
        out += _obligation_deadlines(obligation, data.meetings, span, as_of=as_of, base=base)
    return sorted(out, key=lambda d: (d.date, d.key))


def _report_deadlines(state: State, known: reporting_records.Records, span: _Span, base: dict) -> list[Deadline]:
    """The initial report's deadline (Art. 7(1)) and each annual report's (Art. 7(2)) within ``span``."""
    out: list[Deadline] = []
    if state.initial_report_due in span:
        out.append(
            _report_deadline(
                known.report(state, ReportKind.INITIAL),
                key=f"{state.iso3}:initial_report",
                kind=DeadlineKind.INITIAL_REPORT,
                title=_("Initial Article 7 report"),
                basis=_("180 days after entry into force (Art. 7(1))"),
                base=base,
            )
        )
    for year in range(max(known.first_annual_year(state), span.start.year - 1), span.end.year + 1):
        if rules.annual_report_due(year) in span:
            out.append(
                _report_deadline(
                    known.report(state, ReportKind.ANNUAL, year),
                    key=f"{state.iso3}:annual_report:{year}",
                    kind=DeadlineKind.ANNUAL_REPORT,
                    title=_("Annual Article 7 report for %(year)s") % {"year": year},
                    basis=_("30 April, covering the previous calendar year (Art. 7(2))"),
                    base=base,
                )
            )
    return out


def _obligation_deadlines(
    obligation: Obligation, meetings: list[Meeting], span: _Span, *, as_of: dt.date, base: dict
) -> list[Deadline]:
    """An Art. 3 or Art. 4 obligation's deadline in force on ``as_of`` and the last day to request its
    extension, those within ``span``."""
    # The deadline in force on the calendar's day: an extension counts only from its decision.
    in_force = obligation.deadline_in_force(as_of)
    if in_force is None:
        return []
    deadline = in_force.end
    stockpile = obligation.article == Article.STOCKPILE_DESTRUCTION
    completed = obligation.status_on(as_of) == ObligationStatus.COMPLETED
    met_on = obligation.completed_from()
    requested = _request_for(obligation, deadline, as_of)
    undecided = requested is not None and requested.stage_on(as_of) in (
        ExtensionStage.PENDING,
        ExtensionStage.NO_OUTCOME_RECORDED,
    )
    out: list[Deadline] = []
    if deadline in span:
        out.append(
            Deadline(
                key=f"{obligation.state.iso3}:{'art3' if stockpile else 'art4'}",
                kind=DeadlineKind.STOCKPILE if stockpile else DeadlineKind.CLEARANCE,
                date=deadline,
                title=_("Stockpile destruction deadline (Art. 3)") if stockpile else _("Clearance deadline (Art. 4)"),
                basis=_("Entry into force + 8 years, as extended (Art. 3(2)–(3))")
                if stockpile
                else _("Entry into force + 10 years, as extended (Art. 4(1), 4(5))"),
                met=completed,
                met_on=met_on if completed else None,
                precision=in_force.precision.value,
                extension_pending_at=requested.meeting.code if undecided else "",
                **base,
            )
        )
    if not completed:
        out += _extension_request_deadline(obligation, deadline, requested, meetings, span, base=base)
    return out


def _extension_request_deadline(
    obligation: Obligation,
    deadline: dt.date,
    requested: ExtensionRequest | None,
    meetings: list[Meeting],
    span: _Span,
    *,
    base: dict,
) -> list[Deadline]:
    """The last day to request an extension of ``deadline`` (none, or one within ``span``).

    A request made by then for this deadline names the meeting that decides it; otherwise the last meeting
    before the deadline would. Requests reach it nine months ahead (Art. 3(5), 4(6)), and Art. 4 requests
    also before the deadline expires."""
    stockpile = obligation.article == Article.STOCKPILE_DESTRUCTION
    meeting = (
        requested.meeting
        if requested is not None
        else next((m for m in reversed(meetings) if m.start_date < deadline), None)
    )
    if meeting is None:
        return []
    request_due = rules.extension_request_due(meeting.start_date)
    if not stockpile:
        request_due = min(request_due, deadline)
    if request_due not in span:
        return []
    return [
        Deadline(
            key=f"{obligation.state.iso3}:{'art3' if stockpile else 'art4'}_extension:{meeting.code}",
            kind=DeadlineKind.EXTENSION_REQUEST,
            date=request_due,
            title=_("Last day to request an extension of the %(what)s deadline, for the %(meeting)s")
            % {"what": _("Art. 3") if stockpile else _("Art. 4"), "meeting": meeting.code},
            basis=_("Nine months before the meeting that considers it (Art. 3(5), 4(6))"),
            **base,
        )
    ]


def _request_for(obligation: Obligation, deadline: dt.date, as_of: dt.date) -> ExtensionRequest | None:
    """The extension request made by ``as_of`` for the deadline then in force and considered at a recorded
    meeting (the extensions are prefetched). A request is made by its submission, or at the latest by the
    opening of the meeting that considers it."""
    for extension in obligation.extensions.all():
        if extension.meeting_id is None:
            continue
        made = min(d for d in (extension.known_from, extension.meeting.start_date) if d)
        extends = extension.previous.end if extension.previous else None  # as ``deadline_on``: its last day
        if made <= as_of and extends == deadline:
            return extension
    return None


def meeting_deadlines(data: CalendarData, *, start: dt.date, end: dt.date) -> list[Deadline]:
    return [
        Deadline(
            key=f"meeting:{m.code}",
            kind=DeadlineKind.MEETING,
            date=m.start_date,
            title=f"{m.name} ({m.place})" if m.place else m.name,
            basis=_("Art. 11 / Art. 12"),
        )
        for m in data.meetings
        if start <= m.start_date <= end
    ]


def all_deadlines(
    *, start: dt.date, end: dt.date, states: Iterable[State] | None = None, as_of: dt.date | None = None
) -> list[Deadline]:
    data = load(states)
    found = [d for state in data.states for d in state_deadlines(state, data, start=start, end=end, as_of=as_of)]
    return sorted(found, key=lambda d: (d.date, d.key))
