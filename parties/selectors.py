"""Reads on States: what the public lists and profiles show, as of a date.

The HTML pages and their JSON twins are both rendered from these structures,
so they always hold the same facts.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.db import models
from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from parties import rules
from parties.models import (
    Article,
    ExtensionRequest,
    MembershipStatus,
    NationalMeasures,
    Obligation,
    ObligationStatus,
    Region,
    State,
    StateQuerySet,
)


def states_as_of(as_of: dt.date, *, status: str = "", region: str = "", query: str = "") -> StateQuerySet:
    """The States that had signed or joined by ``as_of``, each annotated with its status then."""
    states = State.objects.participants(as_of)
    if status:
        states = states.filter(status=status)
    if region:
        states = states.filter(region=region)
    if query:
        states = states.filter(Q(name__icontains=query) | Q(iso3__iexact=query))
    return states.order_by("name")


def membership_totals(as_of: dt.date) -> dict[str, Any]:
    """Counts by status and by region among States Parties, in one query."""
    rows = State.objects.participants(as_of).values_list("status", "region")
    by_status: Counter[str] = Counter()
    parties_by_region: Counter[str] = Counter()
    for status, region in rows:
        by_status[status] += 1
        if status == MembershipStatus.STATE_PARTY:
            parties_by_region[region] += 1
    return {
        "state_party": by_status[MembershipStatus.STATE_PARTY],
        "signatory": by_status[MembershipStatus.SIGNATORY],
        "withdrawn": by_status[MembershipStatus.WITHDRAWN],
        "participants": sum(by_status.values()),
        "parties_by_region": {region.value: parties_by_region[region.value] for region in Region},
    }


def state_row(state: State) -> dict[str, Any]:
    return {
        "iso3": state.iso3,
        "name": state.name,
        "region": state.region,
        "status": state.status,
        "signature_date": state.signature_date,
        "deposit_date": state.deposit_date,
        "deposit_type": state.deposit_type or None,
        "entry_into_force": state.entry_into_force,
        "url": state.get_absolute_url(),
    }


def state_for_profile(iso3: str) -> State | None:
    obligations = Obligation.objects.prefetch_related(
        Prefetch(
            "extensions",
            queryset=ExtensionRequest.objects.select_related("meeting").order_by(
                "previous_deadline", "requested_until"
            ),
        ),
        "completion_records",
    )
    return (
        State.objects.prefetch_related(
            Prefetch("obligations", queryset=obligations),
            Prefetch("national_measures", queryset=NationalMeasures.objects.order_by("-effective_from")),
        )
        .filter(iso3=iso3)
        .first()
    )


def _national_measures(state: State, as_of: dt.date) -> dict[str, Any] | None:
    """Art. 9: the ISU's latest record in effect on ``as_of`` (rows prefetched, newest first)."""
    record = next((m for m in state.national_measures.all() if m.effective_from <= as_of), None)
    if record is None:
        return None
    return {
        "status": record.status,
        "status_label": record.get_status_display(),
        "effective_from": record.effective_from,
        "source": record.source,
        "source_url": record.source_url or None,
        "notes": record.notes,
    }


def _extension(extension: ExtensionRequest) -> dict[str, Any]:
    return {
        "status": extension.status,
        "status_label": extension.get_status_display(),
        "requested_until": extension.requested_until,
        "granted_until": extension.granted_until,
        "submitted_on": extension.submitted_on,
        "meeting": extension.meeting.code if extension.meeting else None,
        "meeting_name": extension.meeting.name if extension.meeting else None,
        "filing_deadline": extension.filing_deadline,
        "filed_late": extension.filed_late,
        "source": extension.source,
        "notes": extension.notes,
    }


def _obligation(obligation: Obligation | None, article: Article, state: State, as_of: dt.date) -> dict[str, Any]:
    eif = state.entry_into_force
    treaty_deadline = (
        rules.stockpile_destruction_deadline(eif)
        if article == Article.STOCKPILE_DESTRUCTION
        else rules.clearance_deadline(eif)
    )
    base = {
        "article": int(article),
        "label": article.label,
        "recorded": obligation is not None,
        "treaty_deadline": treaty_deadline,
    }
    if obligation is None:
        return base
    obligation.state = state  # already loaded: avoid a query per obligation
    completion = obligation.completion
    status = obligation.status_on(as_of)
    return base | {
        "original_deadline": obligation.original_deadline,
        "deadline_as_of": obligation.deadline_on(as_of),
        "current_deadline": obligation.current_deadline,
        "hostilities_ended_on": obligation.hostilities_ended_on,
        "extensions": [_extension(e) for e in obligation.extensions.all()],
        "completed": (
            {
                "date": completion.isoformat(),
                "precision": completion.precision.value,
                "precision_label": completion.precision.label,
                "display": completion.display(),
            }
            if completion
            else None
        ),
        "completed_by": obligation.completed_by,
        "status": status.value,
        "status_label": status.label,
        "deadline_passed": status == ObligationStatus.OPEN and (obligation.deadline_on(as_of) or as_of) < as_of,
        "confidence": obligation.confidence,
        "confidence_label": obligation.get_confidence_display(),
        "source": obligation.source,
        "notes": obligation.notes,
    }


def state_profile(state: State, as_of: dt.date) -> dict[str, Any]:
    status = state.status_on(as_of)
    eif = state.entry_into_force
    obligations = {o.article: o for o in state.obligations.all()}
    return {
        "iso3": state.iso3,
        "name": state.name,
        "region": state.region,
        "as_of": as_of,
        "status": status.value if status else None,
        "status_label": status.label if status else _("Not yet a signatory or party"),
        "bound_by_obligations": state.is_bound_on(as_of),
        "signature_date": state.signature_date,
        "deposit_date": state.deposit_date,
        "deposit_type": state.deposit_type or None,
        "deposit_type_label": state.get_deposit_type_display() if state.deposit_type else None,
        "provisional_application_date": state.provisional_application_date,
        "entry_into_force": eif,
        "withdrawal_notified_on": state.withdrawal_notified_on,
        "withdrawal_effective_on": state.withdrawal_effective_on,
        "initial_report_due": state.initial_report_due,
        "obligations": [_obligation(obligations.get(article), article, state, as_of) for article in Article],
        "national_measures": _national_measures(state, as_of),
        "reports": published_reports(state),
        "source": state.source,
        "crosscheck": state.crosscheck,
        "notes": state.notes,
        "url": reverse("parties:state_detail", args=[state.iso3]),
    }


def published_reports(state: State) -> list[dict[str, Any]]:
    """The State's accepted, public Article 7 reports (latest accepted version of each), one query."""
    from reporting.models import ReportKind, ReportVersion, Visibility

    # The latest published public version of each report (an accepted correction not yet published
    # leaves the previous published version in place).
    newer = ReportVersion.objects.filter(
        report=models.OuterRef("report"),
        number__gt=models.OuterRef("number"),
        published_at__isnull=False,
        visibility=Visibility.PUBLIC,
    )
    versions = (
        ReportVersion.objects.filter(
            ~models.Exists(newer),
            report__state=state,
            published_at__isnull=False,
            visibility=Visibility.PUBLIC,
        )
        .select_related("report")
        .order_by("-report__period_year", "-number")
    )
    return [
        {
            "kind": v.report.kind,
            "period": v.report.period_slug,
            "label": v.report.period_label if v.report.kind == ReportKind.ANNUAL else str(v.report.get_kind_display()),
            "version": v.number,
            "submitted_on": v.submitted_at.date(),
            "is_nil": v.is_nil,
            "url": reverse("reporting:archive_version", args=[state.iso3, v.report.period_slug, v.number]),
        }
        for v in versions
    ]


# About 12 months before the date shown to about 36 months after it.
CALENDAR_PAST_DAYS = 365
CALENDAR_AHEAD_DAYS = 3 * 365 + 1


def state_calendar(state: State, as_of: dt.date) -> list[dict[str, Any]]:
    """The State's obligation calendar around ``as_of``, from ``deadlines.calendar`` (computed from
    treaty dates, obligations, extensions, meetings and reports): five queries, none before entry
    into force. A deadline counts as met only if it was met by ``as_of``."""
    if state.entry_into_force is None:
        return []
    from deadlines import calendar

    data = calendar.load([state])
    start, end = as_of - dt.timedelta(days=CALENDAR_PAST_DAYS), as_of + dt.timedelta(days=CALENDAR_AHEAD_DAYS)
    rows = []
    for deadline in calendar.state_deadlines(state, data, start=start, end=end):
        met = deadline.met and (deadline.met_on is None or deadline.met_on <= as_of)
        rows.append(
            {
                "key": deadline.key,
                "kind": deadline.kind,
                "date": deadline.date,
                "title": deadline.title,
                "basis": deadline.basis,
                "met": met,
                "met_on": deadline.met_on if met else None,
            }
        )
    return rows
