from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin

from ccm_portal.admin import AuditedAdminMixin
from ccm_portal.spreadsheets import IMPORT_EXPORT_FORMATS
from parties.models import ExtensionRequest, Meeting, NationalMeasures, Obligation, State
from parties.resources import MeetingResource, NationalMeasuresResource, ObligationResource, StateResource


class RegistryAdmin(AuditedAdminMixin, ImportExportModelAdmin):
    formats = IMPORT_EXPORT_FORMATS  # CSV and XLSX; exports quote text a spreadsheet would evaluate


class ObligationInline(admin.TabularInline):
    model = Obligation
    extra = 0
    fields = ["article", "completed_on", "completed_precision", "completed_by", "confidence", "source"]
    show_change_link = True


@admin.register(State)
class StateAdmin(RegistryAdmin):
    audit_action_prefix = "parties.state"
    resource_classes = [StateResource]
    list_display = ["name", "iso3", "region", "signature_date", "deposit_date", "deposit_type", "entry_into_force"]
    list_filter = ["region", "deposit_type"]
    search_fields = ["name", "iso3"]
    readonly_fields = ["entry_into_force", "initial_report_due", "updated_at"]
    fieldsets = [
        (None, {"fields": ["iso3", "name", "region"]}),
        (
            _("Treaty dates"),
            {
                "fields": [
                    "signature_date",
                    ("deposit_date", "deposit_type"),
                    "entry_into_force",
                    "initial_report_due",
                    "provisional_application_date",
                    ("withdrawal_notified_on", "withdrawal_effective_on"),
                ]
            },
        ),
        (_("Sources"), {"fields": ["source", "crosscheck", "notes", "updated_at"]}),
    ]
    inlines = [ObligationInline]

    @admin.display(description=_("entry into force (Art. 17)"))
    def entry_into_force(self, obj):
        return obj.entry_into_force

    @admin.display(description=_("initial report due (Art. 7)"))
    def initial_report_due(self, obj):
        return obj.initial_report_due

    def save_formset(self, request, form, formset, change):
        # Inline obligation edits are audited like direct ones.
        from django.db import transaction

        from audit import services as audit

        with transaction.atomic():
            befores = {o.pk: audit.snapshot(o) for o in formset.queryset if o.pk}
            super().save_formset(request, form, formset, change)
            for obj in formset.new_objects + [o for o, _fields in formset.changed_objects]:
                changes = audit.diff(befores.get(obj.pk, {}), audit.snapshot(obj))
                audit.record(
                    actor=request.user,
                    action="parties.obligation.changed" if obj.pk in befores else "parties.obligation.created",
                    obj=obj,
                    changes=changes,
                    context={"via": "admin"},
                )
            for obj in formset.deleted_objects:
                audit.record(actor=request.user, action="parties.obligation.deleted", obj=obj, context={"via": "admin"})


class ExtensionInline(admin.TabularInline):
    model = ExtensionRequest
    extra = 0
    fields = ["meeting", "submitted_on", "requested_until", "status", "granted_until", "source"]


@admin.register(Obligation)
class ObligationAdmin(RegistryAdmin):
    audit_action_prefix = "parties.obligation"
    resource_classes = [ObligationResource]
    list_display = ["state", "article", "original_deadline", "current_deadline", "completion", "confidence"]
    list_filter = ["article", "confidence"]
    search_fields = ["state__name", "state__iso3"]
    list_select_related = ["state"]
    autocomplete_fields = ["state"]
    readonly_fields = ["original_deadline", "updated_at"]
    inlines = [ExtensionInline]

    def get_queryset(self, request):
        return super().get_queryset(request).with_related()

    @admin.display(description=_("completed"))
    def completion(self, obj):
        return obj.completion.display() if obj.completion else "—"

    @admin.display(description=_("current deadline"))
    def current_deadline(self, obj):
        return obj.current_deadline

    @admin.display(description=_("original deadline"))
    def original_deadline(self, obj):
        return obj.original_deadline


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(AuditedAdminMixin, admin.ModelAdmin):
    audit_action_prefix = "parties.extension"
    list_display = ["obligation", "meeting", "submitted_on", "requested_until", "status", "granted_until", "filed_late"]
    list_filter = ["status", "meeting"]
    list_select_related = ["obligation__state", "meeting"]
    autocomplete_fields = ["obligation"]

    @admin.display(boolean=True, description=_("filed late"))
    def filed_late(self, obj):
        return obj.filed_late


@admin.register(Meeting)
class MeetingAdmin(RegistryAdmin):
    audit_action_prefix = "parties.meeting"
    resource_classes = [MeetingResource]
    list_display = ["code", "name", "start_date", "end_date", "place", "extension_requests_due"]
    list_filter = ["kind"]
    search_fields = ["code", "name", "place"]

    @admin.display(description=_("extension requests due (9 months before)"))
    def extension_requests_due(self, obj):
        return obj.extension_requests_due


@admin.register(NationalMeasures)
class NationalMeasuresAdmin(RegistryAdmin):
    """Art. 9 records: history rows; the status on a day is the latest row in effect on that day."""

    audit_action_prefix = "parties.national_measures"
    resource_classes = [NationalMeasuresResource]
    list_display = ["state", "iso3", "status", "effective_from", "short_source", "recorded_at"]
    list_filter = ["status", "state__region", "effective_from"]
    search_fields = ["state__name", "state__iso3", "source", "notes"]
    list_select_related = ["state"]
    autocomplete_fields = ["state"]
    date_hierarchy = "effective_from"
    readonly_fields = ["recorded_at"]
    fields = ["state", "status", "effective_from", "source", "source_url", "notes", "recorded_at"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.URLField):
            kwargs["assume_scheme"] = "https"  # an address typed without its scheme is read as https://
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.display(description=_("code"), ordering="state__iso3")
    def iso3(self, obj):
        return obj.state.iso3

    @admin.display(description=_("source"))
    def short_source(self, obj):
        return obj.source if len(obj.source) <= 80 else f"{obj.source[:79]}…"
