"""Volumes of published Article 7 reports for the dashboard's query-count tests and benchmarks:
bulk-created (the reporting services are tested and timed elsewhere), each with small Form B and
Form F content whose stockpile and contaminated area shrink from year to year."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.cache import cache
from django.utils import timezone

from ccm_portal.core import data_version
from parties.models import State
from reporting import formats
from reporting.formats import Choice
from reporting.models import (
    FormatVersion,
    Report,
    ReportKind,
    ReportStatus,
    ReportVersion,
    VersionOutcome,
    Visibility,
)


def small_content(spec: formats.FormatDefinition, *, year: int) -> dict:
    """Form B (one stockpile row, one destruction row) and Form F (one area, one clearance) filled in,
    every other form not applicable; the remaining figures fall as the years go by."""
    content = spec.empty_content()
    content["cover"].update(
        contact_name="Focal Point", contact_institution="Ministry of Foreign Affairs", contact_email="fp@example.org"
    )
    for form in spec.forms:
        content["forms"][form.code].update(choice=Choice.NOT_APPLICABLE, na_statement=form.nil_statement)
    left = max(2030 - year, 0)
    forms = content["forms"]
    forms["A"].update(choice=Choice.CHANGED, na_statement="", narratives={"summary": "Law No. 12."})
    forms["B"].update(choice=Choice.CHANGED, na_statement="")
    forms["B"]["tables"]["stockpile"] = [
        {"_id": "s1", "type": "M26", "munitions": str(100 * left), "submunitions": str(644 * 100 * left)}
    ]
    forms["B"]["tables"]["destroyed"] = [{"_id": "d1", "type": "M26", "munitions": "100", "submunitions": "64400"}]
    forms["F"].update(choice=Choice.CHANGED, na_statement="")
    forms["F"]["tables"]["areas"] = [
        {"_id": "a1", "location": "Province 1", "area": f"{left}.5 km2", "status": "confirmed"}
    ]
    forms["F"]["tables"]["cleared"] = [{"_id": "c1", "location": "Province 1", "area": "1 km2"}]
    return content


def bulk_reports(*, years: Iterable[int], actor, states: list[State] | None = None) -> int:
    """One published annual update per State Party and year (plus each State's initial report), one
    version each: public, accepted, sent on 20 April after the year (one State in five late, in June;
    one in nine a nil report). Returns the number of reports created."""
    format_version = FormatVersion.objects.get(is_current=True)
    spec = format_version.spec
    years = list(years)
    contents = {
        year: formats.validate(spec, small_content(spec, year=year), initial=False, period_year=year).cleaned
        for year in years
    }
    states = states if states is not None else list(State.objects.filter(deposit_date__isnull=False).order_by("iso3"))
    reports = []
    for s, state in enumerate(states):
        eif = state.entry_into_force
        if state.initial_report_due <= timezone.localdate():
            reports.append((state, ReportKind.INITIAL, None, state.initial_report_due, s))
        reports.extend(
            (state, ReportKind.ANNUAL, year, dt.date(year + 1, 4, 20), s) for year in years if eif.year <= year
        )
    created = Report.objects.bulk_create(
        Report(
            state=state,
            kind=kind,
            period_year=year,
            format_version=format_version,
            status=ReportStatus.PUBLISHED,
            visibility=Visibility.PUBLIC,
            is_nil=bool(year and (s + year) % 9 == 0),
            created_by=actor,
            updated_by=actor,
            sent_to_unoda_on=due,
        )
        for state, kind, year, due, s in reports
    )
    now = timezone.now()
    versions = []
    for report, (_state, _kind, year, due, s) in zip(created, reports, strict=True):
        sent = due + dt.timedelta(days=50) if s % 5 == 0 else due - dt.timedelta(days=10)
        submitted = min(dt.datetime.combine(sent, dt.time(9), tzinfo=dt.UTC), now)
        versions.append(
            ReportVersion(
                report=report,
                number=1,
                format_version=format_version,
                content=contents[year] if year else contents[years[0]],
                is_nil=report.is_nil,
                visibility=Visibility.PUBLIC,
                submitted_by=actor,
                submitted_at=submitted,
                submitted_on=timezone.localdate(submitted),
                outcome=VersionOutcome.ACCEPTED,
                decided_by=actor,
                decided_at=submitted + dt.timedelta(days=2),
                published_at=submitted + dt.timedelta(days=3),
            )
        )
    ReportVersion.objects.bulk_create(versions)
    return len(created)


def data_committed() -> None:
    """The public data's version moves, as the commit of a test's writes would move it: a test's transaction never
    commits, and bulk writes send no signal. A lost value is a new version (``data_version.current``)."""
    cache.delete(data_version.KEY)
