"""Report PDFs go through a real Celery worker on Redis: start → status → download, as a user sees it.

The worker runs in a thread of this process (``start_worker``), so it shares the test database;
the test is transactional so that ``transaction.on_commit`` really fires and the task really goes
through the broker.
"""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from audit.models import AuditEntry
from ccm_portal.core.models import RenderStatus
from reporting import services
from reporting.formats import Choice
from reporting.models import ReportKind, ReportPdf
from tests.helpers import celery_worker, wait_for
from tests.reporting.conftest import fill_minimal

STOCK = [{"_id": "s1", "type": "BLU-26", "munitions": "1234", "submunitions": "56789", "qualifier": "at_least"}]


@pytest.fixture
def accepted_2024(transactional_db, focal_point, isu_staff):
    """Built before the worker starts: the e-mails these steps send run in-process (SQLite allows one
    writer at a time, and a notification task writing beside the test could make it wait)."""
    report = services.start_report(state=focal_point.state, kind=ReportKind.ANNUAL, period_year=2024, actor=focal_point)
    content = fill_minimal(report, form_b_stock=STOCK)
    content["forms"]["C"].update(choice=Choice.UNCHANGED, unchanged_since=2019, na_statement="")
    report = services.save_draft(report=report, content=content, base_revision=report.revision, actor=focal_point)
    services.set_visibility(report=report, visibility="public", actor=focal_point)
    services.submit_report(report=report, actor=focal_point)
    services.start_review(report=report, actor=isu_staff)
    services.accept_report(report=report, actor=isu_staff)
    return report


@pytest.fixture
def real_worker(accepted_2024, reference_data, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with celery_worker(shutdown_timeout=30) as app:
        yield app


@pytest.mark.celery_worker
def test_a_version_pdf_is_made_by_the_worker_and_downloaded(real_worker, accepted_2024, client, focal_point):
    report = accepted_2024
    # Submission already made a PDF of the version (in-process, before the worker started); accepting
    # it changed what the PDF shows (the outcome), so asking now renders it again, through the worker.
    before = AuditEntry.objects.filter(object_type="reporting.reportpdf").count()
    client.force_login(focal_point)
    response = client.post(reverse("reporting:pdf_start", args=[report.pk]), {"version": "1"})
    pdf = ReportPdf.objects.get()
    status_url = reverse("reporting:pdf_status", args=[pdf.pk])
    assert response.status_code == 302 and response["Location"] == status_url
    # The page's script polls this until the worker is done.
    seen = []

    def ready():
        data = client.get(status_url, {"format": "json"}).json()
        seen.append((data["status"], data["progress"]))
        return data["status"] == "ready"

    assert wait_for(ready, 60), f"the worker did not make the PDF: {seen[-3:]}"
    assert all(0 <= progress <= 100 for _status, progress in seen)
    assert [progress for _status, progress in seen] == sorted(progress for _status, progress in seen)
    pdf.refresh_from_db()
    assert pdf.status == RenderStatus.READY and pdf.progress == 100 and pdf.pages >= 11
    assert [e.action for e in AuditEntry.objects.filter(object_type="reporting.reportpdf").order_by("pk")][before:] == [
        "reporting.pdf.queued",
        "reporting.pdf.rendering",
        "reporting.pdf.ready",
    ]
    response = client.get(reverse("reporting:pdf_download", args=[pdf.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="LAO-2024-v1.pdf"'
    body = b"".join(response.streaming_content)
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(body)).pages]
    assert "Lao People's Democratic Republic — Article 7 report 2024 — version 1" in pages[0]
    assert "Annual update for calendar year 2024" in pages[0]
    assert "BLU-26 at least 1,234 at least 56,789" in "\n".join(pages)
    assert "Unchanged since 2019" in "\n".join(pages)


@pytest.mark.celery_worker
def test_a_second_delivery_of_the_task_renders_nothing_again(real_worker, accepted_2024, focal_point):
    from reporting import pdf as report_pdf
    from reporting.tasks import render_report_pdf

    report = accepted_2024
    version = report.versions.get()
    rendered_before = AuditEntry.objects.filter(action="reporting.pdf.rendering").count()
    pdf = report_pdf.ensure_pdf(report=report, version=version, requested_by=focal_point)
    # Asking again while the worker has it in hand queues nothing more.
    assert report_pdf.ensure_pdf(report=report, version=version, requested_by=focal_point).pk == pdf.pk
    assert wait_for(lambda: ReportPdf.objects.get(pk=pdf.pk).status == RenderStatus.READY, 60)
    pdf.refresh_from_db()
    assert render_report_pdf.delay(pdf.pk).get(timeout=30) == RenderStatus.READY
    again = ReportPdf.objects.get(pk=pdf.pk)
    assert (again.started_at, again.finished_at, again.file.name) == (pdf.started_at, pdf.finished_at, pdf.file.name)
    assert AuditEntry.objects.filter(action="reporting.pdf.rendering").count() == rendered_before + 1
