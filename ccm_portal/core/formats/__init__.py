"""Numbers per language from CLDR (``FORMAT_MODULE_PATH``): each language's ``formats.py`` takes its decimal
mark, group separator and grouping from Babel's copy of CLDR, so the portal groups figures as the language's
readers expect (Arabic "1,234,567.50", French "1 234 567,50", Chinese "1,234,567.50") rather than from Django's
own per-language numbers, which disagree with CLDR for Arabic (no grouping, comma decimal) and Chinese (none).
Dates are not set here: Django's own locale formats keep them (a module without a setting falls through)."""

from __future__ import annotations

from babel import Locale
from babel.numbers import get_decimal_symbol, get_group_symbol, parse_pattern


def cldr_numbers(locale: str) -> tuple[str, str, int | tuple[int, ...]]:
    """``DECIMAL_SEPARATOR``, ``THOUSAND_SEPARATOR``, ``NUMBER_GROUPING`` of ``locale`` (Latin digits, as the
    portal prints them in every language): the symbols and the grouping of CLDR's standard decimal pattern."""
    primary, secondary = parse_pattern(Locale.parse(locale).decimal_formats[None]).grouping
    grouping: int | tuple[int, ...] = primary if primary == secondary else (primary, secondary, 0)
    return get_decimal_symbol(locale), get_group_symbol(locale), grouping
