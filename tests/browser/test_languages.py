"""The main journeys in each of the six languages, in a real browser: the public pages, a focal point saving Form B
and the ISU's review queue. Each page comes in the reader's language (the portal's words from the catalogues, the
page's lang, right to left in Arabic), with no policy violation, and the save keeps what was typed. A screenshot of
each page is kept under test-results/languages/ to be looked at."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation
from django.utils.html import escape

from parties.models import State
from reporting import services
from reporting.models import ReportKind
from tests.helpers import record_second_factor
from tests.reporting.conftest import fill_minimal

from .test_csp import violations  # noqa: F401  (fixture)
from .test_report_cycle import save_form

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANGUAGES = [code for code, _name in settings.LANGUAGES]
SHOTS = Path("test-results/languages")


def _in(language: str, text: str, context: str | None = None) -> str:
    with translation.override(language):
        return escape(translation.pgettext(context, text) if context else translation.gettext(text))


def _as(page, user, language: str) -> None:
    """The browser as ``user`` (None: the public), signed in as after a real sign-in, in ``language``."""
    origin = page.evaluate("location.origin")
    cookies = {settings.LANGUAGE_COOKIE_NAME: language}
    if user is not None:
        client = Client()
        client.force_login(user)
        record_second_factor(client, user)
        cookies[settings.SESSION_COOKIE_NAME] = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.clear_cookies()
    page.context.add_cookies([{"name": name, "value": value, "url": origin} for name, value in cookies.items()])


def _shows(page, url: str, language: str, words: list[str], shot: str) -> None:
    response = page.goto(url)
    assert response.status == 200, url
    html = page.content()
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
    for word in words:
        assert word in html, f"{url} in {language}: {word!r} not on the page"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{language}-{shot}.png"), full_page=False)


@pytest.fixture
def lao_draft(focal_point):
    """Lao PDR's 2024 annual update, a draft with one stockpile row on Form B."""
    lao = State.objects.get(iso3="LAO")
    report = services.start_report(state=lao, kind=ReportKind.ANNUAL, period_year=2024, actor=focal_point)
    stock = [{"_id": "s1", "type": "BLU-26", "munitions": "10", "submunitions": "5"}]
    content = fill_minimal(report, form_b_stock=stock)
    return services.save_draft(report=report, content=content, base_revision=report.revision, actor=focal_point)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_main_journeys_in_each_language(page, violations, language, focal_point, isu_staff, lao_draft):  # noqa: F811
    page.goto("/healthz")  # an origin for the cookies

    # --- The public.
    _as(page, None, language)
    nav = [_in(language, word) for word in ("States", "Report archive", "Progress", "Sign in")]
    _shows(page, "/", language, nav, "home")
    _shows(page, "/states/", language, nav, "states")
    _shows(page, "/progress/", language, [*nav, _in(language, "Progress to date")], "progress")
    assert page.locator("main svg[role=img]").count() >= 1, "the charts are drawn"
    _shows(page, "/reports/", language, nav, "archive")

    # --- A focal point saves Form B: what was typed is kept, the page stays in the language.
    _as(page, focal_point, language)
    form_b = f"/reporting/{lao_draft.pk}/forms/B/"
    _shows(page, form_b, language, [_in(language, "Sign out")], "form-b")
    page.fill("[name='t-stockpile-s1-munitions']", "7")
    save_form(page)
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator("[name='t-stockpile-s1-munitions']").input_value() == "7"
    lao_draft.refresh_from_db()
    assert lao_draft.draft["forms"]["B"]["tables"]["stockpile"][0]["munitions"] in (7, "7")

    # --- The ISU's review queue.
    _as(page, isu_staff, language)
    _shows(page, "/isu/reviews/", language, [_in(language, "Reviews")], "reviews")
    assert not violations, violations
