from django.contrib import admin

from assistance.models import AssistanceOffer, AssistanceRequest, Donor, Match
from ccm_portal.admin import AuditedAdminMixin


@admin.register(Donor)
class DonorAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """The ISU keeps the list of donors (States and organizations) that donor focal points act for."""

    audit_action_prefix = "assistance.donor"
    list_display = ["__str__", "state", "organization"]
    search_fields = ["organization", "state__name"]
    autocomplete_fields = ["state"]


class ReadOnly(admin.ModelAdmin):
    """Requests, offers and matches change through the portal's services, which audit each step."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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
