from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import Invitation, ThematicArea, User
from ccm_portal.core.admin import AuditedAdminMixin


@admin.register(User)
class UserAdmin(AuditedAdminMixin, DjangoUserAdmin):
    audit_action_prefix = "accounts.user"
    ordering = ["email"]
    list_display = ["email", "full_name", "role", "state", "organization", "is_active", "last_login"]
    list_filter = ["role", "is_active", "thematic_areas"]
    list_select_related = ["state"]
    search_fields = ["email", "full_name", "organization", "state__name"]
    autocomplete_fields = ["state"]
    filter_horizontal = ["thematic_areas"]
    readonly_fields = ["last_login", "date_joined"]
    fieldsets = [
        (None, {"fields": ["email", "full_name", "password"]}),
        (_("Role"), {"fields": ["role", "state", "organization", "thematic_areas"]}),
        (_("Access"), {"fields": ["is_active", "is_staff", "last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "role", "state", "organization", "password1", "password2"]}),
    ]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Invitations are created from the ISU page (/isu/), which sends the e-mail; here they are read."""

    list_display = ["email", "role", "state", "organization", "created_at", "expires_at", "accepted_at", "revoked_at"]
    list_filter = ["role"]
    search_fields = ["email"]
    list_select_related = ["state"]
    readonly_fields = [f.name for f in Invitation._meta.fields if f.name != "id"] + ["thematic_areas"]

    def has_add_permission(self, request):
        return False


@admin.register(ThematicArea)
class ThematicAreaAdmin(AuditedAdminMixin, admin.ModelAdmin):
    audit_action_prefix = "accounts.thematic_area"
    list_display = ["name", "code", "position"]
    list_editable = ["position"]
