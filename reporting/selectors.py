"""Reads on Article 7 reports for the pages: the ISU's review queue, a State's list of its reports (started,
owed, received outside the portal), a report's open queries and its history as the review page shows it.

Each read runs a fixed number of queries however many reports and States there are.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, IntegerField, OuterRef, Prefetch, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import pgettext_lazy

import audit.selectors
from accounts.models import User
from parties import rules
from parties.models import State
from parties.names import state_name
from reporting import access, entry, periods, records
from reporting.models import (
    EDITABLE_STATUSES,
    FormNote,
    Report,
    ReportingRecord,
    ReportKind,
    ReportStatus,
    ReportVersion,
    ReviewComment,
)

# Reports the ISU has in hand or is waiting on: submitted, in review, or back with the State.
QUEUE_STATUSES = (
    ReportStatus.SUBMITTED,
    ReportStatus.RESUBMITTED,
    ReportStatus.UNDER_REVIEW,
    ReportStatus.CHANGES_REQUESTED,
)
UNASSIGNED = "none"


def _open_queries():
    """Unresolved top-level comments (the reviewer's queries; replies belong to their thread)."""
    return ReviewComment.objects.filter(report=OuterRef("pk"), parent__isnull=True, resolved_at__isnull=True)


@dataclass(slots=True)
class QueueRow:
    """One report of the review queue: what the queue shows of it and its State, read as plain values."""

    pk: int
    kind: str
    period_year: int | None
    status: str
    state_name: str
    state_iso3: str
    state_region: str
    reviewer_id: int | None
    reviewer_name: str  # the reviewer's full name or e-mail (``User.get_full_name``); empty: not taken yet
    latest_version_number: int | None
    latest_submitted_at: dt.datetime | None
    open_queries: int
    oldest_query_at: dt.datetime | None
    due: dt.date | None  # Report.due_date
    is_overdue: bool
    waiting: dt.timedelta | None
    oldest_query_age: dt.timedelta | None

    @property
    def is_initial(self) -> bool:
        return self.kind == ReportKind.INITIAL

    @property
    def waiting_days(self) -> int | None:
        return self.waiting.days if self.waiting is not None else None

    @property
    def oldest_query_days(self) -> int | None:
        return self.oldest_query_age.days if self.oldest_query_age is not None else None


_QUEUE_FIELDS = (
    "pk",
    "kind",
    "period_year",
    "status",
    "state__name",
    "state__names",
    "state__iso3",
    "state__region",
    "state__deposit_date",
    "reviewer_id",
    "reviewer__full_name",
    "reviewer__email",
)


@functools.cache
def _queue_values() -> QuerySet:
    """The whole queue in one query, as tuples: ``_QUEUE_FIELDS`` then the latest version's number and
    submission, the open queries' count and the oldest one's creation.

    Built once per process (its expressions resolved once: about half the selector's time) and cloned for
    each read (``.all()``), as a view's ``queryset`` attribute is."""
    latest = ReportVersion.objects.filter(report=OuterRef("pk")).order_by("-number")
    return (
        Report.objects.filter(status__in=QUEUE_STATUSES)
        .order_by()
        .values_list(
            *_QUEUE_FIELDS,
            Subquery(latest.values("number")[:1]),
            Subquery(latest.values("submitted_at")[:1]),
            Coalesce(
                Subquery(
                    _open_queries().order_by().values("report").annotate(n=Count("pk")).values("n")[:1],
                    output_field=IntegerField(),
                ),
                Value(0),
            ),
            Subquery(_open_queries().order_by("created_at").values("created_at")[:1]),
        )
    )


def _due(kind: str, period_year: int | None, deposit_date: dt.date | None) -> dt.date | None:
    """``Report.due_date`` from the report's kind and year and its State's deposit."""
    if kind == ReportKind.INITIAL:
        return rules.initial_report_due(rules.entry_into_force(deposit_date))
    return rules.annual_report_due(period_year)


def review_queue(
    *,
    status: str | None = None,
    region: str | None = None,
    reviewer: Any = None,
    overdue: bool | None = None,
    due_before: dt.date | None = None,
    today: dt.date,
    now: dt.datetime | None = None,
) -> list[QueueRow]:
    """Reports awaiting or under review, oldest submission first, in one query.

    Filters (``narrow_queue``): ``status`` (one of ``QUEUE_STATUSES``), ``region``, ``reviewer`` (a user, a user
    id or ``UNASSIGNED``), ``overdue`` (True/False: past its due date on ``today``), ``due_before`` (due date
    strictly before that day).

    Each row (``QueueRow``) carries ``latest_version_number``, ``latest_submitted_at``, ``open_queries`` (count),
    ``oldest_query_at``, and, computed in Python because the initial report's due date follows the State's
    entry into force: ``due`` (date or None), ``is_overdue``, ``waiting`` and ``oldest_query_age`` (timedeltas
    or None) with ``waiting_days`` and ``oldest_query_days``.
    """
    now = now or timezone.now()
    dues: dict[tuple, dt.date | None] = {}
    rows = []
    for (
        pk,
        kind,
        year,
        report_status,
        name,
        names,
        iso3,
        state_region,
        deposit,
        reviewer_id,
        full_name,
        email,
        number,
        submitted_at,
        queries,
        oldest,
    ) in _queue_values().all():
        key = (kind, year, deposit)
        if key not in dues:
            dues[key] = _due(kind, year, deposit)
        due = dues[key]
        rows.append(
            QueueRow(
                pk=pk,
                kind=kind,
                period_year=year,
                status=report_status,
                state_name=state_name(iso3, name, names=names),
                state_iso3=iso3,
                state_region=state_region,
                reviewer_id=reviewer_id,
                reviewer_name=(full_name or email) if reviewer_id else "",
                latest_version_number=number,
                latest_submitted_at=submitted_at,
                open_queries=queries,
                oldest_query_at=oldest,
                due=due,
                is_overdue=bool(due and due < today),
                waiting=now - submitted_at if submitted_at else None,
                oldest_query_age=now - oldest if oldest else None,
            )
        )
    far_future = dt.datetime.max.replace(tzinfo=dt.UTC)
    rows.sort(key=lambda r: (r.latest_submitted_at or far_future, r.state_name, r.period_year or 0, r.pk))
    return narrow_queue(rows, status=status, region=region, reviewer=reviewer, overdue=overdue, due_before=due_before)


def narrow_queue(
    rows: list[QueueRow],
    *,
    status: str | None = None,
    region: str | None = None,
    reviewer: Any = None,
    overdue: bool | None = None,
    due_before: dt.date | None = None,
) -> list[QueueRow]:
    """The rows of ``review_queue`` that pass its filters, in the same order (no query)."""
    if reviewer is not None and reviewer != UNASSIGNED and not isinstance(reviewer, str | int):
        reviewer = reviewer.pk  # a user
    return [
        r
        for r in rows
        if (not status or r.status == status)
        and (not region or r.state_region == region)
        and (not reviewer or (r.reviewer_id is None if reviewer == UNASSIGNED else str(r.reviewer_id) == str(reviewer)))
        and (overdue is None or r.is_overdue == overdue)
        and (not due_before or bool(r.due and r.due < due_before))
    ]


@dataclass
class QueueSummary:
    total: int
    by_status: list[tuple[str, str, int]]  # (status, label, count), in QUEUE_STATUSES order
    open_queries: int
    longest_wait: dt.timedelta | None  # the oldest open query's age
    overdue: int

    @property
    def longest_wait_days(self) -> int | None:
        return self.longest_wait.days if self.longest_wait is not None else None


def queue_summary(rows: list[QueueRow]) -> QueueSummary:
    """Counts for the dashboard strip over rows from ``review_queue`` (no query)."""
    counts = Counter(r.status for r in rows)
    ages = [r.oldest_query_age for r in rows if r.oldest_query_age is not None]
    return QueueSummary(
        total=len(rows),
        by_status=[(status.value, status.label, counts.get(status.value, 0)) for status in QUEUE_STATUSES],
        open_queries=sum(r.open_queries for r in rows),
        longest_wait=max(ages) if ages else None,
        overdue=sum(1 for r in rows if r.is_overdue),
    )


def reviewer_list() -> list[User]:
    """The ISU's reviewers by name, for the queue's filter: their id and name (``get_full_name``) only."""
    return list(User.objects.filter(access.reviewers()).order_by("full_name", "email").only("full_name", "email"))


# --- A State's reports (the focal point's list) --------------------------------------------------------
@dataclass
class StateReports:
    reports: list[Report]  # started in the portal, latest period first
    owed: list[dict[str, Any]]  # reports owed and not started, initial report first, then latest year first
    received: list[ReportingRecord]  # what sources outside the portal say was received, or not sent


def state_reports(state: State, *, today: dt.date) -> StateReports:
    """The State's reports as its list shows them on ``today``.

    Each report carries what is known of it (``reporting.records``): ``no_record`` (a year before the portal
    became the complete record with no source saying it was not sent: never "overdue") and ``overdue``
    while it can be edited; and whether the ISU is entering it from the State's original
    (``isu_entering``) or entered it and awaits the State's confirmation (``isu_entered_on``, the
    original's date)."""
    reports = list(
        Report.objects.for_state(state)
        .select_related("state", "updated_by")
        .order_by(F("period_year").desc(nulls_last=True))
    )
    known = records.load(today, states=[state])
    entered = entry.awaiting_the_state(state)
    for report in reports:
        report.isu_entering = report.pk in entered and entered[report.pk] is None
        report.isu_entered_on = entered.get(report.pk)
        found = known.report(state, report.kind, report.period_year)
        report.no_record = found.status == records.Status.NO_RECORD and report.status in EDITABLE_STATUSES
        report.overdue = bool(found.is_overdue and report.status in EDITABLE_STATUSES)
    # What sources outside the portal say of the State's reports (received, or not sent as of a day).
    received = list(
        ReportingRecord.objects.filter(state=state)
        .select_related("listed_in")
        .order_by(F("period_year").desc(nulls_last=True), "submitted_on", "as_of", "pk")
    )
    started = {(r.kind, r.period_year) for r in reports}
    return StateReports(reports=reports, owed=_owed(state, known, started, today=today), received=received)


def _owed(state: State, known: records.Records, started: set[tuple[str, int | None]], *, today: dt.date) -> list:
    """The reports the State owes and has not started, each with the accepted report it may start from."""
    wanted = [(ReportKind.ANNUAL, year) for year in sorted(periods.expected_annual_years(state, today=today))]
    if state.entry_into_force:
        wanted.insert(0, (ReportKind.INITIAL, None))
    owed_reports = [
        known.report(state, kind, year)
        for kind, year in wanted
        if (kind, year) not in started
        # Reports a source shows as received outside the portal are not owed again.
        and known.report(state, kind, year).status != records.Status.SUBMITTED
    ]
    annual_years = [r.year for r in owed_reports if r.kind == ReportKind.ANNUAL]
    # A source for year y is a source for every later year: look from the latest year down and
    # stop at the first year without one (one query when there is no accepted report at all).
    sources: dict[int, Any] = {}
    for year in sorted(annual_years, reverse=True):
        source = periods.last_accepted_version(state, before_year=year)
        if source is None:
            break
        sources[year] = source
    owed: list[dict[str, Any]] = []
    for found in sorted(owed_reports, key=lambda r: (r.kind == ReportKind.INITIAL, -(r.year or 0))):
        initial = found.kind == ReportKind.INITIAL
        owed.append(
            {
                "kind": found.kind,
                "year": "" if initial else found.year,
                "label": _("Initial report") if initial else _("Annual update for %(year)s") % {"year": found.year},
                "due": found.due,
                "overdue": found.is_overdue,
                # Before the portal was the complete record, and no source says it was not sent.
                "no_record": found.status == records.Status.NO_RECORD,
                "source": None if initial else sources.get(found.year),
            }
        )
    return owed


# --- One report's queries and history ---------------------------------------------------------------------
def open_comments(report: Report) -> list[ReviewComment]:
    """Open review queries on the report, each with its replies (three queries whatever their number)."""
    replies = ReviewComment.objects.select_related("author").order_by("created_at", "id")
    return list(
        report.comments.filter(parent__isnull=True, resolved_at__isnull=True)
        .select_related("author")
        .prefetch_related(Prefetch("replies", queryset=replies))
        .order_by("created_at", "id")
    )


def open_team_notes(report: Report, form_code: str) -> list[FormNote]:
    """The focal point's notes on Form ``form_code`` not yet settled (the form handed back since): for the State's
    own editing pages only. One query."""
    notes = FormNote.objects.filter(assignment__report=report, form_code=form_code, resolved_at__isnull=True)
    return list(notes.select_related("author"))


def review_comments(report: Report) -> list[ReviewComment]:
    """Every comment on the report, oldest first, each with its ``thread``: its replies, oldest first (none
    for a reply). One query."""
    comments = list(
        ReviewComment.objects.filter(report=report)
        .select_related("author", "resolved_by", "version")
        .order_by("created_at", "id")
    )
    replies: dict[int, list[ReviewComment]] = defaultdict(list)
    for comment in comments:
        if comment.parent_id is not None:
            replies[comment.parent_id].append(comment)
    for comment in comments:
        comment.thread = replies.get(comment.pk, [])
    return comments


_ACTION_LABELS = {
    "reporting.report.started": _lazy("Report started"),
    "reporting.report.saved": _lazy("Draft saved"),
    "reporting.report.marked_nil": _lazy("Marked as a nil report"),
    "reporting.report.visibility_set": _lazy("Visibility chosen"),
    "reporting.report.submitted": pgettext_lazy("an event in a report's history", "Submitted"),
    "reporting.report.recalled": _lazy("Submission recalled"),
    "reporting.report.review_started": _lazy("Review started"),
    "reporting.report.changes_requested": _lazy("Changes requested"),
    "reporting.report.accepted": pgettext_lazy("an event in a report's history", "Accepted"),
    "reporting.report.published": pgettext_lazy("an event in a report's history", "Published"),
    "reporting.report.correction_started": _lazy("Correction started"),
    "reporting.comment.added": _lazy("Comment added"),
    "reporting.comment.replied": _lazy("Reply to a comment"),
    "reporting.comment.resolved": _lazy("Comment resolved"),
}


def report_history(report: Report) -> list[Any]:
    """The report's audit trail as the review page lists it, newest first (one query): each entry with its
    ``label``, its ``change_list`` of (field, before, after) in words, a ``detail`` (a reason, or where a
    comment was placed), the ``comment_pk`` of a comment entry and the ``version_number`` it concerns."""
    found = audit.selectors.history(report)
    statuses = dict(ReportStatus.choices)
    for item in found:
        item.label = _ACTION_LABELS.get(item.action, item.action)
        item.change_list = []
        for name, values in (item.changes or {}).items():
            before, after = [*values, None, None][:2] if isinstance(values, list) else (None, values)
            if name == "status":
                before, after = statuses.get(before, before), statuses.get(after, after)
            item.change_list.append((name, _history_value(before), _history_value(after)))
        context = item.context or {}
        item.detail = context.get("reason") or context.get("anchor") or ""
        item.comment_pk = context.get("comment") if item.action.startswith("reporting.comment.") else None
        item.version_number = context.get("version")
    return found


def _history_value(value: Any) -> str:
    """A value as recorded in the audit trail, shortened for reading: a table row as its cells."""
    if value is None:
        return ""
    if isinstance(value, dict):
        value = "; ".join(f"{k}: {v}" for k, v in value.items() if k != "_id" and v not in (None, ""))
    elif isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    return Truncator(str(value)).chars(240)
