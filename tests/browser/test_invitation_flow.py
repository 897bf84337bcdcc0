"""In a real browser: an ISU officer invites a colleague, who chooses a password and is led
straight to enrol an authenticator app, and then reaches the staff page."""

import re

import pytest
from django.core import mail

from accounts.models import Role, User
from tests.factories import PASSWORD
from tests.helpers import totp_now

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "a long and new passphrase 2026"


def submit_form_with(page, field_selector):
    """Click the first submit button of the form holding ``field_selector`` (not a Cancel beside it)."""
    page.locator("form").filter(has=page.locator(field_selector)).locator("[type=submit]").first.click()


def sign_in(page, email, password):
    page.goto("/accounts/login/")
    page.fill("#id_login", email)
    page.fill("#id_password", password)
    submit_form_with(page, "#id_password")


def test_invitation_first_login_totp_enrolment_then_staff_page(page, isu_staff):
    # The inviting officer signs in with password and authenticator code.
    sign_in(page, isu_staff.email, PASSWORD)
    page.wait_for_url("**/accounts/2fa/authenticate/")
    page.fill("#id_code", totp_now(isu_staff.totp_secret))
    submit_form_with(page, "#id_code")
    page.wait_for_url("**/me/")

    # ... and invites a new colleague from the staff page.
    page.goto("/isu/invitations/new/")
    page.fill("#id_email", "new.officer@example.org")
    page.fill("#id_full_name", "New Officer")
    page.select_option("#id_role", Role.ISU_STAFF.value)
    submit_form_with(page, "#id_email")
    page.wait_for_url("**/isu/")
    assert "new.officer@example.org" in page.content()
    page.locator("form[action='/accounts/logout/'] [type=submit]").first.click()

    # The colleague follows the link in the e-mail and chooses a password.
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+(/invitations/\S+/)", mail.outbox[0].body).group(1)
    page.goto(link)
    assert "new.officer@example.org" in page.content()
    page.fill("#id_full_name", "New Officer")
    page.fill("#id_password1", NEW_PASSWORD)
    page.fill("#id_password2", NEW_PASSWORD)
    submit_form_with(page, "#id_password2")
    # Straight on to enrolment, signed in: the invitation link proved the mailbox, and the account
    # holds no staff capability until the app is set up.
    page.wait_for_url(re.compile(r".*/accounts/2fa/totp/activate/.*"))
    assert User.objects.get(email="new.officer@example.org").role == Role.ISU_STAFF
    secret = page.input_value("#authenticator_secret")
    assert re.fullmatch(r"[A-Z2-7]{16,}", secret)
    page.fill("#id_code", totp_now(secret))
    submit_form_with(page, "#id_code")
    page.wait_for_load_state()

    # Now the staff page opens.
    page.goto("/isu/")
    assert page.url.endswith("/isu/")
    assert page.locator("h1").first.inner_text().strip() != ""
    assert "new.officer@example.org" in page.content()


def test_a_focal_point_cannot_open_staff_pages(page, focal_point):
    sign_in(page, focal_point.email, PASSWORD)
    page.wait_for_url("**/me/")
    assert "Lao" in page.content()
    response = page.goto("/isu/")
    assert response.status == 403


def test_the_public_browses_states_and_looks_back_in_time(page):
    page.goto("/states/")
    page.select_option("#id_region", "Europe")
    page.select_option("#id_status", "withdrawn")
    submit_form_with(page, "#id_region")
    page.wait_for_url(re.compile(r".*region=Europe.*"))
    rows = page.locator("main table tbody tr")
    assert rows.count() == 1
    assert "Lithuania" in rows.first.inner_text()
    rows.first.locator("a").first.click()
    page.wait_for_url("**/states/LTU/**")
    assert "Withdrawn" in page.content()
    page.fill("#id_as_of", "2020-01-01")
    submit_form_with(page, "#id_as_of")
    page.wait_for_url(re.compile(r".*as_of=2020-01-01.*"))
    assert "State Party" in page.locator("main").inner_text()
