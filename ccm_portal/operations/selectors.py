"""The background work the ISU watches (``/isu/operations/``): what is queued, what failed and what is stuck, by
kind — reminder e-mails (``deadlines.models.Reminder``), report PDFs (``reporting.models.ReportPdf``) and
dashboard PDFs (``progress.models.DashboardPdf``).

- **failed**: a reminder that failed after its retries; a PDF whose render failed.
- **stuck**: a reminder still "being sent" after its day (a worker died mid-send, as
  ``deadlines.selectors.reminders`` says), or still queued an hour after it was (re)queued (its message lost:
  the retries' back-off is 15 minutes in all); a PDF queued or rendering for longer than
  ``ccm_portal.core.documents.STALE_AFTER``.
- **queued**: the rest of what waits or is in hand — normal, shown so the ISU sees the queue move.

Failed and stuck items come first; each list stops at ``LIMIT`` items (the counts are complete). Work older
than ``RECENT_DAYS`` is left out. Two queries per kind, whatever the number of items.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from audit.selectors import latest_time
from ccm_portal.core import clock, documents
from ccm_portal.core.models import RenderStatus
from deadlines.models import Reminder, ReminderStatus, reminder_title
from deadlines.selectors.reminders import step_label, stuck_sending
from progress.models import DashboardPdf
from reporting.models import ReportPdf

LIMIT = 50
RECENT_DAYS = 60
# A reminder queued this long ago and not sent lost its message (the retries' back-off is 1+2+4+8 minutes).
REMINDER_STUCK_AFTER = dt.timedelta(hours=1)

QUEUED, STUCK, FAILED = "queued", "stuck", "failed"
CONDITIONS = {
    QUEUED: gettext_lazy("Queued"),
    STUCK: gettext_lazy("Stuck"),
    FAILED: gettext_lazy("Failed"),
}


@dataclass
class Item:
    """One piece of background work: what it is, since when, in which condition, and the error if any."""

    pk: int
    condition: str  # QUEUED, STUCK or FAILED
    what: str
    detail: str
    when: dt.datetime | dt.date
    status: str
    error: str = ""
    attempts: int | None = None

    @property
    def condition_label(self) -> str:
        return str(CONDITIONS[self.condition])

    @property
    def status_note(self) -> str:
        """The item's own status, when it says more than its condition ("Failed after retries", a PDF's stage)."""
        return "" if self.status == self.condition_label else self.status

    @property
    def retryable(self) -> bool:
        return self.condition in (STUCK, FAILED)


@dataclass
class Section:
    """One kind of background work: its counts by condition and its items, failed and stuck first."""

    key: str
    title: str
    retry_url: str  # the URL name of the item's Retry (POST, the item's pk)
    counts: dict[str, int]
    items: list[Item] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def hidden(self) -> int:
        """Items counted but not listed (beyond ``LIMIT``)."""
        return self.total - len(self.items)


@dataclass
class BackgroundWork:
    sections: list[Section]
    since: dt.date

    @property
    def counts(self) -> dict[str, int]:
        return {key: sum(section.counts[key] for section in self.sections) for key in CONDITIONS}

    @property
    def totals(self) -> list[tuple[str, str, int]]:
        """(condition, its label, how many of every kind), failed first: the counts at the top of the page."""
        counts = self.counts
        return [(key, str(CONDITIONS[key]), counts[key]) for key in (FAILED, STUCK, QUEUED)]


# --- Conditions as filters ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Conditions:
    failed: Q
    stuck: Q


def _ranked(rows: QuerySet[Any], conditions: _Conditions) -> QuerySet[Any]:
    """``rows`` with ``condition`` (failed, stuck or queued) and ``rank`` (0, 1, 2: failed first)."""
    return rows.annotate(
        condition=Case(
            When(conditions.failed, then=Value(FAILED)),
            When(conditions.stuck, then=Value(STUCK)),
            default=Value(QUEUED),
        ),
        rank=Case(
            When(conditions.failed, then=Value(0)),
            When(conditions.stuck, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        ),
    )


def _counts(rows: QuerySet[Any], conditions: _Conditions) -> dict[str, int]:
    """How many of ``rows`` are failed, stuck and queued (the rest). One query."""
    found = rows.aggregate(
        failed=Count("pk", filter=conditions.failed),
        stuck=Count("pk", filter=conditions.stuck),
        all=Count("pk"),
    )
    return {QUEUED: found["all"] - found["failed"] - found["stuck"], STUCK: found["stuck"], FAILED: found["failed"]}


# --- Reminders ---------------------------------------------------------------------------------------------
def _reminders(now: dt.datetime, today: dt.date) -> tuple[QuerySet[Reminder], _Conditions]:
    rows = Reminder.objects.filter(
        status__in=[ReminderStatus.QUEUED, ReminderStatus.SENDING, ReminderStatus.FAILED],
        for_day__gte=today - dt.timedelta(days=RECENT_DAYS),
    ).annotate(
        # Queued since it was recorded, or since the ISU last sent it again.
        queued_at=Coalesce(latest_time("deadlines.reminder.requeued", Reminder), F("created_at"))
    )
    conditions = _Conditions(
        failed=Q(status=ReminderStatus.FAILED),
        stuck=stuck_sending(now, today) | Q(status=ReminderStatus.QUEUED, queued_at__lt=now - REMINDER_STUCK_AFTER),
    )
    return rows, conditions


def retryable_reminders() -> QuerySet[Reminder]:
    """Reminders that failed or are stuck: those the ISU may send again."""
    rows, conditions = _reminders(timezone.now(), clock.today())
    return rows.filter(conditions.failed | conditions.stuck)


def _reminder_item(reminder: Reminder) -> Item:
    title = reminder_title(reminder.deadline_kind, reminder.deadline_key)
    recipient = reminder.email or _("nobody")
    return Item(
        pk=reminder.pk,
        condition=reminder.condition,
        what=_("%(deadline)s — %(state)s") % {"deadline": title, "state": reminder.state.local_name},
        detail=_("To %(recipient)s, %(step)s") % {"recipient": recipient, "step": step_label(reminder.offset_days)},
        when=reminder.queued_at,
        status=reminder.get_status_display(),
        error=reminder.last_error,
        attempts=reminder.attempts,
    )


def reminder_section(now: dt.datetime, today: dt.date) -> Section:
    rows, conditions = _reminders(now, today)
    listed = _ranked(rows, conditions).select_related("state").order_by("rank", "-queued_at", "-pk")[:LIMIT]
    return Section(
        key="reminders",
        title=_("Reminder e-mails"),
        retry_url="operations:retry_reminder",
        counts=_counts(rows, conditions),
        items=[_reminder_item(reminder) for reminder in listed],
    )


# --- PDFs (ccm_portal.core.documents) ----------------------------------------------------------------------
def _documents(model: type[Any], now: dt.datetime) -> tuple[QuerySet[Any], _Conditions]:
    rows = model.objects.filter(
        status__in=[RenderStatus.QUEUED, RenderStatus.RENDERING, RenderStatus.FAILED],
        requested_at__gte=now - dt.timedelta(days=RECENT_DAYS),
    )
    # As ``documents.in_flight`` says: a render not finished after STALE_AFTER is taken to be lost.
    stale = now - documents.STALE_AFTER
    conditions = _Conditions(
        failed=Q(status=RenderStatus.FAILED),
        stuck=Q(status=RenderStatus.QUEUED, requested_at__lt=stale)
        | Q(status=RenderStatus.RENDERING, started_at__lt=stale),
    )
    return rows, conditions


def retryable_documents(model: type[Any]) -> QuerySet[Any]:
    """PDFs of ``model`` that failed or are stuck: those the ISU may ask again."""
    rows, conditions = _documents(model, timezone.now())
    return rows.filter(conditions.failed | conditions.stuck)


def _document_item(row: Any, what: str, detail: str) -> Item:
    return Item(
        pk=row.pk,
        condition=row.condition,
        what=what,
        detail=detail,
        when=row.started_at if row.status == RenderStatus.RENDERING and row.started_at else row.requested_at,
        # Stage and error are stored untranslated (ccm_portal.core.documents): translated for the reader.
        status=_(row.stage) if row.stage else row.get_status_display(),
        error=_(row.error) if row.error else "",
    )


def _report_pdf_item(pdf: ReportPdf) -> Item:
    report = pdf.report
    what = (
        _("%(state)s, %(report)s, version %(number)s")
        % {"state": report.state.local_name, "report": report.period_label, "number": pdf.version.number}
        if pdf.version is not None
        else _("%(state)s, %(report)s, draft") % {"state": report.state.local_name, "report": report.period_label}
    )
    return _document_item(pdf, what, str(report.get_kind_display()))


def report_pdf_section(now: dt.datetime) -> Section:
    rows, conditions = _documents(ReportPdf, now)
    listed = (
        _ranked(rows, conditions)
        .select_related("report__state", "version")
        .order_by("rank", "-requested_at", "-pk")[:LIMIT]
    )
    return Section(
        key="report_pdfs",
        title=_("Report PDFs"),
        retry_url="operations:retry_report_pdf",
        counts=_counts(rows, conditions),
        items=[_report_pdf_item(pdf) for pdf in listed],
    )


def _dashboard_pdf_item(pdf: DashboardPdf) -> Item:
    # The pages' short date (the same translated format as the templates').
    day = dateformat.format(pdf.as_of, pgettext("short date format, Django date filter syntax", "j M Y"))
    what = _("Progress to date as of %(date)s") % {"date": day}
    return _document_item(pdf, what, str(pdf.get_audience_display()))


def dashboard_pdf_section(now: dt.datetime) -> Section:
    rows, conditions = _documents(DashboardPdf, now)
    listed = _ranked(rows, conditions).order_by("rank", "-requested_at", "-pk")[:LIMIT]
    return Section(
        key="dashboard_pdfs",
        title=_("Dashboard PDFs"),
        retry_url="operations:retry_dashboard_pdf",
        counts=_counts(rows, conditions),
        items=[_dashboard_pdf_item(pdf) for pdf in listed],
    )


def background_work() -> BackgroundWork:
    """Every kind of background work, with its counts and items. Six queries."""
    now, today = timezone.now(), clock.today()
    return BackgroundWork(
        sections=[reminder_section(now, today), report_pdf_section(now), dashboard_pdf_section(now)],
        since=today - dt.timedelta(days=RECENT_DAYS),
    )
