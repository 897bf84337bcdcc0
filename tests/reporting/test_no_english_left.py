"""Pages read in another language hold none of the portal's English sentences.

Every sentence of the catalogue (its longest run of words between placeholders, four words or more) is looked
for in the text of the main pages each persona opens, read in each of the five other languages: one found there
is a string that does not pass through gettext, or one that a catalogue does not translate (the case of the 571
`_lazy` strings that makemessages never saw). Data stays as it was written (a State's source, a report's
content), so the pages here show the demo's own words only where the portal wrote them.
"""

from __future__ import annotations

import html
import re
from functools import cache

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.urls import reverse
from django.utils.translation import to_locale

from reporting import services
from tests.reporting.conftest import fill_minimal, publish_publicly

pytestmark = pytest.mark.django_db

LANGUAGES = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}")


def _words(text: str) -> str:
    return " ".join(text.split())


@cache
def sentences(language: str) -> tuple[str, ...]:
    """The English sentences whose translation in ``language`` differs from them (longest literal run)."""
    path = settings.BASE_DIR / "locale" / to_locale(language) / "LC_MESSAGES" / "django.po"
    found = set()
    for message in read_po(path.open("rb")):
        if not message.id or isinstance(message.id, tuple):
            continue
        if message.string == message.id:
            continue
        runs = [_words(html.unescape(re.sub(r"<[^>]+>", " ", run))) for run in PLACEHOLDER.split(message.id)]
        longest = max(runs, key=len)
        if len(longest.split()) >= 4:
            found.add(longest)
    return tuple(sorted(found))


def page_text(content: bytes) -> str:
    """What a reader sees: the body's text, without scripts and styles."""
    body = content.decode()
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    body = re.sub(r"<[^>]+>", " ", body)
    return _words(html.unescape(body))


def data_texts() -> list[str]:
    """What sources say, as written (citations, notes): data the pages quote, in the language of its source."""
    from parties.models import Meeting, Obligation, PublishedFigure, State
    from reporting.models import ReportingRecord

    texts = set()
    for model, fields in (
        (State, ("source", "notes")),
        (Obligation, ("source",)),
        (Meeting, ("source", "notes")),
        (PublishedFigure, ("source",)),
        (ReportingRecord, ("source",)),
    ):
        for row in model.objects.values_list(*fields):
            texts.update(_words(text) for text in row if text)
    return sorted(texts, key=len, reverse=True)


def english_left(client, url: str, language: str, data: list[str]) -> list[str]:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(url)
    assert response.status_code == 200, url
    text = page_text(response.content)
    for quoted in data:
        text = text.replace(quoted, " ")
    return [sentence for sentence in sentences(language) if sentence in text]


@pytest.fixture
def pages(client_for, focal_point, isu_staff, initial_report):
    """(client, url) for the main pages of the public, a focal point and the ISU, with a published report."""
    content = fill_minimal(
        initial_report, form_b_stock=[{"_id": "s1", "type": "M26", "munitions": "120", "submunitions": "77280"}]
    )
    report = services.save_draft(report=initial_report, content=content, base_revision=0, actor=focal_point)
    version = publish_publicly(report, focal_point, isu_staff)
    annual = services.start_report(state=report.state, kind="annual", period_year=2024, actor=focal_point)
    public = [
        "/",
        "/states/",
        "/states/LAO/",
        "/meetings/",
        "/reports/",
        version.get_absolute_url() if hasattr(version, "get_absolute_url") else "/reports/",
        "/progress/",
        "/assistance/",
    ]
    focal = [
        reverse("reporting:my_reports") if _has("reporting:my_reports") else "/reporting/",
        reverse("reporting:report_form", args=[annual.pk, "B"]),
        reverse("reporting:report_form", args=[annual.pk, "I"]),
        annual.get_absolute_url(),
    ]
    isu = ["/isu/reviews/", "/isu/deadlines/", "/isu/progress/"]
    return [("public", url) for url in public] + [("focal", url) for url in focal] + [("isu", url) for url in isu]


def _has(name: str) -> bool:
    try:
        reverse(name)
    except Exception:
        return False
    return True


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_english_sentence_is_left_on_the_main_pages(language, pages, client_for, focal_point, isu_staff):
    users = {"public": None, "focal": focal_point, "isu": isu_staff}
    data = data_texts()
    left = {}
    for persona, url in pages:
        found = english_left(client_for(users[persona]), url, language, data)
        if found:
            left[url] = found
    assert left == {}, f"English left in {language}: {left}"
