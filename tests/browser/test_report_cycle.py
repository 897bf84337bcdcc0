"""The whole Article 7 cycle in a real browser: the focal point starts from last year, edits
Forms B and F, meets a stockpile-balance warning, fixes it and submits; the reviewer comments on
a row of Form F and asks for changes; the focal point fixes and resubmits; the reviewer accepts
and publishes; the public page shows the report."""

import re
import time

import pytest

from parties.models import State
from reporting import services
from reporting.models import Report, ReportKind, ReportStatus
from tests.factories import PASSWORD
from tests.helpers import totp_now
from tests.reporting.conftest import fill_minimal

from .test_invitation_flow import sign_in, submit_form_with

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def last_year(focal_point, isu_staff):
    """Lao PDR's accepted report for 2023: 10 BLU-26 in stock, one contaminated area."""
    lao = State.objects.get(iso3="LAO")
    report = services.start_report(state=lao, kind=ReportKind.ANNUAL, period_year=2023, actor=focal_point)
    content = fill_minimal(
        report, form_b_stock=[{"_id": "s1", "type": "BLU-26", "munitions": "10", "submunitions": "3000"}]
    )
    content["forms"]["F"].update(choice="changed", na_statement="")
    content["forms"]["F"]["narratives"] = {"programme": "Survey continued."}
    content["forms"]["F"]["tables"]["areas"] = [
        {"_id": "f1", "location": "Xieng Khouang", "area": "4 km2", "status": "confirmed"}
    ]
    report = services.save_draft(report=report, content=content, base_revision=report.revision, actor=focal_point)
    services.set_visibility(report=report, visibility="public", actor=focal_point)
    services.submit_report(report=report, actor=focal_point)
    services.start_review(report=report, actor=isu_staff)
    services.accept_report(report=report, actor=isu_staff)
    return report


def sign_out(page):
    page.locator("form[action='/accounts/logout/'] [type=submit]").first.click()
    page.wait_for_load_state()


_used_codes: set[str] = set()


def fresh_code(secret: str) -> str:
    """A TOTP code not used before: a code is accepted once (replay protection), so wait for the next one."""
    code = totp_now(secret)
    while code in _used_codes:
        time.sleep(1)
        code = totp_now(secret)
    _used_codes.add(code)
    return code


def sign_in_reviewer(page, reviewer):
    sign_in(page, reviewer.email, PASSWORD)
    page.wait_for_url("**/accounts/2fa/authenticate/")
    page.fill("#id_code", fresh_code(reviewer.totp_secret))
    submit_form_with(page, "#id_code")
    page.wait_for_url("**/me/")


def save_form(page):
    # The editor may be autosaving; its script lets that save finish before submitting, so wait
    # for the page that the Save button's own submission brings.
    with page.expect_navigation():
        page.locator("main form [type=submit][name=save]").last.click()
    page.wait_for_load_state()


def test_the_whole_reporting_cycle(page, focal_point, isu_staff, last_year):
    page.on("dialog", lambda dialog: dialog.accept())

    # --- The focal point starts the 2024 update from last year's accepted report.
    sign_in(page, focal_point.email, PASSWORD)
    page.wait_for_url("**/me/")
    page.goto("/reporting/")
    page.check("#from-last-annual-2024")
    page.locator("form.owed-form").filter(has=page.locator("#from-last-annual-2024")).locator("[type=submit]").click()
    page.wait_for_url(re.compile(r".*/reporting/\d+/$"))
    report = Report.objects.get(state__iso3="LAO", period_year=2024)
    assert report.based_on is not None

    # --- Form B: three munitions were destroyed, but only the stock is lowered: the balance is off.
    page.goto(f"/reporting/{report.pk}/forms/B/")
    page.fill("[name='t-stockpile-s1-munitions']", "7")
    page.check("#f-B-changed")  # the focal point's choice: the editor only suggests it (issue 12)
    save_form(page)
    assert "last year's stock" in page.content()

    # Fix it: record the destruction.
    with page.expect_navigation():
        page.locator("button[name=add_row][value=destroyed]").click()
    row = page.locator("tr[data-row-id]").filter(has=page.locator("[name$='-type'][name^='t-destroyed-']")).last
    row.locator("[name^='t-destroyed-'][name$='-type']").fill("BLU-26")
    row.locator("[name^='t-destroyed-'][name$='-munitions']").fill("3")
    row.locator("[name^='t-destroyed-'][name$='-submunitions']").fill("0")
    save_form(page)
    assert "last year's stock" not in page.content()

    # --- Form F: clearance during the year.
    page.goto(f"/reporting/{report.pk}/forms/F/")
    page.check("#f-F-changed")
    with page.expect_navigation():
        page.locator("button[name=add_row][value=cleared]").click()
    row = page.locator("tr[data-row-id]").filter(has=page.locator("[name^='t-cleared-'][name$='-location']")).last
    row.locator("[name^='t-cleared-'][name$='-location']").fill("Xieng Khouang")
    row.locator("[name^='t-cleared-'][name$='-area']").fill("0.5 km2")
    save_form(page)
    assert "500,000" in page.content()  # stored and shown in square metres

    # --- Submit.
    page.goto(f"/reporting/{report.pk}/")
    page.get_by_role("button", name="Submit to the ISU").click()
    page.wait_for_load_state()
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    forms = report.versions.get().content["forms"]
    assert (forms["B"]["choice"], forms["F"]["choice"], forms["A"]["choice"]) == ("changed", "changed", "unchanged")
    sign_out(page)

    # --- The reviewer comments on the cleared row of Form F and requests changes.
    sign_in_reviewer(page, isu_staff)
    page.goto("/isu/reviews/")
    assert "Lao" in page.content()
    page.goto(f"/isu/reviews/{report.pk}/")
    page.get_by_role("button", name="Start review").click()
    page.wait_for_load_state()
    cleared_id = forms["F"]["tables"]["cleared"][0]["_id"]
    comment_form = page.locator(f"form.comment-form:has(input[name=row_id][value='{cleared_id}'])")
    comment_form.locator("xpath=..").locator("summary").click()
    comment_form.locator("textarea[name=body]").fill("Which part of Xieng Khouang? Give the district.")
    comment_form.locator("[type=submit]").click()
    page.wait_for_load_state()
    assert "Give the district." in page.content()
    page.fill("#id_reason", "Form F: name the district of the cleared area.")
    page.get_by_role("button", name="Request changes").click()
    page.wait_for_load_state()
    report.refresh_from_db()
    assert report.status == ReportStatus.CHANGES_REQUESTED
    sign_out(page)

    # --- The focal point sees exactly what to fix, fixes it and resubmits.
    sign_in(page, focal_point.email, PASSWORD)
    page.wait_for_url("**/me/")
    page.goto(f"/reporting/{report.pk}/")
    assert "name the district of the cleared area" in page.content()
    assert "Give the district." in page.content()
    page.goto(f"/reporting/{report.pk}/forms/F/")
    assert "Give the district." in page.locator(f"[data-comments-for='{cleared_id}']").inner_text()
    page.fill(f"[name='t-cleared-{cleared_id}-location']", "Xieng Khouang, Pek district")
    save_form(page)
    page.goto(f"/reporting/{report.pk}/")
    page.get_by_role("button", name="Submit to the ISU").click()
    page.wait_for_load_state()
    report.refresh_from_db()
    assert report.status == ReportStatus.RESUBMITTED
    sign_out(page)

    # --- The reviewer accepts and publishes.
    sign_in_reviewer(page, isu_staff)
    page.goto(f"/isu/reviews/{report.pk}/")
    assert "Pek district" in page.content()
    page.get_by_role("button", name="Start review").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Accept").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Publish").click()
    page.wait_for_load_state()
    report.refresh_from_db()
    assert report.status == ReportStatus.PUBLISHED
    sign_out(page)

    # --- The public page shows it, and the frozen version reads as submitted.
    page.goto("/states/LAO/")
    reports = page.locator("#reports-title").locator("xpath=ancestor::section[1]")
    assert "2024" in reports.inner_text()
    reports.get_by_role("link", name="2024").click()
    page.wait_for_load_state()
    assert "Pek district" in page.content()
    assert "0.5 km²" in page.content()  # shown as the focal point typed it (stored as 500,000 m²)
