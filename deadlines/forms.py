"""The forms of the deadline pages: the ISU's filters of the deadline overview and of the reminder log, and a
focal point's snooze of one deadline's reminders."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _lazy

from deadlines.models import DeadlineKind, ReminderStatus
from deadlines.selectors.overview import OVERVIEW_FUTURE_DAYS
from deadlines.selectors.reminders import PROBLEMS
from deadlines.services import SNOOZE_MAX_DAYS
from parties.models import Region

LOG_MAX_DAYS = 3660  # the reminder log shows ten years at most


class OverviewFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_lazy("Deadline"),
        required=False,
        choices=[
            ("", _lazy("All deadlines")),
            *((k.value, k.label) for k in DeadlineKind if k not in (DeadlineKind.MEETING, DeadlineKind.INTERNAL)),
        ],
    )
    region = forms.ChoiceField(
        label=_lazy("Region"), required=False, choices=[("", _lazy("All regions")), *Region.choices]
    )
    days = forms.IntegerField(
        label=_lazy("Due within (days)"),
        required=False,
        min_value=0,
        max_value=OVERVIEW_FUTURE_DAYS,
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
            (PROBLEMS, _lazy("Any problem")),
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


class SnoozeForm(forms.Form):
    deadline_key = forms.CharField(max_length=80, widget=forms.HiddenInput)
    until = forms.DateField(
        label=_lazy("Snooze until"),
        help_text=_lazy("No reminder for this deadline until this day, at most 90 days from today."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _lazy("Enter a day."),
            "invalid": _lazy("Enter a real day, for example 2026-05-31."),
        },
    )

    def __init__(self, *args: Any, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        widget = self.fields["until"].widget
        widget.attrs["min"] = (today + dt.timedelta(days=1)).isoformat()
        widget.attrs["max"] = (today + dt.timedelta(days=SNOOZE_MAX_DAYS)).isoformat()
