"""State names in the reader's language.

English is the portal's own name (the treaty record's, ``State.name``), so English pages, the open data and every
existing link keep the name the depositary uses. In another language a reader gets the ISU's own name for that
State if the ISU set one (``State.names``: where CLDR's everyday name is not the United Nations' short name, e.g.
"Congo-Brazzaville", "Territoires palestiniens"), else CLDR's territory name through Babel, else the English name.
Names are computed from data only (no query): the CLDR look-up is cached per (iso3, language) in the process.
"""

from __future__ import annotations

import functools
import unicodedata

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from django.conf import settings
from django.utils.translation import get_language, to_locale

ENGLISH = "en"


def other_languages() -> list[tuple[str, str]]:
    """The portal's languages other than English, as (code, label): the languages a State's own name can be set for."""
    return [(code, label) for code, label in settings.LANGUAGES if code != ENGLISH]


def _language(language: str | None) -> str:
    return (language or get_language() or settings.LANGUAGE_CODE).lower()


@functools.cache
def cldr_name(iso3: str, language: str) -> str | None:
    """CLDR's name of the territory with the ISO 3166 alpha-3 code ``iso3`` in ``language`` (a Django code)."""
    alpha2 = get_global("territory_aliases").get(iso3.upper())
    if not alpha2:
        return None
    try:
        locale = Locale.parse(to_locale(language))
    except (UnknownLocaleError, ValueError):
        return None
    return locale.territories.get(alpha2[0])


def state_name(iso3: str, english_name: str, language: str | None = None, names: dict | None = None) -> str:
    """The name of a State in ``language`` (default: the active language).

    ``names`` is the State's own names by language (``State.names``), set by the ISU where CLDR's differs from
    the United Nations' short name.
    """
    language = _language(language)
    if language == ENGLISH or language.startswith(ENGLISH + "-"):
        return english_name
    own = (names or {}).get(language)
    if own:
        return own
    return cldr_name(iso3, language) or english_name


def sort_key(name: str) -> str:
    """Order names as a reader expects: case and accents ignored ("Égypte" with "Egypte", before "Espagne")."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def by_local_name(states, key=lambda state: state):
    """``states`` (already loaded) sorted by their names in the active language."""
    return sorted(states, key=lambda item: sort_key(key(item).local_name))
