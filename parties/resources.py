"""Import and export of the registry (CSV/XLSX) through django-import-export.

Column names follow ``fixtures/*.csv`` (the reference data files), so an export
can be edited and imported back. Columns the portal derives (entry into force,
deadlines, status) are exported for readers and, on import, checked against the
treaty rules: a file that disagrees with them is refused, cell by cell.
"""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import fields, widgets

from ccm_portal.core import clock
from ccm_portal.core.imports import AuditedModelResource, StrictChoiceWidget
from parties import rules
from parties.dates import PartialDate, Precision
from parties.models import (
    Article,
    Confidence,
    DepositType,
    MeasuresStatus,
    Meeting,
    MeetingKind,
    MembershipStatus,
    NationalMeasures,
    Obligation,
    Region,
    State,
)
from parties.un_names import UN_SHORT_NAMES

DATE = widgets.DateWidget(format="%Y-%m-%d")


def _date_cell(row, column: str) -> dt.date | None:
    return DATE.clean(row.get(column)) if row.get(column) not in (None, "") else None


class StateResource(AuditedModelResource):
    audit_action_prefix = "parties.state"

    iso3 = fields.Field(attribute="iso3", column_name="iso3")
    name = fields.Field(attribute="name", column_name="name")
    region = fields.Field(attribute="region", column_name="region", widget=StrictChoiceWidget(Region.choices))
    signature_date = fields.Field(attribute="signature_date", column_name="signature_date", widget=DATE)
    deposit_date = fields.Field(attribute="deposit_date", column_name="deposit_date", widget=DATE)
    deposit_type = fields.Field(
        attribute="deposit_type", column_name="deposit_type", widget=StrictChoiceWidget(DepositType.choices)
    )
    entry_into_force_date = fields.Field(column_name="entry_into_force_date", readonly=True)
    source = fields.Field(attribute="source", column_name="source")
    status = fields.Field(column_name="status", readonly=True)
    provisional_application_date = fields.Field(
        attribute="provisional_application_date", column_name="provisional_application_date", widget=DATE
    )
    withdrawal_notified_date = fields.Field(
        attribute="withdrawal_notified_on", column_name="withdrawal_notified_date", widget=DATE
    )
    withdrawal_effective_date = fields.Field(
        attribute="withdrawal_effective_on", column_name="withdrawal_effective_date", widget=DATE
    )
    initial_report_due = fields.Field(column_name="initial_report_due", readonly=True)
    crosscheck = fields.Field(attribute="crosscheck", column_name="crosscheck")

    class Meta:
        model = State
        import_id_fields = ["iso3"]
        fields = [
            "iso3",
            "name",
            "region",
            "signature_date",
            "deposit_date",
            "deposit_type",
            "entry_into_force_date",
            "source",
            "status",
            "provisional_application_date",
            "withdrawal_notified_date",
            "withdrawal_effective_date",
            "initial_report_due",
            "crosscheck",
        ]
        export_order = fields
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    def init_instance(self, row=None):
        """A State new to the portal starts with the UN's short names where CLDR's differ (parties/un_names.py)."""
        state = super().init_instance(row)
        state.names = dict(UN_SHORT_NAMES.get(str((row or {}).get("iso3") or "").strip().upper(), {}))
        return state

    # --- export of derived columns -------------------------------------------
    def dehydrate_entry_into_force_date(self, state: State) -> str:
        return state.entry_into_force.isoformat() if state.entry_into_force else ""

    def dehydrate_initial_report_due(self, state: State) -> str:
        return state.initial_report_due.isoformat() if state.initial_report_due else ""

    def dehydrate_status(self, state: State) -> str:
        status = state.status_on(clock.today())
        return {
            MembershipStatus.STATE_PARTY: "State Party",
            MembershipStatus.SIGNATORY: "Signatory",
            MembershipStatus.WITHDRAWN: "Withdrawn (former State Party)",
        }.get(status, "")

    # --- import checks of derived columns --------------------------------------
    def import_instance(self, instance, row, **kwargs):
        errors: dict[str, list[str]] = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if row.get("iso3") and not re.fullmatch(r"[A-Z]{3}", str(row["iso3"]).strip()):
            errors.setdefault("iso3", []).append(_("Use the three capital letters of ISO 3166 alpha-3."))
        if "deposit_date" not in errors:
            self._check_derived(instance, row, errors)
        if errors:
            raise ValidationError(errors)

    @staticmethod
    def _check_derived(instance: State, row, errors: dict[str, list[str]]) -> None:
        checks = {
            "entry_into_force_date": (
                instance.entry_into_force,
                _("Art. 17 gives %(expected)s, the file says %(given)s."),
            ),
            "initial_report_due": (
                instance.initial_report_due,
                _("Entry into force + 180 days (Art. 7) gives %(expected)s, the file says %(given)s."),
            ),
        }
        for column, (expected, message) in checks.items():
            if column not in row:
                continue
            try:
                given = _date_cell(row, column)
            except ValueError as error:
                errors.setdefault(column, []).append(str(error))
                continue
            if given != expected:
                errors.setdefault(column, []).append(
                    message % {"expected": expected or _("nothing"), "given": given or _("nothing")}
                )
        status = str(row.get("status") or "").strip().lower()
        if status:
            consistent = {
                "state party": bool(instance.deposit_date) and not instance.withdrawal_effective_on,
                "signatory": bool(instance.signature_date) and not instance.deposit_date,
            }
            expected_ok = consistent.get(
                status, status.startswith("withdrawn") and bool(instance.withdrawal_effective_on)
            )
            if not expected_ok:
                errors.setdefault("status", []).append(
                    _("“%(status)s” does not match the dates in this row.") % {"status": row.get("status")}
                )


class PartialDateWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            return PartialDate.parse(value.isoformat())
        return PartialDate.parse(str(value))

    def render(self, value, obj=None, **kwargs):
        return obj.completion.isoformat() if obj is not None and obj.completion else ""


class StateCodeWidget(widgets.ForeignKeyWidget):
    def __init__(self):
        super().__init__(State, field="iso3")

    def clean(self, value, row=None, **kwargs):
        code = str(value or "").strip()
        if not code:
            raise ValueError(_("Give the State's ISO3 code."))
        state = State.objects.filter(iso3=code).first()
        if state is None:
            raise ValueError(_("No State with the code “%(code)s” is registered.") % {"code": code})
        return state


class ObligationResource(AuditedModelResource):
    audit_action_prefix = "parties.obligation"

    iso3 = fields.Field(attribute="state", column_name="iso3", widget=StateCodeWidget())
    article = fields.Field(attribute="article", column_name="article", widget=StrictChoiceWidget(Article.choices))
    original_deadline = fields.Field(column_name="original_deadline", readonly=True)
    extended_deadline = fields.Field(column_name="extended_deadline", readonly=True)
    completed_date = fields.Field(column_name="completed_date", widget=PartialDateWidget())
    completed_by = fields.Field(attribute="completed_by", column_name="completed_by", widget=DATE)
    confidence = fields.Field(
        attribute="confidence", column_name="confidence", widget=StrictChoiceWidget(Confidence.choices)
    )
    source = fields.Field(attribute="source", column_name="source")
    notes = fields.Field(attribute="notes", column_name="notes")

    class Meta:
        model = Obligation
        import_id_fields = ["iso3", "article"]
        fields = [
            "iso3",
            "article",
            "original_deadline",
            "extended_deadline",
            "completed_date",
            "completed_by",
            "confidence",
            "source",
            "notes",
        ]
        export_order = fields
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    def get_queryset(self):
        return Obligation.objects.with_related()

    def before_import_row(self, row, **kwargs):
        # The State is part of the row's identity, so an unknown code must be named
        # before the row is looked up.
        try:
            StateCodeWidget().clean(row.get("iso3"))
        except ValueError as error:
            raise ValidationError({"iso3": [str(error)]}) from None

    def dehydrate_original_deadline(self, obligation: Obligation) -> str:
        return obligation.original_deadline.isoformat() if obligation.original_deadline else ""

    def dehydrate_extended_deadline(self, obligation: Obligation) -> str:
        """The last extension granted (the deadline in force today once its decision holds)."""
        granted = obligation.granted_extensions()
        return granted[-1].granted.isoformat() if granted else ""

    def dehydrate_completed_date(self, obligation: Obligation) -> str:
        return obligation.completion.isoformat() if obligation.completion else ""

    def import_instance(self, instance, row, **kwargs):
        errors: dict[str, list[str]] = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        try:
            completion = PartialDateWidget().clean(row.get("completed_date"))
        except ValueError as error:
            errors.setdefault("completed_date", []).append(str(error))
        else:
            instance.completed_on = completion.start if completion else None
            instance.completed_precision = completion.precision.value if completion else ""
        if not errors.get("iso3") and instance.state_id and "original_deadline" in row:
            try:
                given = _date_cell(row, "original_deadline")
            except ValueError as error:
                errors.setdefault("original_deadline", []).append(str(error))
            else:
                if given and given != instance.original_deadline and not instance.hostilities_ended_on:
                    errors.setdefault("original_deadline", []).append(
                        _(
                            "The treaty gives %(expected)s (entry into force + %(years)s years), "
                            "the file says %(given)s."
                        )
                        % {
                            "expected": instance.original_deadline,
                            "years": rules.STOCKPILE_DESTRUCTION_YEARS
                            if instance.article == Article.STOCKPILE_DESTRUCTION
                            else rules.CLEARANCE_YEARS,
                            "given": given,
                        }
                    )
        # ``extended_deadline`` is informational: extension requests are records of their own, loaded from
        # ``extensions.csv`` with their meeting and decision date (an extension holds only from its decision).
        # As precise as the decision gives it (YYYY, YYYY-MM or YYYY-MM-DD), as the export writes it.
        try:
            PartialDateWidget().clean(row.get("extended_deadline"))
        except ValueError as error:
            errors.setdefault("extended_deadline", []).append(str(error))
        if errors:
            raise ValidationError(errors)


class MeetingResource(AuditedModelResource):
    audit_action_prefix = "parties.meeting"

    code = fields.Field(attribute="code", column_name="code")
    name = fields.Field(attribute="name", column_name="name")
    start_date = fields.Field(column_name="start_date", widget=PartialDateWidget())
    end_date = fields.Field(attribute="end_date", column_name="end_date", widget=DATE)
    place = fields.Field(attribute="place", column_name="place")
    notes = fields.Field(attribute="notes", column_name="notes")
    source = fields.Field(attribute="source", column_name="source")

    class Meta:
        model = Meeting
        import_id_fields = ["code"]
        fields = ["code", "name", "start_date", "end_date", "place", "notes", "source"]
        export_order = fields
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    def dehydrate_start_date(self, meeting: Meeting) -> str:
        return meeting.start.isoformat() if meeting.start_date else ""

    def import_instance(self, instance, row, **kwargs):
        errors: dict[str, list[str]] = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        # A meeting known only by its month ("2026-09") starts on the 1st with a month precision.
        try:
            start = PartialDateWidget().clean(row.get("start_date"))
        except ValueError as error:
            errors.setdefault("start_date", []).append(str(error))
        else:
            if start is None:
                errors.setdefault("start_date", []).append(_("Give the first day (or the month) of the meeting."))
            elif start.precision == Precision.YEAR:
                errors.setdefault("start_date", []).append(_("Give at least the month of the meeting."))
            else:
                instance.start_date, instance.date_precision = start.start, start.precision.value
        if errors:
            raise ValidationError(errors)
        # Review Conferences are coded "1RC", "2RC-1"...; everything else is an MSP.
        instance.kind = MeetingKind.REVIEW_CONFERENCE if "RC" in (instance.code or "") else MeetingKind.MSP


class NationalMeasuresResource(AuditedModelResource):
    """The ISU's Art. 9 records: one row per State and day from which a status is in effect. A row is
    identified by the State and that day, so a file of the whole history can be imported again."""

    audit_action_prefix = "parties.national_measures"

    iso3 = fields.Field(attribute="state", column_name="iso3", widget=StateCodeWidget())
    name = fields.Field(column_name="name", readonly=True)
    status = fields.Field(attribute="status", column_name="status", widget=StrictChoiceWidget(MeasuresStatus.choices))
    effective_from = fields.Field(attribute="effective_from", column_name="effective_from", widget=DATE)
    # Empty spreadsheet cells arrive as None: text columns store them as "".
    source = fields.Field(attribute="source", column_name="source", widget=widgets.CharWidget())
    source_url = fields.Field(attribute="source_url", column_name="source_url", widget=widgets.CharWidget())
    notes = fields.Field(attribute="notes", column_name="notes", widget=widgets.CharWidget())

    class Meta:
        model = NationalMeasures
        import_id_fields = ["iso3", "effective_from"]
        fields = ["iso3", "name", "status", "effective_from", "source", "source_url", "notes"]
        export_order = fields
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    def get_queryset(self):
        return NationalMeasures.objects.select_related("state").order_by("state__iso3", "effective_from")

    def dehydrate_name(self, record: NationalMeasures) -> str:
        return record.state.name

    def before_import_row(self, row, **kwargs):
        # The State and the day are the row's identity: both must be readable before the row is looked up.
        errors: dict[str, list[str]] = {}
        try:
            StateCodeWidget().clean(row.get("iso3"))
        except ValueError as error:
            errors["iso3"] = [str(error)]
        try:
            if _date_cell(row, "effective_from") is None:
                errors["effective_from"] = [_("Give the day from which the status is in effect (YYYY-MM-DD).")]
        except ValueError as error:
            errors["effective_from"] = [str(error)]
        if errors:
            raise ValidationError(errors)

    def import_instance(self, instance, row, **kwargs):
        errors: dict[str, list[str]] = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if not str(row.get("status") or "").strip():
            errors.setdefault("status", []).append(
                _("Give the Art. 9 status: one of %(allowed)s.") % {"allowed": ", ".join(MeasuresStatus.values)}
            )
        if not str(row.get("source") or "").strip():
            errors.setdefault("source", []).append(
                _("Say where the status comes from (e.g. the Art. 7 report, Form A).")
            )
        if errors:
            raise ValidationError(errors)
