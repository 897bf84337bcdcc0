from django.contrib import admin

from assistance.models import (
    AssistanceOffer,
    AssistanceRequest,
    AssistanceSettings,
    Coalition,
    CoalitionEvent,
    CoalitionMeeting,
    CoordinatorTask,
    Donor,
    Match,
)
from ccm_portal.core.admin import AuditedAdminMixin, ReadOnlyAdmin


@admin.register(Donor)
class DonorAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """The ISU keeps the list of donors (States and organizations) that donor focal points act for."""

    audit_action_prefix = "assistance.donor"
    list_display = ["__str__", "state", "organization"]
    search_fields = ["organization", "state__name"]
    autocomplete_fields = ["state"]


class ReadOnly(ReadOnlyAdmin):
    """Requests, offers and matches change through the portal's services, which audit each step."""


@admin.register(AssistanceRequest)
class AssistanceRequestAdmin(ReadOnly):
    list_display = ["title", "state", "area", "kind", "amount", "currency", "status", "created_at"]
    list_filter = ["status", "kind", "area", "state__region"]
    list_select_related = ["state", "area"]
    search_fields = ["title", "state__name"]


@admin.register(AssistanceOffer)
class AssistanceOfferAdmin(ReadOnly):
    list_display = ["title", "donor", "budget_min", "budget_max", "currency", "is_public", "status"]
    list_filter = ["status", "is_public"]
    list_select_related = ["donor__state"]


@admin.register(Match)
class MatchAdmin(ReadOnly):
    list_display = ["request", "offer", "amount", "currency", "status", "donor_decision", "state_decision"]
    list_filter = ["status"]
    list_select_related = ["request__state", "offer__donor__state"]


@admin.register(AssistanceSettings)
class AssistanceSettingsAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """One row: the months before an unmatched request becomes a task, and what may be uploaded."""

    audit_action_prefix = "assistance.settings"
    list_display = ["__str__", "no_offer_after_months", "max_upload_mb", "upload_types", "updated_at"]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not AssistanceSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


class CoalitionMeetingInline(admin.TabularInline):
    model = CoalitionMeeting
    extra = 0


@admin.register(Coalition)
class CoalitionAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """The ISU records each country coalition, its partners and meetings, with the source."""

    audit_action_prefix = "assistance.coalition"
    list_display = ["state", "formed_on", "formed_precision", "formed_by", "partner_names", "source"]
    search_fields = ["state__name", "partner_names", "source"]
    autocomplete_fields = ["state", "partners"]
    inlines = [CoalitionMeetingInline]


@admin.register(CoalitionEvent)
class CoalitionEventAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Events of the country coalition concept and coalitions only discussed: records, never counted."""

    audit_action_prefix = "assistance.coalition_event"
    list_display = ["kind", "held_on", "held_precision", "state", "participants", "source"]
    list_filter = ["kind"]
    list_select_related = ["state"]
    search_fields = ["participants", "source", "state__name"]
    autocomplete_fields = ["state"]


@admin.register(CoordinatorTask)
class CoordinatorTaskAdmin(ReadOnly):
    list_display = ["request", "kind", "raised_at", "done_at", "done_by"]
    list_filter = ["kind", "done_at"]
    list_select_related = ["request__state", "done_by"]
