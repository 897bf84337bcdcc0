"""HTML kept per process for long lists whose rows are all words: a row's HTML is a function of what it shows and
the language, so it is rendered once per process and reused on every later request that shows the same words
(the review queue, the ISU's deadlines). Nothing here is ever stale: the key holds all a row shows.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any

from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language


class Kept:
    """What this process rendered, by a key holding all it shows (so never stale), up to ``size`` entries: when
    full it starts again, since what such lists show changes slowly."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.entries: dict[Hashable, Any] = {}

    def get(self, key: Hashable, make: Callable[[], Any]) -> Any:
        value = self.entries.get(key)
        if value is None:
            if len(self.entries) >= self.size:
                self.entries.clear()
            value = self.entries[key] = make()
        return value


def rows_html(template_name: str, lines: Sequence[Hashable], kept: Kept, *, name: str = "r") -> SafeString:
    """The rows ``lines`` (hashable, frozen: all a row shows) rendered by ``template_name`` with each as ``name``,
    each row once per process and language."""
    template = get_template(template_name)
    language = get_language()
    html = [
        kept.get((template_name, language, line), lambda line=line: template.render({name: line})) for line in lines
    ]
    return mark_safe("".join(html))  # noqa: S308 (rows rendered by the template, escaped there)
