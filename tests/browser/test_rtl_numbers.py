"""Figures in Arabic pages read left to right: an amount "1,234,567.50 USD" in the assistance overview keeps its
digits in order with the currency code after them, to their right, inside the right-to-left page (the bidi rules
alone put "USD" to the left of the number there); the column's heading stays right-to-left text."""

from __future__ import annotations

import pytest
from django.conf import settings

from tests.assistance.test_overview import make_request

from .test_csp import violations  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BOXES = """cell => {
  const text = [...cell.childNodes].find(node => node.nodeType === Node.TEXT_NODE && node.textContent.trim());
  const range = document.createRange();
  range.selectNodeContents(text);
  const digits = range.getBoundingClientRect();
  const code = cell.querySelector("abbr").getBoundingClientRect();
  return {direction: getComputedStyle(cell).direction, digitsLeft: digits.left, digitsRight: digits.right,
          codeLeft: code.left, codeRight: code.right, text: cell.textContent.trim()};
}"""


def test_an_amount_reads_left_to_right_in_an_arabic_table(page, violations):  # noqa: F811
    make_request("AUS", amount="1234567.50", title="Regional training", is_public=True)
    page.goto("/healthz")
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "ar", "url": page.url}])
    assert page.goto("/assistance/").status == 200
    assert page.locator("html").get_attribute("dir") == "rtl"
    cell = page.locator("td.num", has=page.locator("abbr"), has_text="1,234,567.50").first
    box = cell.evaluate(BOXES)
    assert box["text"].startswith("1,234,567.50"), box
    assert box["direction"] == "ltr", box
    assert box["codeLeft"] >= box["digitsRight"] - 1, f"the currency code is not to the right of the digits: {box}"
    heading = page.locator("th.num").first
    assert heading.evaluate("th => getComputedStyle(th).direction") == "rtl"
    assert not violations, violations
