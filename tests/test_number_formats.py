"""Figures as each language's readers write them (CLDR, through ccm_portal.core.formats): an amount of the
assistance overview grouped "1,234,567.50" in English, Arabic and Chinese and "1 234 567,50" in French, where
Django's own formats wrote "1234567,50" in Arabic and "1234567.50" in Chinese; machine outputs stay plain. And the
JavaScript catalogue (/jsi18n/) that gives the scripts the same formats and their own words."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from django.utils import formats, translation

from reporting.checks import _grouped
from tests.assistance.test_overview import make_request

pytestmark = pytest.mark.django_db

NNBSP, NBSP = "\u202f", "\u00a0"
# CLDR's standard decimal pattern, #,##0.00, in each language (Latin digits).
AMOUNT = {
    "en": "1,234,567.50",
    "fr": f"1{NNBSP}234{NNBSP}567,50",
    "es": "1.234.567,50",
    "ar": "1,234,567.50",
    "ru": f"1{NBSP}234{NBSP}567,50",
    "zh-hans": "1,234,567.50",
}


def _reader(language: str) -> Client:
    reader = Client()
    reader.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return reader


@pytest.mark.parametrize("language", ["en", "fr", "ar", "zh-hans", "es", "ru"])
def test_the_assistance_overview_groups_an_amount_as_the_readers_language_does(reference_data, language):
    make_request("AUS", amount="1234567.50", title="Regional training", is_public=True)
    html = _reader(language).get("/assistance/").content.decode()
    assert f'<td class="num">{AMOUNT[language]}</td>' in html, "the coverage table's 'Needed'"
    assert re.search(rf"{re.escape(AMOUNT[language])} <abbr[^>]*>USD</abbr>", html), "the public request's amount"


def test_the_formats_come_from_cldr_and_the_dates_stay_djangos():
    with translation.override("ar"):
        assert (formats.get_format("DECIMAL_SEPARATOR"), formats.get_format("THOUSAND_SEPARATOR")) == (".", ",")
        assert formats.get_format("DATE_FORMAT") == "j F، Y"  # Django's Arabic date, untouched
    with translation.override("zh-hans"):
        assert formats.get_format("NUMBER_GROUPING") == 3
        assert formats.number_format(Decimal("12345678"), force_grouping=True) == "12,345,678"
    with translation.override("fr"):
        assert formats.get_format("DATE_FORMAT") == "j F Y"
        # Years and ids are not grouped: grouping is asked for where a figure is shown, not everywhere.
        assert formats.localize(2026) == "2026"


def test_a_finding_of_the_cross_checks_writes_its_quantities_in_the_readers_language():
    with translation.override("fr"):
        assert _grouped(Decimal("1234567.5")) == f"1{NNBSP}234{NNBSP}567,5"
    with translation.override("en"):
        assert _grouped(Decimal("1234567.5")) == "1,234,567.5"


def test_the_json_twin_keeps_amounts_plain(reference_data):
    make_request("AUS", amount="1234567.50", title="Regional training", is_public=True)
    answer = _reader("fr").get("/assistance/", {"format": "json"})
    assert answer["Content-Type"].startswith("application/json")
    assert '"1234567.50"' in answer.content.decode()
    assert NNBSP not in answer.content.decode()


# --- The JavaScript catalogue ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("language", "separator", "decimal", "percent"),
    [("fr", "\\u202f", ",", "%(share)s\\u00a0%%"), ("ar", ",", ".", "%(share)s%%"), ("en", ",", ".", None)],
)
def test_the_javascript_catalogue_gives_the_scripts_their_words_and_the_pages_number_format(
    language, separator, decimal, percent
):
    answer = Client().get("/jsi18n/", {"lang": language})
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/javascript")
    body = answer.content.decode()
    assert f'"THOUSAND_SEPARATOR": "{separator}"' in body
    assert f'"DECIMAL_SEPARATOR": "{decimal}"' in body
    assert '"NUMBER_GROUPING": 3' in body
    if percent:  # the portal's own djangojs catalogue, and only it (not the admin's words)
        assert f'"%(share)s%%": "{percent}"' in body
        assert "Available %s" not in body
    else:
        assert "newcatalog" not in body


def test_the_javascript_catalogue_is_cached_and_answers_not_modified(settings):
    reader = Client()
    first = reader.get("/jsi18n/", {"lang": "fr"})
    assert "public" in first["Cache-Control"] and "max-age=3600" in first["Cache-Control"]
    again = reader.get("/jsi18n/", {"lang": "fr"}, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    # Another language is another catalogue: its own tag, never the French one's 304.
    arabic = reader.get("/jsi18n/", {"lang": "ar"}, HTTP_IF_NONE_MATCH=first["ETag"])
    assert arabic.status_code == 200 and arabic["ETag"] != first["ETag"]
    assert reader.post("/jsi18n/").status_code == 405


def test_a_too_long_text_says_its_limit_grouped_as_the_reader_groups_numbers():
    from reporting.formats import Column, clean_cell

    column = Column(key="summary", label="Summary", type="longtext", max_length=20000)
    for language, limit in (("en", "20,000"), ("fr", "20\u202f000"), ("ar", "20,000")):
        with translation.override(language), pytest.raises(ValueError) as refused:
            clean_cell(column, "x" * 20001)
        assert limit in str(refused.value) and "20000" not in str(refused.value)
