from django import forms
from django.conf import settings
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts import services
from accounts.models import Invitation, Role, ThematicArea


class InvitationForm(forms.ModelForm):
    thematic_areas = forms.ModelMultipleChoiceField(
        queryset=ThematicArea.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Thematic areas"),
        help_text=_("For thematic coordinators only."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].empty_label = _("No State (ISU staff, coordinators, organizations)")
        self.fields["state"].queryset = self.fields["state"].queryset.order_by("name")

    class Meta:
        model = Invitation
        fields = ["email", "full_name", "role", "state", "organization", "thematic_areas"]
        help_texts = {
            "state": _("The State a national focal point acts for, or the State a donor focal point represents."),
        }

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            services.check_role_fields(
                role=data.get("role"),
                state=data.get("state"),
                organization=data.get("organization", ""),
                thematic_areas=data.get("thematic_areas") or [],
            )
        except ValidationError as error:
            self._update_errors(error)
        return data


class AcceptInvitationForm(forms.Form):
    full_name = forms.CharField(
        label=_("Your full name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    password1 = forms.CharField(
        label=_("Choose a password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Repeat the password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", _("The two passwords differ."))
        return data


class EmailLanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language of your e-mails"), choices=settings.LANGUAGES)

    def language_label(self) -> str:
        return str(dict(settings.LANGUAGES)[self.cleaned_data["language"]])


class ContributorInvitationForm(forms.Form):
    """What a focal point gives to invite a national contributor: the State and the role are the invitation's."""

    full_name = forms.CharField(label=_("Full name"), max_length=150)
    email = forms.EmailField(label=_("E-mail address"))
    organization = forms.CharField(
        label=_("National body"),
        max_length=200,
        help_text=_("The ministry or institution they work for, e.g. the national mine action centre."),
    )


class AccountFilterForm(forms.Form):
    """The ISU's list of accounts, one role's at a time (``?role=``); empty: every role."""

    role = forms.ChoiceField(choices=[("", ""), *Role.choices], required=False)
