"""Uploads are bounded before they cost (issue 12): a request body over the ceiling is refused from
its announced length, before a byte of it is read or spooled to disk, and each person may upload a
limited number of supporting documents an hour."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import ThematicArea
from assistance.models import AssistanceSettings, RequestDocument
from parties.models import Obligation, State
from reporting import services as reporting_services
from reporting.models import ReportKind, WorkbookUpload
from tests.assistance.test_request_views import PDF, file_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def initial_report(focal_point):
    return reporting_services.start_report(
        state=State.objects.get(iso3="LAO"), kind=ReportKind.INITIAL, period_year=None, actor=focal_point
    )


class Unread(io.BytesIO):
    """A request body that fails the test if anything reads it."""

    def read(self, *args):
        raise AssertionError("the body of a request over the ceiling was read")

    readline = read


def post_announcing(client, path, size_mb):
    return client.generic(
        "POST",
        path,
        b"",
        content_type="multipart/form-data; boundary=xyz",
        CONTENT_LENGTH=str(size_mb * 1024 * 1024),
        **{"wsgi.input": Unread()},
    )


def test_a_body_over_the_ceiling_is_refused_unread_with_a_413_page(client_for, focal_point, initial_report, settings):
    settings.CCM_UPLOAD_MAX_MB = 8
    response = post_announcing(client_for(focal_point), f"/reporting/{initial_report.pk}/workbook/", 9)
    assert response.status_code == 413
    page = response.content.decode()
    assert "larger than 8 MB" in page
    assert WorkbookUpload.objects.count() == 0


def test_a_body_under_the_ceiling_reaches_the_view(client_for, focal_point, initial_report, settings):
    settings.CCM_UPLOAD_MAX_MB = 8
    response = client_for(focal_point).post(
        f"/reporting/{initial_report.pk}/workbook/", {"file": SimpleUploadedFile("notes.txt", b"hello")}
    )
    assert response.status_code == 400  # the form's own answer: not a workbook
    assert "xlsx" in response.content.decode()


def test_the_isu_cannot_allow_documents_larger_than_the_ceiling(settings):
    settings.CCM_UPLOAD_MAX_MB = 25
    rules = AssistanceSettings.current()
    rules.max_upload_mb = 40
    with pytest.raises(ValidationError) as refused:
        rules.full_clean()
    assert "25" in str(refused.value)
    rules.max_upload_mb = 20
    rules.full_clean()


def test_supporting_document_uploads_are_rate_limited_per_person(client_for, focal_point, settings, tmp_path):
    settings.CCM_RATE_LIMITS = {**settings.CCM_RATE_LIMITS, "document_upload_user": "2/h/user"}
    settings.MEDIA_ROOT = tmp_path
    lao_request = file_request(
        focal_point,
        ThematicArea.objects.get(code="clearance-rre"),
        obligation=Obligation.objects.get(state__iso3="LAO", article=4),
    )
    path = reverse("assistance:document_upload", args=[lao_request.pk])
    client = client_for(focal_point)
    for n in range(2):
        response = client.post(path, {"file": SimpleUploadedFile(f"plan {n}.pdf", PDF)})
        assert response.status_code == 302
    response = client.post(path, {"file": SimpleUploadedFile("plan 3.pdf", PDF)})
    assert response.status_code == 429
    assert "Each supporting document is stored" in response.content.decode()
    assert RequestDocument.objects.count() == 2
