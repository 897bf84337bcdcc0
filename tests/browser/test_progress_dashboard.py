"""The "progress to date" dashboard in a real browser: the public picks a past date and sees the
figures of that day (the published totals of the 8th Meeting of States Parties' period), follows a
figure to the States behind it, and comes back to today."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def states_parties(page) -> str:
    return page.locator("#figure-states-parties .progress-figure__n").inner_text()


def test_the_public_picks_a_past_date_and_the_figures_change(page, reference_data):
    page.goto("/progress/")
    today = states_parties(page)
    assert int(today) >= 112

    # 1 August 2018: 103 States Parties (the figure the ISU published for that day).
    page.fill("#id_as_of", "2018-08-01")
    with page.expect_navigation():
        page.locator("form.asof-form [type=submit]").click()
    assert "as_of=2018-08-01" in page.url
    assert states_parties(page) == "103"
    assert "1 August 2018" in page.inner_text("main")

    # Lithuania was a State Party then; the list behind the figure says so.
    with page.expect_navigation():
        page.locator("#figure-states-parties .progress-figure__link a").click()
    assert "as_of=2018-08-01" in page.url
    assert "Lithuania" in page.inner_text("main")

    # A date that does not exist (typed into the address) is refused with a message; today's figures show.
    response = page.goto("/progress/?as_of=2018-02-30")
    assert response.status == 400
    assert page.locator(".error-summary, [role=alert]").count() >= 1
    assert states_parties(page) == today
