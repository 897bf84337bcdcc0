"""The dashboard PDF goes through a real Celery worker on Redis: start → status → download, as a user
sees it, and a second delivery of the task renders nothing again.

The worker runs in a thread of this process (``start_worker``), so it shares the test database; the
test is transactional so that ``transaction.on_commit`` really fires and the task really goes through
the broker.
"""

import io
import re

import pytest
from pypdf import PdfReader

from audit.models import AuditEntry
from ccm_portal.core.models import RenderStatus
from progress.models import DashboardPdf
from tests.helpers import celery_worker, wait_for


@pytest.fixture
def real_worker(transactional_db, reference_data, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with celery_worker(shutdown_timeout=30) as app:
        yield app


@pytest.mark.celery_worker
def test_the_dashboard_pdf_is_made_by_the_worker_and_downloaded(real_worker, client):
    response = client.post("/progress/pdf/", {"as_of": "2026-02-03"})
    pdf = DashboardPdf.objects.get()
    status_url = f"/progress/pdf/{pdf.pk}/"
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
    assert pdf.status == RenderStatus.READY and pdf.progress == 100 and pdf.size > 0
    assert [e.action for e in AuditEntry.objects.for_object(pdf).order_by("pk")] == [
        "progress.pdf.queued",
        "progress.pdf.rendering",
        "progress.pdf.ready",
    ]
    assert f'href="/progress/pdf/{pdf.pk}/download/"' in client.get(status_url).content.decode()
    download = client.get(f"/progress/pdf/{pdf.pk}/download/")
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == 'attachment; filename="ccm-progress-2026-02-03.pdf"'
    pages = PdfReader(io.BytesIO(b"".join(download.streaming_content))).pages
    assert len(pages) == 1
    text = re.sub(r"\s+", " ", pages[0].extract_text())
    assert "Convention on Cluster Munitions — progress to date as of 3 February 2026" in text
    assert re.search(r"112\s*States Parties", text)

    # A second delivery of the same task (a retry, a duplicate) renders nothing again.
    from progress.tasks import render_dashboard_pdf

    assert render_dashboard_pdf.delay(pdf.pk).get(timeout=30) == RenderStatus.READY
    again = DashboardPdf.objects.get(pk=pdf.pk)
    assert (again.started_at, again.finished_at, again.file.name) == (pdf.started_at, pdf.finished_at, pdf.file.name)
    assert AuditEntry.objects.filter(action="progress.pdf.rendering").count() == 1
    # Asking again reuses the stored file: nothing queued, the same row.
    assert client.post("/progress/pdf/", {"as_of": "2026-02-03"})["Location"] == status_url
    assert AuditEntry.objects.filter(action="progress.pdf.queued").count() == 1
