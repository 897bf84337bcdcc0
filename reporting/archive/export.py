"""The ISU's spreadsheet of an archive selection (``reads.export_versions``): one row per accepted or superseded
version, its facts and each form's choice, never loading the content."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import pgettext_lazy
from import_export import fields, resources

from parties.models import Region
from reporting.archive.reads import (
    FormOption,
    accepted_on,
    entered_statement,
    form_choices,
    local_date,
    permanent_url,
    unchanged_since,
)
from reporting.formats import Choice
from reporting.models import Language, ReportKind, ReportStatus, ReportVersion, VersionOutcome, Visibility

EXPORT_FIELDS = [
    "state",
    "iso3",
    "region",
    "kind",
    "period",
    "version",
    "status",
    "outcome",
    "visibility",
    "nil",
    "submitted",
    "entered_by_isu",
    "accepted",
    "superseded_by",
    "corrects",
    "correction_note",
    "original_language",
    "sent_to_unoda",
    "url",
]


class ArchiveExportResource(resources.ModelResource):
    """One row per accepted or superseded version, for the ISU's spreadsheet. Built from the
    annotated rows of ``export_versions``: the content is never loaded. The per-form columns
    ("Form A" … "Form J") come from the formats in use, added when the resource is made."""

    state = fields.Field(column_name=_lazy("State"))
    iso3 = fields.Field(column_name=_lazy("ISO3"))
    region = fields.Field(column_name=_lazy("Region"))
    kind = fields.Field(column_name=_lazy("Kind"))
    period = fields.Field(column_name=_lazy("Period"))
    version = fields.Field(column_name=_lazy("Version"))
    status = fields.Field(column_name=_lazy("Report status"))
    outcome = fields.Field(column_name=_lazy("Version outcome"))
    visibility = fields.Field(column_name=_lazy("Visibility"))
    nil = fields.Field(column_name=_lazy("Nil report"))
    submitted = fields.Field(column_name=pgettext_lazy("heading: the day it happened", "Submitted"))
    entered_by_isu = fields.Field(column_name=_lazy("Entered by the ISU"))
    accepted = fields.Field(column_name=pgettext_lazy("heading: the day it happened", "Accepted"))
    superseded_by = fields.Field(column_name=_lazy("Superseded by version"))
    corrects = fields.Field(column_name=_lazy("Corrects version"))
    correction_note = fields.Field(column_name=_lazy("What this version corrects"))
    original_language = fields.Field(column_name=_lazy("Original language"))
    sent_to_unoda = fields.Field(column_name=_lazy("Sent to UNODA"))
    url = fields.Field(column_name=_lazy("Permanent URL"))

    class Meta:
        model = ReportVersion
        fields = EXPORT_FIELDS
        export_order = EXPORT_FIELDS

    def __init__(self, *, forms: list[FormOption], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        for option in forms:
            self.fields[f"form_{option.code}"] = fields.Field(
                column_name=_("Form %(code)s") % {"code": option.code},
                dehydrate_method=lambda version, code=option.code: self._form_text(version, code),
            )
        # Labels translated once per export, in the language of whoever asked for it, rather than
        # once per cell: an export of every version has thousands of rows.
        self._labels = {
            name: {value: str(label) for value, label in choices}
            for name, choices in (
                ("region", Region.choices),
                ("kind", ReportKind.choices),
                ("status", ReportStatus.choices),
                ("outcome", VersionOutcome.choices),
                ("visibility", Visibility.choices),
                ("language", Language.choices),
            )
        }
        self._texts = {
            "yes": _("Yes"),
            "no": _("No"),
            "changed": _("Changed"),
            "in_full": _("Given in full"),
            "unchanged": _("Unchanged"),
            "not_applicable": _("Not applicable"),
        }
        self._since = _("Unchanged since %(year)s")
        self._columns: list[Any] | None = None

    def export_resource(self, instance: ReportVersion, selected_fields: Any = None, **kwargs: Any) -> list[Any]:
        # django-import-export looks up every column's name and dehydrate method again for each
        # row; this export looks them up once.
        if selected_fields is not None:
            return super().export_resource(instance, selected_fields, **kwargs)
        if self._columns is None:
            self._columns = []
            for field in self.get_export_fields():
                method = field.get_dehydrate_method(self.get_field_name(field))
                self._columns.append(method if callable(method) else getattr(self, method))
        return [column(instance) for column in self._columns]

    def _form_text(self, version: ReportVersion, code: str) -> str:
        choice = form_choices(version, [code])[code]
        if choice == Choice.CHANGED:
            return self._texts["in_full"] if version.report.is_initial else self._texts["changed"]
        if choice == Choice.UNCHANGED:
            since = unchanged_since(version, code)
            return self._since % {"year": since} if since else self._texts["unchanged"]
        if choice == Choice.NOT_APPLICABLE:
            return self._texts["not_applicable"]
        return ""

    def dehydrate_state(self, version: ReportVersion) -> str:
        return version.report.state.name

    def dehydrate_iso3(self, version: ReportVersion) -> str:
        return version.report.state.iso3

    def dehydrate_region(self, version: ReportVersion) -> str:
        return self._labels["region"].get(version.report.state.region, version.report.state.region)

    def dehydrate_kind(self, version: ReportVersion) -> str:
        return self._labels["kind"].get(version.report.kind, version.report.kind)

    def dehydrate_period(self, version: ReportVersion) -> str:
        return version.report.period_slug

    def dehydrate_version(self, version: ReportVersion) -> int:
        return version.number

    def dehydrate_status(self, version: ReportVersion) -> str:
        return self._labels["status"].get(version.report.status, version.report.status)

    def dehydrate_outcome(self, version: ReportVersion) -> str:
        return self._labels["outcome"].get(version.outcome, version.outcome)

    def dehydrate_visibility(self, version: ReportVersion) -> str:
        return self._labels["visibility"].get(version.visibility, version.visibility)

    def dehydrate_nil(self, version: ReportVersion) -> str:
        return self._texts["yes"] if version.is_nil else self._texts["no"]

    def dehydrate_submitted(self, version: ReportVersion) -> Any:
        return version.submitted_on

    def dehydrate_entered_by_isu(self, version: ReportVersion) -> str:
        return entered_statement(version)

    def dehydrate_accepted(self, version: ReportVersion) -> Any:
        return local_date(accepted_on(version))

    def dehydrate_superseded_by(self, version: ReportVersion) -> Any:
        return getattr(version, "superseded_by_number", None) or ""

    def dehydrate_corrects(self, version: ReportVersion) -> Any:
        return getattr(version, "supersedes_number", None) or ""

    def dehydrate_correction_note(self, version: ReportVersion) -> str:
        return version.correction_note  # made safe with every other cell by the export's format

    def dehydrate_original_language(self, version: ReportVersion) -> str:
        language = version.report.original_language
        return self._labels["language"].get(language, language)

    def dehydrate_sent_to_unoda(self, version: ReportVersion) -> Any:
        return version.report.sent_to_unoda_on or ""

    def dehydrate_url(self, version: ReportVersion) -> str:
        return permanent_url(version)
