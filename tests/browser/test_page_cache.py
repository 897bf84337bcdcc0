"""Public pages from the page cache (ccm_portal/core/page_cache.py) in a real browser: a reader who comes back, or
reloads, gets the page from the cache or a 304, and the page still works under the Content-Security-Policy (its
scripts run with the nonce of the answer that brought it), its language switcher still posts, and a change that
is published meanwhile shows on the next visit."""

import logging

import pytest
from django.core.cache import cache

from parties.models import Meeting

from .test_csp import violations, visit  # noqa: F401  (fixture and helper)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = ["/", "/states/", "/states/LAO/", "/meetings/", "/progress/", "/reports/", "/assistance/"]


@pytest.fixture
def page_cache_on(settings, reference_data):
    settings.CCM_PAGE_CACHE_SECONDS = 600
    cache.clear()


def test_pages_from_the_cache_and_304s_keep_working(page, violations, page_cache_on, caplog):  # noqa: F811
    caplog.set_level(logging.INFO, logger="ccm_portal.request")  # what the portal answered (the browser shows 200)
    for url in PAGES:
        visit(page, url)  # rendered and kept
    for url in PAGES:
        visit(page, url)  # from the cache: the browser has a CSRF cookie now, so a new ETag
        page.reload()  # the browser sends the ETag back: 304, and it shows the page it kept
        page.wait_for_load_state("load")
        assert page.locator("main h1").count() == 1, url
    answered = [record.getMessage() for record in caplog.records]
    for url in PAGES:
        assert f"GET {url} 304" in answered, f"the reload of {url} was answered in full: {answered}"
    visit(page, "/progress/")
    assert page.locator("main svg[role=img]").count() >= 1, "the charts are drawn on a page from the cache"
    assert not violations, violations

    # The language switcher of a page from the cache posts with a token the portal accepts.
    visit(page, "/states/")
    with page.expect_navigation():
        page.select_option("#language-select", "fr")
        page.locator(".lang-form button[type=submit]").click()
    assert page.locator("html").get_attribute("lang") == "fr"

    # A meeting added meanwhile (committed: the public data's version moves) shows on the next visit.
    Meeting.objects.filter(code="1MSP").update(place="Vientiane, published just now")
    from ccm_portal.core import data_version

    data_version.bump()
    visit(page, "/meetings/")
    assert page.get_by_text("Vientiane, published just now").count() >= 1
    assert not violations, violations
