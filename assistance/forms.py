"""Forms of the assistance pages: requests and offers (filing, changing, withdrawing, sharing, documents,
the lists' filters), the matching board (its filters, proposing, deciding, closing a task), the overview's
and the reconciliation's filters, and a coalition's meetings.

Forms parse what was typed and show the problems next to each field; the checks themselves
(money, period, kinds) are the services' (``assistance.services.validation``), run here too so that every
problem shows at once, and again by the service that writes.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import dateformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import pgettext

from accounts.models import ThematicArea
from assistance.models import AssistanceKind, Donor, OfferStatus, RequestStatus
from assistance.services import coalitions, validation
from ccm_portal.core import cldr
from parties.forms import StateMultipleChoiceField
from parties.models import Obligation, Region, State

PUBLIC, RESTRICTED = "public", "restricted"
DATE_WIDGET = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
AMOUNT_ERRORS = {
    "invalid": _lazy("Enter the amount as a number, e.g. 250000 or 250000.50."),
    "max_decimal_places": _lazy("Give at most two decimals (cents)."),
}
DATE_ERRORS = {"required": _lazy("Enter a day."), "invalid": _lazy("Enter a real day, for example 2027-01-31.")}


class ObligationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Obligation) -> str:
        deadline = obj.current_deadline
        if deadline is None:
            return obj.get_article_display()
        return _("%(article)s (deadline %(date)s)") % {
            "article": obj.get_article_display(),
            "date": dateformat.format(deadline, pgettext("long date format, Django date filter syntax", "j F Y")),
        }


class DonorChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Donor) -> str:
        return str(obj)


def _visibility_field(label: Any, public_help: Any, restricted_help: Any) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=[(RESTRICTED, restricted_help), (PUBLIC, public_help)],
        widget=forms.RadioSelect,
        initial=RESTRICTED,
        error_messages={"required": _lazy("Choose restricted or public.")},
    )


def _amount_field(label: Any, **kwargs: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        decimal_places=2,
        error_messages=AMOUNT_ERRORS,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        **kwargs,
    )


def _date_field(label: Any) -> forms.DateField:
    return forms.DateField(label=label, error_messages=DATE_ERRORS, **DATE_WIDGET)


def _currency_field() -> forms.CharField:
    return forms.CharField(
        label=_lazy("Currency"),
        required=False,
        max_length=10,
        help_text=_lazy("ISO 4217 code, e.g. USD, EUR, JPY."),
        widget=forms.TextInput(
            attrs={"list": "currency-codes", "autocomplete": "off", "spellcheck": "false", "size": 5}
        ),
    )


class _MoneyAndPeriodMixin:
    """What the request and the offer forms share: a currency code in capitals, and the services' checks of the
    money and of the period, each problem shown next to its field (unless the field has its own already)."""

    def _money_problems(self, data: dict[str, Any]) -> dict[str, str]:
        raise NotImplementedError

    def clean_currency(self) -> str:
        return self.cleaned_data["currency"].strip().upper()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        problems = self._money_problems(data)
        if data.get("period_start") and data.get("period_end"):
            problems |= validation.check_period(data["period_start"], data["period_end"])
        for field, message in problems.items():
            if field not in self.errors:
                self.add_error(field, message)
        return data


class RequestForm(_MoneyAndPeriodMixin, forms.Form):
    """A focal point's assistance request. ``state`` limits the obligations offered to the State's own."""

    title = forms.CharField(
        label=_lazy("Title"), max_length=200, error_messages={"required": _lazy("Give the request a title.")}
    )
    area = forms.ModelChoiceField(
        label=_lazy("Thematic area"),
        queryset=ThematicArea.objects.all(),
        empty_label=_lazy("Choose an area"),
        error_messages={"required": _lazy("Choose the thematic area.")},
    )
    kind = forms.ChoiceField(
        label=_lazy("Kind of assistance"),
        choices=AssistanceKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _lazy("Choose technical, material or financial.")},
    )
    description = forms.CharField(
        label=_lazy("Description"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_lazy("What is needed, for what, and what is already in place."),
        error_messages={"required": _lazy("Describe what is needed.")},
    )
    obligation = ObligationChoiceField(
        label=_lazy("Obligation it serves"),
        queryset=Obligation.objects.none(),
        required=False,
        empty_label=_lazy("None"),
        help_text=_lazy("For example the Article 4 clearance deadline this assistance helps meet."),
    )
    amount = _amount_field(_lazy("Amount needed"), help_text=_lazy("Leave empty if the need is not counted in money."))
    currency = _currency_field()
    period_start = _date_field(_lazy("From"))
    period_end = _date_field(_lazy("Until"))
    location = forms.CharField(
        label=_lazy("Location"), max_length=200, required=False, help_text=_lazy("Province, district or site.")
    )
    visibility = _visibility_field(
        _lazy("Who may read the request"),
        _lazy("Public: anyone, including people who are not signed in"),
        _lazy("Restricted: your State, the coordinators of the area, the ISU and the donors you share it with"),
    )
    shared_with = DonorChoiceField(
        label=_lazy("Share with these donors"),
        queryset=Donor.objects.select_related("state"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_lazy("Optional. You can change this later."),
    )

    def __init__(self, *args: Any, state: State, with_sharing: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["obligation"].queryset = Obligation.objects.with_related().filter(state=state)
        if not with_sharing:
            del self.fields["shared_with"]

    @classmethod
    def initial_for(cls, request: Any) -> dict[str, Any]:
        return {
            "title": request.title,
            "area": request.area_id,
            "kind": request.kind,
            "description": request.description,
            "obligation": request.obligation_id,
            "amount": request.amount,
            "currency": request.currency,
            "period_start": request.period_start,
            "period_end": request.period_end,
            "location": request.location,
            "visibility": PUBLIC if request.is_public else RESTRICTED,
        }

    def _money_problems(self, data: dict[str, Any]) -> dict[str, str]:
        return validation.check_money(data.get("amount"), data.get("currency", ""))

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        arguments = {
            key: data[key]
            for key in (
                "title",
                "area",
                "kind",
                "description",
                "obligation",
                "amount",
                "currency",
                "period_start",
                "period_end",
                "location",
            )
        }
        arguments["is_public"] = data["visibility"] == PUBLIC
        return arguments


class OfferForm(_MoneyAndPeriodMixin, forms.Form):
    title = forms.CharField(
        label=_lazy("Title"), max_length=200, error_messages={"required": _lazy("Give the offer a title.")}
    )
    areas = forms.ModelMultipleChoiceField(
        label=_lazy("Thematic areas"),
        queryset=ThematicArea.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _lazy("Choose at least one thematic area.")},
    )
    kinds = forms.MultipleChoiceField(
        label=_lazy("Kinds of assistance"),
        choices=AssistanceKind.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _lazy("Choose technical, material or financial assistance, or several.")},
    )
    regions = forms.MultipleChoiceField(
        label=_lazy("Regions of interest"),
        choices=Region.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_lazy("Leave empty if any region."),
    )
    states = StateMultipleChoiceField(
        label=_lazy("States of interest"),
        queryset=State.objects.order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_lazy("Optional: States you are most likely to assist."),
    )
    budget_min = _amount_field(_lazy("Budget from"))
    budget_max = _amount_field(_lazy("Budget up to"))
    currency = _currency_field()
    period_start = _date_field(_lazy("From"))
    period_end = _date_field(_lazy("Until"))
    conditions = forms.CharField(
        label=_lazy("Conditions"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_lazy("E.g. co-funding, reporting, eligible costs."),
    )
    visibility = _visibility_field(
        _lazy("Who may read the offer"),
        _lazy("Public: anyone, including affected States looking for partners"),
        _lazy("Restricted: your colleagues, the thematic coordinators and the ISU"),
    )

    @classmethod
    def initial_for(cls, offer: Any) -> dict[str, Any]:
        return {
            "title": offer.title,
            "areas": [a.pk for a in offer.areas.all()],
            "kinds": offer.kinds,
            "regions": offer.regions,
            "states": [s.pk for s in offer.states.all()],
            "budget_min": offer.budget_min,
            "budget_max": offer.budget_max,
            "currency": offer.currency,
            "period_start": offer.period_start,
            "period_end": offer.period_end,
            "conditions": offer.conditions,
            "visibility": PUBLIC if offer.is_public else RESTRICTED,
        }

    def _money_problems(self, data: dict[str, Any]) -> dict[str, str]:
        return validation.check_budget(data.get("budget_min"), data.get("budget_max"), data.get("currency", ""))

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "areas": list(data["areas"]),
            "kinds": data["kinds"],
            "regions": data["regions"],
            "states": list(data["states"]),
            "budget_min": data["budget_min"],
            "budget_max": data["budget_max"],
            "currency": data["currency"],
            "period_start": data["period_start"],
            "period_end": data["period_end"],
            "conditions": data["conditions"],
            "is_public": data["visibility"] == PUBLIC,
        }


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_lazy("Why"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _lazy("Say why.")},
    )

    def __init__(self, *args: Any, label: Any = None, required_message: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "withdraw-%s")
        super().__init__(*args, **kwargs)
        if label:
            self.fields["reason"].label = label
        if required_message:
            self.fields["reason"].error_messages["required"] = required_message


class CloseForm(forms.Form):
    note = forms.CharField(
        label=_lazy("Note"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_lazy("E.g. “fully funded”."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "close-%s")
        super().__init__(*args, **kwargs)


class ShareForm(forms.Form):
    donors = DonorChoiceField(
        label=_lazy("Donors who may read this request"),
        queryset=Donor.objects.select_related("state"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_lazy("Coordinators of the area and the ISU always see it; donors matched to it see it too."),
    )


class DocumentForm(forms.Form):
    file = forms.FileField(
        label=_lazy("Supporting document"),
        error_messages={
            "required": _lazy("Choose a file to upload."),
            "empty": _lazy("The file is empty."),
            "invalid": _lazy("No file was received; choose the file again."),
        },
    )

    def __init__(self, *args: Any, types: str = "", limit_mb: int = 0, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "document-%s")
        super().__init__(*args, **kwargs)
        if types:
            self.fields["file"].help_text = _("Accepted: %(types)s; at most %(limit)s MB.") % {
                "types": types,
                "limit": limit_mb,
            }


class _ListFilterForm(forms.Form):
    """The filters of the request and the offer lists; each list adds the status field of its own statuses."""

    field_order = ["status", "area", "kind"]
    area = forms.ModelChoiceField(
        label=_lazy("Thematic area"),
        required=False,
        queryset=ThematicArea.objects.all(),
        empty_label=_lazy("All areas"),
    )
    kind = forms.ChoiceField(
        label=_lazy("Kind"), required=False, choices=[("", _lazy("Any kind")), *AssistanceKind.choices]
    )


def _status_filter(choices: list[tuple[str, str]]) -> forms.ChoiceField:
    return forms.ChoiceField(label=_lazy("Status"), required=False, choices=[("", _lazy("Any status")), *choices])


class RequestFilterForm(_ListFilterForm):
    status = _status_filter(RequestStatus.choices)


class OfferFilterForm(_ListFilterForm):
    status = _status_filter(OfferStatus.choices)


# --- The matching board ---------------------------------------------------------------------------
class BoardFilterForm(forms.Form):
    area = forms.TypedChoiceField(label=_lazy("Thematic area"), required=False, coerce=int, empty_value=None)
    region = forms.ChoiceField(
        label=_lazy("Region"), required=False, choices=[("", _lazy("All regions")), *Region.choices]
    )
    kind = forms.ChoiceField(
        label=_lazy("Kind"), required=False, choices=[("", _lazy("Any kind")), *AssistanceKind.choices]
    )
    unproposed = forms.BooleanField(label=_lazy("Only requests with no proposal yet"), required=False)

    def __init__(self, *args: Any, areas: list[ThematicArea], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [("", _("All my areas")), *((str(a.pk), a.name) for a in areas)]


class ProposeForm(forms.Form):
    offer = forms.IntegerField(
        widget=forms.HiddenInput,
        error_messages={"required": _lazy("Choose an offer."), "invalid": _lazy("Choose an offer.")},
    )
    amount = forms.DecimalField(
        label=_lazy("Amount"),
        required=False,
        max_digits=14,
        decimal_places=2,
        error_messages={
            "invalid": _lazy("Enter the amount as a number, e.g. 25000 or 25000.50."),
            "max_digits": _lazy("This amount is larger than any assistance on record; check the figure."),
            "max_whole_digits": _lazy("This amount is larger than any assistance on record; check the figure."),
            "max_decimal_places": _lazy("Give at most two decimals."),
        },
    )
    currency = forms.CharField(label=_lazy("Currency"), required=False, max_length=3)

    def clean_currency(self) -> str:
        # The service checks the money again; checking the code here too reports it alongside an amount
        # that could not be read.
        currency = self.cleaned_data["currency"].strip()
        problem = validation.check_money(None, currency).get("currency")
        if problem:
            raise ValidationError(problem)
        return currency


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=_lazy("Your answer"),
        choices=[("accept", _lazy("Accept the match")), ("decline", _lazy("Decline the match"))],
        widget=forms.RadioSelect,
        error_messages={
            "required": _lazy("Choose to accept or decline."),
            "invalid_choice": _lazy("Choose to accept or decline."),
        },
    )
    reason = forms.CharField(
        label=_lazy("Reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_lazy("Needed when you decline; the other side and the coordinator read it."),
    )


class TaskDoneForm(forms.Form):
    note = forms.CharField(
        label=_lazy("What was done"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _lazy("Say what was done about this request.")},
    )


# --- The overview and the reconciliation ------------------------------------------------------------
class OverviewFilterForm(forms.Form):
    area = forms.ChoiceField(label=_lazy("Thematic area"), required=False)
    region = forms.ChoiceField(
        label=_lazy("Region"), required=False, choices=[("", _lazy("All regions")), *Region.choices]
    )
    currency = forms.ChoiceField(label=_lazy("Currency"), required=False)

    def __init__(self, *args: Any, areas: list[ThematicArea], currencies: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [("", _lazy("All areas")), *((a.code, a.name) for a in areas)]
        self.fields["currency"].choices = [("", _lazy("All currencies")), *cldr.currency_choices(currencies)]


class ReconciliationFilterForm(forms.Form):
    """The year the reconciliation shows: one of the years it has something for, or every year (``ALL_YEARS``)."""

    ALL_YEARS = "all"
    year = forms.ChoiceField(label=_lazy("Year"), required=False)

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(self.ALL_YEARS, _lazy("All years")), *((str(y), str(y)) for y in years)]


# --- Country coalitions ----------------------------------------------------------------------------
class MeetingForm(forms.Form):
    date = forms.DateField(
        label=_lazy("Date"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": _lazy("Give the date of the meeting."), "invalid": _lazy("Give a real date.")},
    )
    title = forms.CharField(
        label=_lazy("Title"),
        max_length=coalitions.TITLE_MAX,
        error_messages={"required": _lazy("Give the meeting a title.")},
    )
    place = forms.CharField(label=_lazy("Place"), max_length=coalitions.PLACE_MAX, required=False)
    summary = forms.CharField(
        label=_lazy("Summary"),
        required=False,
        max_length=coalitions.SUMMARY_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_lazy("What was discussed and agreed; who attended."),
    )
