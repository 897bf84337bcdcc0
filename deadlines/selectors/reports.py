"""The reports behind report deadlines: which report meets a deadline, and when each was first submitted.

The reminder log and the reminders' effectiveness read here whether a report followed a reminder.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import BooleanField, CharField, DateField, DateTimeField, Q, Value
from django.utils import timezone

from deadlines.models import DeadlineKind
from parties.dates import PartialDate, Precision
from reporting.models import RecordStatus, ReportingRecord, ReportKind, ReportVersion

# Deadlines that a report meets; the others are met by completing an obligation.
REPORT_KINDS = (DeadlineKind.INITIAL_REPORT, DeadlineKind.ANNUAL_REPORT)


def report_lookup(deadline_kind: str, deadline_key: str) -> tuple[str, int | None] | None:
    """The report that meets a deadline, as (report kind, period year); None for other deadlines.

    ``TCD:annual_report:2025`` → ("annual", 2025); ``TCD:initial_report`` → ("initial", None).
    """
    if deadline_kind == DeadlineKind.INITIAL_REPORT:
        return ReportKind.INITIAL.value, None
    if deadline_kind == DeadlineKind.ANNUAL_REPORT:
        try:
            return ReportKind.ANNUAL.value, int(deadline_key.rsplit(":", 1)[-1])
        except ValueError:
            return None
    return None


def first_submissions(
    lookups: Iterable[tuple[int, str, int | None]],
) -> dict[tuple[int, str, int | None], dt.datetime]:
    """(state id, report kind, period year) → when the report was first submitted: the moment of its first
    portal version, or, for a version the ISU entered from an original and for a report a source records as
    received outside the portal (``ReportingRecord``), the start of the day it counts from (the original's
    date; the source's date, the last day of its month or year, or its bound). A report in on that day is
    never counted as having followed a reminder sent the same day.

    One query (portal versions and records together) for any number of lookups; reports never submitted are
    left out.
    """
    wanted = set(lookups)
    if not wanted:
        return {}
    state_ids = {state_id for state_id, _kind, _year in wanted}
    years = {year for _state, kind, year in wanted if kind == ReportKind.ANNUAL}

    def condition(prefix: str = "") -> Q:
        found = Q()
        if any(kind == ReportKind.INITIAL for _state, kind, _year in wanted):
            found |= Q(**{f"{prefix}kind": ReportKind.INITIAL})
        if years:
            found |= Q(**{f"{prefix}kind": ReportKind.ANNUAL, f"{prefix}period_year__in": years})
        return found

    versions = (
        ReportVersion.objects.filter(condition("report__"), report__state_id__in=state_ids)
        .order_by()
        .values_list(
            "report__state_id",
            "report__kind",
            "report__period_year",
            "submitted_at",
            "submitted_on",
            Value(Precision.DAY.value, output_field=CharField()),
            Value(None, output_field=DateField()),
            "entered_by_isu",
        )
    )
    received = (
        ReportingRecord.objects.filter(condition(), state_id__in=state_ids, status=RecordStatus.SUBMITTED)
        .order_by()
        .values_list(
            "state_id",
            "kind",
            "period_year",
            Value(None, output_field=DateTimeField()),
            "submitted_on",
            "submitted_precision",
            "submitted_by",
            Value(True, output_field=BooleanField()),
        )
    )
    found: dict[tuple[int, str, int | None], dt.datetime] = {}
    for state_id, kind, year, moment, day, precision, bound, by_day in versions.union(received, all=True):
        key = (state_id, kind, year)
        if key not in wanted:
            continue
        if by_day:
            days = [d for d in (PartialDate(day, Precision(precision)).end if day else None, bound) if d]
            if not days:
                continue
            moment = start_of(min(days))
        if key not in found or moment < found[key]:
            found[key] = moment
    return found


def start_of(day: dt.date) -> dt.datetime:
    """The first moment of ``day``, in the portal's time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def local_day(moment: dt.datetime) -> dt.date:
    """The day ``moment`` falls on, in the portal's time zone."""
    return timezone.localtime(moment).date()
