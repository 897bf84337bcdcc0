"""In a real browser: a focal point invites a national contributor from the team page, the contributor follows the
link and chooses a password, and the focal point then sees them on the team and can take them off it."""

import re

import pytest
from django.core import mail

from accounts.models import Role, User
from tests.browser.test_invitation_flow import sign_in, submit_form_with
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "a long and new passphrase 2026"


def test_a_focal_point_builds_the_national_reporting_team(page, focal_point):
    sign_in(page, focal_point.email, PASSWORD)
    page.wait_for_url("**/me/")
    page.get_by_role("link", name="National reporting team").click()
    page.wait_for_url("**/me/team/")
    # A form sent without the body keeps what was typed and says what is missing.
    page.fill("#id_full_name", "Somsak Phommachanh")
    page.fill("#id_email", "somsak@mod.example.la")
    submit_form_with(page, "#id_email")
    assert page.input_value("#id_full_name") == "Somsak Phommachanh"
    assert page.locator("#id_organization[aria-invalid=true]").count() == 1
    page.fill("#id_organization", "Ministry of Defence")
    submit_form_with(page, "#id_email")
    page.wait_for_url("**/me/team/")
    assert "Invitations not yet accepted" in page.content() and "somsak@mod.example.la" in page.content()
    page.locator("form[action='/accounts/logout/'] [type=submit]").first.click()

    link = re.search(r"https?://\S+(/invitations/\S+/)", mail.outbox[0].body).group(1)
    page.goto(link)
    page.fill("#id_full_name", "Somsak Phommachanh")
    page.fill("#id_password1", NEW_PASSWORD)
    page.fill("#id_password2", NEW_PASSWORD)
    submit_form_with(page, "#id_password2")
    page.wait_for_load_state()
    contributor = User.objects.get(email="somsak@mod.example.la")
    assert (contributor.role, contributor.state_id) == (Role.CONTRIBUTOR, focal_point.state_id)

    page.context.clear_cookies()
    sign_in(page, focal_point.email, PASSWORD)
    page.wait_for_url("**/me/")
    page.goto("/me/team/")
    row = page.locator("main table tbody tr").filter(has_text="Somsak Phommachanh")
    assert "Ministry of Defence" in row.inner_text() and "Active" in row.inner_text()
    page.once("dialog", lambda dialog: dialog.accept())  # "Take … off the team?"
    row.get_by_role("button", name=re.compile("Take off the team")).click()
    page.wait_for_url("**/me/team/")
    assert "Inactive" in page.locator("main table tbody tr").filter(has_text="Somsak Phommachanh").inner_text()
    contributor.refresh_from_db()
    assert not contributor.is_active


def test_two_contributors_and_the_focal_point_complete_and_submit_a_report(page, focal_point, mod, nra):
    from reporting import services
    from reporting.models import Report, ReportKind, ReportStatus
    from tests.browser.test_report_cycle import save_form, sign_out
    from tests.reporting.conftest import fill_minimal

    report = services.start_report(
        state=focal_point.state, kind=ReportKind.INITIAL, period_year=None, actor=focal_point
    )
    content = fill_minimal(report)
    for code in ("B", "F"):  # left for the contributors
        content["forms"][code].update(choice="", na_statement="")
    report = services.save_draft(report=report, content=content, base_revision=0, actor=focal_point)
    services.set_visibility(report=report, visibility="public", actor=focal_point)
    page.on("dialog", lambda dialog: dialog.accept())

    # --- The focal point gives Form B to the ministry of defence and Form F to the mine action authority.
    sign_in(page, focal_point.email, PASSWORD)
    page.wait_for_url("**/me/")
    page.goto(f"/reporting/{report.pk}/")
    page.get_by_role("link", name="Who works on which form").click()
    page.select_option("#id_contributor-B", label=f"{mod.get_full_name()} (Ministry of Defence)")
    page.fill("#id_due-B", "2027-03-01")
    page.select_option("#id_contributor-F", label=f"{nra.get_full_name()} (NRA)")
    page.fill("#id_due-F", "2027-03-15")
    submit_form_with(page, "#id_due-F")
    page.wait_for_load_state()
    assert "Who works on which form is saved." in page.content()
    sign_out(page)

    # --- The ministry of defence fills in its stockpile and hands Form B back.
    sign_in(page, mod.email, PASSWORD)
    page.wait_for_url("**/me/")
    page.get_by_role("link", name="My forms").first.click()
    page.get_by_role("link", name="Form B").click()
    page.wait_for_url(f"**/reporting/{report.pk}/forms/B/")
    assert page.locator(".report-nav [data-nav-code]").count() == 1  # their form only
    page.check("#f-B-changed")
    with page.expect_navigation():
        page.locator("button[name=add_row][value=stockpile]").click()
    row = page.locator("tr[data-row-id]").filter(has=page.locator("[name^='t-stockpile-'][name$='-type']")).last
    row.locator("[name$='-type']").fill("M77")
    row.locator("[name$='-munitions']").fill("12")
    row.locator("[name$='-submunitions']").fill("1056")
    save_form(page)
    page.get_by_role("button", name="Ready for the focal point").click()
    page.wait_for_url("**/reporting/my-forms/")
    assert "Form B is ready for the focal point" in page.content()
    sign_out(page)

    # --- The mine action authority says Form F does not apply, and hands it back.
    sign_in(page, nra.email, PASSWORD)
    page.wait_for_url("**/me/")
    page.goto("/reporting/my-forms/")
    page.get_by_role("link", name="Form F").click()
    page.check("#f-F-not-applicable")
    page.fill("#f-F-na", "No cluster munition remnants are known in areas under our jurisdiction.")
    save_form(page)
    page.get_by_role("button", name="Ready for the focal point").click()
    page.wait_for_url("**/reporting/my-forms/")
    sign_out(page)

    # --- The focal point reads what changed in Form B, then submits the report to the ISU.
    sign_in(page, focal_point.email, PASSWORD)
    page.wait_for_url("**/me/")
    page.goto(f"/reporting/{report.pk}/team/")
    assert page.locator("main table tbody tr").filter(has_text="Ready for the focal point").count() == 2
    page.get_by_role("link", name=re.compile("What changed in Form B")).click()
    changes = page.locator("main").inner_text()
    assert "M77" in changes and "Ministry of Defence" in changes
    page.get_by_role("button", name="I have read these changes").click()
    page.wait_for_load_state()
    assert "Nothing has changed in this form since you last looked." in page.content()
    page.goto(f"/reporting/{report.pk}/")
    page.get_by_role("button", name="Submit to the ISU").click()
    page.wait_for_load_state()
    report = Report.objects.get(pk=report.pk)
    assert report.status == ReportStatus.SUBMITTED
    forms = report.versions.get().content["forms"]
    assert [row["type"] for row in forms["B"]["tables"]["stockpile"]] == ["M77"]
    assert forms["F"]["choice"] == "not_applicable"
