"""A published version as open data: the JSON document (facts in a fixed order, then the content with sorted
keys, so the same version always gives the same bytes) and the CSV in long form, one line per value.

The format's labels (``column_label``) are its English source texts (``FormatVersion.source_spec``) whatever the
reader's language, so that a dataset is the same file for everyone and compares from one download to the next.
For the same reason a State is named by the treaty record's English name (``State.name``), never by its name in
the reader's language (``State.local_name``, the pages' name)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext as _

from ccm_portal.core import spreadsheets
from reporting.archive.reads import accepted_on, entered_by_isu, iso, local_date, permanent_url
from reporting.formats import public_content, published_cover, typed_area_of
from reporting.models import ReportVersion


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
            "sent_to_unoda_on": iso(report.sent_to_unoda_on),
        },
        "version": {
            "number": version.number,
            "outcome": version.outcome,
            "visibility": version.visibility,
            "nil_report": version.is_nil,
            # The day the report counts as submitted (for a report the ISU entered: the original's date);
            # ``recorded_at`` is when the version was recorded in the portal.
            "submitted_on": iso(version.submitted_on),
            "submitted_at": iso(version.submitted_at),
            "entered_by_isu": entered_by_isu(version),
            "accepted_at": iso(accepted_on(version)),
            "correction_note": version.correction_note,
            "corrects_version": getattr(version, "supersedes_number", None),
            "superseded_by_version": getattr(version, "superseded_by_number", None),
        },
        "format": {"code": version.format_version.code, "name": version.format_version.name},
        "url": permanent_url(version),
        # Without the contact point's e-mail and telephone unless the State chose to publish them.
        "content": public_content(version.format_version.source_spec, version.content),
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
    spec = version.format_version.source_spec  # English labels: the dataset is stable (see above)
    content = version.content
    lead = [report.state.iso3, report.period_slug, str(version.number)]
    # The version's own facts first: when it counts as submitted, and whether the ISU entered it from an original.
    facts = [
        ("submitted_on", _("Submitted on"), version.submitted_on.isoformat()),
        ("entered_by_isu", _("Entered by the ISU"), _cell_text(version.entered_by_isu)),
    ]
    if version.entered_by_isu:
        confirmed = local_date(version.confirmed_by_state_at)
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
