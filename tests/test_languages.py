"""Each of the six languages, as a reader who chose it sees the public pages: the portal's own words in that
language (from the compiled catalogues, locale/), the page's lang and direction, nothing left in English in the
navigation."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation
from django.utils.html import escape

pytestmark = pytest.mark.django_db

LANGUAGES = [code for code, _name in settings.LANGUAGES]
# Words of the portal's own that every public page shows (the header's navigation and the footer).
NAVIGATION = ["Home", "States", "Meetings", "Report archive", "Progress", "Assistance", "Sign in"]


def _in(language: str, text: str) -> str:
    with translation.override(language):
        return translation.gettext(text)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("url", ["/", "/states/", "/progress/", "/reports/", "/meetings/"])
def test_a_reader_who_chose_a_language_reads_the_page_in_it(reference_data, language, url):
    reader = Client()
    reader.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = reader.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    opening = re.search(r"<html[^>]*>", html).group(0)
    assert f'lang="{language}"' in opening
    assert ('dir="rtl"' in opening) == (language == "ar")
    assert "{#" not in html and "{%" not in html, "template syntax shown as text (a {# #} comment spans one line only)"
    translated_words = [_in(language, word) for word in NAVIGATION]
    if language != "en":  # a word may be the same in both ("Assistance" in French), not the whole navigation
        assert sum(t != w for t, w in zip(translated_words, NAVIGATION, strict=True)) >= len(NAVIGATION) - 2
    for word, translated in zip(NAVIGATION, translated_words, strict=True):
        assert escape(translated) in html, f"{url} in {language}: {translated!r} ({word!r}) not on the page"
