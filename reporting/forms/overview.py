"""The forms of a report's page (``reporting.views.overview``): the report's settings (visibility, original
language, the date sent to the UN), submitting a version, replying to a review query."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from ccm_portal.core import clock
from reporting.models import Language, Visibility


class ReportSettingsForm(forms.Form):
    """Public or restricted is the State's explicit choice: nothing is preselected until it is made."""

    visibility = forms.ChoiceField(
        label=_lazy("Who may read the report once the ISU publishes it"),
        choices=Visibility.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _lazy("Choose public or restricted.")},
    )
    original_language = forms.ChoiceField(label=_lazy("Original language"), choices=Language.choices)
    sent_to_unoda_on = forms.DateField(
        label=_lazy("Date sent to the UN Secretary-General (UNODA)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_lazy(
            "The legal submission goes to the United Nations; record here when it was sent. Leave empty if not yet."
        ),
    )

    def __init__(self, *args: Any, report: Any = None, **kwargs: Any):
        if report is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "visibility": report.visibility or None,
                "original_language": report.original_language,
                "sent_to_unoda_on": report.sent_to_unoda_on,
            }
        kwargs.setdefault("auto_id", "settings-%s")
        super().__init__(*args, **kwargs)

    def clean_sent_to_unoda_on(self) -> dt.date | None:
        value = self.cleaned_data.get("sent_to_unoda_on")
        if value and value > clock.today():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return value


class SubmitForm(forms.Form):
    correction_note = forms.CharField(
        label=_lazy("What this version corrects"),
        max_length=300,
        required=False,
        help_text=_lazy("One line, e.g. “corrects the Form B totals”. Shown with the version."),
    )

    def __init__(self, *args: Any, is_correction: bool = False, **kwargs: Any):
        kwargs.setdefault("auto_id", "submit-%s")
        super().__init__(*args, **kwargs)
        self.is_correction = is_correction
        self.fields["correction_note"].required = is_correction
        self.fields["correction_note"].error_messages["required"] = _("Say what this version corrects.")


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_lazy("Your reply"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        error_messages={"required": _lazy("Write the reply.")},
    )
