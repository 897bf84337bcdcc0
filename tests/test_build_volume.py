"""``manage.py build_volume`` on a small volume (5 States, 3 years, 10 rows): the public pages answer with
its data, a corrected report shows both versions, restricted versions stay out of the public archive, the
content is valid in the current format, and the same seed builds the same data."""

from __future__ import annotations

import hashlib
import json

import pytest
from django.core.management import CommandError, call_command

from assistance.models import AssistanceOffer, AssistanceRequest, Match
from reporting import formats
from reporting.models import FormatVersion, Report, ReportVersion, VersionOutcome, Visibility

SMALL = {"states": 5, "years": 3, "rows": 10, "force": True}


def _build(**options):
    call_command("build_volume", **{**SMALL, **options}, stdout=open("/dev/null", "w"))  # noqa: SIM115


def _digest() -> str:
    """The built data by what it says, not by its primary keys."""
    versions = ReportVersion.objects.order_by("report__state__iso3", "report__period_year", "number")
    rows = [
        [
            v.report.state.iso3,
            v.report.period_year,
            v.number,
            v.outcome,
            v.visibility,
            v.is_nil,
            str(v.submitted_at),
            str(v.decided_at),
            str(v.published_at),
            v.content,
            v.report.draft,
            v.report.original_language,
        ]
        for v in versions.select_related("report__state")
    ]
    rows += [
        [r.state.iso3, r.title, r.kind, str(r.amount), r.currency, str(r.period_start), r.status, r.is_public]
        for r in AssistanceRequest.objects.order_by("title").select_related("state")
    ]
    rows += [
        [o.title, o.kinds, o.regions, str(o.budget_max), sorted(a.code for a in o.areas.all())]
        for o in AssistanceOffer.objects.order_by("title").prefetch_related("areas")
    ]
    rows += sorted(
        [m.request.title, m.offer.title, m.status, m.donor_decision, m.state_decision, str(m.amount)]
        for m in Match.objects.select_related("request", "offer")
    )
    return hashlib.sha256(json.dumps(rows, sort_keys=True, default=str).encode()).hexdigest()


@pytest.fixture
def volume(reference_data):
    _build()


def test_public_pages_answer_with_the_volume(volume, client):
    assert Report.objects.count() == 15
    for url in ("/reports/", "/progress/", "/api/v1/reports", "/assistance/"):
        assert client.get(url).status_code == 200, url
    listed = client.get("/api/v1/reports", {"all_versions": "true"}).json()
    assert listed["count"] > 0


def test_a_corrected_report_shows_two_versions(volume, client):
    superseded = ReportVersion.objects.filter(outcome=VersionOutcome.SUPERSEDED, visibility=Visibility.PUBLIC)
    first = superseded.select_related("report__state", "superseded_by").first()
    assert first is not None and first.superseded_by.number == 2 and first.superseded_by.published_at
    report = first.report
    answer = client.get(
        "/api/v1/reports", {"state": report.state.iso3, "period": report.period_year, "all_versions": "true"}
    ).json()
    assert sorted(r["version"] for r in answer["results"]) == [1, 2]


def test_restricted_versions_are_never_in_the_public_archive(volume, client):
    restricted = ReportVersion.objects.filter(visibility=Visibility.RESTRICTED, published_at__isnull=False)
    assert restricted.exists()
    answer = client.get("/api/v1/reports", {"all_versions": "true", "page_size": 500}).json()
    listed = {(r["state"]["iso3"], r["period_year"], r["version"]) for r in answer["results"]}
    hidden = {(v.report.state.iso3, v.report.period_year, v.number) for v in restricted.select_related("report__state")}
    assert listed and not listed & hidden
    page = client.get("/reports/", {"state": "", "page": 1}).content.decode()
    for iso3, year, number in hidden:
        assert f"/reports/{iso3}/{year}/v{number}/" not in page


def test_versions_hold_valid_content_in_the_current_format(volume):
    spec = FormatVersion.objects.get(is_current=True).spec
    for version in ReportVersion.objects.select_related("report"):
        validation = formats.validate(spec, version.content, initial=False, period_year=version.report.period_year)
        assert validation.complete, validation.errors
    assert ReportVersion.objects.filter(outcome=VersionOutcome.PENDING, published_at__isnull=True).exists()


def test_the_same_seed_builds_the_same_data_and_a_second_build_needs_flush(volume):
    first = _digest()
    with pytest.raises(CommandError, match="--flush"):
        _build()
    _build(flush=True)
    assert _digest() == first
    _build(flush=True, seed=2)
    assert _digest() != first


@pytest.mark.django_db
def test_the_volume_is_analyzed_as_a_deployment_that_grew_it_would_be(reference_data):
    """Rows written in bulk have no planner statistics until ANALYZE: measured as they are, the planner would
    take every table for a few rows. On PostgreSQL the build ends with ANALYZE (pg_class.reltuples is -1 for a
    table never analyzed)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("planner statistics are PostgreSQL's")
    _build()
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'reporting_reportversion'")
        (estimated,) = cursor.fetchone()
    assert estimated >= ReportVersion.objects.count() > 0
