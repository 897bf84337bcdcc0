"""The form of a State's list of reports (``reporting.views.my_reports``): starting a report."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _

from reporting.models import ReportKind


class StartReportForm(forms.Form):
    kind = forms.ChoiceField(choices=ReportKind.choices)
    period_year = forms.IntegerField(required=False, min_value=2010, max_value=2100)
    from_last_year = forms.BooleanField(required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("kind") == ReportKind.ANNUAL and not data.get("period_year"):
            raise forms.ValidationError(_("Say which calendar year the annual update covers."))
        if data.get("kind") == ReportKind.INITIAL:
            data["period_year"] = None
            data["from_last_year"] = False
        return data
