import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from ccm_portal.core import clock
from parties.models import MembershipStatus, Region
from parties.names import by_local_name

EARLIEST_AS_OF = dt.date(2008, 12, 3)  # Art. 15: opened for signature in Oslo


class LocalNameChoiceIterator(forms.models.ModelChoiceIterator):
    """The States in the reader's language, ordered by those names (sorted in Python: the same one query)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for state in by_local_name(self.queryset):
            yield self.choice(state)


class StateChoiceField(forms.ModelChoiceField):
    iterator = LocalNameChoiceIterator


class StateMultipleChoiceField(forms.ModelMultipleChoiceField):
    iterator = LocalNameChoiceIterator


class AsOfForm(forms.Form):
    as_of = forms.DateField(
        label=_("As of"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Show the situation as it stood on this date."),
    )

    def clean_as_of(self) -> dt.date:
        value = self.cleaned_data.get("as_of") or clock.today()
        if value < EARLIEST_AS_OF:
            raise forms.ValidationError(
                _("The Convention opened for signature on %(date)s; choose that date or a later one."),
                params={"date": EARLIEST_AS_OF.isoformat()},
            )
        return value


class StateFilterForm(AsOfForm):
    q = forms.CharField(label=_("Name or code"), required=False, max_length=80)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *MembershipStatus.choices]
    )
    region = forms.ChoiceField(label=_("Region"), required=False, choices=[("", _("All regions")), *Region.choices])

    field_order = ["q", "status", "region", "as_of"]
