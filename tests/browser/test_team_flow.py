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
