"""Published Article 7 reports: the list of published versions with filters, one version's facts and content,
one form of a version, and the forms readers filter on.

Who reads what is the archive's rule (``reporting.archive``, ``reporting.access.readable_versions``) read as
the public: only versions the ISU published and that are public. Drafts, versions awaiting review, recalled or
sent back, accepted but unpublished, and versions restricted to States Parties are never in an answer; asking
for one is the same 404 as asking for a version that does not exist. The contact point's e-mail and telephone
appear only when the State chose to publish them (``reporting.formats.public_content``).
"""

import re
from collections.abc import Callable, Sequence
from datetime import date, datetime, time
from typing import Any, Literal

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from ninja import Field, Path, Query, Router, Schema
from ninja.decorators import decorate_view
from ninja.pagination import paginate
from pydantic import field_validator

from api.http import PUBLIC, conditional, link
from api.pagination import Page
from api.schemas import Problem, StateRef, state_ref
from parties.models import Region
from reporting.archive import open_data, reads
from reporting.formats import FormDef, public_content
from reporting.models import ReportVersion

# changed_since as ISO 8601 writes it: a date, or a date and time with an optional offset.
ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?)?$")

router = Router()

ISO3 = r"^[A-Za-z]{3}$"
PERIOD = r"^(initial|[0-9]{4})$"
FORM_CODE = r"^[A-Za-z0-9]{1,10}$"
VERSION_MAX = 32767  # the column is a small integer: a larger number names no version


# --- Filters ------------------------------------------------------------------------------------------
class ReportFilters(Schema):
    state: str | None = Field(
        None, pattern=ISO3, description=_lazy("Only this State's reports: its ISO 3166-1 alpha-3 code (exactly).")
    )
    region: Region | None = Field(None, description=_lazy("Only reports of States in this regional group."))
    period: str | None = Field(
        None, pattern=PERIOD, description=_lazy('Only reports for this period: "initial" or a calendar year.')
    )
    form: str | None = Field(
        None,
        pattern=FORM_CODE,
        description=_lazy(
            "Only versions with content in this form (a code from /api/v1/reports/forms): the form changed, or is "
            "unchanged since an earlier year and restated, rather than not applicable."
        ),
    )
    form_changed: bool = Field(
        False, description=_lazy("With `form`: only versions in which that form changed since the last report.")
    )
    changed_since: datetime | date | None = Field(
        None,
        description=_lazy(
            "Only versions the ISU published at or after this moment: a date (from the start of that day in the "
            "portal's time zone) or a date and time (without an offset, in the portal's time zone). Publication, "
            "not submission, is when a version became public data, so a harvester asking with the time of its "
            "last visit gets every version it has not seen, including corrections of old reports."
        ),
    )
    nil: bool | None = Field(
        None, description=_lazy("true: only nil reports (nothing to report); false: only reports with content.")
    )
    all_versions: bool = Field(
        False,
        description=_lazy(
            "false (the default): the latest published version of each report. true: every published version "
            "(earlier versions that a published correction superseded too), each matched by the filters."
        ),
    )

    @field_validator("changed_since", mode="before")
    @classmethod
    def _iso_8601(cls, value: Any) -> Any:
        """A date or a date and time written in ISO 8601, nothing else (not a number of seconds)."""
        if isinstance(value, str) and not ISO_MOMENT.match(value):
            raise ValueError(_("Give a date (YYYY-MM-DD) or a date and time (YYYY-MM-DDTHH:MM[:SS][+HH:MM])."))
        return value


def _since(value: datetime | date) -> datetime:
    """The moment ``changed_since`` names: a date from its first instant, a time without an offset in the portal's
    time zone."""
    moment = value if isinstance(value, datetime) else datetime.combine(value, time.min)
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _versions(filters: ReportFilters, codes: list[str]) -> QuerySet[ReportVersion]:
    """The public's published versions the filters select, ready for a list (no content loaded): the latest of
    each report, or every published version, each matched on its own forms and nil."""
    query = reads.ArchiveQuery(
        iso3=filters.state or "",  # the exact code: the archive page's box also searches names
        region=filters.region.value if filters.region else "",
        period=filters.period or "",
        form=filters.form or "",
        form_changed=filters.form_changed,
        nil=filters.nil,
    )
    versions = (reads.every_readable if filters.all_versions else reads.search)(PUBLIC, query, codes=codes)
    if filters.changed_since is not None:
        versions = versions.filter(published_at__gte=_since(filters.changed_since))
    return versions


# --- Links ---------------------------------------------------------------------------------------------
def _args(version: ReportVersion) -> list[Any]:
    return [version.report.state.iso3, version.report.period_slug, version.number]


def _links(request: HttpRequest, version: ReportVersion) -> dict[str, str]:
    """The version in the API, its page in the archive and its JSON and CSV downloads, absolute from this host."""
    args = _args(version)
    return {
        "url": link(request, "api-v1:report_version", *args),
        "page_url": link(request, "reporting:archive_version", *args),
        "json_url": link(request, "reporting:archive_version_json", *args),
        "csv_url": link(request, "reporting:archive_version_csv", *args),
    }


class ReportLinks(Schema):
    url: str = Field(description=_lazy("This version in the API (absolute URL)."))
    page_url: str = Field(description=_lazy("The version's citable page in the portal's archive (absolute URL)."))
    json_url: str = Field(description=_lazy("The version as a JSON document (report.json, absolute URL)."))
    csv_url: str = Field(description=_lazy("The version in long form as CSV, one line per value (absolute URL)."))


# --- The list -----------------------------------------------------------------------------------------
FormChoice = Literal["changed", "unchanged", "not_applicable"]


class ReportSummary(ReportLinks):
    state: StateRef = Field(description=_lazy("The reporting State."))
    kind: Literal["initial", "annual"] = Field(
        description=_lazy("initial: the initial report (Art. 7(1)); annual: an annual update (Art. 7(2)).")
    )
    period: str = Field(description=_lazy('"initial", or the calendar year an annual update covers.'))
    period_year: int | None = Field(description=_lazy("The calendar year covered; null for the initial report."))
    version: int = Field(description=_lazy("The version's number: 1, then one more for each correction."))
    submitted_on: date = Field(
        description=_lazy(
            "The day the report counts as submitted (for a report the ISU entered from a paper or PDF "
            "original: the original's date)."
        )
    )
    published_at: datetime = Field(description=_lazy("When the ISU published this version."))
    superseded_by_version: int | None = Field(
        description=_lazy("The published correction that replaced this version, if any.")
    )
    nil_report: bool = Field(description=_lazy("A nil report: the State had nothing to report."))
    format: str = Field(description=_lazy("The code of the reporting format the version follows."))
    original_language: str = Field(description=_lazy("The language the State submitted in (ISO 639-1)."))
    forms: dict[str, FormChoice] = Field(
        description=_lazy(
            "Each form's code and what the cover page says of it: changed, unchanged (since an earlier year) "
            "or not_applicable."
        )
    )


class _Answers(Sequence[dict[str, Any]]):
    """A queryset read as answers: the paginator counts it (one query) and slices one page (one query), and only
    that page's versions become answers."""

    def __init__(self, queryset: QuerySet[ReportVersion], answer: Callable[[ReportVersion], dict[str, Any]]):
        self.queryset, self.answer = queryset, answer

    def all(self) -> QuerySet[ReportVersion]:
        return self.queryset  # for the paginator's count

    def __len__(self) -> int:
        return self.queryset.count()

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self.answer(version) for version in self.queryset[index]]
        return self.answer(self.queryset[index])


def _summary(request: HttpRequest, version: ReportVersion, codes: list[str]) -> dict[str, Any]:
    report = version.report
    choices = reads.form_choices(version, codes)
    return {
        "state": state_ref(report.state),
        "kind": report.kind,
        "period": report.period_slug,
        "period_year": report.period_year,
        "version": version.number,
        "submitted_on": version.submitted_on,
        "published_at": version.published_at,
        "superseded_by_version": version.superseded_by_number,
        "nil_report": version.is_nil,
        "format": version.format_version.code,
        "original_language": report.original_language,
        "forms": {code: choice for code, choice in choices.items() if choice},
        **_links(request, version),
    }


@router.get(
    "",
    response={200: list[ReportSummary], 422: Problem},
    url_name="reports",
    summary=_lazy("Published report versions"),
)
@decorate_view(conditional)
@paginate(Page)
def reports(request: HttpRequest, filters: Query[ReportFilters]) -> Any:
    """The Article 7 reports the ISU published and made public, by State (by name) then period (newest first,
    the initial report last): by default the latest published version of each report, with `all_versions=true`
    every published version. Each result gives the version's facts, each form's choice, and links to the
    version in the API, its page in the archive and its JSON and CSV downloads. Filters combine (all must hold);
    the form, form_changed and nil filters look at the version listed (the latest one by default)."""
    codes = [option.code for option in reads.form_options()]
    versions = _versions(filters, codes)
    return _Answers(versions, lambda version: _summary(request, version, codes))


# --- The forms readers filter on ----------------------------------------------------------------------
class ReportFormOption(Schema):
    code: str = Field(description=_lazy("The form's code, for the `form` filter and the form's address."))
    title: str = Field(description=_lazy("The form's title in the reporting format."))


@router.get(
    "/forms",
    response={200: list[ReportFormOption], 422: Problem},
    url_name="report_forms",
    summary=_lazy("Report forms"),
)
@decorate_view(conditional)
@paginate(Page)
def report_forms(request: HttpRequest) -> Any:
    """The forms of every reporting format (the current format's first), each once: the codes the `form` filter
    of the list takes."""
    return [{"code": option.code, "title": option.title} for option in reads.form_options()]


# --- One version --------------------------------------------------------------------------------------
class ReportFacts(Schema):
    kind: Literal["initial", "annual"] = Field(description=_lazy("initial or annual."))
    period: str = Field(description=_lazy('"initial", or the calendar year an annual update covers.'))
    period_year: int | None = Field(description=_lazy("The calendar year covered; null for the initial report."))
    original_language: str = Field(description=_lazy("The language the State submitted in (ISO 639-1)."))
    sent_to_unoda_on: date | None = Field(
        description=_lazy("When the report was sent to the UN Secretary-General (UNODA), if recorded.")
    )


class ReportEnteredByIsu(Schema):
    statement: str = Field(description=_lazy("What the version says of its origin, in words."))
    original_submitted_on: date | None = Field(description=_lazy("The date of the State's original."))
    original_source: str = Field(description=_lazy("Where the original came from."))
    confirmed_by_state_on: date | None = Field(
        description=_lazy("When the State's focal point confirmed the ISU's copy; null if not yet.")
    )


class ReportVersionFacts(Schema):
    number: int = Field(description=_lazy("The version's number: 1, then one more for each correction."))
    outcome: Literal["accepted", "superseded"] = Field(
        description=_lazy("accepted: in force; superseded: replaced by a published correction.")
    )
    visibility: Literal["public"] = Field(description=_lazy("Always public here."))
    nil_report: bool = Field(description=_lazy("A nil report: the State had nothing to report."))
    submitted_on: date = Field(description=_lazy("The day the report counts as submitted."))
    submitted_at: datetime = Field(description=_lazy("When the version was recorded in the portal."))
    entered_by_isu: ReportEnteredByIsu | None = Field(
        description=_lazy("For a version the ISU entered from a paper or PDF original; null otherwise.")
    )
    accepted_at: datetime | None = Field(description=_lazy("When the ISU accepted the version."))
    published_at: datetime = Field(description=_lazy("When the ISU published the version."))
    correction_note: str = Field(description=_lazy("What this version corrects (empty for a first version)."))
    corrects_version: int | None = Field(description=_lazy("The version this one corrects, if any."))
    superseded_by_version: int | None = Field(description=_lazy("The version that corrects this one, if any."))


class ReportFormat(Schema):
    code: str = Field(description=_lazy("The reporting format's code."))
    name: str = Field(description=_lazy("The reporting format's name."))


class ReportFormLink(Schema):
    code: str = Field(description=_lazy("The form's code."))
    title: str = Field(description=_lazy("The form's title in the reporting format."))
    url: str = Field(description=_lazy("The form's content in this version, with the format's labels (absolute)."))


class ReportVersionDetail(ReportLinks):
    state: StateRef = Field(description=_lazy("The reporting State."))
    report: ReportFacts = Field(description=_lazy("The report this version belongs to."))
    version: ReportVersionFacts = Field(description=_lazy("This version's facts."))
    format: ReportFormat = Field(description=_lazy("The reporting format the version follows."))
    forms: list[ReportFormLink] = Field(description=_lazy("The format's forms, each with its address in the API."))
    content: dict[str, Any] = Field(
        description=_lazy(
            "The content as submitted, as in report.json: `cover` (the cover page; the contact point's e-mail "
            "and telephone only if the State chose to publish them) and `forms` by code, each with `choice`, "
            "`unchanged_since`, `na_statement`, `narratives` by key and `tables` by key (lists of rows by column "
            "key; an area in square metres, as typed under `_typed`)."
        )
    )


PathIso3 = Path(..., pattern=ISO3, description=_lazy("The State's ISO 3166-1 alpha-3 code."))
PathPeriod = Path(..., pattern=PERIOD, description=_lazy('"initial" or the calendar year covered.'))
PathNumber = Path(..., ge=1, le=VERSION_MAX, description=_lazy("The version's number."))


def _published(iso3: str, period: str, number: int) -> ReportVersion:
    """The public's version (one query), or the same 404 whether it does not exist or is not public."""
    try:
        return reads.get_version(PUBLIC, iso3=iso3, period=period, number=number)
    except Http404:
        raise Http404(_("No published public report version at this address.")) from None


def _form_url(request: HttpRequest, version: ReportVersion, code: str) -> str:
    return link(request, "api-v1:report_form", *_args(version), code)


@router.get(
    "/{iso3}/{period}/{number}",
    response={200: ReportVersionDetail, 404: Problem, 422: Problem},
    url_name="report_version",
    summary=_lazy("A published report version"),
)
@decorate_view(conditional)
def report_version(
    request: HttpRequest, iso3: str = PathIso3, period: str = PathPeriod, number: int = PathNumber
) -> dict[str, Any]:
    """One published public version of a State's report for a period: its facts and its whole content, as the
    version's report.json gives it, with links. A version that is not published, or restricted to States
    Parties, is a 404 like one that does not exist."""
    version = _published(iso3, period, number)
    document = open_data.version_document(version)
    document["state"] = state_ref(version.report.state)
    document["version"]["published_at"] = version.published_at
    document["forms"] = [
        {"code": form.code, "title": form.title, "url": _form_url(request, version, form.code)}
        for form in version.format_version.spec.forms
    ]
    document.update(_links(request, version))
    return document


# --- One form of a version ----------------------------------------------------------------------------
class ReportTableColumn(Schema):
    key: str = Field(description=_lazy("The column's key in each row."))
    label: str = Field(description=_lazy("The column's label in the reporting format."))
    type: str = Field(description=_lazy("The column's type (text, integer, area, money, currency, date, choice…)."))
    choices: dict[str, str] = Field(description=_lazy("For a choice column: each stored code and its label."))


class ReportFormTable(Schema):
    key: str = Field(description=_lazy("The table's key."))
    label: str = Field(description=_lazy("The table's label in the reporting format."))
    columns: list[ReportTableColumn] = Field(description=_lazy("The table's columns, in the format's order."))
    rows: list[dict[str, Any]] = Field(
        description=_lazy(
            "The rows as submitted, by column key (`_id` the row's id; an area in square metres, as typed under "
            "`_typed`)."
        )
    )


class ReportNarrative(Schema):
    key: str = Field(description=_lazy("The narrative's key."))
    label: str = Field(description=_lazy("The narrative's label in the reporting format."))
    text: str = Field(description=_lazy("What the State wrote (empty if nothing)."))


class ReportForm(Schema):
    state: StateRef = Field(description=_lazy("The reporting State."))
    period: str = Field(description=_lazy('"initial", or the calendar year an annual update covers.'))
    version: int = Field(description=_lazy("The version's number."))
    code: str = Field(description=_lazy("The form's code."))
    title: str = Field(description=_lazy("The form's title in the reporting format."))
    choice: FormChoice | Literal[""] = Field(
        description=_lazy("changed, unchanged (since an earlier year) or not_applicable; empty if not given.")
    )
    unchanged_since: int | None = Field(description=_lazy("For an unchanged form: the year it last changed."))
    na_statement: str = Field(description=_lazy("For a form that does not apply: the State's statement why."))
    narratives: list[ReportNarrative] = Field(description=_lazy("The form's narratives, in the format's order."))
    tables: list[ReportFormTable] = Field(description=_lazy("The form's tables, in the format's order."))
    url: str = Field(description=_lazy("This form in the API (absolute URL)."))
    version_url: str = Field(description=_lazy("The whole version in the API (absolute URL)."))


def _form_answer(form: FormDef, data: dict[str, Any]) -> dict[str, Any]:
    narratives = data.get("narratives") or {}
    tables = data.get("tables") or {}
    return {
        "code": form.code,
        "title": form.title,
        "choice": data.get("choice") or "",
        "unchanged_since": data.get("unchanged_since"),
        "na_statement": data.get("na_statement") or "",
        "narratives": [{"key": n.key, "label": n.label, "text": narratives.get(n.key) or ""} for n in form.narratives],
        "tables": [
            {
                "key": table.key,
                "label": table.label,
                "columns": [
                    {"key": c.key, "label": c.label, "type": c.type, "choices": dict(c.choices)} for c in table.columns
                ],
                "rows": tables.get(table.key) or [],
            }
            for table in form.tables
        ],
    }


@router.get(
    "/{iso3}/{period}/{number}/forms/{code}",
    response={200: ReportForm, 404: Problem, 422: Problem},
    url_name="report_form",
    summary=_lazy("One form of a published report version"),
)
@decorate_view(conditional)
def report_form(
    request: HttpRequest,
    iso3: str = PathIso3,
    period: str = PathPeriod,
    number: int = PathNumber,
    code: str = Path(..., pattern=FORM_CODE, description=_lazy("The form's code (A to J in the 2010 format).")),
) -> dict[str, Any]:
    """One form of a published public version: the State's choice for it, its narratives and its tables with
    their rows, with the reporting format's labels for each narrative, table and column. 404 for a version that
    is not published and public, and for a form the version's format does not have."""
    version = _published(iso3, period, number)
    spec = version.format_version.spec
    form = next((f for f in spec.forms if f.code == code), None)
    if form is None:
        raise Http404(_("This report version's format has no form %(code)s.") % {"code": code})
    data = (public_content(spec, version.content).get("forms") or {}).get(code) or {}
    return {
        "state": state_ref(version.report.state),
        "period": version.report.period_slug,
        "version": version.number,
        **_form_answer(form, data),
        "url": _form_url(request, version, code),
        "version_url": link(request, "api-v1:report_version", *_args(version)),
    }
