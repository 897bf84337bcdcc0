"""The focal point's form giving a report's forms to the State's national contributors (``reporting.views.team``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from accounts.models import User
from reporting.models import Report


class TeamForm(forms.Form):
    """One contributor and one internal due date per form of the report; empty: the focal point keeps it.

    The choices are the team already loaded (``members``), so rendering and checking ten forms' lines costs no
    query each; a contributor not on the team (another State's, or one taken off it) is not a valid choice."""

    def __init__(self, *args: Any, report: Report, members: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.codes = [form.code for form in report.format_version.spec.forms]
        self.current = {a.form_code: a for a in report.assignments.all()}
        by_pk = {str(m.pk): m for m in members}
        choices = [("", _("The focal point (not given)"))] + [
            (pk, f"{m.get_full_name()} ({m.organization})") for pk, m in by_pk.items()
        ]
        for code in self.codes:
            given = self.current.get(code)
            self.fields[f"contributor-{code}"] = forms.TypedChoiceField(
                choices=choices,
                coerce=by_pk.__getitem__,
                empty_value=None,
                required=False,
                label=_("Given to"),
                initial=str(given.contributor_id) if given else "",
            )
            self.fields[f"due-{code}"] = forms.DateField(
                required=False,
                label=_("Internal due date"),
                widget=forms.DateInput(attrs={"type": "date"}),
                initial=given.due_on if given else None,
            )


class ReturnForm(forms.Form):
    """The focal point returns a form to its contributor with a note on a place of it (``editor.place_choices``)."""

    place = forms.ChoiceField(label=_lazy("About"))
    body = forms.CharField(
        label=_lazy("Note to the contributor"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4, "dir": "auto"}),
    )

    def __init__(self, *args: Any, places: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["place"].choices = places

    def anchor(self) -> tuple[str, str]:
        """The chosen place as (field_key, row_id)."""
        field_key, _sep, row_id = self.cleaned_data["place"].partition("|")
        return field_key, row_id
