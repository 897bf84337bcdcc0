"""One assistance request in a real browser, from filing to delivery: Lao PDR's focal point files
a request (first with a period that ends before it starts, which is refused and keeps what was
typed), the coordinator sees Norway's offer ranked with its reasons and proposes a match, Norway
and Lao PDR accept, Norway records commitment and delivery, and the remaining gap shrinks."""

import datetime as dt
import re
from decimal import Decimal

import pytest

from accounts.models import ThematicArea
from assistance.models import AssistanceRequest, Match, MatchStatus
from assistance.services import offers
from tests.factories import PASSWORD

from .test_invitation_flow import sign_in, submit_form_with

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def norway_offer(donor):
    return offers.create_offer(
        actor=donor,
        title="Clearance funding 2027–2028",
        areas=[ThematicArea.objects.get(code="clearance-rre")],
        kinds=["financial"],
        regions=["Asia"],
        period_start=dt.date(2027, 1, 1),
        period_end=dt.date(2028, 12, 31),
        budget_min=Decimal("50000"),
        budget_max=Decimal("400000"),
        currency="USD",
    )


def sign_out(page):
    page.locator("form[action='/accounts/logout/'] [type=submit]").first.click()
    page.wait_for_load_state()


def gap_text(page) -> str:
    return page.locator(".funding-gap dd").first.inner_text()


def test_a_request_goes_from_filing_to_delivery_and_its_gap_shrinks(
    page, focal_point, coordinator, donor, norway_offer
):
    # The focal point files a request; a period ending before it starts is refused, nothing is lost.
    sign_in(page, focal_point.email, PASSWORD)
    page.wait_for_url("**/me/")
    page.get_by_role("link", name="Assistance requests").click()
    page.goto("/assistance/requests/new/")
    page.fill("#id_title", "Survey of Xieng Khouang")
    page.select_option("#id_area", label="Clearance and risk reduction education")
    page.get_by_label("Financial").check()
    page.fill("#id_description", "Non-technical survey of 40 villages.")
    page.fill("#id_amount", "300000")
    page.fill("#id_currency", "USD")
    page.fill("#id_period_start", "2027-03-01")
    page.fill("#id_period_end", "2026-03-01")
    with page.expect_navigation():
        submit_form_with(page, "#id_title")
    assert "The period ends before it starts." in page.content()
    assert page.input_value("#id_description") == "Non-technical survey of 40 villages."
    assert not AssistanceRequest.objects.exists()
    page.fill("#id_period_end", "2027-12-31")
    with page.expect_navigation():
        submit_form_with(page, "#id_title")
    request = AssistanceRequest.objects.get()
    page.wait_for_url(f"**/assistance/requests/{request.pk}/")
    assert "300,000" in gap_text(page)
    sign_out(page)

    # The coordinator of the area sees the request on the board, with Norway's offer and why it ranks.
    sign_in(page, coordinator.email, PASSWORD)
    page.wait_for_url("**/me/")
    page.get_by_role("link", name="Matching").click()
    page.wait_for_url("**/assistance/board/")
    assert "Survey of Xieng Khouang" in page.content()
    page.goto(f"/assistance/board/{request.pk}/")
    row = page.locator("tr").filter(has_text="Clearance funding 2027–2028")
    assert "covers the thematic area" in row.inner_text()
    assert "the donor names this region" in row.inner_text()
    row.locator("input[name=amount]").fill("250000")
    with page.expect_navigation():
        row.get_by_role("button", name=re.compile("Propose")).click()
    match = Match.objects.get()
    page.wait_for_url(f"**/assistance/matches/{match.pk}/")
    sign_out(page)

    # Norway accepts, then Lao PDR accepts.
    for user in (donor, focal_point):
        sign_in(page, user.email, PASSWORD)
        page.wait_for_url("**/me/")
        page.goto(f"/assistance/matches/{match.pk}/")
        page.get_by_label("Accept the match").check()
        with page.expect_navigation():
            page.get_by_role("button", name="Send your answer").click()
        sign_out(page)
    match.refresh_from_db()
    assert match.status == MatchStatus.ACCEPTED

    # Norway records commitment and delivery.
    sign_in(page, donor.email, PASSWORD)
    page.wait_for_url("**/me/")
    page.goto(f"/assistance/matches/{match.pk}/")
    with page.expect_navigation():
        page.get_by_role("button", name="Record the commitment").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Record the delivery").click()
    match.refresh_from_db()
    assert match.status == MatchStatus.DELIVERED
    sign_out(page)

    # The State sees the gap shrink from 300,000 to 50,000 USD.
    sign_in(page, focal_point.email, PASSWORD)
    page.wait_for_url("**/me/")
    page.goto(f"/assistance/requests/{request.pk}/")
    assert "50,000" in gap_text(page)
    assert "Delivered" in page.content()
