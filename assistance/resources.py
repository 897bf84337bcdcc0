"""Import of ``country_coalitions.csv`` (``manage.py load_reference_data``, registered in ``apps.py``).

Columns: ``iso3, partner, launched_on, established_by, status, source, notes``. ``status`` says what a
row records:

- ``established``: a country coalition (``Coalition``). ``launched_on`` is its date as precise as the
  source gives it (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``); when no source dates it, ``established_by``
  is the latest date a source shows it existed (Botswana's with Norwegian People's Aid: its Art. 3
  completion of 18 September 2018 was achieved "through" it). One of the two is required.
- ``discussed``: a coalition discussed with a State, not established (Iraq, 2022): a
  ``CoalitionEvent``, never counted as a coalition.
- ``event``: a seminar or roundtable on the concept, ``iso3 = ALL``: a dated ``CoalitionEvent``.

The file feeds two resources, each taking its own rows; a row whose ``status`` is none of these, or
an ``ALL`` row that is not an event, is refused with its column named. All or nothing, audited, and
loading the same file twice changes nothing.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import fields, widgets
from import_export.results import RowResult

from assistance.models import Coalition, CoalitionEvent, CoalitionEventKind
from ccm_portal.core.imports import AuditedModelResource, cell_text
from parties.dates import PartialDate, Precision
from parties.models import State

DATE = widgets.DateWidget(format="%Y-%m-%d")
ESTABLISHED, DISCUSSED, EVENT = "established", "discussed", "event"
STATUSES = (ESTABLISHED, DISCUSSED, EVENT)
CONCEPT_ISO3 = "ALL"  # rows about the concept, not one State


def _partial_date(row, column: str, errors: dict[str, list[str]]) -> PartialDate | None:
    try:
        return PartialDate.from_cell(cell_text(row, column))
    except ValueError as error:
        errors.setdefault(column, []).append(str(error))
        return None


def _kind(row) -> str:
    return CoalitionEventKind.CONCEPT if cell_text(row, "status").lower() == EVENT else CoalitionEventKind.DISCUSSED


class StateOrConceptWidget(widgets.Widget):
    """An ISO3 code of a registered State; ``ALL`` (a row about the concept) is no State."""

    def clean(self, value, row=None, **kwargs):
        code = str(value or "").strip()
        if code == CONCEPT_ISO3:
            return None
        if not code:
            raise ValueError(_("Give the State's ISO3 code, or ALL for an event of the concept."))
        state = State.objects.filter(iso3=code).first()
        if state is None:
            raise ValueError(_("No State with the code “%(code)s” is registered.") % {"code": code})
        return state

    def render(self, value, obj=None, **kwargs):
        return value.iso3 if value is not None else CONCEPT_ISO3


class _CoalitionFileResource(AuditedModelResource):
    """What both resources share: each takes the rows of its own statuses, and checks every row's
    status so that no row is silently left out by both."""

    statuses: tuple[str, ...] = ()
    compared: tuple[str, ...] = ()  # the model fields a reload compares to report "unchanged"

    def import_row(self, row, instance_loader, **kwargs):
        if cell_text(row, "status").lower() in STATUSES and cell_text(row, "status").lower() not in self.statuses:
            result = self.get_row_result_class()()
            result.import_type = RowResult.IMPORT_TYPE_SKIP
            return result
        return super().import_row(row, instance_loader, **kwargs)

    def before_import_row(self, row, **kwargs):
        status, iso3 = cell_text(row, "status").lower(), cell_text(row, "iso3")
        if status not in STATUSES:
            raise ValidationError({"status": [_("Write established, discussed or event.")]})
        try:
            StateOrConceptWidget().clean(iso3)
        except ValueError as error:
            raise ValidationError({"iso3": [str(error)]}) from error
        if (iso3 == CONCEPT_ISO3) != (status == EVENT):
            raise ValidationError(
                {"iso3": [_("ALL is for events of the concept (status event), and an event has no State.")]}
            )

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if import_validation_errors or original is None or original.pk is None:
            return False
        return all(getattr(instance, name) == getattr(original, name) for name in self.compared)


class CoalitionResource(_CoalitionFileResource):
    audit_action_prefix = "assistance.coalition"
    statuses = (ESTABLISHED,)
    compared = ("partner_names", "formed_on", "formed_precision", "formed_by", "source", "notes")

    iso3 = fields.Field(attribute="state", column_name="iso3", widget=StateOrConceptWidget())
    partner = fields.Field(attribute="partner_names", column_name="partner")
    launched_on = fields.Field(column_name="launched_on")
    established_by = fields.Field(attribute="formed_by", column_name="established_by", widget=DATE)
    source = fields.Field(attribute="source", column_name="source")
    notes = fields.Field(attribute="notes", column_name="notes")

    class Meta:
        model = Coalition
        import_id_fields = ["iso3"]
        fields = ["iso3", "partner", "launched_on", "established_by", "source", "notes"]
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    def import_instance(self, instance, row, **kwargs):
        errors: dict[str, list[str]] = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        launched = _partial_date(row, "launched_on", errors)
        instance.formed_on = launched.start if launched else None
        instance.formed_precision = launched.precision if launched else Precision.DAY
        if launched is None and not cell_text(row, "established_by") and "launched_on" not in errors:
            errors.setdefault("launched_on", []).append(
                _("Give the launch date, or the latest date a source shows the coalition existed (established_by).")
            )
        if not cell_text(row, "source"):
            errors.setdefault("source", []).append(_("Name the source of the coalition."))
        if errors:
            raise ValidationError(errors)

    def dehydrate_launched_on(self, coalition: Coalition) -> str:
        return coalition.formed.isoformat() if coalition.formed else ""


class CoalitionEventResource(_CoalitionFileResource):
    audit_action_prefix = "assistance.coalition_event"
    statuses = (DISCUSSED, EVENT)
    compared = ("source", "notes")

    iso3 = fields.Field(attribute="state", column_name="iso3", widget=StateOrConceptWidget())
    partner = fields.Field(attribute="participants", column_name="partner")
    launched_on = fields.Field(column_name="launched_on")
    source = fields.Field(attribute="source", column_name="source")
    notes = fields.Field(attribute="notes", column_name="notes")

    class Meta:
        model = CoalitionEvent
        import_id_fields = ["iso3"]  # the record is found by ``get_instance`` below
        fields = ["iso3", "partner", "launched_on", "source", "notes"]
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    @staticmethod
    def _key(row) -> dict | None:
        """A record is the same when its kind, State, date and participants are: a source that
        corrects only its wording or its notes updates it."""
        try:
            state = StateOrConceptWidget().clean(row.get("iso3"))
            held = PartialDate.parse(cell_text(row, "launched_on")) if cell_text(row, "launched_on") else None
        except ValueError:
            return None
        return {
            "kind": CoalitionEventKind.CONCEPT
            if cell_text(row, "status").lower() == EVENT
            else CoalitionEventKind.DISCUSSED,
            "state": state,
            "held_on": held.start if held else None,
            "held_precision": held.precision if held else Precision.DAY,
            "participants": cell_text(row, "partner"),
        }

    def get_instance(self, instance_loader, row):
        key = self._key(row)
        return CoalitionEvent.objects.filter(**key).order_by("pk").first() if key else None

    def import_instance(self, instance, row, **kwargs):
        errors: dict[str, list[str]] = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        held = _partial_date(row, "launched_on", errors)
        instance.kind = _kind(row)
        instance.held_on = held.start if held else None
        instance.held_precision = held.precision if held else Precision.DAY
        if instance.kind == CoalitionEventKind.CONCEPT and held is None and "launched_on" not in errors:
            errors.setdefault("launched_on", []).append(_("Give the date of the event."))
        if cell_text(row, "established_by"):
            errors.setdefault("established_by", []).append(_("Only an established coalition has this bound."))
        if not cell_text(row, "source"):
            errors.setdefault("source", []).append(_("Name the source of the record."))
        if errors:
            raise ValidationError(errors)

    def dehydrate_launched_on(self, event: CoalitionEvent) -> str:
        return event.held.isoformat() if event.held else ""
