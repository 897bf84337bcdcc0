"""Open data carries no personal data unless the State chose to publish its contact details on the
cover page (issue 12, finding 9): the focal point's e-mail and telephone stay out of report.json,
report.csv, the version page and the PDF by default."""

import csv
import html as html_lib
import io
import json
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from audit.models import AuditEntry
from reporting import pdf as report_pdf
from reporting import services
from reporting.models import ReportVersion
from tests.reporting.conftest import fill_minimal, publish_publicly

pytestmark = pytest.mark.django_db

EMAIL = "somphone.v@mofa.gov.la"
PHONE = "+856 21 412 000"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def page_text(response):
    return html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


def publish(report, focal_point, isu_staff, *, cover_post=None, client=None):
    content = fill_minimal(report)
    content["cover"].update(contact_name="Somphone V.", contact_email=EMAIL, contact_phone=PHONE)
    report = services.save_draft(report=report, content=content, base_revision=report.revision, actor=focal_point)
    if cover_post is not None:
        url = reverse("reporting:report_cover", args=[report.pk])
        assert client.post(url, {"revision": str(report.revision), **cover_post}).status_code == 302
        report.refresh_from_db()
    return publish_publicly(report, focal_point, isu_staff)


def download(client, name):
    return client.get(reverse(f"reporting:{name}", args=["LAO", "initial", 1]))


def test_by_default_the_published_report_names_the_contact_point_and_office_only(
    client_for, focal_point, isu_staff, initial_report, django_capture_on_commit_callbacks
):
    report = publish(initial_report, focal_point, isu_staff)
    public = client_for(None)
    document = json.loads(download(public, "archive_version_json").content)
    assert document["content"]["cover"]["contact_name"] == "Somphone V."
    assert document["content"]["cover"]["contact_institution"] == "Ministry of Foreign Affairs"
    assert EMAIL not in json.dumps(document) and PHONE not in json.dumps(document)
    rows = list(csv.DictReader(io.StringIO(download(public, "archive_version_csv").content.decode())))
    cover = {r["column"]: r["value"] for r in rows if r["form"] == "cover"}
    assert cover["contact_name"] == "Somphone V." and cover["publish_contact_details"] == "no"
    assert "contact_email" not in cover and "contact_phone" not in cover
    assert EMAIL not in download(public, "archive_version_csv").content.decode()
    page = page_text(download(public, "archive_version"))
    assert "Somphone V." in page and "Name and institution only" in page and EMAIL not in page
    with django_capture_on_commit_callbacks(execute=True):
        pdf = report_pdf.ensure_pdf(report=report, version=report.versions.get(number=1))
    pdf.refresh_from_db()
    with pdf.file.open("rb") as handle:
        text = " ".join(page.extract_text() for page in PdfReader(handle).pages)
    assert "Somphone V." in text and EMAIL not in text
    # The ISU reviewing the report still reads the whole cover page; the draft keeps what was typed.
    assert ReportVersion.objects.get(report=report, number=1).content["cover"]["contact_email"] == EMAIL


def test_the_choice_on_the_cover_page_publishes_the_e_mail_and_telephone(
    client_for, focal_point, isu_staff, initial_report
):
    client = client_for(focal_point)
    page = page_text(client.get(reverse("reporting:report_cover", args=[initial_report.pk])))
    assert "Contact details in the published report" in page and "Name and institution only" in page
    report = publish(
        initial_report, focal_point, isu_staff, cover_post={"c-publish_contact_details": "yes"}, client=client
    )
    # The choice is audited like any change to the report, and frozen with the version.
    entry = AuditEntry.objects.filter(action="reporting.report.saved").order_by("-pk").first()
    assert entry.changes["cover.publish_contact_details"] == ["", "yes"]
    assert report.versions.get(number=1).content["cover"]["publish_contact_details"] == "yes"
    public = client_for(None)
    document = json.loads(download(public, "archive_version_json").content)
    assert document["content"]["cover"]["contact_email"] == EMAIL
    assert document["content"]["cover"]["contact_phone"] == PHONE
    assert EMAIL in download(public, "archive_version_csv").content.decode()
    assert EMAIL in page_text(download(public, "archive_version"))


def test_versions_published_before_the_choice_existed_stop_exposing_e_mails(
    client_for, focal_point, isu_staff, initial_report
):
    report = publish(initial_report, focal_point, isu_staff)
    version = report.versions.get(number=1)
    # As stored before the cover page had the choice: no key at all.
    version.content["cover"].pop("publish_contact_details", None)
    version.save(update_fields=["content"])
    public = client_for(None)
    assert EMAIL not in download(public, "archive_version_json").content.decode()
    assert EMAIL not in download(public, "archive_version_csv").content.decode()
    assert EMAIL not in page_text(download(public, "archive_version"))
