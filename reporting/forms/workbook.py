"""The workbook upload's form (``reporting.views.workbook``): the filled-in .xlsx; its content is checked by
``reporting.workbook.read``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _lazy


class WorkbookUploadForm(forms.Form):
    file = forms.FileField(
        label=_lazy("Workbook (.xlsx)"),
        help_text=_lazy("The workbook downloaded for this report, filled in. Nothing is saved before you confirm."),
        error_messages={"required": _lazy("Choose the workbook to upload."), "empty": _lazy("The file is empty.")},
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any):
        kwargs.setdefault("auto_id", "workbook-%s")
        super().__init__(*args, **kwargs)
