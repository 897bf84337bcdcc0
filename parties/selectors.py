"""Reads on States: what the public lists and profiles show, as of a date.

The HTML pages and their JSON twins are both rendered from these structures,
so they always hold the same facts.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils import dateformat
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from ccm_portal.core import clock
from parties import rules
from parties.dates import PartialDate, Precision
from parties.models import (
    Article,
    CompletionFinding,
    Confidence,
    ExtensionRequest,
    ExtensionStage,
    Meeting,
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


def known_by(state: State, as_of: dt.date) -> State:
    """The State as the list shows it on ``as_of``: an instrument deposited after that day (and the entry into
    force that follows from it) is not yet a fact, so it is left out (the instance is not saved)."""
    if state.deposit_date and state.deposit_date > as_of:
        state.deposit_date, state.deposit_type = None, ""
    return state


def state_row(state: State) -> dict[str, Any]:
    return {
        "iso3": state.iso3,
        "name": state.local_name,
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
    """Art. 9: the ISU's latest record in effect on ``as_of`` (rows prefetched). A record dated only to a
    month or year holds from the last day of that period (``NationalMeasures.holds_from``)."""
    in_effect = [m for m in state.national_measures.all() if m.holds_from <= as_of]
    record = max(in_effect, key=lambda m: (m.holds_from, m.effective_from), default=None)
    if record is None:
        return None
    return {
        "status": record.status,
        "status_label": record.get_status_display(),
        "effective_from": record.effective_from,
        "effective": _when(record.effective),
        "holds_from": record.holds_from,
        "source": record.source,
        "source_url": record.source_url or None,
        "notes": record.notes,
    }


def _day_display(day: dt.date) -> str:
    """A day as the pages show it (the translatable format of ``includes/date.html``)."""
    return dateformat.format(day, pgettext("long date format, Django date filter syntax", "j F Y"))


def _when(date: PartialDate | None) -> dict[str, Any] | None:
    """A date with the precision its source gives: never a day the source did not give."""
    if date is None:
        return None
    return {
        "date": date.isoformat(),
        "precision": date.precision.value,
        "precision_label": str(date.precision.label),
        "display": _day_display(date.start) if date.precision == Precision.DAY else date.display(),
    }


def _on(day: dt.date | None) -> dict[str, Any] | None:
    return _when(PartialDate(day, Precision.DAY)) if day else None


def filing_window(extension: ExtensionRequest) -> dict[str, Any] | None:
    """Art. 3(5), 4(6): a request reaches the meeting that decides it at least nine months before it."""
    due = extension.filing_deadline
    if due is None:
        return None
    submitted = extension.submitted
    if submitted is None:
        verdict, label = "unknown", _("no submission date recorded")
    elif extension.filed_late:
        verdict, label = "late", _("late")
    elif extension.filing_window_unclear:
        verdict, label = "unclear", _("unclear (the source gives only the month or year)")
    else:
        verdict, label = "in_time", _("in time")
    return {"due": _on(due), "filed": _when(submitted), "verdict": verdict, "verdict_label": label}


def _meeting(meeting: Meeting | None) -> dict[str, Any] | None:
    if meeting is None:
        return None
    return {
        "code": meeting.code,
        "name": meeting.local_name,
        "start": _when(meeting.start),
        "last_day": _on(meeting.end_date) if meeting.end_date else None,
    }


def _extension(extension: ExtensionRequest, as_of: dt.date, *, is_today: bool) -> dict[str, Any]:
    """A request as it stood on ``as_of``: its outcome only once decided (before, "pending")."""
    stage = extension.stage_on(as_of)
    decided = stage not in (None, ExtensionStage.PENDING)
    granted = stage == ExtensionStage.GRANTED
    return {
        "stage": stage.value,
        "stage_label": str(stage.label),
        "previous_deadline": _when(extension.previous),
        "submitted": _when(extension.submitted),
        "requested_until": _when(extension.requested),
        "meeting": _meeting(extension.meeting),
        "filing_window": filing_window(extension),
        "decided": _when(extension.decided) if decided else None,
        "in_force_from": _on(extension.in_force_from) if granted else None,
        "granted_until": _when(extension.granted) if granted else None,
        "confidence": extension.confidence,
        "confidence_label": str(extension.get_confidence_display()),
        # Sources report the outcome: given once the meeting has decided (or on today's view).
        "source": extension.source if decided or is_today else None,
        "notes": extension.notes if is_today else None,
    }


def _statements(obligation: Obligation) -> list[dict[str, Any]]:
    """Every source's statement of the obligation's completion, with the days it can be shown from: the
    obligation's own (``obligations.csv``) and each ``CompletionRecord``."""
    found = []
    own = obligation.completion
    if own or obligation.completed_by:
        found.append(
            {
                "completion": own,
                "bound": obligation.completed_by,
                "finding": CompletionFinding.COMPLETED,
                "confidence": obligation.confidence,
                "confidence_label": obligation.get_confidence_display(),
                "counts": obligation.confidence != Confidence.DISPUTED,
                "source": obligation.source,
            }
        )
    for record in obligation.completion_records.all():
        found.append(
            {
                "completion": record.completion,
                "bound": record.completed_by,
                "finding": record.finding,
                "confidence": record.confidence,
                "confidence_label": record.get_confidence_display(),
                "counts": record.counts,
                "source": record.source,
            }
        )
    return found


def _completion_statements(obligation: Obligation, as_of: dt.date, *, is_today: bool) -> list[dict[str, Any]]:
    """The statements known on ``as_of``: a dated one from the first day of its period (it is "around this
    date" until the period's last day), a bound ("completed by") from its day; a finding with no date only on
    today's view."""
    out = []
    for statement in _statements(obligation):
        completion, bound = statement["completion"], statement["bound"]
        shown = completion if completion and completion.start <= as_of else None
        shown_bound = bound if bound and bound <= as_of else None
        undated = completion is None and bound is None
        if not (shown or shown_bound or (undated and is_today)):
            continue
        certain = min(d for d in (completion.end if completion else None, bound) if d) if not undated else None
        out.append(
            {
                "finding": statement["finding"],
                "finding_label": str(CompletionFinding(statement["finding"]).label),
                "completed": _when(shown),
                "completed_by": _on(shown_bound),
                "certain": certain is not None and certain <= as_of,
                "counts": statement["counts"],
                "confidence": statement["confidence"],
                "confidence_label": str(statement["confidence_label"]),
                "source": statement["source"],
                "_interval": (
                    completion.start if shown else dt.date.min,
                    min(d for d in (completion.end if shown else None, shown_bound) if d)
                    if (shown or shown_bound)
                    else dt.date.max,
                ),
            }
        )
    return out


def _disagree(statements: list[dict[str, Any]]) -> bool:
    """Sources disagree when no single day fits every statement shown (or one finds nothing to complete)."""
    findings = {s["finding"] for s in statements}
    if len(findings) > 1:
        return True
    intervals = [s["_interval"] for s in statements if s["completed"] or s["completed_by"]]
    if len(intervals) < 2:
        return False
    return max(lo for lo, _hi in intervals) > min(hi for _lo, hi in intervals)


def _deadline_in_force(obligation: Obligation, as_of: dt.date) -> tuple[PartialDate | None, dict[str, Any] | None]:
    """The deadline in force on ``as_of`` with its precision (``Obligation.deadline_in_force``), and the
    extension that put it in force."""
    extension = obligation.extension_in_force_on(as_of)
    deadline = obligation.deadline_in_force(as_of)
    if extension is None:
        return deadline, None
    return deadline, {
        "meeting": _meeting(extension.meeting),
        "decided": _when(extension.decided),
        "in_force_from": _on(extension.in_force_from),
    }


def _obligation(
    obligation: Obligation | None, article: Article, state: State, as_of: dt.date, *, is_today: bool
) -> dict[str, Any]:
    """An Art. 3 or Art. 4 obligation as it stood on ``as_of``: the deadline in force that day and the
    extension that put it in force, the requests made by then (each at its stage that day) and the
    statements of completion known by then. Nothing dated after ``as_of``; today's deadline and the ISU's
    notes only on today's view."""
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
    status = obligation.status_on(as_of)
    deadline, set_by = _deadline_in_force(obligation, as_of)
    requests = [
        _extension(e, as_of, is_today=is_today)
        for e in sorted(
            (e for e in obligation.extensions.all() if e.stage_on(as_of) is not None),
            key=lambda e: (e.known_from, e.pk),
        )
    ]
    statements = _completion_statements(obligation, as_of, is_today=is_today)
    disagree = _disagree(statements)
    for statement in statements:
        del statement["_interval"]
    certain = obligation.completed_from()
    open_ = status in (ObligationStatus.OPEN, ObligationStatus.COMPLETION_UNCERTAIN)
    return base | {
        "original_deadline": obligation.original_deadline,
        # The last day of the deadline in force (of its month or year, if known only so): passed after it.
        "deadline_as_of": obligation.deadline_on(as_of),
        "deadline_in_force": _when(deadline),
        "deadline_set_by": set_by,
        # Only on today's view: in a view of the past it would be a fact from after the day shown.
        **({"current_deadline": obligation.current_deadline} if is_today else {}),
        "hostilities_ended_on": obligation.hostilities_ended_on,
        "extensions": requests,
        "completion_statements": statements,
        "sources_disagree": disagree,
        "completed_from": _on(certain) if certain and certain <= as_of else None,
        "status": status.value,
        "status_label": status.label,
        # Passed: the deadline in force that day (its whole month or year, if known only so) lies before it.
        "deadline_passed": bool(open_ and deadline and deadline.end < as_of),
        "confidence": obligation.confidence,
        "confidence_label": obligation.get_confidence_display(),
        "source": obligation.source if is_today else None,
        "notes": obligation.notes if is_today else None,
    }


def state_profile(state: State, as_of: dt.date, *, today: dt.date | None = None) -> dict[str, Any]:
    """Everything the State page shows as of ``as_of``; facts that became true after it are left out."""
    is_today = as_of == (today or clock.today())
    status = state.status_on(as_of)

    def known(day: dt.date | None) -> dt.date | None:
        return day if day and day <= as_of else None

    # Treaty dates only from the day each became a fact: entry into force, the initial report's due date and
    # the deadlines follow from the deposit; a withdrawal's effect from its notification.
    deposited = known(state.deposit_date)
    eif = state.entry_into_force if deposited else None
    notified = known(state.withdrawal_notified_on)
    effective = state.withdrawal_effective_on if notified or known(state.withdrawal_effective_on) else None
    obligations = {o.article: o for o in state.obligations.all()}
    return {
        "iso3": state.iso3,
        "name": state.local_name,
        "region": state.region,
        "as_of": as_of,
        "is_today": is_today,
        "status": status.value if status else None,
        "status_label": status.label if status else _("Not yet a signatory or party"),
        "bound_by_obligations": state.is_bound_on(as_of),
        "signature_date": known(state.signature_date),
        "deposit_date": deposited,
        "deposit_type": (state.deposit_type or None) if deposited else None,
        "deposit_type_label": state.get_deposit_type_display() if deposited and state.deposit_type else None,
        "provisional_application_date": known(state.provisional_application_date),
        "entry_into_force": eif,
        "withdrawal_notified_on": notified,
        "withdrawal_effective_on": effective,
        "initial_report_due": state.initial_report_due if deposited else None,
        "obligations": [
            _obligation(obligations.get(article), article, state, as_of, is_today=is_today) for article in Article
        ]
        if deposited
        else [],
        "national_measures": _national_measures(state, as_of),
        "source": state.source,
        "crosscheck": state.crosscheck,
        # The ISU's notes are written today and may tell of later events: only on today's view.
        "notes": state.notes if is_today else "",
        "url": reverse("parties:state_detail", args=[state.iso3]),
    }
