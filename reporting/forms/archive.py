"""The public archive's filters (``reporting.views.archive``), also used by the ISU's export of a selection."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from parties.models import Region

if TYPE_CHECKING:
    from reporting.archive.reads import FormOption

FIRST_REPORTING_YEAR = 2010  # Art. 17: the Convention entered into force on 1 August 2010


class ArchiveFilterForm(forms.Form):
    state = forms.CharField(
        label=_lazy("State"),
        required=False,
        max_length=80,
        help_text=_lazy("Part of the name, or the three-letter code (e.g. LAO)."),
    )
    region = forms.ChoiceField(
        label=_lazy("Region"), required=False, choices=[("", _lazy("All regions")), *Region.choices]
    )
    period = forms.ChoiceField(label=_lazy("Period"), required=False)
    form = forms.ChoiceField(
        label=_lazy("Has content in"),
        required=False,
        help_text=_lazy(
            "Reports whose cover page gives this form — changed, or unchanged since an earlier year — rather "
            "than declaring it not applicable."
        ),
    )
    changed = forms.BooleanField(label=_lazy("Only reports in which that form changed"), required=False)
    nil = forms.ChoiceField(
        label=_lazy("Nil reports"),
        required=False,
        choices=[("", _lazy("Nil or not")), ("yes", _lazy("Nil reports only")), ("no", _lazy("Leave out nil reports"))],
    )

    def __init__(self, *args: Any, options: list[FormOption], this_year: int, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "filter-%s")
        super().__init__(*args, **kwargs)
        # Art. 7(2): each annual update covers the previous calendar year.
        years = [(str(year), str(year)) for year in range(this_year - 1, FIRST_REPORTING_YEAR - 1, -1)]
        self.fields["period"].choices = [("", _("Any period")), ("initial", _("Initial reports")), *years]
        self.fields["form"].choices = [
            ("", _("Any form")),
            *((o.code, _("Form %(code)s: %(title)s") % {"code": o.code, "title": o.title}) for o in options),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("changed") and not data.get("form"):
            self.add_error("changed", _("Choose the form that changed."))
        return data
