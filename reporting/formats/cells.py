"""One cell of report content: numbers and areas as people type them ("1,500,000", "2.5 km²"), what was typed
for an area kept beside its square metres, and ``clean_cell``, the cleaned value of a cell of any column type
(or the ``ValueError`` saying what is wrong). ``reporting.formats`` re-exports all of it."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.formats import number_format
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from reporting.formats import Column


@cache
def currencies() -> frozenset[str]:
    text = (settings.BASE_DIR / "fixtures" / "currencies.txt").read_text()
    return frozenset(code for line in text.splitlines() if not line.startswith("#") for code in line.split())


_AREA_UNITS = {
    "m2": Decimal(1),
    "m²": Decimal(1),
    "sqm": Decimal(1),
    "ha": Decimal(10_000),
    "km2": Decimal(1_000_000),
    "km²": Decimal(1_000_000),
}
_AREA_PATTERN = re.compile(
    r"^(?P<number>[0-9][0-9.,\s\u202f\u00a0']*)\s*(?P<unit>m2|m²|sqm|ha|km2|km²)?$", re.IGNORECASE
)


def parse_number(text: str) -> Decimal:
    """A non-negative number as people type it: "1,500,000", "1 500 000", "2.5", "2,5"."""
    cleaned = re.sub(r"[\s\u202f\u00a0']", "", text)
    if ("," in cleaned and "." in cleaned) or re.fullmatch(r"\d{1,3}(,\d{3})+", cleaned):
        cleaned = cleaned.replace(",", "")
    else:
        cleaned = cleaned.replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(_("Enter a number.")) from None
    if not value.is_finite():
        raise ValueError(_("Enter a number."))
    return value


# The unit of an area as stored with what was typed (``_typed``), and as shown.
_AREA_UNIT_CODES = {"m2": "m2", "m²": "m2", "sqm": "m2", "ha": "ha", "km2": "km2", "km²": "km2"}
AREA_UNIT_SYMBOLS = {"m2": "m²", "ha": "ha", "km2": "km²"}
TYPED = "_typed"


def _area_parts(text: str) -> tuple[Decimal, Decimal, str]:
    """(square metres, the number as typed with its precision, the unit code) of an area."""
    match = _AREA_PATTERN.match(text.strip())
    if not match:
        raise ValueError(_("Enter an area such as “15000”, “1.5 ha” or “2.5 km2”."))
    number = parse_number(match["number"])
    unit = _AREA_UNIT_CODES[(match["unit"] or "m2").lower()]
    value = number * _AREA_UNITS[unit]
    value = value.quantize(Decimal("0.01")).normalize() if value != value.to_integral() else value.to_integral()
    return value, number, unit


def parse_area(text: str) -> Decimal:
    """Square metres from "1500", "1500 m2", "30 ha" or "2.5 km²"."""
    return _area_parts(text)[0]


def typed_area(text: Any) -> dict[str, str] | None:
    """The number (with the precision typed: "41.30") and unit ("m2", "ha", "km2") of an area as
    typed, when showing its square metres would say something else ("41.30 km²", "1,100 ha",
    "1500.50 m2"); ``None`` for a plain number of square metres, a blank or an unreadable cell."""
    if text is None or isinstance(text, bool) or str(text).strip() == "":
        return None
    try:
        value, number, unit = _area_parts(str(text))
    except ValueError:
        return None
    if unit == "m2" and str(number) == str(value):
        return None
    return {"number": str(number), "unit": unit}


def typed_area_of(row: dict[str, Any] | None, key: str) -> dict[str, str] | None:
    """What was typed for the area ``key`` of a cleaned row, when the row kept it."""
    typed_cells = (row or {}).get(TYPED)
    typed = typed_cells.get(key) if isinstance(typed_cells, dict) else None
    if isinstance(typed, dict) and typed.get("unit") in AREA_UNIT_SYMBOLS and typed.get("number") not in (None, ""):
        return typed
    return None


def typed_area_text(typed: dict[str, str]) -> str:
    """ "41.30 km²": what was typed, in the form the editor shows it back."""
    return f"{typed['number']} {AREA_UNIT_SYMBOLS[typed['unit']]}"


def clean_cell(column: Column, raw: Any) -> Any:
    """The cleaned value of one cell, or ``None`` when blank; raises ``ValueError``."""
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        return None
    if column.type == "boolean":
        return _clean_boolean(raw)
    text = raw if isinstance(raw, str) else str(raw)
    cleaner = _CLEANERS.get(column.type)
    if cleaner is None:
        raise ValueError(f"unknown column type {column.type}")
    return cleaner(column, text.strip())


def _clean_boolean(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    value = str(raw).strip().lower()
    if value in {"1", "true", "yes", "on", "y"}:
        return True
    if value in {"0", "false", "no", "off", "n"}:
        return False
    raise ValueError(_("Answer yes or no."))


def _clean_text(column: Column, text: str) -> str:
    if column.max_length and len(text) > column.max_length:
        raise ValueError(
            _("At most %(n)s characters (this has %(m)s).")
            % {
                "n": number_format(column.max_length, force_grouping=True),
                "m": number_format(len(text), force_grouping=True),
            }
        )
    return text.replace("\r\n", "\n")


def _clean_email(column: Column, text: str) -> str:
    try:
        validate_email(text)
    except ValidationError:
        raise ValueError(_("Enter a valid e-mail address.")) from None
    return text


def _clean_integer(column: Column, text: str) -> int:
    number = parse_number(text)
    if number != number.to_integral():
        raise ValueError(_("Enter a whole number."))
    value = int(number)
    if column.min is not None and value < column.min:
        raise ValueError(_("Must be at least %(min)s.") % {"min": column.min})
    if column.max is not None and value > column.max:
        raise ValueError(_("Must be at most %(max)s.") % {"max": column.max})
    return value


def _clean_area(column: Column, text: str) -> str:
    value = parse_area(text)
    if value < 0:
        raise ValueError(_("An area cannot be negative."))
    return str(value)


def _clean_money(column: Column, text: str) -> str:
    value = parse_number(text)
    if value < 0:
        raise ValueError(_("An amount cannot be negative."))
    if value.as_tuple().exponent < -2:
        raise ValueError(_("Use at most two decimal places."))
    return str(value)


def _clean_currency(column: Column, text: str) -> str:
    code = text.upper()
    if code not in currencies():
        raise ValueError(_("“%(code)s” is not an ISO 4217 currency code (e.g. EUR, USD, JPY).") % {"code": text})
    return code


def _clean_date(column: Column, text: str) -> str:
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise ValueError(_("Enter a date as YYYY-MM-DD.")) from None


def _clean_choice(column: Column, text: str) -> str:
    allowed = {value for value, _label in column.choices}
    if text not in allowed:
        raise ValueError(_("Choose one of the listed options."))
    return text


# Each column type's cleaner, given the column and the text typed (stripped); yes/no is read before.
_CLEANERS: dict[str, Callable[[Column, str], Any]] = {
    "text": _clean_text,
    "longtext": _clean_text,
    "email": _clean_email,
    "integer": _clean_integer,
    "area": _clean_area,
    "money": _clean_money,
    "currency": _clean_currency,
    "date": _clean_date,
    "choice": _clean_choice,
    "qualifier": _clean_choice,
}
