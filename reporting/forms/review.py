"""The forms of the ISU's review pages (``reporting.views.review``): filtering the queue, asking the State for
changes, commenting on a report."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from accounts.models import User
from parties.models import Region
from reporting import selectors


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_lazy("Status"),
        required=False,
        choices=[("", _lazy("Any status")), *((s.value, s.label) for s in selectors.QUEUE_STATUSES)],
    )
    region = forms.ChoiceField(
        label=_lazy("Region"), required=False, choices=[("", _lazy("All regions")), *Region.choices]
    )
    reviewer = forms.ChoiceField(label=_lazy("Reviewer"), required=False)
    overdue = forms.ChoiceField(
        label=_lazy("Overdue"),
        required=False,
        choices=[("", _lazy("Overdue or not")), ("yes", _lazy("Overdue only")), ("no", _lazy("Not overdue"))],
    )
    due_before = forms.DateField(
        label=_lazy("Due before"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_lazy("Reports due before this day."),
    )

    def __init__(self, *args: Any, reviewers: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].choices = [
            ("", _("Anyone")),
            (selectors.UNASSIGNED, _("Not taken into review yet")),
            *((str(user.pk), user.get_full_name()) for user in reviewers),
        ]


class RequestChangesForm(forms.Form):
    reason = forms.CharField(
        label=_lazy("Changes the State must make"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_lazy("The focal points receive this by e-mail and see it on their report."),
        error_messages={"required": _lazy("Say what the State must change.")},
        max_length=5000,
    )


class CommentForm(forms.Form):
    form_code = forms.CharField(required=False, max_length=10)
    field_key = forms.CharField(required=False, max_length=60)
    row_id = forms.CharField(required=False, max_length=40)
    parent = forms.IntegerField(required=False)
    body = forms.CharField(
        label=_lazy("Comment"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _lazy("Write the comment.")},
        max_length=5000,
    )
