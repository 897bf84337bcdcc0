"""A researcher finds the open-data API from the footer, reads its documentation in the browser and tries an
operation there, under the portal's Content-Security-Policy (no violation, nothing from another site)."""

import pytest

from .test_csp import violations  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_researcher_reads_the_docs_and_tries_the_meetings_list(page, live_server, violations):  # noqa: F811
    outside = []
    page.on(
        "request", lambda request: outside.append(request.url) if not request.url.startswith(live_server.url) else None
    )
    page.goto("/states/")
    page.get_by_role("link", name="Open-data API (documentation)").click()
    page.wait_for_url("**/api/v1/docs/")
    page.get_by_text("CCM Portal open data").first.wait_for()
    page.get_by_role("button", name="GET /api/v1/meetings", exact=False).first.click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    response = page.locator(".live-responses-table tbody .response-col_status").first
    response.wait_for()
    assert response.inner_text().strip().startswith("200")
    assert "11MSP" in page.locator(".live-responses-table .microlight").first.inner_text()
    page.screenshot(path="test-results/api-docs.png", full_page=False)
    assert violations == []
    assert outside == [], "the docs load nothing from another site"
