"""The archive's reads (``reporting.archive`` says who reads what): the latest readable version of each report,
the forms readers filter on, the search and the export's selection, one version by its citable address and its
history, and what a version says about itself (accepted on, entered by the ISU, its sections)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.query import ModelIterable
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ccm_portal.core import links
from parties.models import State
from reporting import editor
from reporting.access import readable_versions
from reporting.formats import Choice
from reporting.models import FormatVersion, ReportKind, ReportVersion

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


def form_choices(version: ReportVersion, codes: list[str]) -> dict[str, str]:
    """Form code → its choice (``changed``, ``unchanged``, ``not_applicable``), from the summary the version
    keeps of its forms (``ReportVersion.form_choices``), so that lists and exports never load the content."""
    summary = version.form_choices or {}
    return {code: (summary.get(code) or {}).get("choice") or "" for code in codes}


def unchanged_since(version: ReportVersion, code: str) -> Any:
    """The year a form is given as unchanged since, when the version says so (else None)."""
    return ((version.form_choices or {}).get(code) or {}).get("unchanged_since")


# --- Search -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ArchiveQuery:
    """What a reader filters the archive on. Empty values do not filter."""

    state: str = ""  # a State's ISO code (exactly), or part of its name
    iso3: str = ""  # a State's ISO code and nothing else (the API's filter)
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
    if query.iso3:
        versions = versions.filter(report__state__iso3=query.iso3.upper())
    if query.region:
        versions = versions.filter(report__state__region=query.region)
    if query.period == "initial":
        versions = versions.filter(report__kind=ReportKind.INITIAL)
    elif query.period:
        versions = versions.filter(report__kind=ReportKind.ANNUAL, report__period_year=int(query.period))
    if query.form and FORM_CODE.match(query.form):
        wanted = [Choice.CHANGED] if query.form_changed else list(HAS_CONTENT)
        versions = versions.filter(**{f"form_choices__{query.form}__choice__in": wanted})
    if query.nil is not None:
        versions = versions.filter(is_nil=query.nil)
    return versions


def _list_rows(versions: QuerySet[ReportVersion]) -> QuerySet[ReportVersion]:
    # The content and the report's working copy can be megabytes each: lists never load them, and show the
    # forms' choices from the version's summary of them (``form_choices``).
    return (
        versions.select_related("report__state", "format_version")
        .defer("content", "report__draft", "format_version__definition", "format_version__translations")
        .annotate(superseded_by_number=F("superseded_by__number"), supersedes_number=F("supersedes__number"))
    )


class _Listing(QuerySet):
    """A list whose pages are chosen on the versions' keys alone, their rows read only for the page, in one
    query (the page's keys in a subquery): the database sorts whole rows, and a list row (the version, its
    report, State and format) is a kilobyte where the keys are a few bytes. Unsliced, it is the list itself."""

    def __getitem__(self, k: Any) -> Any:
        whole_rows = self._iterable_class is ModelIterable and self._result_cache is None
        if not whole_rows or not isinstance(k, slice) or k.step is not None or self.query.is_sliced:
            return super().__getitem__(k)
        page = QuerySet.__getitem__(self.values("pk"), k)
        return _list_rows(ReportVersion.objects.filter(pk__in=page)).order_by(*self.query.order_by)


def _for_lists(versions: QuerySet[ReportVersion]) -> QuerySet[ReportVersion]:
    versions = _list_rows(versions)
    return _Listing(model=ReportVersion, query=versions.query, using=versions.db)


def search(user: Any, query: ArchiveQuery, *, codes: list[str] | None = None) -> QuerySet[ReportVersion]:
    """The latest readable version of each report matching ``query``, by State then period (newest
    first, the initial report last). One query per page, plus one to count. Each version carries every form's
    choice (``form_choices``), whichever ``codes`` the caller shows."""
    versions = _filtered(latest_readable(user), query)
    return _for_lists(versions).order_by(
        "report__state__name", F("report__period_year").desc(nulls_last=True), "report_id"
    )


def export_versions(user: Any, query: ArchiveQuery, *, codes: list[str] | None = None) -> QuerySet[ReportVersion]:
    """Every readable version (accepted and superseded) of the reports that ``search`` finds, oldest
    version first within a report: one query."""
    reports = _filtered(latest_readable(user), query).values("report_id")
    versions = readable_versions(user).filter(report__in=reports)
    return _for_lists(versions).order_by(
        "report__state__name", F("report__period_year").desc(nulls_last=True), "report_id", "number"
    )


def every_readable(user: Any, query: ArchiveQuery, *, codes: list[str] | None = None) -> QuerySet[ReportVersion]:
    """Every readable version matching ``query`` (earlier versions a correction superseded too), each matched on
    its own facts (its forms, nil or not), in the order of ``export_versions``: one query per page."""
    return _for_lists(_filtered(readable_versions(user), query)).order_by(
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
    """The citable address of a version: on CCM_SITE_URL when set, else on the host and port served."""
    return links.absolute(version_path(version))


def accepted_on(version: ReportVersion) -> Any:
    """When the ISU accepted the version (a superseded version keeps its acceptance date)."""
    return version.decided_at


def version_sections(version: ReportVersion) -> dict[str, Any]:
    """The cover page and the forms as the reader's version page shows them."""
    return editor.read_only_sections(version.format_version.spec, version.content, initial=version.report.is_initial)


# --- What a version says about itself -----------------------------------------------------------------
def iso(value: Any) -> str | None:
    """A date or time as ISO 8601, or None."""
    return value.isoformat() if value is not None else None


def local_date(value: Any) -> Any:
    """The day of a stored time in the portal's time zone, or None."""
    return timezone.localdate(value) if value is not None else None


def entered_by_isu(version: ReportVersion) -> dict[str, Any] | None:
    """For a version the ISU entered from a paper or PDF original: what it says about itself (else None)."""
    if not version.entered_by_isu:
        return None
    return {
        "statement": entered_statement(version),
        "original_submitted_on": iso(version.submitted_on),
        "original_source": version.original_source,
        "confirmed_by_state_on": iso(local_date(version.confirmed_by_state_at)),
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
            _("confirmed by the State on %(date)s") % {"date": local_date(version.confirmed_by_state_at).isoformat()}
        )
    else:
        parts.append(_("not yet confirmed by the State"))
    return "; ".join(parts)
