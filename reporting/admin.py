from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin

from ccm_portal.core.admin import AuditedAdminMixin
from ccm_portal.core.spreadsheets import IMPORT_EXPORT_FORMATS
from reporting.models import FormatVersion, Report, ReportEntry, ReportingRecord, ReportingRules, ReportVersion
from reporting.resources import ReportingRecordResource


@admin.register(ReportingRules)
class ReportingRulesAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Rules the sources leave open (first annual update, year-on-year warning threshold)."""

    audit_action_prefix = "reporting.rules"
    list_display = ["__str__", "first_annual_period", "year_on_year_warning_percent", "updated_at"]

    def has_add_permission(self, request):
        return not ReportingRules.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(FormatVersion)
class FormatVersionAdmin(admin.ModelAdmin):
    """Formats are data loaded by migrations; a format in use never changes."""

    list_display = ["code", "name", "is_current", "adopted_at"]
    readonly_fields = ["code", "name", "definition", "translations", "adopted_at", "source"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class VersionInline(admin.TabularInline):
    model = ReportVersion
    extra = 0
    fields = ["number", "submitted_at", "submitted_by", "outcome", "correction_note"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """Read-only: reports change through the portal's workflow, which audits each step."""

    list_display = ["state", "kind", "period_year", "status", "is_nil", "visibility", "updated_at"]
    list_filter = ["status", "kind", "visibility", "is_nil", "state__region"]
    search_fields = ["state__name", "state__iso3"]
    list_select_related = ["state"]
    inlines = [VersionInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Report._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("period"))
    def period(self, obj):
        return obj.period_label


@admin.register(ReportingRecord)
class ReportingRecordAdmin(AuditedAdminMixin, ImportExportModelAdmin):
    """What sources say about reports outside the portal (received before it or sent straight to the UN,
    or not submitted as of a date): the reporting rates and the deadlines count them beside the reports
    submitted through the portal."""

    audit_action_prefix = "reporting.reporting_record"
    resource_classes = [ReportingRecordResource]
    formats = IMPORT_EXPORT_FORMATS  # CSV and XLSX; exports quote text a spreadsheet would evaluate
    list_display = ["state", "kind", "period_year", "status", "submitted_on", "submitted_by", "as_of", "source"]
    list_filter = ["status", "kind", "is_nil", "confidence", "state__region", "period_year"]
    search_fields = ["state__name", "state__iso3", "source", "notes"]
    list_select_related = ["state"]
    autocomplete_fields = ["state"]
    raw_id_fields = ["listed_in"]


@admin.register(ReportEntry)
class ReportEntryAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Reports the ISU entered from an original: the submission date and source can be corrected here
    (audited) while the entry is open; once recorded, the version carries them and they stay as recorded."""

    audit_action_prefix = "reporting.entry"
    list_display = ["report", "submitted_on", "created_by", "created_at", "version"]
    list_filter = ["report__kind", "report__state__region"]
    search_fields = ["report__state__name", "report__state__iso3", "source"]
    list_select_related = ["report__state", "created_by", "version"]
    fields = ["report", "original_file", "submitted_on", "source", "created_by", "created_at", "version"]

    def get_readonly_fields(self, request, obj=None):
        fixed = ["report", "original_file", "created_by", "created_at", "version"]
        return [*fixed, "submitted_on", "source"] if obj is not None and obj.version_id else fixed

    def has_add_permission(self, request):
        return False  # entries start from /isu/reports/enter/, which checks the original

    def has_delete_permission(self, request, obj=None):
        return False
