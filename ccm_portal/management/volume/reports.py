"""Fifteen years of Article 7 annual updates (Art. 7(2)) for every State, as the services leave them: each
report published with its accepted version (submitted on a day around the 30 April deadline, decided and
published days later); some corrected (version 1 superseded by an accepted version 2, both published); the
latest year's few still awaiting review (submitted, pending, unpublished); some restricted, some nil. A report a
State already has for a year (the demo's, say) is left alone and not built again."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from audit.models import AuditEntry
from ccm_portal.management.volume.content import Pools, nil_content, version_content
from ccm_portal.management.volume.people import People
from ccm_portal.management.volume.plan import (
    CORRECTIONS,
    IN_REVIEW,
    NIL_SHARE,
    RESTRICTED_SHARE,
    Plan,
    at,
    given_dates,
)
from parties.models import State
from reporting.models import FormatVersion, Report, ReportKind, ReportStatus, ReportVersion, VersionOutcome, Visibility

BATCH = 250  # versions carry about 30 KB of content each
LANGUAGES = ["en"] * 6 + ["fr", "es", "ar", "ru"]


@dataclass
class Slot:
    """One report to build and what happens to it."""

    state: State
    year: int
    in_review: bool = False
    corrected: bool = False
    restricted: bool = False
    nil: bool = False
    report: Report | None = None
    times: tuple[dt.datetime, dt.datetime, dt.datetime] | None = None  # submitted, decided, published
    correction: tuple[dt.datetime, dt.datetime, dt.datetime] | None = None


def slots(plan: Plan, states: list[State]) -> list[Slot]:
    """Every (State, year) without a report yet, with the corrections, reviews, restricted and nil chosen."""
    taken = set(Report.objects.filter(kind=ReportKind.ANNUAL, state__in=states).values_list("state_id", "period_year"))
    found = [Slot(s, y) for s in states for y in plan.period_years if (s.pk, y) not in taken]
    rng, n = plan.rng, len(states)
    latest = [s for s in found if s.year == plan.last_year]
    for slot in rng.sample(latest, min(len(latest), plan.scaled(IN_REVIEW, states=n, per_year=True))):
        slot.in_review = True
    older = [s for s in found if not s.in_review and (s.year < plan.last_year or plan.years == 1)]
    for slot in rng.sample(older, min(len(older), plan.scaled(CORRECTIONS, states=n, per_year=True))):
        slot.corrected = True
    for slot in rng.sample(found, min(len(found), max(1, round(len(found) * RESTRICTED_SHARE)))):
        slot.restricted = True
    plain = [s for s in found if not (s.in_review or s.corrected) and s.year > plan.period_years[0]]
    for slot in rng.sample(plain, min(len(plain), max(1, round(len(found) * NIL_SHARE)))):
        slot.nil = True
    return found


def _timeline(plan: Plan, submitted_on: dt.date, *, after: dt.datetime | None = None) -> tuple:
    """(submitted, decided, published), none later than yesterday, each after the one before."""
    rng = plan.rng
    limit = timezone.make_aware(dt.datetime.combine(plan.today - dt.timedelta(days=1), dt.time(7)))
    submitted = min(at(min(submitted_on, plan.today - dt.timedelta(days=3)), rng), limit)
    if after is not None:
        submitted = max(submitted, after + dt.timedelta(hours=1))
    decided = max(submitted, min(submitted + dt.timedelta(days=rng.randint(3, 40), hours=rng.randint(0, 6)), limit))
    published = max(decided, min(decided + dt.timedelta(days=rng.randint(0, 5), hours=1), limit))
    return submitted, decided, published


def _schedule(plan: Plan, slot: Slot) -> None:
    rng = plan.rng
    due = dt.date(slot.year + 1, 4, 30)  # Art. 7(2): by 30 April for the previous calendar year
    if slot.in_review:
        day = max(plan.today - dt.timedelta(days=rng.randint(1, 45)), dt.date(slot.year, 12, 31))
        slot.times = (at(min(day, plan.today), rng), None, None)
        return
    slot.times = _timeline(plan, due + dt.timedelta(days=rng.randint(-75, 110)))
    if slot.corrected:
        later = slot.times[2].date() + dt.timedelta(days=rng.randint(20, 400))
        slot.correction = _timeline(plan, later, after=slot.times[2])


def _report(plan: Plan, slot: Slot, people: People, fmt: FormatVersion, draft: dict[str, Any]) -> Report:
    focal_point = people.focal_points[slot.state.pk][0]
    reviewer = people.reviewers[(slot.state.pk + slot.year) % len(people.reviewers)]
    last = slot.correction or slot.times
    changed = last[2] or last[0]
    return Report(
        state=slot.state,
        kind=ReportKind.ANNUAL,
        period_year=slot.year,
        format_version=fmt,
        status=ReportStatus.SUBMITTED if slot.in_review else ReportStatus.PUBLISHED,
        draft=draft,
        revision=2 if slot.corrected else 1,
        is_nil=slot.nil,
        visibility=Visibility.RESTRICTED if slot.restricted else Visibility.PUBLIC,
        original_language=plan.rng.choice(LANGUAGES),
        reviewer=None if slot.in_review else reviewer,
        created_by=focal_point,
        updated_by=reviewer if not slot.in_review else focal_point,
        created_at=slot.times[0] - dt.timedelta(days=plan.rng.randint(5, 60)),
        updated_at=changed,
        status_changed_at=changed,
    )


def _version(slot: Slot, number: int, content: dict, times: tuple, people: People, **fields) -> ReportVersion:
    submitted, decided, published = times
    return ReportVersion(
        report=slot.report,
        number=number,
        content=content,
        format_version_id=slot.report.format_version_id,
        is_nil=slot.nil,
        visibility=slot.report.visibility,
        submitted_by=slot.report.created_by,
        submitted_at=submitted,
        submitted_on=timezone.localdate(submitted),
        decided_by=slot.report.reviewer if decided else None,
        decided_at=decided,
        published_at=published,
        **fields,
    )


def build(plan: Plan, states: list[State], people: People, pool: Pools) -> dict[str, int]:
    """The reports, their versions and the audit entries of their submissions and publications."""
    fmt = FormatVersion.objects.get(is_current=True)
    found = slots(plan, states)
    contents: list[tuple[dict, dict | None]] = []
    reports = []
    for slot in found:
        _schedule(plan, slot)
        if slot.nil:
            typed = first = nil_content(pool, since=slot.year - 1)
            second = None
        else:
            typed, first = version_content(pool, plan.rng)
            second = version_content(pool, plan.rng)[1] if slot.corrected else None
        contents.append((first, second))
        reports.append(_report(plan, slot, people, fmt, typed))
    with given_dates(*(Report._meta.get_field(f) for f in ("created_at", "updated_at"))):
        Report.objects.bulk_create(reports, batch_size=500)
    for slot, report in zip(found, reports, strict=True):
        slot.report = report
    corrections = {
        slot.report.pk: _version(
            slot, 2, second, slot.correction, people, outcome=VersionOutcome.ACCEPTED, correction_note=CORRECTION_NOTE
        )
        for slot, (_first, second) in zip(found, contents, strict=True)
        if slot.corrected
    }
    ReportVersion.objects.bulk_create(corrections.values(), batch_size=BATCH)
    firsts = [
        _version(slot, 1, first, slot.times, people, **_first_outcome(slot, corrections))
        for slot, (first, _second) in zip(found, contents, strict=True)
    ]
    ReportVersion.objects.bulk_create(firsts, batch_size=BATCH)
    versions = firsts + list(corrections.values())
    entries = _audit(versions)
    return {
        "reports": len(reports),
        "versions": len(versions),
        "corrections": len(corrections),
        "in review": sum(s.in_review for s in found),
        "restricted": sum(s.restricted for s in found),
        "nil": sum(s.nil for s in found),
        "table rows": sum(sum(len(rows) for rows in _rows(v.content)) for v in versions),
        "audit entries": entries,
    }


CORRECTION_NOTE = "Corrects the Form B totals."


def _first_outcome(slot: Slot, corrections: dict[int, ReportVersion]) -> dict[str, Any]:
    if slot.in_review:
        return {"outcome": VersionOutcome.PENDING}
    if slot.corrected:
        return {"outcome": VersionOutcome.SUPERSEDED, "superseded_by": corrections[slot.report.pk]}
    return {"outcome": VersionOutcome.ACCEPTED}


def _rows(content: dict[str, Any]):
    for form in content["forms"].values():
        yield from form["tables"].values()


def _audit(versions: list[ReportVersion]) -> int:
    """What the workflow records (``reporting.services.workflow.set_status``) for each submission and
    publication, dated as they happened; the steps between are left out (cheap history, not a full one)."""
    entries = []
    for version in versions:
        report = version.report
        common = {"object_type": "reporting.report", "object_id": str(report.pk)}
        common["object_repr"] = f"{report.state.iso3} {report.period_year}"
        entries.append(
            AuditEntry(
                actor=version.submitted_by,
                action="reporting.report.submitted",
                created_at=version.submitted_at,
                changes={"status": ["draft", "submitted"]},
                context={"version": version.number},
                **common,
            )
        )
        if version.published_at:
            entries.append(
                AuditEntry(
                    actor=version.decided_by,
                    action="reporting.report.published",
                    created_at=version.published_at,
                    changes={"status": ["accepted", "published"]},
                    context={"visibility": version.visibility},
                    **common,
                )
            )
    with given_dates(AuditEntry._meta.get_field("created_at")):
        AuditEntry.objects.bulk_create(entries, batch_size=2000)
    return len(entries)
