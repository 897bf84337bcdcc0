"""Asking for PDFs is rate-limited per client: a render runs on a worker for each request that needs one."""

import pytest

from reporting import pdf as report_pdf
from reporting import services
from reporting.models import ReportKind, ReportPdf
from tests.reporting.conftest import fill_minimal

pytestmark = pytest.mark.django_db
LIMITS = {"document_request": "2/h/ip", "document_request_user": "3/h/user"}


@pytest.fixture
def published_2024(focal_point, isu_staff, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    report = services.start_report(state=focal_point.state, kind=ReportKind.ANNUAL, period_year=2024, actor=focal_point)
    report = services.save_draft(
        report=report, content=fill_minimal(report), base_revision=report.revision, actor=focal_point
    )
    services.set_visibility(report=report, visibility="public", actor=focal_point)
    services.submit_report(report=report, actor=focal_point)
    services.start_review(report=report, actor=isu_staff)
    services.accept_report(report=report, actor=isu_staff)
    services.publish_report(report=report, actor=isu_staff)
    return report


def test_the_dashboard_pdf_is_refused_with_429_once_over_the_rate(client, reference_data, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.CCM_RATE_LIMITS = LIMITS
    for day in ("2020-01-01", "2021-01-01"):
        assert client.post("/progress/pdf/", {"as_of": day}).status_code == 302
    response = client.post("/progress/pdf/", {"as_of": "2022-01-01"})
    assert response.status_code == 429
    assert "Too many requests from your address" in response.content.decode()


def test_a_stored_archive_pdf_is_served_freely_and_only_new_renders_count(client, published_2024, settings):
    settings.CCM_RATE_LIMITS = LIMITS
    url = "/reports/LAO/2024/v1/report.pdf"
    first = client.get(url)  # asks for a render: counts once
    assert first.status_code == 302
    report_pdf.render(ReportPdf.objects.get(version__report=published_2024).pk)  # the worker's part
    for _ in range(5):  # stored and current: served without counting
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    # Asking through the report's PDF button counts: the second request reaches the rate, the third is refused.
    assert client.post(f"/reporting/{published_2024.pk}/pdf/", {"version": "1"}).status_code == 302
    assert client.post(f"/reporting/{published_2024.pk}/pdf/", {"version": "1"}).status_code == 429


def test_signed_in_users_are_counted_per_user(client_for, focal_point, published_2024, settings):
    settings.CCM_RATE_LIMITS = LIMITS
    client = client_for(focal_point)
    for _ in range(3):
        assert client.post(f"/reporting/{published_2024.pk}/pdf/", {"version": "1"}).status_code == 302
    assert client.post(f"/reporting/{published_2024.pk}/pdf/", {"version": "1"}).status_code == 429
