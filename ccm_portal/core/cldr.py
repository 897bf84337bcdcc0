"""Names from CLDR (through Babel) in the reader's language: here, currencies.

A code stays what the data holds (ISO 4217); the name is only shown beside or over it. Pure data, so each
(code, language) is looked up once per process.
"""

from __future__ import annotations

import functools

from babel import Locale, UnknownLocaleError
from babel.numbers import get_currency_name
from django.conf import settings
from django.utils.translation import get_language, to_locale


@functools.cache
def _locale(language: str) -> Locale | None:
    try:
        return Locale.parse(to_locale(language))
    except (UnknownLocaleError, ValueError):
        return None


@functools.cache
def _currency_name(code: str, language: str) -> str:
    locale = _locale(language)
    if locale is None:
        return code
    return get_currency_name(code, locale=locale)


def currency_name(code: str, language: str | None = None) -> str:
    """CLDR's name of the currency ``code`` in ``language`` (default: the active one); the code itself when CLDR
    does not know it."""
    code = (code or "").strip().upper()
    if not code:
        return ""
    return _currency_name(code, (language or get_language() or settings.LANGUAGE_CODE).lower())


def currency_choices(codes) -> list[tuple[str, str]]:
    """(code, "USD — US dollar") for each code, in the order given: a drop-down's options."""
    return [(code, f"{code} — {name}" if (name := currency_name(code)) != code else code) for code in codes]
