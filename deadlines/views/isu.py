"""ISU pages on deadlines and reminders: every State's deadlines with the reminders sent, and the
reminder log with how reports followed each reminder step.

Both pages sit under /isu/, where ``StaffTwoFactorMiddleware`` demands an authenticator, are for the ISU
(``access.isu_required``), only read (``deadlines.selectors``), and run a fixed number of queries.

The overview lists every overdue deadline and the upcoming ones a page at a time (the soonest first; two years
of every State's annual reports make a few hundred rows). What each row shows is put into words here, once per
row, rather than by template tags per cell (a URL, a date in the reader's format, a count in words).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import get_language, ngettext, pgettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from ccm_portal.core import clock
from ccm_portal.core.rendered import Kept, rows_html
from deadlines import access
from deadlines.forms import LOG_MAX_DAYS, LogFilterForm, OverviewFilterForm
from deadlines.selectors import effectiveness, reminders
from deadlines.selectors.overview import OverviewRow, obligation_overview

LOG_PAGE_SIZE = 50
UPCOMING_PAGE_SIZE = 50  # upcoming deadlines a page; overdue ones are all shown
LOG_DEFAULT_DAYS = 90  # the log shows the last 90 days unless asked otherwise
PROBLEM_DAYS = 60  # the problems panel shows problems recorded in the last 60 days


# --- Deadline overview --------------------------------------------------------------------------
@require_GET
@access.isu_required
def deadline_overview(request: HttpRequest) -> HttpResponse:
    params = request.GET.copy()
    params.pop("page", None)
    form = OverviewFilterForm(params or None)
    valid = form.is_valid() if params else True
    data = form.cleaned_data if params else {}  # the valid filters, even when another is not
    today = clock.today()
    filters = {
        "kind": data.get("kind") or None,
        "region": data.get("region") or None,
        "max_days_left": data.get("days"),
        "include_met": bool(data.get("include_met")),
    }
    overview = obligation_overview(today=today, **filters)
    problems_since = today - dt.timedelta(days=PROBLEM_DAYS)
    problems, not_sent_to_nobody = reminders.split_problems(
        reminders.reminder_problems(since=problems_since), overview.nobody_to_remind
    )
    upcoming = Paginator(overview.upcoming, UPCOMING_PAGE_SIZE).get_page(request.GET.get("page"))
    # Links to the log of one State's reminders reach back to those of the oldest deadline shown.
    lines = _Lines(log_since=overview.start - dt.timedelta(days=LOG_DEFAULT_DAYS))
    return render(
        request,
        "deadlines/isu/overview.html",
        {
            "form": form,  # without filters, the form is unbound already
            "filter_fields": _filter_fields(form if params else None),
            "overview": overview,
            "overdue_rows": _rows(lines.of(overview.overdue, overdue=True)),
            "awaiting_rows": _rows(lines.of(overview.awaiting_decision)),
            "upcoming_page": upcoming,
            "upcoming_rows": _rows(lines.of(upcoming.object_list)),
            "problems": problems,
            "not_sent_to_nobody": not_sent_to_nobody,
            "problems_since": problems_since,
            "include_met": filters["include_met"],
            "filtered": any(value not in (None, False) for value in filters.values()),
            "today": today,
        },
        status=200 if valid else 400,
    )


# The unbound filter fields as rendered, by language: their labels and choices are all they show.
_UNBOUND_FILTER_FIELDS = Kept(16)


def _filter_fields(form: OverviewFilterForm | None) -> str:
    """The filter fields' HTML: a bound form (what was chosen, its errors) for this request; the unbound one
    once per process and language."""
    template = "deadlines/isu/_overview_filter_fields.html"
    if form is not None:
        return render_to_string(template, {"form": form})
    unbound = OverviewFilterForm()
    return _UNBOUND_FILTER_FIELDS.get(get_language(), lambda: render_to_string(template, {"form": unbound}))


# Each row's HTML by its words and the language: a row shows nothing else, so an entry is never stale; bounded.
_ROW_HTML = Kept(4096)


def _rows(lines: list[DeadlineLine]) -> str:
    """The rows in HTML (``_deadline_row.html``), each rendered once per process for the same words and language:
    a later request renders only the rows whose words changed (a reminder sent, a day gone by)."""
    return rows_html("deadlines/isu/_deadline_row.html", lines, _ROW_HTML, name="line")


@dataclass(frozen=True)
class DeadlineLine:
    """One row of a deadline table, in words (``_deadline_row.html``): all a row shows, so it keys the row's
    HTML."""

    css: str
    state_url: str
    state_name: str
    state_iso3: str
    region: str
    title: str
    basis: str
    pending: str  # an extension requested with no decision recorded
    met: str
    date_iso: str
    date_label: str
    days: str
    days_css: str
    sent: str  # empty: no reminder recorded
    step: str
    log_url: str
    problems: str
    problems_url: str


class _Lines:
    """Puts overview rows into words, once for what rows share (a State's link, a date, a count in words: two
    years of annual reports fall on a few days)."""

    def __init__(self, *, log_since: dt.date) -> None:
        self.log = reverse("deadlines:isu_reminders")
        self.since = log_since.isoformat()
        self.long_format = pgettext("long date format, Django date filter syntax", "j F Y")
        self.month_format = pgettext("month and year format, Django date filter syntax", "F Y")
        self.short_format = pgettext("short date format, Django date filter syntax", "j M Y")
        self.known: dict[tuple, Any] = {}

    def once(self, key: tuple, make: Callable[[], Any]) -> Any:
        if key not in self.known:
            self.known[key] = make()
        return self.known[key]

    def of(self, rows: list[OverviewRow], *, overdue: bool = False) -> list[DeadlineLine]:
        return [self.line(row, overdue=overdue) for row in rows]

    def line(self, row: OverviewRow, *, overdue: bool) -> DeadlineLine:
        d, r = row.deadline, row.reminders
        iso3 = d.state_iso3 or ""  # an ISO code and a date: nothing to quote in the log's links
        date_iso, date_label = self.once(("date", d.date, d.precision), lambda: self.date(d.date, d.precision))
        days, days_css = self.once(("days", row.days_left, overdue), lambda: _days(row, overdue=overdue))
        return DeadlineLine(
            css="is-overdue" if overdue else "is-met" if d.met else "is-soon" if row.days_left <= 7 else "",
            state_url=self.once(("state", iso3), lambda: reverse("parties:state_detail", args=[iso3])),
            state_name=d.state_name or "",
            state_iso3=iso3,
            region=self.once(("region", d.region), lambda: row.region_label),
            title=d.title,
            basis=d.basis,
            pending=_("Extension requested (%(meeting)s); no decision recorded") % {"meeting": d.extension_pending_at}
            if d.extension_pending_at
            else "",
            met=self.once(("met", d.met, d.met_on), lambda: self.met(d.met, d.met_on)),
            date_iso=date_iso,
            date_label=date_label,
            days=days,
            days_css=days_css,
            sent=self.once(("sent", r.sent), lambda: ngettext("%(counter)s sent", "%(counter)s sent", r.sent))
            % {"counter": r.sent}
            if r.recorded
            else "",
            step=self.once(("step", r.last_step), lambda: _("Last step: %(step)s") % {"step": r.last_step_label})
            if r.recorded
            else "",
            log_url=f"{self.log}?state={iso3}&since={self.since}",
            problems=ngettext("%(counter)s problem", "%(counter)s problems", r.problems) % {"counter": r.problems}
            if r.recorded and r.problems
            else "",
            problems_url=f"{self.log}?state={iso3}&status=problems&since={self.since}",
        )

    def date(self, day: dt.date, precision: str) -> tuple[str, str]:
        """The deadline's date as ``includes/date.html`` shows it: to the day, or only its month or year."""
        if precision == "year":
            return date_format(day, "Y"), date_format(day, "Y")
        if precision == "month":
            return date_format(day, "Y-m"), date_format(day, self.month_format)
        return day.isoformat(), date_format(day, self.long_format)

    def met(self, met: bool, met_on: dt.date | None) -> str:
        if not met:
            return ""
        if met_on is None:
            return _("Met")
        return _("Met on %(date)s") % {"date": date_format(met_on, self.short_format)}


def _days(row: OverviewRow, *, overdue: bool) -> tuple[str, str]:
    """Days overdue or left, in words, and the cell's modifier class."""
    if overdue:
        days = row.days_overdue
        return ngettext("%(days)s day", "%(days)s days", days) % {"days": days}, " days--overdue"
    if row.days_left == 0:
        return _("Today"), " days--today"
    days = row.days_left
    return ngettext("%(days)s day", "%(days)s days", days) % {"days": days}, " days--soon" if days <= 7 else ""


# --- Reminder log -------------------------------------------------------------------------------
@require_GET
@access.isu_required
def reminder_log(request: HttpRequest) -> HttpResponse:
    today = clock.today()
    states = reminders.log_states()
    params = request.GET.copy()
    params.pop("page", None)
    form = LogFilterForm(params or None, states=states)
    valid = form.is_valid() if params else True
    data = form.cleaned_data if params else {}
    until = data.get("until") or today
    since = data.get("since") or until - dt.timedelta(days=LOG_DEFAULT_DAYS)
    if since > until or (until - since).days > LOG_MAX_DAYS:
        since, until = today - dt.timedelta(days=LOG_DEFAULT_DAYS), today
    status = data.get("status") or None
    state = data.get("state") or None
    log = reminders.reminder_log(since=since, until=until, status=status, state=state)
    page = Paginator(log, LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "deadlines/isu/reminder_log.html",
        {
            "form": form if params else LogFilterForm(initial={"since": since, "until": until}, states=states),
            "page": page,
            "since": since,
            "until": until,
            "filtered": bool(status or state or data.get("since") or data.get("until")),
            "effectiveness": effectiveness.reminder_effectiveness(since=since, until=until),
            "today": today,
        },
        status=200 if valid else 400,
    )
