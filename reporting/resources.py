"""Import and export of the reports the ISU records as received outside the portal (from the UN's
records), all or nothing like the registry's imports: each bad cell is named by row and column."""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import fields, widgets

from ccm_portal.core.imports import AuditedModelResource, StrictChoiceWidget, cell_text, stored_fields_equal
from parties import rules
from parties.dates import PartialDate, Precision
from parties.models import Confidence, PublishedFigure, PublishedFigureTopic, State
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


# --- The reference file of the reporting history: ``fixtures/article7_reporting.csv`` -----------------
ARTICLE7_FILE = "article7_reporting.csv"
ALL_STATES = "ALL"  # a published total or list, not a State
RATE = "rate"
# Words a source uses when it infers or could not verify a fact, or when its date reads two ways.
_UNCERTAIN = re.compile(r"\b(unverified|ambiguous|presumably)\b", re.IGNORECASE)
_COUNT = re.compile(r"^(?P<value>\d+)(?:/(?P<out_of>\d+))?$")


def _report(row) -> tuple[str, int | None]:
    """``initial`` → (initial, None); a calendar year → (annual, year); anything else raises ValueError."""
    text = cell_text(row, "report")
    if text == ReportKind.INITIAL:
        return ReportKind.INITIAL.value, None
    if text.isdigit() and len(text) == 4:
        return ReportKind.ANNUAL.value, int(text)
    raise ValueError(_("“%(value)s” is neither “initial” nor the calendar year an update covers.") % {"value": text})


def _partial(row, column: str) -> PartialDate | None:
    return PartialDate.from_cell(cell_text(row, column))


def _day(row, column: str) -> dt.date | None:
    text = cell_text(row, column)
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(_("“%(value)s” is not a day of the form YYYY-MM-DD.") % {"value": text}) from None


def _count(row, column: str) -> tuple[int, int | None] | None:
    text = cell_text(row, column)
    if not text:
        return None
    match = _COUNT.match(text)
    if not match:
        raise ValueError(_("“%(value)s” is not a number, or a number “of” another (N/M).") % {"value": text})
    return int(match["value"]), int(match["out_of"]) if match["out_of"] else None


def _list_reference(key: str, topic: str) -> str:
    return f"{ARTICLE7_FILE}:{key}:{topic}"


def list_figure(key: str) -> PublishedFigure | None:
    """The published list a State row cites by its key: the overdue figure of the ``ALL`` row with that key."""
    return (
        PublishedFigure.objects.filter(reference__startswith=f"{ARTICLE7_FILE}:{key}:", reference__endswith="overdue")
        .order_by("pk")
        .first()
    )


def _unchanged(instance, original) -> bool:
    """Every stored field equal (these resources set fields import-export does not declare)."""
    return stored_fields_equal(instance, original, ignore=frozenset({"id", "recorded_at"}))


class _PublishedTotalResource(AuditedModelResource):
    """The ``ALL`` rows: a published total (``N`` or ``N/M`` in ``COLUMN``) as a ``PublishedFigure`` with the
    row's date (or, for an undated page, its window), statement and source. A row without a number in that
    column is left to the other resource."""

    audit_action_prefix = "parties.published_figure"
    COLUMN: str
    KIND: str  # "submitted" or "overdue"

    class Meta:
        model = PublishedFigure
        fields: list[str] = []
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    def _skip(self, row) -> bool:
        return cell_text(row, "iso3") != ALL_STATES or not cell_text(row, self.COLUMN)

    def _topic(self, kind: str) -> str:
        if self.KIND == "submitted":
            return PublishedFigureTopic.INITIAL_REPORTS_SUBMITTED
        if kind == ReportKind.INITIAL:
            return PublishedFigureTopic.INITIAL_REPORTS_LATE
        return PublishedFigureTopic.ANNUAL_REPORTS_OVERDUE

    def before_import_row(self, row, **kwargs):
        if cell_text(row, "iso3") != ALL_STATES:
            return
        errors: dict[str, list[str]] = {}
        if cell_text(row, "status") != RATE:
            errors["status"] = [_("A row for ALL States carries a published total: its status is “rate”.")]
        if not cell_text(row, "list"):
            errors["list"] = [_("Give the published total a key (e.g. cmc-2015-06-18).")]
        if errors:
            raise ValidationError(errors)

    def get_instance(self, instance_loader, row):
        if self._skip(row):
            return None
        try:
            kind, _year = _report(row)
        except ValueError:
            return None
        reference = _list_reference(cell_text(row, "list"), self._topic(kind))
        return PublishedFigure.objects.filter(reference=reference).first()

    def import_instance(self, instance, row, **kwargs):
        if self._skip(row):
            return
        errors: dict[str, list[str]] = {}

        def cell(column, parse):
            try:
                return parse(row, column)
            except ValueError as error:
                errors.setdefault(column, []).append(str(error))
                return None

        kind, year = cell("report", lambda r, _c: _report(r)) or (ReportKind.INITIAL, None)
        count = cell(self.COLUMN, _count)
        as_of = cell("as_of", _partial)
        start, end = cell("window_start", _day), cell("window_end", _day)
        complete = cell_text(row, "complete_list").casefold()
        if complete not in {"", "yes", "no"}:
            errors["complete_list"] = [_("“%(value)s” is not yes or no.") % {"value": complete}]
        if as_of is None and end is None and "as_of" not in errors and "window_end" not in errors:
            errors["as_of"] = [_("Give the date of the published total, or for an undated page its window_end.")]
        if start and end and start > end:
            errors["window_start"] = [_("The window starts after it ends.")]
        instance.topic = self._topic(kind)
        instance.period_year = year
        instance.value, instance.out_of = count if count else (None, None)
        instance.as_of = as_of.start if as_of else None
        instance.as_of_precision = as_of.precision.value if as_of else Precision.DAY.value
        instance.window_start, instance.window_end = start, end
        # Only the list of overdue reports names States; the number of reports submitted is a total.
        instance.is_complete_list = self.KIND == "overdue" and complete == "yes"
        instance.statement = cell_text(row, "notes")
        instance.source = cell_text(row, "source")
        if not instance.source:
            errors["source"] = [_("Say where the total was published.")]
        instance.origin = ARTICLE7_FILE
        instance.reference = _list_reference(cell_text(row, "list"), instance.topic)
        if errors:
            raise ValidationError(errors)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if self._skip(row):
            return True
        return not import_validation_errors and _unchanged(instance, original)


class PublishedSubmittedResource(_PublishedTotalResource):
    """Published totals of initial reports submitted (``published_submitted``)."""

    COLUMN, KIND = "published_submitted", "submitted"


class PublishedOverdueResource(_PublishedTotalResource):
    """Published totals and lists of overdue reports (``published_late``); a list that names every State
    then late is ``is_complete_list``."""

    COLUMN, KIND = "published_late", "overdue"


class Article7RecordResource(AuditedModelResource):
    """The State rows: what a source says of one State's report, as a ``ReportingRecord``; a row with a
    ``list`` key is one of the names of that published list and cites it. After the rows, each complete list
    also records, for every other State Party then owing its initial report, that it had submitted it."""

    audit_action_prefix = "reporting.reporting_record"

    class Meta:
        model = ReportingRecord
        fields: list[str] = []
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    def _skip(self, row) -> bool:
        return cell_text(row, "iso3") == ALL_STATES

    @staticmethod
    def reference(row) -> str:
        """A row's identity: State, report, what the source says, and the list, day or date it says it of."""
        when = cell_text(row, "list") or cell_text(row, "as_of") or cell_text(row, "submitted_on")
        return f"{ARTICLE7_FILE}:{cell_text(row, 'iso3')}:{cell_text(row, 'report')}:{cell_text(row, 'status')}:{when}"

    def get_instance(self, instance_loader, row):
        if self._skip(row):
            return None
        return ReportingRecord.objects.filter(reference=self.reference(row)).first()

    def import_instance(self, instance, row, **kwargs):
        if self._skip(row):
            return
        errors: dict[str, list[str]] = {}

        def cell(column, parse):
            try:
                return parse(row, column)
            except ValueError as error:
                errors.setdefault(column, []).append(str(error))
                return None

        instance.state = cell("iso3", lambda r, c: StateCodeWidget().clean(r.get(c)))
        kind, year = cell("report", lambda r, _c: _report(r)) or (ReportKind.INITIAL, None)
        instance.kind, instance.period_year = kind, year
        status = cell_text(row, "status")
        if status not in RecordStatus.values:
            errors["status"] = [
                _("Give what the source says: one of %(allowed)s.") % {"allowed": ", ".join(RecordStatus.values)}
            ]
        instance.status = status
        submitted, as_of = cell("submitted_on", _partial), cell("as_of", _partial)
        instance.submitted_on = submitted.start if submitted else None
        instance.submitted_precision = submitted.precision.value if submitted else Precision.DAY.value
        instance.submitted_by = None
        instance.as_of = as_of.start if as_of else None
        instance.as_of_precision = as_of.precision.value if as_of else Precision.DAY.value
        key = cell_text(row, "list")
        instance.listed_in = None
        if key:
            instance.listed_in = list_figure(key)
            if instance.listed_in is None:
                errors["list"] = [_("No published list with the key “%(key)s” in this file.") % {"key": key}]
        if status == RecordStatus.SUBMITTED and submitted is None and "submitted_on" not in errors:
            errors["submitted_on"] = [_("Give the submission date the source gives (YYYY, YYYY-MM or YYYY-MM-DD).")]
        if status in (RecordStatus.LATE, RecordStatus.NOT_SUBMITTED) and as_of is None and not key:
            errors.setdefault("as_of", []).append(
                _("Say on which date the source says the report was not in (or the list it comes from).")
            )
        if status != RecordStatus.SUBMITTED and submitted is not None:
            errors.setdefault("submitted_on", []).append(_("A report not submitted has no submission date."))
        notes = cell_text(row, "notes")
        instance.notes = notes
        instance.is_nil = False
        uncertain = _UNCERTAIN.search(notes) or "DISAGREEMENT" in notes
        instance.confidence = (
            Confidence.DISPUTED
            if "DISAGREEMENT" in notes
            else Confidence.PARTLY_UNVERIFIED
            if uncertain
            else Confidence.CONFIRMED
        )
        instance.source = cell_text(row, "source")
        if not instance.source:
            errors["source"] = [_("Say where the record comes from.")]
        instance.origin = ARTICLE7_FILE
        instance.reference = self.reference(row)
        if errors:
            raise ValidationError(errors)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if self._skip(row):
            return True
        return not import_validation_errors and _unchanged(instance, original)

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        if result.has_errors() or result.has_validation_errors():
            return
        for figure in PublishedFigure.objects.filter(origin=ARTICLE7_FILE, is_complete_list=True):
            record_complete_list(figure, actor=kwargs.get("user"))


def _bound_on(state: State, day: dt.date) -> bool:
    return rules.bound_on(state.entry_into_force, state.withdrawal_effective_on, day)


def record_complete_list(figure: PublishedFigure, *, actor=None) -> None:
    """A published list of every State whose initial report was overdue also says every other State Party
    then owing one had submitted it: record that, citing the list, for each State bound on the list's
    earliest possible day whose initial report was due before it and that the list does not name. Loading
    again changes nothing; a State the list names (after a correction) loses its implied record. Audited."""
    from audit import services as audit

    earliest = figure.window_start or figure.date.start
    latest = figure.holds_on
    named = set(figure.reporting_records.exclude(reference__contains=":implied:").values_list("state_id", flat=True))
    prefix = figure.reference.rsplit(":", 1)[0] + ":implied:"
    wanted: dict[str, State] = {}
    for state in State.objects.exclude(deposit_date=None).order_by("iso3"):
        due = state.initial_report_due
        if state.pk in named or due is None or due >= earliest or not _bound_on(state, earliest):
            continue
        wanted[f"{prefix}{state.iso3}"] = state
    existing = {r.reference: r for r in ReportingRecord.objects.filter(reference__startswith=prefix)}
    for reference, state in wanted.items():
        record = existing.get(reference) or ReportingRecord(reference=reference)
        before = audit.snapshot(record) if record.pk else {}
        record.state, record.kind, record.period_year = state, ReportKind.INITIAL, None
        record.status = RecordStatus.SUBMITTED
        record.submitted_on, record.submitted_precision = None, Precision.DAY
        record.submitted_by = latest
        record.listed_in = figure
        record.source = figure.source
        record.notes = _(
            "Not named in the list of %(count)s States Parties with overdue initial reports (%(when)s)."
        ) % {
            "count": figure.value,
            "when": figure.date_label,
        }
        record.confidence = Confidence.CONFIRMED
        record.origin = ARTICLE7_FILE
        if record.pk and not audit.diff(before, audit.snapshot(record)):
            continue
        record.save()
        audit.record(
            actor=actor,
            action=f"reporting.reporting_record.{'changed_by_import' if before else 'imported'}",
            obj=record,
            changes=audit.diff(before, audit.snapshot(record)),
            context={"file": ARTICLE7_FILE, "reason": "implied by a complete published list"},
        )
    for reference, record in existing.items():
        if reference not in wanted:
            before = audit.snapshot(record)
            record.delete()
            audit.record(
                actor=actor,
                action="reporting.reporting_record.removed_by_import",
                obj=record,
                changes=audit.diff(before, {}),
                context={"file": ARTICLE7_FILE, "reason": "the list now names the State"},
            )
