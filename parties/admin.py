from django import forms
from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin

from ccm_portal.core.admin import AuditedAdminMixin
from ccm_portal.core.spreadsheets import IMPORT_EXPORT_FORMATS
from parties.models import (
    CompletionRecord,
    ExtensionRequest,
    Meeting,
    NationalMeasures,
    Obligation,
    PublishedFigure,
    State,
)
from parties.names import other_languages
from parties.resources import MeetingResource, NationalMeasuresResource, ObligationResource, StateResource


class AuditedInlinesMixin:
    """Rows added, changed or deleted through an inline are audited like direct edits: one entry per row,
    ``parties.<model>.created/changed/deleted``, with the fields before and after."""

    inline_audit_actions: dict[type, str] = {}

    def save_formset(self, request, form, formset, change):
        from django.db import transaction

        from audit import services as audit

        prefix = self.inline_audit_actions.get(formset.model, f"parties.{formset.model._meta.model_name}")
        with transaction.atomic():
            # The forms have already set the new values on their instances: read the stored rows.
            stored = formset.model._default_manager.filter(
                pk__in=[f.instance.pk for f in formset.forms if f.instance.pk]
            )
            befores = {o.pk: audit.snapshot(o) for o in stored}
            super().save_formset(request, form, formset, change)
            for obj in formset.new_objects + [o for o, _fields in formset.changed_objects]:
                changes = audit.diff(befores.get(obj.pk, {}), audit.snapshot(obj))
                audit.record(
                    actor=request.user,
                    action=f"{prefix}.changed" if obj.pk in befores else f"{prefix}.created",
                    obj=obj,
                    changes=changes,
                    context={"via": "admin", "parent": str(form.instance)},
                )
            for obj in formset.deleted_objects:
                audit.record(
                    actor=request.user,
                    action=f"{prefix}.deleted",
                    obj=obj,
                    changes=audit.diff(befores.get(obj.pk, {}), {}),
                    context={"via": "admin", "parent": str(form.instance)},
                )


class RegistryAdmin(AuditedAdminMixin, ImportExportModelAdmin):
    formats = IMPORT_EXPORT_FORMATS  # CSV and XLSX; exports quote text a spreadsheet would evaluate


class ObligationInline(admin.TabularInline):
    model = Obligation
    extra = 0
    fields = ["article", "completed_on", "completed_precision", "completed_by", "confidence", "source"]
    show_change_link = True


def _name_field(code: str) -> str:
    return f"name_{code.replace('-', '_')}"


class _StateNamesForm(forms.ModelForm):
    """The State's own names (``State.names``) as one text box per language: empty means CLDR's common name."""

    class Meta:
        model = State
        fields = [
            f.name for f in State._meta.get_fields() if f.concrete and f.editable and f.name not in ("id", "names")
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        names = self.instance.names or {}
        for code, _label in other_languages():
            self.fields[_name_field(code)].initial = names.get(code, "")

    def clean(self):
        cleaned = super().clean()
        self.instance.names = {
            code: " ".join(cleaned.get(_name_field(code), "").split())
            for code, _label in other_languages()
            if cleaned.get(_name_field(code), "").strip()
        }
        return cleaned


# One text box per language, declared on the class so the admin's fieldsets may name them.
StateAdminForm = type(
    "StateAdminForm",
    (_StateNamesForm,),
    {
        "__module__": __name__,
        **{
            _name_field(code): forms.CharField(label=label, required=False, max_length=120)
            for code, label in other_languages()
        },
    },
)


@admin.register(State)
class StateAdmin(AuditedInlinesMixin, RegistryAdmin):
    audit_action_prefix = "parties.state"
    form = StateAdminForm
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

    def get_fieldsets(self, request, obj=None):
        names = (
            _("Names in other languages"),
            {
                "fields": [_name_field(code) for code, _label in other_languages()],
                "description": _(
                    "The United Nations' short name where the common name (CLDR) differs; leave empty to use "
                    "the common name. English pages always use the name above."
                ),
            },
        )
        return [self.fieldsets[0], names, *self.fieldsets[1:]]

    @admin.display(description=_("entry into force (Art. 17)"))
    def entry_into_force(self, obj):
        return obj.entry_into_force

    @admin.display(description=_("initial report due (Art. 7)"))
    def initial_report_due(self, obj):
        return obj.initial_report_due


EXTENSION_DATES = [
    ("previous_deadline", "previous_precision"),
    ("submitted_on", "submitted_precision"),
    ("requested_until", "requested_precision"),
    ("decided_on", "decided_precision"),
    ("granted_until", "granted_precision"),
]


class ExtensionInline(admin.StackedInline):
    """Each request as a record (Art. 3(3)–(5), Art. 4(5)–(6)): every date with the precision its source gives."""

    model = ExtensionRequest
    extra = 0
    fields = ["meeting", *EXTENSION_DATES, "status", "confidence", "source", "notes"]
    show_change_link = True


class CompletionRecordInline(admin.StackedInline):
    """Each source's statement of completion; sources that disagree are all kept."""

    model = CompletionRecord
    extra = 0
    fields = ["finding", ("completed_on", "completed_precision"), "completed_by", "confidence", "source", "notes"]


@admin.register(Obligation)
class ObligationAdmin(AuditedInlinesMixin, RegistryAdmin):
    audit_action_prefix = "parties.obligation"
    resource_classes = [ObligationResource]
    list_display = [
        "state",
        "article",
        "original_deadline",
        "current_deadline",
        "completion",
        "completed_from",
        "confidence",
    ]
    list_filter = ["article", "confidence"]
    search_fields = ["state__name", "state__iso3"]
    list_select_related = ["state"]
    autocomplete_fields = ["state"]
    readonly_fields = ["original_deadline", "updated_at"]
    inlines = [ExtensionInline, CompletionRecordInline]
    inline_audit_actions = {ExtensionRequest: "parties.extension", CompletionRecord: "parties.completion_record"}

    def get_queryset(self, request):
        return super().get_queryset(request).with_related()

    @admin.display(description=_("completed"))
    def completion(self, obj):
        return obj.completion.display() if obj.completion else "—"

    @admin.display(description=_("deadline in force today"))
    def current_deadline(self, obj):
        return obj.current_deadline

    @admin.display(description=_("certainly completed from"))
    def completed_from(self, obj):
        return obj.completed_from() or "—"

    @admin.display(description=_("original deadline"))
    def original_deadline(self, obj):
        return obj.original_deadline


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(AuditedAdminMixin, admin.ModelAdmin):
    audit_action_prefix = "parties.extension"
    list_display = [
        "obligation",
        "meeting",
        "submitted",
        "requested",
        "status",
        "decided",
        "granted",
        "in_force_from",
        "filing",
        "confidence",
    ]
    list_filter = ["status", "confidence", "meeting", "obligation__article"]
    search_fields = ["obligation__state__name", "obligation__state__iso3", "source", "notes"]
    list_select_related = ["obligation__state", "meeting"]
    autocomplete_fields = ["obligation"]
    readonly_fields = ["origin", "in_force_from", "filing"]
    fieldsets = [
        (None, {"fields": ["obligation", "meeting", "status", "confidence"]}),
        (_("Dates, each with the precision its source gives"), {"fields": EXTENSION_DATES}),
        (_("Derived"), {"fields": ["in_force_from", "filing"]}),
        (_("Sources"), {"fields": ["source", "notes", "origin"]}),
    ]

    @admin.display(description=_("submitted"), ordering="submitted_on")
    def submitted(self, obj):
        return obj.submitted.display() if obj.submitted else "—"

    @admin.display(description=_("requested until"), ordering="requested_until")
    def requested(self, obj):
        return obj.requested.display() if obj.requested else "—"

    @admin.display(description=_("decided"), ordering="decided_on")
    def decided(self, obj):
        return obj.decided.display() if obj.decided else "—"

    @admin.display(description=_("granted until"), ordering="granted_until")
    def granted(self, obj):
        return obj.granted.display() if obj.granted else "—"

    @admin.display(description=_("in force from (its decision)"))
    def in_force_from(self, obj):
        return obj.in_force_from or "—"

    @admin.display(description=_("filing window (9 months before the meeting)"))
    def filing(self, obj):
        if obj.filing_deadline is None:
            return "—"
        if obj.submitted is None:
            verdict = _("no submission date")
        elif obj.filed_late:
            verdict = _("late")
        elif obj.filing_window_unclear:
            verdict = _("unclear")
        else:
            verdict = _("in time")
        return f"{obj.filing_deadline.isoformat()}: {verdict}"


@admin.register(PublishedFigure)
class PublishedFigureAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Published totals and lists: records like any other, with their date (or window) and source."""

    audit_action_prefix = "parties.published_figure"
    list_display = ["topic", "period_year", "date_label", "value", "out_of", "is_complete_list", "origin"]
    list_filter = ["topic", "is_complete_list"]
    search_fields = ["statement", "source"]
    readonly_fields = ["origin", "reference", "recorded_at"]
    fields = [
        "topic",
        "period_year",
        ("as_of", "as_of_precision"),
        ("window_start", "window_end"),
        ("value", "out_of"),
        "is_complete_list",
        "statement",
        "source",
        "origin",
        "reference",
        "recorded_at",
    ]

    @admin.display(description=_("date"), ordering="as_of")
    def date_label(self, obj):
        return obj.date_label


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
