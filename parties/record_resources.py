"""Loading the public record of extensions, completions and national measures from the reference files.

Each file is loaded all or nothing through django-import-export (``ccm_portal.core.imports``): a bad cell names
its file, row and column and nothing is written; loading a file again changes nothing; every change is
audited. Every date keeps the precision its source gives (``2022-10``, ``2026``); text a source adds to a
date ("2025-08-01 (computed: +5 years)") is kept in the record's notes, never dropped.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from import_export import fields, widgets

from ccm_portal.core.imports import AuditedModelResource, StrictChoiceWidget, cell_text, stored_fields_equal
from parties.dates import PartialDate, Precision
from parties.models import (
    Article,
    CompletionFinding,
    CompletionRecord,
    Confidence,
    ExtensionRequest,
    ExtensionStatus,
    MeasuresStatus,
    Meeting,
    NationalMeasures,
    Obligation,
    PublishedFigure,
    PublishedFigureTopic,
    State,
)
from parties.resources import DATE, NationalMeasuresResource, StateCodeWidget

_DATE_WITH_NOTE = re.compile(r"^(?P<date>\d{4}(?:-\d{2}(?:-\d{2})?)?)\s*(?:\((?P<note>[^)]*)\))?$")
# Words a source uses when it infers or could not verify a fact.
_UNCERTAIN = re.compile(r"\b(inferred|unverified)\b", re.IGNORECASE)


def partial_with_note(value) -> tuple[PartialDate | None, str]:
    """``2023 (15 months)`` → (2023, "15 months"); empty → (None, ""); anything else raises ValueError."""
    text = str(value if value is not None else "").strip()
    if not text:
        return None, ""
    match = _DATE_WITH_NOTE.match(text)
    if not match:
        raise ValueError(
            _("“%(value)s” is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD (a note may follow in brackets).")
            % {"value": text}
        )
    return PartialDate.parse(match["date"]), (match["note"] or "").strip()


def _obligation(row, article: int) -> Obligation:
    state = StateCodeWidget().clean(row.get("iso3"))
    obligation = Obligation.objects.filter(state=state, article=article).first()
    if obligation is None:
        raise ValueError(
            _("No Art. %(article)s obligation is recorded for %(state)s: add it to obligations.csv first.")
            % {"article": article, "state": state.iso3}
        )
    return obligation


# Stamps an import does not compare (they change on every save).
_STAMPS = frozenset({"id", "updated_at", "recorded_at"})


def _unchanged(instance, original) -> bool:
    return stored_fields_equal(instance, original, ignore=_STAMPS)


class _RecordResource(AuditedModelResource):
    def skip_row(self, instance, original, row, import_validation_errors=None):
        if import_validation_errors:
            return False
        return _unchanged(instance, original)


class ExtensionFileResource(_RecordResource):
    """``extensions.csv``: one row per request, identified by its obligation and the deadline it extends."""

    audit_action_prefix = "parties.extension"
    ORIGIN = "extensions.csv"

    class Meta:
        model = ExtensionRequest
        fields = []
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    def _article(self, row) -> int:
        value = cell_text(row, "article")
        if value not in {str(a.value) for a in Article}:
            raise ValueError(_("The article is 3 or 4, not “%(value)s”.") % {"value": value})
        return int(value)

    def get_instance(self, instance_loader, row):
        try:
            obligation = _obligation(row, self._article(row))
            previous, _note = partial_with_note(row.get("original_deadline"))
        except ValueError:
            return None  # reported cell by cell by import_instance
        return ExtensionRequest.objects.filter(
            obligation=obligation, origin=self.ORIGIN, previous_deadline=previous.start if previous else None
        ).first()

    def import_instance(self, instance, row, **kwargs):
        errors: dict[str, list[str]] = {}
        notes: list[str] = []

        def cell(column: str, parse):
            try:
                return parse(row.get(column))
            except ValueError as error:
                errors.setdefault(column, []).append(str(error))
                return None

        try:
            article = self._article(row)
        except ValueError as error:
            errors["article"] = [str(error)]
        else:
            try:
                instance.obligation = _obligation(row, article)
            except ValueError as error:
                errors["iso3"] = [str(error)]
        labels = {
            "original_deadline": ("previous_deadline", "previous_precision", _("Deadline it extends")),
            "requested_deadline": ("requested_until", "requested_precision", _("Requested deadline")),
            "granted_deadline": ("granted_until", "granted_precision", _("Granted deadline")),
            "request_submitted_on": (
                "submitted_on",
                "submitted_precision",
                pgettext("heading: the day it happened", "Submitted"),
            ),
            "decided_on": ("decided_on", "decided_precision", _("Decided")),
        }
        for column, (attribute, precision_attribute, label) in labels.items():
            parsed = cell(column, partial_with_note)
            date, note = parsed if parsed else (None, "")
            setattr(instance, attribute, date.start if date else None)
            setattr(instance, precision_attribute, date.precision.value if date else Precision.DAY.value)
            if note:
                notes.append(f"{label}: {note}.")
        meeting_text = cell_text(row, "decided_at_meeting")
        instance.meeting = self._meeting(meeting_text, errors, notes)
        instance.status = ExtensionStatus.GRANTED if instance.granted_until else ExtensionStatus.REQUESTED
        instance.source = cell_text(row, "source")
        if not instance.source:
            errors.setdefault("source", []).append(_("Say where the request is recorded."))
        row_notes = cell_text(row, "notes")
        instance.notes = " ".join([row_notes, *notes]).strip()
        uncertain = _UNCERTAIN.search(meeting_text) or _UNCERTAIN.search(row_notes)
        instance.confidence = Confidence.PARTLY_UNVERIFIED if uncertain else Confidence.CONFIRMED
        instance.origin = self.ORIGIN
        if errors:
            raise ValidationError(errors)

    @staticmethod
    def _meeting(text: str, errors: dict[str, list[str]], notes: list[str]) -> Meeting | None:
        """The meeting the decision was taken at, from the cell's text (its first word is the code), or None;
        an unknown code is an error of the cell, a longer text a note."""
        if not text:
            return None
        code = text.split()[0]
        # A Review Conference held in parts and named without its part is its first part ("2RC" → "2RC-1").
        meeting = Meeting.objects.filter(code=code).first() or Meeting.objects.filter(code=f"{code}-1").first()
        if meeting is None:
            errors.setdefault("decided_at_meeting", []).append(
                _("No meeting with the code “%(code)s” is recorded (meetings.csv).") % {"code": code}
            )
        elif text != meeting.code:
            notes.append(_("Meeting as the source gives it: %(text)s.") % {"text": text})
        return meeting

    def after_import(self, dataset, result, **kwargs):
        """Extensions the obligations file once created (its last extended deadline, without a meeting) give
        way to this file's records for the same obligation."""
        super().after_import(dataset, result, **kwargs)
        if result.has_errors() or result.has_validation_errors():
            return
        from audit import services as audit

        covered = ExtensionRequest.objects.filter(origin=self.ORIGIN).values("obligation_id")
        for derived in ExtensionRequest.objects.filter(origin="obligations.csv", obligation_id__in=covered):
            before = audit.snapshot(derived)
            derived.delete()
            audit.record(
                actor=kwargs.get("user"),
                action="parties.extension.replaced",
                obj=derived,
                changes=audit.diff(before, {}),
                context={"file": self.ORIGIN, "reason": "replaced by the extensions file's records"},
            )


class _CompletionResource(_RecordResource):
    """``art3_completions.csv``/``art4_completions.csv``: one source's statement per State, kept beside the
    obligation's own record (they refine it; where they disagree, both stay)."""

    audit_action_prefix = "parties.completion"
    ARTICLE: int
    ORIGIN: str

    confidence = fields.Field(
        attribute="confidence", column_name="confidence", widget=StrictChoiceWidget(Confidence.choices)
    )
    completed_by = fields.Field(attribute="completed_by", column_name="completed_by", widget=DATE)
    finding = fields.Field(
        attribute="finding", column_name="finding", widget=StrictChoiceWidget(CompletionFinding.choices)
    )
    source = fields.Field(attribute="source", column_name="source", widget=widgets.CharWidget())
    notes = fields.Field(attribute="notes", column_name="notes", widget=widgets.CharWidget())

    class Meta:
        model = CompletionRecord
        fields = ["confidence", "completed_by", "finding", "source", "notes"]
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    def get_instance(self, instance_loader, row):
        try:
            obligation = _obligation(row, self.ARTICLE)
        except ValueError:
            return None
        return CompletionRecord.objects.filter(obligation=obligation, origin=self.ORIGIN).first()

    def import_instance(self, instance, row, **kwargs):
        errors: dict[str, list[str]] = {}
        if not cell_text(row, "finding"):
            row["finding"] = CompletionFinding.COMPLETED.value
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        try:
            instance.obligation = _obligation(row, self.ARTICLE)
        except ValueError as error:
            errors["iso3"] = [str(error)]
        try:
            completion, note = partial_with_note(row.get("completed_date"))
        except ValueError as error:
            errors.setdefault("completed_date", []).append(str(error))
        else:
            instance.completed_on = completion.start if completion else None
            instance.completed_precision = completion.precision.value if completion else ""
            if note:
                instance.notes = f"{instance.notes} {note}".strip()
        if (
            instance.finding == CompletionFinding.COMPLETED
            and instance.completed_on is None
            and instance.completed_by is None
        ):
            errors.setdefault("completed_by", []).append(
                _("A completion without a date needs the latest day a source shows it complete.")
            )
        if not instance.source:
            errors.setdefault("source", []).append(_("Say where the completion is recorded."))
        instance.origin = self.ORIGIN
        if errors:
            raise ValidationError(errors)


class StockpileCompletionResource(_CompletionResource):
    ARTICLE = Article.STOCKPILE_DESTRUCTION
    ORIGIN = "art3_completions.csv"


class ClearanceCompletionResource(_CompletionResource):
    ARTICLE = Article.CLEARANCE
    ORIGIN = "art4_completions.csv"


# The reference file's Art. 9 status words → the portal's.
MEASURES_STATUS = {
    "legislation_adopted": MeasuresStatus.ADOPTED,
    "existing_law_sufficient": MeasuresStatus.EXISTING_LAW,
    "in_progress": MeasuresStatus.IN_PROGRESS,
    "none_reported": MeasuresStatus.NONE_KNOWN,
}
ALL_STATES = "ALL"  # a published total, not a State


class MeasuresFileResource(NationalMeasuresResource):
    """``national_measures.csv``: a State's Art. 9 status from the date of the source's statement (kept with
    its precision; a status known from a month holds from that month's last day). ``ALL`` rows are
    published totals, loaded by ``MeasuresTotalResource``."""

    class Meta(NationalMeasuresResource.Meta):
        fields = ["iso3", "source", "notes"]
        import_id_fields = ["iso3"]  # with the statement's date: see get_instance

    def _skip(self, row) -> bool:
        return cell_text(row, "iso3") == ALL_STATES

    def before_import_row(self, row, **kwargs):
        if self._skip(row):
            return
        errors: dict[str, list[str]] = {}
        try:
            StateCodeWidget().clean(row.get("iso3"))
        except ValueError as error:
            errors["iso3"] = [str(error)]
        try:
            if partial_with_note(row.get("as_of"))[0] is None:
                errors["as_of"] = [_("Give the date of the source's statement (YYYY, YYYY-MM or YYYY-MM-DD).")]
        except ValueError as error:
            errors["as_of"] = [str(error)]
        if errors:
            raise ValidationError(errors)

    def get_instance(self, instance_loader, row):
        if self._skip(row):
            return None
        state = State.objects.filter(iso3=cell_text(row, "iso3")).first()
        as_of, _note = partial_with_note(row.get("as_of"))
        return NationalMeasures.objects.filter(state=state, effective_from=as_of.start).first()

    def import_instance(self, instance, row, **kwargs):
        if self._skip(row):
            return
        errors: dict[str, list[str]] = {}
        try:
            super(NationalMeasuresResource, self).import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        status = MEASURES_STATUS.get(cell_text(row, "status"))
        if status is None:
            errors["status"] = [
                _("Give the Art. 9 status: one of %(allowed)s.") % {"allowed": ", ".join(MEASURES_STATUS)}
            ]
        else:
            instance.status = status
        as_of, note = partial_with_note(row.get("as_of"))
        instance.effective_from, instance.effective_precision = as_of.start, as_of.precision.value
        if note:
            instance.notes = f"{instance.notes} {note}".strip()
        if not instance.source:
            errors.setdefault("source", []).append(_("Say where the status comes from."))
        if errors:
            raise ValidationError(errors)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if self._skip(row):
            return True
        return not import_validation_errors and _unchanged(instance, original)


class MeasuresTotalResource(_RecordResource):
    """The ``ALL`` rows of ``national_measures.csv``: published Art. 9 totals, with the published number
    (``value`` of ``out_of``) where the source gives one."""

    audit_action_prefix = "parties.published_figure"
    ORIGIN = "national_measures.csv"

    value = fields.Field(attribute="value", column_name="value", widget=widgets.IntegerWidget())
    out_of = fields.Field(attribute="out_of", column_name="out_of", widget=widgets.IntegerWidget())
    source = fields.Field(attribute="source", column_name="source", widget=widgets.CharWidget())

    class Meta:
        model = PublishedFigure
        fields = ["value", "out_of", "source"]
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    def _skip(self, row) -> bool:
        return cell_text(row, "iso3") != ALL_STATES

    def _reference(self, row) -> str:
        return f"{self.ORIGIN}:{cell_text(row, 'as_of')}"

    def get_instance(self, instance_loader, row):
        if self._skip(row):
            return None
        return PublishedFigure.objects.filter(reference=self._reference(row)).first()

    def import_instance(self, instance, row, **kwargs):
        if self._skip(row):
            return
        errors: dict[str, list[str]] = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        try:
            as_of, _note = partial_with_note(row.get("as_of"))
        except ValueError as error:
            errors["as_of"] = [str(error)]
        else:
            if as_of is None:
                errors["as_of"] = [_("Give the date of the published total.")]
            else:
                instance.as_of, instance.as_of_precision = as_of.start, as_of.precision.value
        instance.topic = PublishedFigureTopic.LEGISLATION_ADOPTED
        instance.statement = cell_text(row, "notes")
        instance.origin = self.ORIGIN
        instance.reference = self._reference(row)
        if errors:
            raise ValidationError(errors)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        return self._skip(row) or super().skip_row(instance, original, row, import_validation_errors)
