"""Reads on Article 7 reports for the ISU: the review queue.

Each read runs a fixed number of queries however many reports and States there are.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from reporting.models import Report, ReportStatus, ReportVersion, ReviewComment

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


def review_queue(
    *,
    status: str | None = None,
    region: str | None = None,
    reviewer: Any = None,
    overdue: bool | None = None,
    due_before: dt.date | None = None,
    today: dt.date,
    now: dt.datetime | None = None,
) -> list[Report]:
    """Reports awaiting or under review, oldest submission first, in one query.

    Filters: ``status`` (one of ``QUEUE_STATUSES``), ``region``, ``reviewer`` (a user, a user id or
    ``UNASSIGNED``), ``overdue`` (True/False: past its due date on ``today``), ``due_before`` (due date
    strictly before that day).

    Each report carries ``latest_version_number``, ``latest_submitted_at``, ``open_queries`` (count),
    ``oldest_query_at``, and, computed in Python because the initial report's due date follows the
    State's entry into force: ``due`` (date or None), ``is_overdue``, ``waiting`` and
    ``oldest_query_age`` (timedeltas or None) with ``waiting_days`` and ``oldest_query_days``.
    """
    now = now or timezone.now()
    latest = ReportVersion.objects.filter(report=OuterRef("pk")).order_by("-number")
    reports = (
        Report.objects.filter(status__in=QUEUE_STATUSES)
        .select_related("state", "reviewer")
        .defer("draft")
        .annotate(
            latest_version_number=Subquery(latest.values("number")[:1]),
            latest_submitted_at=Subquery(latest.values("submitted_at")[:1]),
            open_queries=Coalesce(
                Subquery(
                    _open_queries().order_by().values("report").annotate(n=Count("pk")).values("n")[:1],
                    output_field=IntegerField(),
                ),
                Value(0),
            ),
            oldest_query_at=Subquery(_open_queries().order_by("created_at").values("created_at")[:1]),
        )
    )
    if status:
        reports = reports.filter(status=status)
    if region:
        reports = reports.filter(state__region=region)
    if reviewer == UNASSIGNED:
        reports = reports.filter(reviewer__isnull=True)
    elif reviewer:
        reports = reports.filter(reviewer=reviewer)

    rows = []
    for report in reports:
        report.due = report.due_date
        report.is_overdue = bool(report.due and report.due < today)
        if overdue is not None and report.is_overdue != overdue:
            continue
        if due_before and not (report.due and report.due < due_before):
            continue
        report.waiting = now - report.latest_submitted_at if report.latest_submitted_at else None
        report.oldest_query_age = now - report.oldest_query_at if report.oldest_query_at else None
        report.waiting_days = report.waiting.days if report.waiting is not None else None
        report.oldest_query_days = report.oldest_query_age.days if report.oldest_query_age is not None else None
        rows.append(report)
    far_future = dt.datetime.max.replace(tzinfo=dt.UTC)
    rows.sort(key=lambda r: (r.latest_submitted_at or far_future, r.state.name, r.period_year or 0, r.pk))
    return rows


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


def queue_summary(rows: list[Report]) -> QueueSummary:
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
