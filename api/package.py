"""The bulk open data: the portal's public record as a Frictionless data package (Data Package v1: a
``datapackage.json`` describing CSV files, each with its Table Schema and licence).

``api.release.build()`` makes a release (``api.tasks`` asks for one when the public data moved since the latest, see
``ccm_portal.core.data_version``, or the latest was built before today: its "today" columns hold on the day it was
built): CSV files in the default storage under ``open-data/<key>/``, then an ``OpenDataRelease`` row (rows, bytes,
SHA-256). The last ``KEEP``
releases are kept, so a client reading one release's files while the next is recorded still finds them.

What goes in is what the public reads, through the apps' own reads: the registry (``parties``), the published
public report versions (``reporting.access.readable_versions`` as the public) value by value
(``reporting.archive.open_data.version_rows``, one version's content at a time), the public progress figures at
each year's end (``progress.selectors.build``), public assistance requests (``assistance.access``). No drafts,
nothing restricted, nothing about users, never the contact person of a report's cover (name, e-mail, telephone,
even where the State published them on its report's page: bulk copies are out of its reach). Every text cell is
made safe for spreadsheets. The reporting format's labels are its English source texts
(``FormatVersion.source_spec``), whatever language the release was built in, so that the data set is stable;
so are the States' names: the treaty record's English name (``State.name``), not the pages' name in the reader's
language (``State.local_name``).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import F, Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from api.http import PUBLIC
from assistance.access import requests_visible_to
from parties.dates import PartialDate
from parties.models import ExtensionRequest, ExtensionStage, Obligation, State
from progress import selectors as progress
from progress.models import Audience
from progress.trends import SIGNATURE_OPENED
from reporting.access import readable_versions
from reporting.archive.open_data import CSV_HEADER, version_rows
from reporting.archive.reads import permanent_url
from reporting.models import FormatVersion

log = logging.getLogger(__name__)

NAME = "ccm-portal-open-data"
# The package's structure (its resources and columns): its version is STRUCTURE.<release number>.
STRUCTURE = "1.0"
# Versions read at a time for the report values: one chunk's content in memory, never all of them.
CHUNK = 20
PARTIAL_DATE = r"^\d{4}(-\d{2}(-\d{2})?)?$"


# --- What the package holds ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Column:
    name: str
    type: str
    title: Any
    description: Any
    pattern: str = ""

    def descriptor(self) -> dict[str, Any]:
        out = {"name": self.name, "type": self.type, "title": str(self.title), "description": str(self.description)}
        if self.type == "datetime":
            out["format"] = "%Y-%m-%dT%H:%M:%SZ"
        if self.pattern:
            out["constraints"] = {"pattern": self.pattern}
        return out


@dataclass(frozen=True)
class Resource:
    name: str
    title: Any
    description: Any
    columns: tuple[Column, ...]
    rows: Callable[[dt.date], Iterable[list[Any]]]
    primary_key: tuple[str, ...] = ()
    foreign_keys: tuple[dict[str, Any], ...] = ()

    def schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"fields": [c.descriptor() for c in self.columns], "missingValues": [""]}
        if self.primary_key:
            schema["primaryKey"] = list(self.primary_key)
        if self.foreign_keys:
            schema["foreignKeys"] = list(self.foreign_keys)
        return schema


# Every resource, in the package's order: each row reader registers itself with ``resource``.
RESOURCES: list[Resource] = []


def resource(name: str, title: Any, description: Any, columns: tuple[Column, ...], **keys: Any) -> Callable:
    """Register the decorated row reader (``rows(today)``) as resource ``name``; ``keys``: ``primary_key`` and
    ``foreign_keys``, as the Table Schema gives them."""

    def register(rows: Callable[[dt.date], Iterable[list[Any]]]) -> Callable[[dt.date], Iterable[list[Any]]]:
        RESOURCES.append(Resource(name, title, description, columns, rows, **keys))
        return rows

    return register


def _state_key(name: str = "iso3") -> dict[str, Any]:
    return {"fields": name, "reference": {"resource": "states", "fields": "iso3"}}


ISO3 = Column("iso3", "string", _("ISO3"), _("The State's ISO 3166-1 alpha-3 code."), r"^[A-Z]{3}$")
STATE = Column("state", "string", _("State"), _("The State's name."))
SOURCE = Column("source", "string", _("Source"), _("Where the facts come from."))
ARTICLE = Column("article", "integer", _("Article"), _("3: stockpile destruction; 4: clearance and risk reduction."))


def _partial(name: str, title: Any, description: Any) -> tuple[Column, Column]:
    """A date a source may give only to the month or year (YYYY, YYYY-MM or YYYY-MM-DD), and its precision."""
    return (
        Column(name, "string", title, description, PARTIAL_DATE),
        Column(f"{name}_precision", "string", _("Precision"), _("day, month or year: how much of the date is known.")),
    )


def _day(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def _partial_cells(value: PartialDate | None) -> list[str]:
    return [value.isoformat(), value.precision.value] if value else ["", ""]


def _flag(value: bool) -> str:
    return "true" if value else "false"


def utc(value: dt.datetime | None) -> str:
    """A time in UTC as the data package writes it (2026-12-07T00:04:22Z), or empty."""
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if value else ""


# States --------------------------------------------------------------------------------------------------
STATES = (
    ISO3,
    Column("name", "string", _("Name"), _("The State's name.")),
    Column("region", "string", _("Region"), _("The ISU's regional group.")),
    Column(
        "status",
        "string",
        _("Status"),
        _("state_party, signatory or withdrawn on the day the package was built; empty if neither signed nor joined."),
    ),
    Column("signed_on", "date", _("Signed"), _("The day the State signed the Convention.")),
    Column("instrument", "string", _("Instrument"), _("ratification, accession, acceptance or approval.")),
    Column("instrument_deposited_on", "date", _("Ratified or acceded"), _("The day its instrument was deposited.")),
    Column(
        "entry_into_force_on", "date", _("Entry into force"), _("The day the Convention entered into force for it.")
    ),
    Column(
        "withdrawal_effective_on", "date", _("Withdrawal effective"), _("The day its withdrawal takes or took effect.")
    ),
    SOURCE,
)


@resource("states", _("States"), _("Every State and its treaty dates."), STATES, primary_key=("iso3",))
def state_rows(today: dt.date) -> Iterator[list[Any]]:
    for state in State.objects.order_by("name", "iso3"):
        status = state.status_on(today)
        yield [
            state.iso3,
            state.name,
            state.region,
            status.value if status else "",
            _day(state.signature_date),
            state.deposit_type,
            _day(state.deposit_date),
            _day(state.entry_into_force),
            _day(state.withdrawal_effective_on),
            state.source,
        ]


# Obligations ---------------------------------------------------------------------------------------------
OBLIGATIONS = (
    ISO3,
    STATE,
    ARTICLE,
    Column("original_deadline", "date", _("Original deadline"), _("The deadline the treaty sets (Art. 3(2), 4(1)).")),
    *_partial(
        "deadline_in_force", _("Deadline in force"), _("The deadline in force, moved by each extension granted.")
    ),
    *_partial("completed_on", _("Completed"), _("When the obligation was completed, as its record gives it.")),
    Column(
        "completed_from", "date", _("Certainly completed from"), _("The first day some counted source shows it done.")
    ),
    Column("status", "string", _("Status"), _("not_yet_bound, open, completed or completion_uncertain.")),
    Column("confidence", "string", _("Confidence"), _("confirmed, partly unverified or disputed.")),
    SOURCE,
)


@resource(
    "obligations",
    _("Obligations"),
    _("Art. 3 and Art. 4 obligations: deadlines, extensions in force and completion."),
    OBLIGATIONS,
    primary_key=("iso3", "article"),
    foreign_keys=(_state_key(),),
)
def obligation_rows(today: dt.date) -> Iterator[list[Any]]:
    obligations = Obligation.objects.select_related("state").prefetch_related(
        Prefetch("extensions", queryset=ExtensionRequest.objects.select_related("meeting")), "completion_records"
    )
    for obligation in obligations.order_by("state__name", "article"):
        yield [
            obligation.state.iso3,
            obligation.state.name,
            int(obligation.article),
            _day(obligation.original_deadline),
            *_partial_cells(obligation.deadline_in_force(today)),
            *_partial_cells(obligation.completion),
            _day(obligation.completed_from()),
            obligation.status_on(today).value,
            obligation.confidence,
            obligation.source,
        ]


OBLIGATION_KEY = {
    "fields": ["iso3", "article"],
    "reference": {"resource": "obligations", "fields": ["iso3", "article"]},
}


# Extensions ----------------------------------------------------------------------------------------------
EXTENSIONS = (
    ISO3,
    STATE,
    ARTICLE,
    *_partial(
        "submitted_on",
        pgettext_lazy("heading: the day it happened", "Submitted"),
        _("When the State submitted the request."),
    ),
    *_partial("requested_until", _("Requested until"), _("The deadline the State asked for.")),
    Column("meeting", "string", _("Meeting"), _("The meeting that considered it (e.g. 11MSP).")),
    Column("stage", "string", _("Stage"), _("pending, granted, refused, withdrawn or no_outcome.")),
    *_partial("decided_on", _("Decided"), _("When the meeting decided.")),
    *_partial("granted_until", _("Granted until"), _("The deadline granted.")),
    Column("in_force_from", "date", _("In force from"), _("The first day the granted deadline holds.")),
    Column("confidence", "string", _("Confidence"), _("confirmed, partly unverified or disputed.")),
    SOURCE,
)


@resource(
    "extensions",
    _("Extension requests"),
    _("Each request to extend an Art. 3 or Art. 4 deadline and the meeting's decision."),
    EXTENSIONS,
    foreign_keys=(_state_key(), OBLIGATION_KEY),
)
def extension_rows(today: dt.date) -> Iterator[list[Any]]:
    """Each request known by today, with its outcome once decided (as the State pages give it)."""
    requests = ExtensionRequest.objects.select_related("obligation__state", "meeting").order_by(
        "obligation__state__name", "obligation__article", "submitted_on", "pk"
    )
    for request in requests:
        stage = request.stage_on(today)
        if stage is None:
            continue
        decided = stage != ExtensionStage.PENDING
        granted = stage == ExtensionStage.GRANTED
        yield [
            request.obligation.state.iso3,
            request.obligation.state.name,
            int(request.obligation.article),
            *_partial_cells(request.submitted),
            *_partial_cells(request.requested),
            request.meeting.code if request.meeting_id else "",
            stage.value,
            *_partial_cells(request.decided if decided else None),
            *_partial_cells(request.granted if granted else None),
            _day(request.in_force_from if granted else None),
            request.confidence,
            request.source,
        ]


# Report versions -----------------------------------------------------------------------------------------
PERIOD = Column("period", "string", _("Period"), _("initial, or the calendar year reported on."), r"^(initial|\d{4})$")
VERSION = Column("version", "integer", _("Version"), _("The version's number (corrections make new versions)."))
REPORT_VERSIONS = (
    ISO3,
    STATE,
    PERIOD,
    VERSION,
    Column("outcome", "string", _("Outcome"), _("accepted, or superseded by a later correction.")),
    Column(
        "submitted_on",
        "date",
        pgettext_lazy("heading: the day it happened", "Submitted"),
        _("The day the report counts as submitted."),
    ),
    Column(
        "published_at",
        "datetime",
        pgettext_lazy("heading: the day it happened", "Published"),
        _("When the ISU published it (UTC)."),
    ),
    Column("nil", "boolean", _("Nil report"), _("Whether the State reported nothing new.")),
    Column(
        "entered_by_isu", "boolean", _("Entered by the ISU"), _("Typed in by the ISU from a paper or PDF original.")
    ),
    Column("corrects_version", "integer", _("Corrects version"), _("The version this one corrects.")),
    Column("correction_note", "string", _("Correction"), _("What this version corrects.")),
    Column("url", "string", _("Address"), _("The version's citable page.")),
)


def _public_versions() -> Any:
    return readable_versions(PUBLIC).select_related("report__state").defer("report__draft")


@resource(
    "report_versions",
    _("Article 7 report versions"),
    _("One row per published public version of a transparency report."),
    REPORT_VERSIONS,
    primary_key=("iso3", "period", "version"),
    foreign_keys=(_state_key(),),
)
def version_rows_of(today: dt.date) -> Iterator[list[Any]]:
    versions = (
        _public_versions()
        .defer("content")
        .annotate(supersedes_number=F("supersedes__number"))
        .order_by("report__state__name", "report__kind", "report__period_year", "number")
    )
    for version in versions:
        report = version.report
        yield [
            report.state.iso3,
            report.state.name,
            report.period_slug,
            version.number,
            version.outcome,
            _day(version.submitted_on),
            utc(version.published_at),
            _flag(version.is_nil),
            _flag(version.entered_by_isu),
            version.supersedes_number,
            version.correction_note,
            permanent_url(version),
        ]


# Report values (long form) -------------------------------------------------------------------------------
VALUE_COLUMNS = {
    "state": Column("state", "string", _("ISO3"), _("The State's ISO 3166-1 alpha-3 code."), r"^[A-Z]{3}$"),
    "period": PERIOD,
    "version": VERSION,
    "form": Column("form", "string", _("Form"), _("version (its facts), cover, or the form's code (A to J).")),
    "table": Column("table", "string", _("Table"), _("The table's key; choice or narrative; empty otherwise.")),
    "row": Column("row", "integer", _("Row"), _("The row's position in its table, from 1.")),
    "row_id": Column("row_id", "string", _("Row id"), _("The row's stable id across versions.")),
    "column": Column("column", "string", _("Column"), _("The column's (or the narrative's, the fact's) key.")),
    "column_label": Column("column_label", "string", _("Column label"), _("The column's label in the form.")),
    "value": Column("value", "string", _("Value"), _("As reported: numbers, YYYY-MM-DD dates, choices by code.")),
    "unit": Column("unit", "string", _("Unit"), _("m2, ha or km2 for areas; the currency for amounts.")),
}
REPORT_VALUES = tuple(VALUE_COLUMNS[name] for name in CSV_HEADER)
# The cover's contact person (a focal point, often a portal user): the format flags their e-mail and telephone
# as personal, not their name.
CONTACT_NAME = "contact_name"


@resource(
    "report_values",
    _("Article 7 report values"),
    _("Every value of every published public version, one row per value (long form)."),
    REPORT_VALUES,
    foreign_keys=(_state_key("state"),),
)
def value_rows(today: dt.date) -> Iterator[list[Any]]:
    """Every value of every public published version, version by version: ``CHUNK`` versions' content read
    at a time (one query for all, a cursor), each format's definition read once."""
    formats = {f.pk: f for f in FormatVersion.objects.all()}
    versions = _public_versions().order_by("report__state__name", "report__kind", "report__period_year", "number")
    for version in versions.iterator(chunk_size=CHUNK):
        version.format_version = formats[version.format_version_id]
        spec = version.format_version.source_spec  # keys only; the labels are English (open_data.version_rows)
        # Never the contact person (name, e-mail, telephone, the choice to publish them) in bulk: see above.
        withheld = {c.key for c in spec.cover if c.personal} | {CONTACT_NAME, spec.personal_consent}
        for row in version_rows(version):
            if not (row[3] == "cover" and row[7] in withheld):
                yield row


# Progress by year ----------------------------------------------------------------------------------------
PROGRESS = (
    Column("year", "integer", _("Year"), _("The calendar year, its figures as of 31 December.")),
    Column("as_of", "date", _("As of"), _("The day the figures hold on.")),
    Column("key", "string", _("Figure"), _("The figure's key (as in the progress API).")),
    Column("section", "string", _("Section"), _("The part of the Convention it belongs to.")),
    Column("label", "string", _("Label"), _("What the figure counts.")),
    Column("numerator", "integer", _("Numerator"), _("How many States it counts.")),
    Column("denominator", "integer", _("Denominator"), _("Out of how many; empty for a plain count.")),
    Column("share", "number", pgettext_lazy("a proportion", "Share"), _("numerator / denominator, to four decimals.")),
    Column("states", "string", _("States"), _("The ISO3 codes it counts, separated by spaces.")),
    Column("definition", "string", _("Definition"), _("What counts, and from which date.")),
    SOURCE,
)


@resource(
    "progress_by_year",
    _("Progress by year"),
    _("The public progress figures as of 31 December of each year."),
    PROGRESS,
    primary_key=("year", "key"),
)
def progress_rows(today: dt.date) -> Iterator[list[Any]]:
    """The public figures at the end of each year the Convention was open, up to the last year ended (a year
    still running has no end-of-year figures yet)."""
    for year in range(SIGNATURE_OPENED.year, today.year):
        as_of = dt.date(year, 12, 31)
        for figure in progress.build(as_of=as_of, audience=Audience.PUBLIC).figures:
            if figure.restricted:
                continue
            share = None if figure.share is None else round(figure.share, 4)
            yield [
                year,
                as_of.isoformat(),
                figure.key,
                figure.section,
                str(figure.label),
                figure.numerator,
                figure.denominator,
                share,
                " ".join(figure.states),
                str(figure.definition),
                str(figure.source),
            ]


# Assistance requests -------------------------------------------------------------------------------------
ASSISTANCE = (
    Column("id", "integer", _("Id"), _("The request's number in the portal.")),
    ISO3,
    STATE,
    Column("area", "string", _("Thematic area"), _("The Coordination Committee's thematic area.")),
    Column("kind", "string", _("Kind"), _("technical, material or financial.")),
    Column("title", "string", _("Title"), _("The request's title, as the State wrote it.")),
    Column("description", "string", _("Description"), _("What is needed, as the State wrote it.")),
    Column("serves_article", "integer", _("Serves article"), _("The obligation it serves (3 or 4), if any.")),
    Column("amount", "number", _("Amount needed"), _("A decimal, never rounded, in the currency beside it.")),
    Column("currency", "string", _("Currency"), _("ISO 4217 code of the amount.")),
    Column("period_start", "date", _("From"), _("The start of the period it covers.")),
    Column("period_end", "date", _("Until"), _("The end of the period it covers.")),
    Column("location", "string", _("Location"), _("Where, as the State wrote it.")),
    Column("status", "string", _("Status"), _("open, closed or withdrawn.")),
    Column("created_on", "date", _("Filed"), _("The day it was filed.")),
)


@resource(
    "assistance_requests",
    _("Public assistance requests"),
    _("Article 6 requests their State made public."),
    ASSISTANCE,
    primary_key=("id",),
    foreign_keys=(_state_key(),),
)
def assistance_rows(today: dt.date) -> Iterator[list[Any]]:
    requests = requests_visible_to(PUBLIC).select_related("state", "area", "obligation")
    for request in requests.order_by("state__name", "created_at", "pk"):
        amount: Decimal | None = request.amount
        yield [
            request.pk,
            request.state.iso3,
            request.state.name,
            request.area.name,
            request.kind,
            request.title,
            request.description,
            int(request.obligation.article) if request.obligation_id else None,
            str(amount) if amount is not None else "",
            request.currency,
            _day(request.period_start),
            _day(request.period_end),
            request.location,
            request.status,
            _day(timezone.localdate(request.created_at)),
        ]


BY_NAME = {resource.name: resource for resource in RESOURCES}
TITLE = _("CCM Portal open data")
DESCRIPTION = _(
    "The public record of the Convention on Cluster Munitions as the CCM Portal publishes it: States and their "
    "treaty dates, Art. 3 and Art. 4 obligations and extensions, published public Article 7 reports (each version, "
    "and every value in long form), the public progress figures at the end of each year, and public assistance "
    "requests. Rebuilt when the published data changes; columns about 'today' hold on the day it was built."
)
