"""In a real browser: the ISU enters Lao PDR's initial report from the PDF the State sent on 25 January 2011
(the original attached, the date and source given), types part of it in the normal editor, records it as
submitted on that day; the State's focal point sees "please confirm", downloads the original and confirms."""

import re

import pytest

from parties.models import State
from reporting import services
from reporting.models import Report, ReportEntry, ReportKind
from tests.factories import PASSWORD
from tests.reporting.conftest import fill_minimal

from .test_invitation_flow import sign_in
from .test_report_cycle import save_form, sign_in_reviewer, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
SOURCE = "note verbale to UNODA, 25 January 2011"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_the_isu_enters_a_report_from_the_original_and_the_state_confirms_it(page, isu_staff, focal_point, tmp_path):
    lao = State.objects.get(iso3="LAO")
    scan = tmp_path / "Lao initial report (scan).pdf"
    scan.write_bytes(PDF_BYTES)

    # --- The ISU opens the entry from the review queue, with the original, its date and its source.
    sign_in_reviewer(page, isu_staff)
    page.goto("/isu/reviews/")
    page.get_by_role("link", name="Enter a report received outside the portal").click()
    page.select_option("#entry-state", str(lao.pk))
    page.check("#entry-kind_0")  # Initial report
    page.set_input_files("#entry-original", str(scan))
    page.fill("#entry-submitted_on", "2011-01-25")
    page.fill("#entry-source", SOURCE)
    page.select_option("#entry-language", "fr")
    page.get_by_role("button", name="Open the entry").click()
    page.wait_for_url(re.compile(r".*/isu/reports/entries/\d+/$"))
    entry = ReportEntry.objects.get()
    assert "Record it as submitted on 25 January 2011" in page.content()
    assert "counts as on time" in page.content()

    # --- It types the report in the normal editor (the rest of the content saved as the same editor would).
    report = Report.objects.get(state=lao, kind=ReportKind.INITIAL)
    services.save_draft(report=report, content=fill_minimal(report), base_revision=report.revision, actor=isu_staff)
    page.get_by_role("link", name=re.compile(r"^Form A")).click()
    page.wait_for_url(f"**/reporting/{report.pk}/forms/A/")
    page.fill("#n-summary", "Décret n° 12 interdisant les armes à sous-munitions.")
    save_form(page)
    report.refresh_from_db()
    assert report.draft["forms"]["A"]["narratives"]["summary"].startswith("Décret n° 12")

    # --- It records the report as submitted on the original's date.
    page.goto(f"/isu/reports/entries/{entry.pk}/")
    page.check("#record-visibility_0")  # public
    page.get_by_role("button", name="Record as submitted on 25 January 2011").click()
    page.wait_for_url(f"**/isu/reviews/{report.pk}/")
    assert "Entered by the ISU from a paper/PDF original; submitted on 25 January 2011." in page.content()
    version = report.versions.get()
    assert version.submitted_on.isoformat() == "2011-01-25" and version.entered_by_isu
    sign_out(page)

    # --- The State's focal point is asked to confirm, reads the original, and confirms.
    sign_in(page, focal_point.email, PASSWORD)
    page.wait_for_url("**/me/")
    page.goto("/reporting/")
    page.get_by_role(
        "link", name="Entered by the ISU from the original submitted on 25 January 2011 — please confirm"
    ).click()
    page.wait_for_url(f"**/reporting/{report.pk}/")
    with page.expect_download() as download:
        page.locator(".callout").get_by_role("link", name="Download the original").click()
    assert download.value.suggested_filename == "LAO-initial-original.pdf"
    assert download.value.path().read_bytes() == PDF_BYTES
    page.get_by_role("button", name="Confirm: this is our report").click()
    page.wait_for_load_state()
    assert "the report the ISU entered is confirmed" in page.content()
    version.refresh_from_db()
    assert version.confirmed_by == focal_point
    page.goto(f"/reporting/{report.pk}/v1/")
    assert "Confirmed by the State on" in page.content()
