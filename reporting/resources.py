"""Import and export of the reports the ISU records as received outside the portal (from the UN's
records), all or nothing like the registry's imports: each bad cell is named by row and column."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import fields, widgets

from ccm_portal.imports import AuditedModelResource, StrictChoiceWidget
from parties.resources import DATE, PartialDateWidget, StateCodeWidget
from reporting.models import RecordStatus, ReportingRecord, ReportKind


class YesNoWidget(widgets.BooleanWidget):
    """yes/no (also true/false, 1/0, any case); anything else is an error, never a silent "no"."""

    TRUE = {"yes", "true", "1"}
    FALSE = {"no", "false", "0", ""}

    def clean(self, value, row=None, **kwargs):
        text = str(value if value is not None else "").strip().casefold()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise ValueError(_("“%(value)s” is not yes or no.") % {"value": value})

    def render(self, value, obj=None, **kwargs):
        return "yes" if value else "no"


class ReportingRecordResource(AuditedModelResource):
    """One row per statement of a source about a report (several sources may speak of the same report):
    the State, the report, what the source says and the source identify it, so a whole file can be
    imported again."""

    audit_action_prefix = "reporting.reporting_record"

    iso3 = fields.Field(attribute="state", column_name="iso3", widget=StateCodeWidget())
    name = fields.Field(column_name="name", readonly=True)
    kind = fields.Field(attribute="kind", column_name="kind", widget=StrictChoiceWidget(ReportKind.choices))
    period_year = fields.Field(attribute="period_year", column_name="period_year", widget=widgets.IntegerWidget())
    status = fields.Field(attribute="status", column_name="status", widget=StrictChoiceWidget(RecordStatus.choices))
    submitted_on = fields.Field(column_name="submitted_on", widget=PartialDateWidget())
    submitted_by = fields.Field(attribute="submitted_by", column_name="submitted_by", widget=DATE)
    is_nil = fields.Field(attribute="is_nil", column_name="is_nil", widget=YesNoWidget())
    source = fields.Field(attribute="source", column_name="source", widget=widgets.CharWidget())
    source_url = fields.Field(attribute="source_url", column_name="source_url", widget=widgets.CharWidget())
    notes = fields.Field(attribute="notes", column_name="notes", widget=widgets.CharWidget())

    class Meta:
        model = ReportingRecord
        import_id_fields = ["iso3", "kind", "period_year", "source"]
        fields = [
            "iso3",
            "name",
            "kind",
            "period_year",
            "status",
            "submitted_on",
            "submitted_by",
            "is_nil",
            "source",
            "source_url",
            "notes",
        ]
        export_order = fields
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    def get_queryset(self):
        return ReportingRecord.objects.select_related("state").order_by("state__iso3", "kind", "period_year", "id")

    def get_instance(self, instance_loader, row):
        # A source may say different things of one report (late in June, then submitted): the status is part
        # of the statement's identity.
        instance = super().get_instance(instance_loader, row)
        if instance is None or instance.status == (str(row.get("status") or "").strip() or RecordStatus.SUBMITTED):
            return instance
        return None

    def dehydrate_name(self, record: ReportingRecord) -> str:
        return record.state.name

    def dehydrate_submitted_on(self, record: ReportingRecord) -> str:
        return record.submitted.isoformat() if record.submitted else ""

    def before_import_row(self, row, **kwargs):
        # State, kind and year are the row's identity: each must be readable before the row is looked up.
        # A file of the UN's records needs no status column: every row is a report received.
        if str(row.get("status") or "").strip() == "":
            row["status"] = RecordStatus.SUBMITTED.value
        errors: dict[str, list[str]] = {}
        try:
            StateCodeWidget().clean(row.get("iso3"))
        except ValueError as error:
            errors["iso3"] = [str(error)]
        kind = str(row.get("kind") or "").strip()
        if kind not in ReportKind.values:
            errors["kind"] = [_("Give the kind: one of %(allowed)s.") % {"allowed": ", ".join(ReportKind.values)}]
        year = row.get("period_year")
        if kind == ReportKind.ANNUAL and year in (None, ""):
            errors["period_year"] = [_("Give the calendar year an annual update covers.")]
        if kind == ReportKind.INITIAL and year not in (None, ""):
            errors["period_year"] = [_("Leave the year empty for an initial report.")]
        if errors:
            raise ValidationError(errors)

    def import_instance(self, instance, row, **kwargs):
        errors: dict[str, list[str]] = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        try:
            submitted = PartialDateWidget().clean(row.get("submitted_on"))
        except ValueError as error:
            errors.setdefault("submitted_on", []).append(str(error))
        else:
            instance.submitted_on = submitted.start if submitted else None
            instance.submitted_precision = submitted.precision.value if submitted else "day"
            status = str(row.get("status") or "").strip() or RecordStatus.SUBMITTED
            if status == RecordStatus.SUBMITTED and submitted is None and row.get("submitted_by") in (None, ""):
                errors.setdefault("submitted_on", []).append(
                    _("Give the date the UN's records give (YYYY, YYYY-MM or YYYY-MM-DD), or a bound in submitted_by.")
                )
        if not str(row.get("source") or "").strip():
            errors.setdefault("source", []).append(_("Say where the record comes from (e.g. the UNODA database)."))
        if errors:
            raise ValidationError(errors)
