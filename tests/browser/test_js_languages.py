"""The scripts write in the page's language, not the browser's: the report editor's character counter on a French
page groups "1 234 / 20 000" as the page's own figures do (the JavaScript catalogue, /jsi18n/, with the CLDR
formats), in a browser whose own language is English (en-GB, which would write "1,234")."""

from __future__ import annotations

import pytest

from parties.models import State
from reporting import services
from reporting.models import ReportKind

from .test_csp import violations  # noqa: F401  (fixture)
from .test_languages import _as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NNBSP = "\u202f"


@pytest.fixture
def lao_draft(focal_point):
    lao = State.objects.get(iso3="LAO")
    return services.start_report(state=lao, kind=ReportKind.ANNUAL, period_year=2024, actor=focal_point)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", f"(1{NNBSP}234 / 20{NNBSP}000)"),
        ("ar", "(1,234 / 20,000)"),
        ("zh-hans", "（1,234 / 20,000）"),
    ],
)
def test_the_character_counter_counts_in_the_pages_language(
    page,
    violations,  # noqa: F811
    focal_point,
    lao_draft,
    language,
    expected,
):
    page.goto("/healthz")  # an origin for the cookies
    _as(page, focal_point, language)
    response = page.goto(f"/reporting/{lao_draft.pk}/forms/A/")
    assert response.status == 200
    assert page.locator("html").get_attribute("lang") == language
    counter = page.locator("[data-count-for]").first
    field_id = counter.get_attribute("data-count-for")
    page.fill(f"#{field_id}", "x" * 1234)
    assert counter.text_content() == expected
    assert not violations, violations
