"""The public archive of Article 7 reports: who may read which version, the search behind the
archive page and the ISU's export, and a version as open data (JSON, CSV).

Who reads what — ``reporting.access.readable_versions``, the same rule as the reader's view of
``reporting.views.focal.version_detail``, never wider:

* only the versions the ISU *published* (``ReportVersion.published_at``; a published version stays
  readable when a correction is prepared or supersedes it, so its permanent URL keeps working).
  Drafts, pending, recalled, sent-back and accepted-but-unpublished versions are never in the
  archive, not even for the State's own focal points or the ISU, who work on them in their own pages;
* the public reads public reports; focal points (of any State Party) and the ISU also read the
  reports and versions restricted to States Parties.

Every read here runs a fixed number of queries, however many reports, versions or rows there are.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.fields.json import KT
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from import_export import fields, resources

from ccm_portal.core import spreadsheets
from parties.models import Region, State
from reporting import editor
from reporting.access import readable_versions
from reporting.formats import Choice, public_content, published_cover, typed_area_of
from reporting.models import (
    FormatVersion,
    Language,
    ReportKind,
    ReportStatus,
    ReportVersion,
    VersionOutcome,
    Visibility,
)

PER_PAGE = 50
# "Has content in Form X": the cover page gives the form (changed, or unchanged since an earlier
# year, its content restated) rather than declaring it not applicable.
HAS_CONTENT = (Choice.CHANGED, Choice.UNCHANGED)
PERIOD = re.compile(r"^(initial|\d{4})$")
FORM_CODE = re.compile(r"^[A-Za-z0-9]{1,10}$")


# --- Who reads which version (the rule itself is reporting.access.readable_versions) ----------------
def latest_readable(user: Any) -> QuerySet[ReportVersion]:
    """The latest version ``user`` may read of each report: no readable version of the same report
    has a higher number."""
    newer = readable_versions(
        user, ReportVersion.objects.filter(report=OuterRef("report"), number__gt=OuterRef("number"))
    )
    return readable_versions(user).filter(~Exists(newer))


# --- The forms readers can filter on -----------------------------------------------------------------
@dataclass(frozen=True)
class FormOption:
    code: str
    title: str


def form_options() -> list[FormOption]:
    """The forms of every reporting format, the current format's first (one query)."""
    seen: dict[str, FormOption] = {}
    for format_version in FormatVersion.objects.order_by("-is_current", "code"):
        for form in format_version.spec.forms:
            if FORM_CODE.match(form.code) and form.code not in seen:
                seen[form.code] = FormOption(form.code, form.title)
    return list(seen.values())


def _with_form_choices(versions: QuerySet[ReportVersion], codes: list[str]) -> QuerySet[ReportVersion]:
    """Each form's choice and "unchanged since" year read in the database, so that lists and
    exports never load the content itself."""
    annotations: dict[str, Any] = {}
    for code in codes:
        annotations[f"choice_{code}"] = KT(f"content__forms__{code}__choice")
        annotations[f"since_{code}"] = KT(f"content__forms__{code}__unchanged_since")
    return versions.annotate(**annotations)


def form_choices(version: ReportVersion, codes: list[str]) -> dict[str, str]:
    """Form code → its choice (``changed``, ``unchanged``, ``not_applicable``), from the annotations."""
    return {code: getattr(version, f"choice_{code}", None) or "" for code in codes}


# --- Search -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ArchiveQuery:
    """What a reader filters the archive on. Empty values do not filter."""

    state: str = ""  # a State's ISO code (exactly), or part of its name
    region: str = ""
    period: str = ""  # "initial" or a year
    form: str = ""  # a form code: reports with content in that form (see HAS_CONTENT)
    form_changed: bool = False  # … and only where it changed
    nil: bool | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "state": self.state or None,
            "region": self.region or None,
            "period": self.period or None,
            "form": self.form or None,
            "form_changed": self.form_changed if self.form else None,
            "nil": self.nil,
        }


def _state_condition(text: str) -> Q:
    """A three-letter ISO code picks that State alone (``/reports/?state=CAN`` is Canada, not every
    name containing "can"); anything else searches names and codes."""
    text = text.strip()
    code = text.upper()
    by_name = Q(report__state__name__icontains=text) | Q(report__state__iso3__icontains=text)
    if not re.fullmatch(r"[A-Z]{3}", code):
        return by_name
    # In the same query: the exact code when such a State exists, else the name search.
    return Q(report__state__iso3=code) | (by_name & ~Exists(State.objects.filter(iso3=code)))


def _filtered(versions: QuerySet[ReportVersion], query: ArchiveQuery) -> QuerySet[ReportVersion]:
    if query.state.strip():
        versions = versions.filter(_state_condition(query.state))
    if query.region:
        versions = versions.filter(report__state__region=query.region)
    if query.period == "initial":
        versions = versions.filter(report__kind=ReportKind.INITIAL)
    elif query.period:
        versions = versions.filter(report__kind=ReportKind.ANNUAL, report__period_year=int(query.period))
    if query.form and FORM_CODE.match(query.form):
        wanted = [Choice.CHANGED] if query.form_changed else list(HAS_CONTENT)
        versions = versions.filter(**{f"content__forms__{query.form}__choice__in": wanted})
    if query.nil is not None:
        versions = versions.filter(is_nil=query.nil)
    return versions


def _for_lists(versions: QuerySet[ReportVersion], codes: list[str]) -> QuerySet[ReportVersion]:
    # The content and the report's working copy can be megabytes each: lists never load them.
    return _with_form_choices(
        versions.select_related("report__state", "format_version")
        .defer("content", "report__draft", "format_version__definition")
        .annotate(superseded_by_number=F("superseded_by__number"), supersedes_number=F("supersedes__number")),
        codes,
    )


def search(user: Any, query: ArchiveQuery, *, codes: list[str]) -> QuerySet[ReportVersion]:
    """The latest readable version of each report matching ``query``, by State then period (newest
    first, the initial report last). One query per page, plus one to count."""
    versions = _filtered(latest_readable(user), query)
    return _for_lists(versions, codes).order_by(
        "report__state__name", F("report__period_year").desc(nulls_last=True), "report_id"
    )


def export_versions(user: Any, query: ArchiveQuery, *, codes: list[str]) -> QuerySet[ReportVersion]:
    """Every readable version (accepted and superseded) of the reports that ``search`` finds, oldest
    version first within a report: one query."""
    reports = _filtered(latest_readable(user), query).values("report_id")
    versions = readable_versions(user).filter(report__in=reports)
    return _for_lists(versions, codes).order_by(
        "report__state__name", F("report__period_year").desc(nulls_last=True), "report_id", "number"
    )


# --- One version --------------------------------------------------------------------------------------
def get_version(user: Any, *, iso3: str, period: str, number: int | None = None) -> ReportVersion:
    """Version ``number`` of the State's report for ``period`` ("initial" or a year), or its latest
    readable version when ``number`` is None; 404 when ``user`` may not read it (one query)."""
    if not PERIOD.match(period) or not re.fullmatch(r"[A-Za-z]{3}", iso3):
        raise Http404
    versions = readable_versions(user).filter(report__state__iso3=iso3.upper())
    if period == "initial":
        versions = versions.filter(report__kind=ReportKind.INITIAL)
    else:
        versions = versions.filter(report__kind=ReportKind.ANNUAL, report__period_year=int(period))
    if number is not None:
        versions = versions.filter(number=number)
    version = (
        versions.select_related("report__state", "format_version")
        .defer("report__draft")
        .annotate(superseded_by_number=F("superseded_by__number"), supersedes_number=F("supersedes__number"))
        .order_by("-number")
        .first()
    )
    if version is None:
        raise Http404
    return version


def history(user: Any, version: ReportVersion) -> list[ReportVersion]:
    """The report's versions ``user`` may read, newest first, with their correction notes (one query)."""
    return list(
        readable_versions(user, ReportVersion.objects.filter(report_id=version.report_id))
        .defer("content")
        .order_by("-number")
    )


def filename(version: ReportVersion) -> str:
    """``AUS-2024-v2``: the stem of every download of a version."""
    return f"{version.report.state.iso3}-{version.report.period_slug}-v{version.number}"


def version_path(version: ReportVersion) -> str:
    report = version.report
    return reverse("reporting:archive_version", args=[report.state.iso3, report.period_slug, version.number])


def permanent_url(version: ReportVersion) -> str:
    """The citable address of a version, on the portal's public host whatever host served the page."""
    return settings.CCM_SITE_URL + version_path(version)


def accepted_on(version: ReportVersion) -> Any:
    """When the ISU accepted the version (a superseded version keeps its acceptance date)."""
    return version.decided_at


def version_sections(version: ReportVersion) -> dict[str, Any]:
    """The cover page and the forms as the reader's version page shows them."""
    return editor.read_only_sections(version.format_version.spec, version.content, initial=version.report.is_initial)


# --- A version as open data -------------------------------------------------------------------------
def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def entered_by_isu(version: ReportVersion) -> dict[str, Any] | None:
    """For a version the ISU entered from a paper or PDF original: what it says about itself (else None)."""
    if not version.entered_by_isu:
        return None
    return {
        "statement": entered_statement(version),
        "original_submitted_on": _iso(version.submitted_on),
        "original_source": version.original_source,
        "confirmed_by_state_on": _iso(_local_date(version.confirmed_by_state_at)),
    }


def entered_statement(version: ReportVersion) -> str:
    """ "Entered by the ISU from a paper/PDF original; submitted on …; source …; confirmed by the State on …"
    (or "not yet confirmed"), in words, for the exports; empty for a version submitted in the portal."""
    if not version.entered_by_isu:
        return ""
    parts = [
        _("Entered by the ISU from a paper/PDF original"),
        _("submitted on %(date)s") % {"date": version.submitted_on.isoformat()},
    ]
    if version.original_source:
        parts.append(_("source: %(source)s") % {"source": version.original_source})
    if version.confirmed_by_state_at:
        parts.append(
            _("confirmed by the State on %(date)s") % {"date": _local_date(version.confirmed_by_state_at).isoformat()}
        )
    else:
        parts.append(_("not yet confirmed by the State"))
    return "; ".join(parts)


def version_document(version: ReportVersion) -> dict[str, Any]:
    """What the JSON download holds: the facts about the version and its content as submitted."""
    report = version.report
    return {
        "state": {"iso3": report.state.iso3, "name": report.state.name, "region": report.state.region},
        "report": {
            "kind": report.kind,
            "period": report.period_slug,
            "period_year": report.period_year,
            "original_language": report.original_language,
            "sent_to_unoda_on": _iso(report.sent_to_unoda_on),
        },
        "version": {
            "number": version.number,
            "outcome": version.outcome,
            "visibility": version.visibility,
            "nil_report": version.is_nil,
            # The day the report counts as submitted (for a report the ISU entered: the original's date);
            # ``recorded_at`` is when the version was recorded in the portal.
            "submitted_on": _iso(version.submitted_on),
            "submitted_at": _iso(version.submitted_at),
            "entered_by_isu": entered_by_isu(version),
            "accepted_at": _iso(accepted_on(version)),
            "correction_note": version.correction_note,
            "corrects_version": getattr(version, "supersedes_number", None),
            "superseded_by_version": getattr(version, "superseded_by_number", None),
        },
        "format": {"code": version.format_version.code, "name": version.format_version.name},
        "url": permanent_url(version),
        # Without the contact point's e-mail and telephone unless the State chose to publish them.
        "content": public_content(version.format_version.spec, version.content),
    }


def _sorted(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _sorted(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [_sorted(item) for item in value]
    return value


def version_json(version: ReportVersion) -> bytes:
    """UTF-8 JSON: the facts first, in a fixed order, then the content with its keys in alphabetical
    order, so that the same version always gives the same bytes (whatever order the database keeps
    JSON keys in)."""
    document = version_document(version)
    document["content"] = _sorted(document["content"])
    text = json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    return (text + "\n").encode("utf-8")


CSV_HEADER = ["state", "period", "version", "form", "table", "row", "row_id", "column", "column_label", "value", "unit"]


def _cell_text(value: Any) -> Any:
    """A stored value as the CSV gives it: numbers stay numbers (never taken for a formula, see
    ``ccm_portal.core.spreadsheets``), anything else as text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, Decimal)):
        return value
    return str(value)


def version_rows(version: ReportVersion) -> Iterator[list[Any]]:
    """The version in long ("tidy") form, one line per value, the same columns for every form:

    * the version's facts: form ``version`` (``submitted_on``, ``entered_by_isu``; for a version the ISU entered
      from an original, also ``original_source`` and ``confirmed_by_state_on``);
    * the cover page: form ``cover``, table empty;
    * each form's choice: table ``choice``, columns ``choice``, ``unchanged_since``, ``na_statement``;
    * narratives: table ``narrative``, the column is the narrative's key;
    * table cells: the table's key, the row's position (from 1) and id, the column's key and label.

    Values are as stored: integers, areas as typed with their unit (``m2``, ``ha``, ``km2``), amounts as decimals with
    the row's currency as their unit, dates as YYYY-MM-DD, choices by their code.
    """
    report = version.report
    spec = version.format_version.spec
    content = version.content
    lead = [report.state.iso3, report.period_slug, str(version.number)]
    # The version's own facts first: when it counts as submitted, and whether the ISU entered it from an original.
    facts = [
        ("submitted_on", _("Submitted on"), version.submitted_on.isoformat()),
        ("entered_by_isu", _("Entered by the ISU"), _cell_text(version.entered_by_isu)),
    ]
    if version.entered_by_isu:
        confirmed = _local_date(version.confirmed_by_state_at)
        facts += [
            ("original_source", _("Source of the original"), version.original_source),
            ("confirmed_by_state_on", _("Confirmed by the State on"), confirmed.isoformat() if confirmed else ""),
        ]
    for key, label, value in facts:
        yield [*lead, "version", "", "", "", key, label, value, ""]
    cover = content.get("cover") or {}
    for column, value in published_cover(spec, cover):  # personal data only if the State chose to publish it
        yield [*lead, "cover", "", "", "", column.key, column.label, _cell_text(value), ""]
    for form in spec.forms:
        data = (content.get("forms") or {}).get(form.code) or {}
        for key, label in (
            ("choice", _("Changed, unchanged or not applicable")),
            ("unchanged_since", _("Unchanged since")),
            ("na_statement", _("Why the form does not apply")),
        ):
            yield [*lead, form.code, "choice", "", "", key, label, _cell_text(data.get(key)), ""]
        narratives = data.get("narratives") or {}
        for narrative in form.narratives:
            text = _cell_text(narratives.get(narrative.key))
            yield [*lead, form.code, "narrative", "", "", narrative.key, narrative.label, text, ""]
        tables = data.get("tables") or {}
        for table in form.tables:
            currency = next((c.key for c in table.columns if c.type == "currency"), None)
            for position, row in enumerate(tables.get(table.key) or [], start=1):
                for column in table.columns:
                    unit = ""
                    value = _cell_text(row.get(column.key))
                    if column.type == "area":
                        # As the State typed it ("41.30", km2); the JSON also gives the square metres.
                        typed = typed_area_of(row, column.key)
                        value, unit = (typed["number"], typed["unit"]) if typed else (value, "m2")
                    elif column.type == "money" and currency:
                        unit = _cell_text(row.get(currency))
                    yield [
                        *lead,
                        form.code,
                        table.key,
                        str(position),
                        str(row.get("_id") or ""),
                        column.key,
                        column.label,
                        value,
                        unit,
                    ]


def version_csv(version: ReportVersion) -> bytes:
    """The long form as CSV; text a State typed that a spreadsheet would evaluate is quoted."""
    return spreadsheets.csv_bytes([CSV_HEADER, *version_rows(version)])


# --- The ISU's export --------------------------------------------------------------------------------


def _local_date(value: Any) -> Any:
    return timezone.localdate(value) if value is not None else None


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
    submitted = fields.Field(column_name=_lazy("Submitted"))
    entered_by_isu = fields.Field(column_name=_lazy("Entered by the ISU"))
    accepted = fields.Field(column_name=_lazy("Accepted"))
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
        choice = getattr(version, f"choice_{code}", None) or ""
        if choice == Choice.CHANGED:
            return self._texts["in_full"] if version.report.is_initial else self._texts["changed"]
        if choice == Choice.UNCHANGED:
            since = getattr(version, f"since_{code}", None)
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
        return _local_date(accepted_on(version))

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
