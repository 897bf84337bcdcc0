"""The focal point's form giving a report's forms to the State's national contributors (``reporting.views.team``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _

from accounts.models import User
from reporting.models import Report


class TeamForm(forms.Form):
    """One contributor and one internal due date per form of the report; empty: the focal point keeps it."""

    def __init__(self, *args: Any, report: Report, members: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.codes = [form.code for form in report.format_version.spec.forms]
        current = {a.form_code: a for a in report.assignments.all()}
        for code in self.codes:
            given = current.get(code)
            self.fields[f"contributor-{code}"] = forms.ModelChoiceField(
                queryset=User.objects.filter(pk__in=[m.pk for m in members]),
                required=False,
                empty_label=_("The focal point (not given)"),
                label=_("Given to"),
                initial=given.contributor_id if given else None,
            )
            self.fields[f"contributor-{code}"].label_from_instance = lambda u: f"{u.get_full_name()} ({u.organization})"
            self.fields[f"due-{code}"] = forms.DateField(
                required=False,
                label=_("Internal due date"),
                widget=forms.DateInput(attrs={"type": "date"}),
                initial=given.due_on if given else None,
            )
