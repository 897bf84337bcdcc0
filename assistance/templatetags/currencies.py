"""Currency codes with their CLDR names in the reader's language: ``{{ code|currency_abbr }}`` gives
``<abbr class="currency" title="dollar des États-Unis">USD</abbr>``; ``{{ code|currency_name }}`` the name alone."""

from django import template
from django.utils.html import format_html

from ccm_portal.core import cldr

register = template.Library()


@register.filter
def currency_name(code: str) -> str:
    return cldr.currency_name(code)


@register.filter
def currency_abbr(code: str) -> str:
    if not code:
        return ""
    name = cldr.currency_name(code)
    if name == code:
        return format_html('<abbr class="currency">{}</abbr>', code)
    return format_html('<abbr class="currency" title="{}">{}</abbr>', name, code)


@register.filter
def currency_choices(codes) -> list[tuple[str, str]]:
    """(code, "USD — dollar des États-Unis") for a datalist's options."""
    return cldr.currency_choices(codes)
