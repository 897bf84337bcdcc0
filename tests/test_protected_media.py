"""Uploaded and generated files leave only through the views that check access (``ccm_portal.core.files``).

Behind nginx (``CCM_MEDIA_ACCEL_PREFIX`` set) each of those views answers with ``X-Accel-Redirect`` and no
body, and the same Content-Type, Content-Disposition and cache headers as when Django streams the file;
whoever may not have the file gets the same refusal either way, with no ``X-Accel-Redirect``. One file of
each kind: a draft's PDF, a published version's PDF in the archive, a version's original (and the ISU's
copy while entering it), an assistance request's document, the ISU's dashboard PDF.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from urllib.parse import unquote

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ccm_portal.core import clock
from ccm_portal.core.files import UPLOAD_HEADERS
from ccm_portal.core.models import RenderStatus
from parties.models import State
from progress import exports
from progress.models import Audience, DashboardPdf
from reporting import entry as report_entries
from reporting import pdf as report_pdf
from reporting import services
from reporting.models import ReportKind, ReportPdf
from tests.assistance.test_board import make_request
from tests.reporting.conftest import fill_minimal, publish_publicly

pytestmark = pytest.mark.django_db

PREFIX = "/protected-media/"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
# Headers that differ by design: the proxy computes the length from the file it sends; each request has its id.
TRANSPORT = {"Content-Length", "X-Accel-Redirect", "X-Request-ID"}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.CCM_MEDIA_ACCEL_PREFIX = ""
    return tmp_path


def ready_pdf(model, **fields):
    return model.objects.create(status=RenderStatus.READY, file=ContentFile(PDF, name="made.pdf"), **fields)


@pytest.fixture
def downloads(focal_point, isu_staff):
    """name → (URL, a reader, the status another State's focal point gets; None: public, theirs too)."""
    lao = State.objects.get(iso3="LAO")
    draft = services.start_report(state=lao, kind=ReportKind.INITIAL, period_year=None, actor=focal_point)
    draft_pdf = ready_pdf(ReportPdf, report=draft, fingerprint=report_pdf.fingerprint(draft, None))
    # Reports the ISU enters from the State's original: one recorded (submitted, not yet published), one open.
    entries = [
        report_entries.open_entry(
            state=lao,
            kind=ReportKind.ANNUAL,
            period_year=year,
            original=SimpleUploadedFile("original.pdf", PDF),
            submitted_on=dt.date(year + 1, 4, 20),
            source=f"note verbale to UNODA, 20 April {year + 1}",
            language="en",
            actor=isu_staff,
        )
        for year in (2021, 2022)
    ]
    entered = entries[0].report
    services.save_draft(report=entered, content=fill_minimal(entered), base_revision=0, actor=isu_staff)
    recorded = report_entries.record_entry(entry=entries[0], actor=isu_staff, visibility="public")
    # A report published in the archive, with its PDF.
    annual = services.start_report(state=lao, kind=ReportKind.ANNUAL, period_year=2024, actor=focal_point)
    services.save_draft(report=annual, content=fill_minimal(annual), base_revision=0, actor=focal_point)
    published = publish_publicly(annual, focal_point, isu_staff).versions.get()
    ready_pdf(ReportPdf, report=annual, version=published, fingerprint=report_pdf.fingerprint(annual, published))
    request = make_request(focal_point)  # restricted: its State, the ISU and the area's coordinators
    document = request.documents.create(
        file=ContentFile(PDF, name="survey.pdf"),
        name="Survey plan.pdf",
        content_type="application/pdf",
        size=len(PDF),
        uploaded_by=focal_point,
    )
    today = clock.today()
    figures = exports.fingerprint(exports.current_dashboard(as_of=today, audience=Audience.ISU))
    dashboard = ready_pdf(DashboardPdf, as_of=today, audience=Audience.ISU, fingerprint=figures)
    archive_args = [lao.iso3, annual.period_slug, published.number]
    return {
        "draft_pdf": (reverse("reporting:pdf_download", args=[draft_pdf.pk]), "fp", 404),
        "archive_pdf": (reverse("reporting:archive_version_pdf", args=archive_args), "anon", None),
        "version_original": (reverse("reporting:version_original", args=[entered.pk, recorded.number]), "fp", 404),
        "entry_original": (reverse("reporting:entry_original", args=[entries[1].pk]), "isu", 403),
        "document": (reverse("assistance:document_download", args=[request.pk, document.pk]), "fp", 404),
        "dashboard_pdf": (reverse("progress:pdf_download_isu", args=[dashboard.pk]), "isu", 403),
    }


@pytest.fixture
def clients(client_for, focal_point, other_focal_point, isu_staff):
    def as_(persona):
        return client_for({"anon": None, "fp": focal_point, "other": other_focal_point, "isu": isu_staff}[persona])

    return as_


def fetch(client, url):
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


def test_each_download_hands_the_file_to_the_proxy_with_the_same_headers(settings, media, downloads, clients):
    for name, (url, reader, _refused) in downloads.items():
        streamed, body = fetch(clients(reader), url)
        assert streamed.status_code == 200 and body == PDF, name
        settings.CCM_MEDIA_ACCEL_PREFIX = PREFIX
        handed, body = fetch(clients(reader), url)
        settings.CCM_MEDIA_ACCEL_PREFIX = ""
        assert handed.status_code == 200 and not handed.streaming and body == b"", name
        target = handed["X-Accel-Redirect"]
        assert target.startswith(PREFIX), name
        # nginx's internal location maps the prefix onto MEDIA_ROOT: the path names the stored file.
        assert (Path(media) / unquote(target.removeprefix(PREFIX))).read_bytes() == PDF, name
        same = {key: value for key, value in streamed.items() if key not in TRANSPORT}
        assert {key: value for key, value in handed.items() if key not in TRANSPORT} == same, name
        assert handed["Content-Type"] == "application/pdf" and "filename=" in handed["Content-Disposition"], name


def test_uploads_keep_their_guard_headers(settings, downloads, clients):
    settings.CCM_MEDIA_ACCEL_PREFIX = PREFIX
    for name in ("version_original", "entry_original", "document"):
        url, reader, _refused = downloads[name]
        response = clients(reader).get(url)
        assert {key: response[key] for key in UPLOAD_HEADERS} == UPLOAD_HEADERS, name
        assert response["Content-Disposition"].startswith("attachment;"), name


def test_whoever_may_not_have_the_file_is_refused_before_it_is_handed_over(settings, downloads, clients):
    """Another State's focal point gets the refusal they get without the proxy, and never the header."""
    for name, (url, _reader, refused) in downloads.items():
        settings.CCM_MEDIA_ACCEL_PREFIX = ""
        before = clients("other").get(url)
        settings.CCM_MEDIA_ACCEL_PREFIX = PREFIX
        after = clients("other").get(url)
        if refused is None:  # public once published: everyone may have it
            assert before.status_code == after.status_code == 200 and after.has_header("X-Accel-Redirect"), name
            continue
        assert before.status_code == after.status_code == refused, name
        assert not after.has_header("X-Accel-Redirect"), name
    anonymous = clients("anon").get(downloads["document"][0])
    assert anonymous.status_code in (302, 404) and not anonymous.has_header("X-Accel-Redirect")


def test_a_file_missing_from_the_storage_is_404_not_a_redirect_to_nothing(settings, media, downloads, clients):
    settings.CCM_MEDIA_ACCEL_PREFIX = PREFIX
    url, reader, _refused = downloads["document"]
    for stored in Path(media).rglob("*"):
        if stored.is_file() and "assistance" in stored.parts:
            stored.unlink()
    response = clients(reader).get(url)
    assert response.status_code == 404 and not response.has_header("X-Accel-Redirect")
