"""Every State's obligation calendar, derived from its dates and kept current as facts change.

Nothing here is stored: the calendar is computed from treaty dates, obligations, extensions,
meetings and report statuses whenever it is asked for, in a fixed number of queries whatever
the number of States.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Min, Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from deadlines.models import DeadlineKind
from parties import rules
from parties.models import Article, ExtensionRequest, Meeting, Obligation, ObligationStatus, State
from reporting.models import RecordStatus, Report, ReportingRecord, ReportingRules, ReportKind, ReportStatus


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
    # (status, first submitted): a moment for a portal submission, a day for a report received outside it.
    reports: dict[tuple[int, str, int | None], tuple[str, dt.datetime | dt.date | None]]
    first_annual_rule: str


def load(states: Iterable[State] | None = None) -> CalendarData:
    """Five queries for any number of States."""
    state_list = list(states) if states is not None else list(State.objects.exclude(deposit_date=None))
    ids = [s.pk for s in state_list]
    obligations: dict[int, list[Obligation]] = defaultdict(list)
    for obligation in Obligation.objects.filter(state_id__in=ids).prefetch_related(
        Prefetch("extensions", queryset=ExtensionRequest.objects.select_related("meeting")), "completion_records"
    ):
        obligations[obligation.state_id].append(obligation)
    reports = {}
    for report in (
        Report.objects.filter(state_id__in=ids)
        .exclude(status=ReportStatus.DRAFT, versions__isnull=True)
        .values("state_id", "kind", "period_year", "status")
        .annotate(first_submitted=Min("versions__submitted_at"))
    ):
        reports[(report["state_id"], report["kind"], report["period_year"])] = (
            report["status"],
            report["first_submitted"],
        )
    # Reports the ISU recorded as received outside the portal count from the day the UN's records give.
    for record in ReportingRecord.objects.filter(state_id__in=ids, status=RecordStatus.SUBMITTED).select_related(
        "listed_in"
    ):
        state_id, kind, year, received_on = (
            record.state_id,
            record.kind,
            record.period_year,
            record.submitted_certainly_by,
        )
        found = reports.get((state_id, kind, year))
        if found is None or found[1] is None or received_on < timezone.localdate(found[1]):
            reports[(state_id, kind, year)] = ("received", received_on)
    return CalendarData(
        states=state_list,
        obligations=obligations,
        meetings=list(Meeting.objects.order_by("start_date")),
        reports=reports,
        first_annual_rule=ReportingRules.current().first_annual_period,
    )


def _report_met(
    data: CalendarData, state: State, kind: str, year: int | None, as_of: dt.date
) -> tuple[bool, dt.date | None]:
    found = data.reports.get((state.pk, kind, year))
    if not found or not found[1]:
        return False, None
    # A portal submission is a moment (its day in the portal's time zone); a received report, a day.
    submitted = found[1] if not isinstance(found[1], dt.datetime) else timezone.localdate(found[1])
    return (True, submitted) if submitted <= as_of else (False, None)


def state_deadlines(
    state: State, data: CalendarData, *, start: dt.date, end: dt.date, as_of: dt.date | None = None
) -> list[Deadline]:
    """The State's deadlines falling between ``start`` and ``end`` (inclusive); "met" as it stood
    on ``as_of`` (today by default): a report submitted by then, an obligation completed by then."""
    as_of = as_of or timezone.localdate()
    out: list[Deadline] = []
    eif = state.entry_into_force
    base = {"state_iso3": state.iso3, "state_name": state.name, "region": state.region}
    if eif is None:
        return out
    withdrawn = state.withdrawal_effective_on

    def within(day: dt.date | None) -> bool:
        return day is not None and start <= day <= end and not (withdrawn and day >= withdrawn)

    due = state.initial_report_due
    if within(due):
        met, on = _report_met(data, state, ReportKind.INITIAL, None, as_of)
        out.append(
            Deadline(
                key=f"{state.iso3}:initial_report",
                kind=DeadlineKind.INITIAL_REPORT,
                date=due,
                title=_("Initial Article 7 report"),
                basis=_("180 days after entry into force (Art. 7(1))"),
                met=met,
                met_on=on,
                **base,
            )
        )
    first_year = eif.year
    if data.first_annual_rule == ReportingRules.FirstAnnual.YEAR_AFTER_INITIAL_DUE:
        first_year = state.initial_report_due.year + 1
    for year in range(max(first_year, start.year - 1), end.year + 1):
        day = dt.date(year + 1, 4, 30)  # Art. 7(2): by 30 April, covering the previous calendar year
        if within(day):
            met, on = _report_met(data, state, ReportKind.ANNUAL, year, as_of)
            out.append(
                Deadline(
                    key=f"{state.iso3}:annual_report:{year}",
                    kind=DeadlineKind.ANNUAL_REPORT,
                    date=day,
                    title=_("Annual Article 7 report for %(year)s") % {"year": year},
                    basis=_("30 April, covering the previous calendar year (Art. 7(2))"),
                    met=met,
                    met_on=on,
                    period_year=year,
                    **base,
                )
            )
    for obligation in data.obligations.get(state.pk, []):
        obligation.state = state
        deadline = obligation.current_deadline
        if deadline is None:
            continue
        stockpile = obligation.article == Article.STOCKPILE_DESTRUCTION
        completed = obligation.status_on(as_of) == ObligationStatus.COMPLETED
        completion = obligation.completion
        met_on = completion.end if completion else obligation.completed_by
        if within(deadline):
            out.append(
                Deadline(
                    key=f"{state.iso3}:{'art3' if stockpile else 'art4'}",
                    kind=DeadlineKind.STOCKPILE if stockpile else DeadlineKind.CLEARANCE,
                    date=deadline,
                    title=_("Stockpile destruction deadline (Art. 3)")
                    if stockpile
                    else _("Clearance deadline (Art. 4)"),
                    basis=_("Entry into force + 8 years, as extended (Art. 3(2)–(3))")
                    if stockpile
                    else _("Entry into force + 10 years, as extended (Art. 4(1), 4(5))"),
                    met=completed,
                    met_on=met_on if completed else None,
                    **base,
                )
            )
        # The last meeting before the deadline decides an extension; requests reach it nine
        # months ahead (Art. 3(5), 4(6)), and Art. 4 requests also before the deadline expires.
        meeting = next((m for m in reversed(data.meetings) if m.start_date < deadline), None)
        if meeting is None:
            continue
        request_due = rules.extension_request_due(meeting.start_date)
        if not stockpile:
            request_due = min(request_due, deadline)
        if within(request_due) and not completed:
            out.append(
                Deadline(
                    key=f"{state.iso3}:{'art3' if stockpile else 'art4'}_extension:{meeting.code}",
                    kind=DeadlineKind.EXTENSION_REQUEST,
                    date=request_due,
                    title=_("Last day to request an extension of the %(what)s deadline, for the %(meeting)s")
                    % {"what": _("Art. 3") if stockpile else _("Art. 4"), "meeting": meeting.code},
                    basis=_("Nine months before the meeting that considers it (Art. 3(5), 4(6))"),
                    **base,
                )
            )
    return sorted(out, key=lambda d: (d.date, d.key))


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
