"""ISU pages on deadlines and reminders: every State's deadlines with the reminders sent, and the
reminder log with how reports followed each reminder step.

Both pages sit under /isu/, where ``StaffTwoFactorMiddleware`` demands an authenticator, need
``Capability.REVIEW_REPORTS``, only read (``deadlines.selectors``), and run a fixed number of queries.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET

from accounts.decorators import capability_required
from accounts.permissions import Capability
from ccm_portal.core import clock
from deadlines import selectors
from deadlines.models import DeadlineKind, ReminderStatus
from parties.models import Region, State

review_required = capability_required(Capability.REVIEW_REPORTS)

LOG_PAGE_SIZE = 50
LOG_DEFAULT_DAYS = 90  # the log shows the last 90 days unless asked otherwise
LOG_MAX_DAYS = 3660
PROBLEM_DAYS = 60  # the problems panel shows problems recorded in the last 60 days


# --- Forms ----------------------------------------------------------------------------------------
class OverviewFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_lazy("Deadline"),
        required=False,
        choices=[
            ("", _lazy("All deadlines")),
            *((k.value, k.label) for k in DeadlineKind if k != DeadlineKind.MEETING),
        ],
    )
    region = forms.ChoiceField(
        label=_lazy("Region"), required=False, choices=[("", _lazy("All regions")), *Region.choices]
    )
    days = forms.IntegerField(
        label=_lazy("Due within (days)"),
        required=False,
        min_value=0,
        max_value=selectors.OVERVIEW_FUTURE_DAYS,
        help_text=_lazy("Overdue deadlines are always shown."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    include_met = forms.BooleanField(label=_lazy("Also show upcoming deadlines already met"), required=False)


class LogFilterForm(forms.Form):
    since = forms.DateField(label=_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    status = forms.ChoiceField(
        label=_lazy("Status"),
        required=False,
        choices=[
            ("", _lazy("Any status")),
            (selectors.PROBLEMS, _lazy("Any problem")),
            *ReminderStatus.choices,
        ],
    )
    state = forms.ChoiceField(label=_lazy("State"), required=False)

    def __init__(self, *args: Any, states: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", _lazy("All States")), *states]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _lazy("Choose a day on or after the first day."))
        elif since and until and (until - since).days > LOG_MAX_DAYS:
            self.add_error("since", _lazy("Choose a period of ten years at most."))
        return data


# --- Deadline overview --------------------------------------------------------------------------
@require_GET
@review_required
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
    overview = selectors.obligation_overview(today=today, **filters)
    problems_since = today - dt.timedelta(days=PROBLEM_DAYS)
    problems, not_sent_to_nobody = selectors.split_problems(
        selectors.reminder_problems(since=problems_since), overview.nobody_to_remind
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
@review_required
def reminder_log(request: HttpRequest) -> HttpResponse:
    today = clock.today()
    states = list(State.objects.exclude(deposit_date=None).order_by("name").values_list("iso3", "name"))
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
    log = selectors.reminder_log(since=since, until=until, status=status, state=state)
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
            "effectiveness": selectors.reminder_effectiveness(since=since, until=until),
            "today": today,
        },
        status=200 if valid else 400,
    )
