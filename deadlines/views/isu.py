"""ISU pages on deadlines and reminders: every State's deadlines with the reminders sent, and the
reminder log with how reports followed each reminder step.

Both pages sit under /isu/, where ``StaffTwoFactorMiddleware`` demands an authenticator, are for the ISU
(``access.isu_required``), only read (``deadlines.selectors``), and run a fixed number of queries.
"""

from __future__ import annotations

import datetime as dt

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ccm_portal.core import clock
from deadlines import access
from deadlines.forms import LOG_MAX_DAYS, LogFilterForm, OverviewFilterForm
from deadlines.selectors import effectiveness, reminders
from deadlines.selectors.overview import obligation_overview

LOG_PAGE_SIZE = 50
LOG_DEFAULT_DAYS = 90  # the log shows the last 90 days unless asked otherwise
PROBLEM_DAYS = 60  # the problems panel shows problems recorded in the last 60 days


# --- Deadline overview --------------------------------------------------------------------------
@require_GET
@access.isu_required
def deadline_overview(request: HttpRequest) -> HttpResponse:
    form = OverviewFilterForm(request.GET or None)
    valid = form.is_valid() if request.GET else True
    data = form.cleaned_data if request.GET else {}  # the valid filters, even when another is not
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
    return render(
        request,
        "deadlines/isu/overview.html",
        {
            "form": form if request.GET else OverviewFilterForm(),
            "overview": overview,
            "problems": problems,
            "not_sent_to_nobody": not_sent_to_nobody,
            "problems_since": problems_since,
            # Links to the log of one State's reminders reach back to those of the oldest deadline shown.
            "log_since": overview.start - dt.timedelta(days=LOG_DEFAULT_DAYS),
            "include_met": filters["include_met"],
            "filtered": any(value not in (None, False) for value in filters.values()),
            "today": today,
        },
        status=200 if valid else 400,
    )


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
