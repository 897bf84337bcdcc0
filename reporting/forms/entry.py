"""The forms of the ISU's entry of a report from an original (``reporting.views.entry``): opening an entry,
correcting its date and source, recording it; and the State's report of a problem with what was entered."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from parties.forms import StateChoiceField
from parties.models import State
from reporting.models import Language, ReportKind, Visibility

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class EntryStartForm(forms.Form):
    state = StateChoiceField(
        label=_lazy("State"),
        queryset=State.objects.filter(deposit_date__isnull=False).order_by("name"),
        empty_label=_lazy("Choose a State Party"),
    )
    kind = forms.ChoiceField(label=_lazy("Report"), choices=ReportKind.choices, widget=forms.RadioSelect)
    period_year = forms.IntegerField(
        label=_lazy("Calendar year covered"),
        required=False,
        min_value=2010,
        help_text=_lazy("Annual updates only: the year the update covers (Art. 7(2))."),
    )
    original = forms.FileField(
        label=_lazy("The original"),
        help_text=_lazy("A PDF, a scan or photograph (PNG, JPEG) or a Word document (DOCX); its content is checked."),
    )
    submitted_on = forms.DateField(
        label=_lazy("Submitted by the State on"),
        widget=DATE_INPUT,
        help_text=_lazy(
            "The day the State submitted the original (e.g. the date of its note verbale), not today: "
            "the report counts as submitted on this day."
        ),
    )
    source = forms.CharField(
        label=_lazy("Source"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_lazy("Where the original comes from, e.g. “note verbale to UNODA, 25 January 2011”."),
    )
    language = forms.ChoiceField(label=_lazy("Language of the report"), choices=Language.choices, initial="en")

    def __init__(self, *args: Any, **kwargs: Any):
        kwargs.setdefault("auto_id", "entry-%s")
        super().__init__(*args, **kwargs)
        self.fields["original"].widget.attrs["accept"] = ".pdf,.png,.jpg,.jpeg,.docx"

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("kind") == ReportKind.ANNUAL and not data.get("period_year"):
            self.add_error("period_year", _("Give the calendar year the annual update covers."))
        return data


class EntryDetailsForm(forms.Form):
    submitted_on = forms.DateField(label=_lazy("Submitted by the State on"), widget=DATE_INPUT)
    source = forms.CharField(label=_lazy("Source"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any):
        kwargs.setdefault("auto_id", "details-%s")
        super().__init__(*args, **kwargs)


class RecordForm(forms.Form):
    visibility = forms.ChoiceField(
        label=_lazy("Who may read the report once the ISU publishes it"),
        choices=Visibility.choices,
        widget=forms.RadioSelect,
        help_text=_lazy("As the State's original or its covering note says; ask the State when it does not say."),
        error_messages={"required": _lazy("Choose public or restricted.")},
    )
    accept = forms.BooleanField(
        label=_lazy("Accept it now"),
        required=False,
        help_text=_lazy(
            "The ISU typed it from the State's own document: it can be accepted at once. Otherwise it waits in the "
            "review queue like any submission. Publishing stays a separate step."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any):
        kwargs.setdefault("auto_id", "record-%s")
        super().__init__(*args, **kwargs)


class ProblemForm(forms.Form):
    body = forms.CharField(
        label=_lazy("What is wrong"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_lazy("e.g. a figure typed wrongly, a form missing. The ISU answers in its review."),
    )

    def __init__(self, *args: Any, **kwargs: Any):
        kwargs.setdefault("auto_id", "problem-%s")
        super().__init__(*args, **kwargs)
