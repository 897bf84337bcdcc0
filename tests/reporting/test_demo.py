import io

import pytest
from django.core.management import call_command

from reporting.models import Report, ReportStatus

pytestmark = pytest.mark.django_db


def test_demo_report_is_published_once_and_shows_on_the_public_page(client):
    call_command("seed_demo", force=True, stdout=io.StringIO())
    call_command("seed_demo_reports", force=True, stdout=io.StringIO())
    out = io.StringIO()
    call_command("seed_demo_reports", force=True, stdout=out)
    assert "already exists" in out.getvalue()
    report = Report.objects.get(state__iso3="LAO", period_year=2024)
    assert report.status == ReportStatus.PUBLISHED
    area = report.versions.get().content["forms"]["F"]["tables"]["areas"][0]["area"]
    assert area == "12500000"
    profile = client.get("/states/LAO/", {"format": "json"}).json()
    assert [r["period"] for r in profile["reports"]] == ["2024"]


def test_the_demo_report_raises_no_cross_check_warning():
    """A newcomer's demo report must not itself contradict its forms (issue 12, finding 4)."""
    from reporting import checks

    call_command("seed_demo", force=True, stdout=io.StringIO())
    call_command("seed_demo_reports", force=True, stdout=io.StringIO())
    report = Report.objects.get(state__iso3="LAO", period_year=2024)
    version = report.versions.get()
    assert [f.message for f in checks.check_report(report, cleaned=version.content)] == []
