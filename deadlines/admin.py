"""Reminder settings (edited by the ISU, audited); reminders, snoozes and calendar feeds (read only:
they are written by the reminder run and by users, through ``deadlines.services``)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ccm_portal.core import admin as core_admin
from ccm_portal.core.admin import AuditedAdminMixin
from deadlines.models import CalendarFeed, DeadlineKind, Reminder, ReminderSettings, Snooze

# Treaty deadlines only: the teams' internal due dates have their own schedule (``team_*``), never a kind here.
REMINDED_KINDS = [(k.value, k.label) for k in DeadlineKind if k not in (DeadlineKind.MEETING, DeadlineKind.INTERNAL)]


class DaysField(forms.CharField):
    """A list of whole days, typed as "60, 30, 7, 0"."""

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(str(v) for v in value)
        return value

    def to_python(self, value):
        value = super().to_python(value)
        if isinstance(value, list):
            return value
        days = []
        for part in (value or "").replace(";", ",").split(","):
            part = part.strip()
            if not part:
                continue
            try:
                day = int(part)
            except ValueError:
                raise forms.ValidationError(
                    _("“%(value)s” is not a whole number of days."), params={"value": part}
                ) from None
            if not 0 <= day <= 365:
                raise forms.ValidationError(_("Give days between 0 and 365."))
            days.append(day)
        return sorted(set(days), reverse=True)


class ReminderSettingsForm(forms.ModelForm):
    days_before = DaysField(
        label=_("days before the deadline"),
        required=False,
        help_text=_("Separated by commas, e.g. “60, 30, 7, 0”; 0 is the day itself. Leave empty for none."),
    )
    team_days_before = DaysField(
        label=_("days before an internal due date"),
        required=False,
        help_text=_(
            "Forms given to national contributors: separated by commas, e.g. “7, 1”; 0 is the day itself. Leave"
            " empty for none."
        ),
    )
    team_overdue_every_days = forms.IntegerField(
        label=_("internal overdue notice every (days)"),
        required=False,
        min_value=0,
        max_value=365,
        help_text=_("Forms given to national contributors, once past their internal due date. 0 or empty: none."),
    )
    kinds = forms.MultipleChoiceField(
        label=_("deadlines reminded"), choices=REMINDED_KINDS, widget=forms.CheckboxSelectMultiple, required=False
    )

    def clean_team_overdue_every_days(self) -> int:
        return self.cleaned_data["team_overdue_every_days"] or 0  # empty is none, as for the days before

    class Meta:
        model = ReminderSettings
        fields = [
            "days_before",
            "overdue_every_days",
            "kinds",
            "tracking_starts_on",
            "team_days_before",
            "team_overdue_every_days",
            "isu_email",
            "batch_size",
        ]
        help_texts = {"overdue_every_days": _("0: no overdue notices.")}


@admin.register(ReminderSettings)
class ReminderSettingsAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """When reminders go out. One row; every change is audited."""

    audit_action_prefix = "deadlines.settings"
    form = ReminderSettingsForm
    list_display = [
        "__str__",
        "days_before",
        "overdue_every_days",
        "tracking_starts_on",
        "team_days_before",
        "team_overdue_every_days",
        "isu_email",
        "updated_at",
    ]
    readonly_fields = ["updated_at"]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not ReminderSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(core_admin.ReadOnlyAdmin):
    """Lists and detail pages to look at; nothing is added, changed or deleted here."""

    def get_readonly_fields(self, request, obj=None):
        return self.fields or []


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdmin):
    list_display = [
        "for_day",
        "state",
        "deadline_key",
        "deadline_date",
        "offset_days",
        "email",
        "status",
        "copy_to_isu",
        "sent_at",
        "attempts",
    ]
    list_filter = ["status", "deadline_kind", ("state", admin.RelatedOnlyFieldListFilter), "copy_to_isu"]
    search_fields = ["deadline_key", "email", "state__name", "state__iso3"]
    list_select_related = ["state"]
    date_hierarchy = "for_day"
    fields = [
        "key",
        "deadline_key",
        "deadline_kind",
        "deadline_date",
        "state",
        "offset_days",
        "for_day",
        "recipient",
        "email",
        "copy_to_isu",
        "status",
        "attempts",
        "created_at",
        "sent_at",
        "last_error",
        "assignment",
    ]
    actions = ["send_again"]

    @admin.action(description=_("Send again (failed, or stuck while being sent)"))
    def send_again(self, request, queryset):
        from deadlines import services

        count = services.requeue_reminders(reminder_ids=list(queryset.values_list("pk", flat=True)), actor=request.user)
        self.message_user(request, _("%(n)s reminders queued again.") % {"n": count})


@admin.register(Snooze)
class SnoozeAdmin(ReadOnlyAdmin):
    list_display = ["user", "deadline_key", "until", "created_at"]
    list_filter = ["until"]
    search_fields = ["deadline_key", "user__email", "user__full_name"]
    list_select_related = ["user"]
    fields = ["user", "deadline_key", "until", "created_at"]


@admin.register(CalendarFeed)
class CalendarFeedAdmin(ReadOnlyAdmin):
    """The token is the feed's only credential: it is never shown here."""

    list_display = ["user", "state", "created_at", "revoked_at", "is_live"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["user__email", "user__full_name", "state__name", "state__iso3"]
    list_select_related = ["user", "state"]
    fields = ["user", "state", "created_at", "revoked_at"]

    @admin.display(boolean=True, description=_("live"))
    def is_live(self, obj):
        return obj.revoked_at is None
