"""Issue 12 in a real browser: the 2025 update started from the accepted 2024 report whose Form F rows
have ids like the old demo seed's (``demo-f1``). The editor shows the rows, choosing "Changed" autosaves
without losing them, and after an autosave that finds an error the banner and the tab stop saying the
form is complete."""

import re

import pytest
from playwright.sync_api import expect

from parties.models import State
from reporting import services
from reporting.models import Report, ReportKind
from tests.factories import PASSWORD
from tests.reporting.conftest import fill_minimal
from tests.reporting.test_focal_views import DEMO_AREAS, DEMO_CLEARED

from .test_invitation_flow import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Rows stored with ids of the old demo's shape (issue 12, finding 1): the same rows as the view tests.
AREAS, CLEARED = DEMO_AREAS, DEMO_CLEARED


@pytest.fixture
def accepted_2024(focal_point, isu_staff):
    lao = State.objects.get(iso3="LAO")
    report = services.start_report(state=lao, kind=ReportKind.ANNUAL, period_year=2024, actor=focal_point)
    content = fill_minimal(report)
    content["forms"]["F"].update(choice="changed", na_statement="", narratives={"programme": "Survey continued."})
    content["forms"]["F"]["tables"].update(areas=AREAS, cleared=CLEARED)
    report = services.save_draft(report=report, content=content, base_revision=report.revision, actor=focal_point)
    services.set_visibility(report=report, visibility="public", actor=focal_point)
    services.submit_report(report=report, actor=focal_point)
    services.start_review(report=report, actor=isu_staff)
    services.accept_report(report=report, actor=isu_staff)
    return report


def test_rows_with_old_ids_are_shown_kept_and_the_status_follows_each_autosave(page, focal_point, accepted_2024):
    sign_in(page, focal_point.email, PASSWORD)
    page.wait_for_url("**/me/")
    page.goto("/reporting/")
    page.check("#from-last-annual-2025")
    page.locator("form.owed-form").filter(has=page.locator("#from-last-annual-2025")).locator("[type=submit]").click()
    page.wait_for_url(re.compile(r".*/reporting/\d+/$"))
    report = Report.objects.get(state__iso3="LAO", period_year=2025)
    stored = report.draft["forms"]["F"]["tables"]
    assert [row["_id"] for row in stored["areas"]] == ["demo-f1", "demo-f2"]

    # Form F shows last year's three rows.
    page.goto(f"/reporting/{report.pk}/forms/F/")
    rows = page.locator("tr[data-row-id]")
    expect(rows).to_have_count(3)
    assert "No rows yet" not in page.content()
    expect(page.locator("#table-areas input[value='Demo Province South']")).to_have_count(1)

    # Choosing "Changed" autosaves; the rows stay, in the draft and after a reload.
    status = page.locator("#save-status")
    page.check("#f-F-changed")
    expect(status).to_contain_text("Saved at", timeout=10_000)
    expect(status).to_contain_text("This part is complete.")
    report.refresh_from_db()
    assert report.draft["forms"]["F"]["choice"] == "changed"
    assert report.draft["forms"]["F"]["tables"] == stored
    page.reload()
    expect(page.locator("tr[data-row-id]")).to_have_count(3)
    expect(page.locator("#f-F-changed")).to_be_checked()
    banner = page.locator("[data-editor-status]")
    tab = page.locator("[data-nav-code='F']")
    expect(banner).to_contain_text("Form F is complete.")
    expect(tab).to_have_class(re.compile(r"\bis-complete\b"))

    # An autosave that finds an error: banner, tab and save bar all say "not complete".
    area = page.locator("#table-areas tr[data-row-id]").first.locator("input[name$='-area']")
    area.fill("twelve")
    area.blur()
    expect(status).to_contain_text("This part is not complete yet.", timeout=10_000)
    expect(banner).not_to_contain_text("Form F is complete.")
    expect(banner).to_contain_text("Fix the problems marked on this page")
    expect(tab).not_to_have_class(re.compile(r"\bis-complete\b"))
    expect(tab.locator("[data-nav-icon]")).to_be_hidden()
    expect(page.locator(".cell-error").first).to_be_visible()
