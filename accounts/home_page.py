"""The signed-in user's home page (``/me/``, "My portal") takes sections from the apps above accounts.

Accounts knows the user, their role and their account; an app above it adds its part of the page (deadlines:
"What is due next") by registering a section from its ``AppConfig.ready``, so this app imports none of them
and the page still reads as one. A section is a template the page includes, the context that template needs
(``context(user, today)``, merged into the page's) and, if it has one, its stylesheet.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Section:
    key: str
    context: Callable[[Any, dt.date], dict[str, Any]]
    template: str
    stylesheet: str = ""


_SECTIONS: dict[str, Section] = {}


def register(
    key: str, context: Callable[[Any, dt.date], dict[str, Any]], *, template: str, stylesheet: str = ""
) -> None:
    """Add (or replace) the section ``key``: ``template`` is included in the page's main column, in the order
    sections were registered, with what ``context(user, today)`` returns in the page's context."""
    _SECTIONS[key] = Section(key, context, template, stylesheet)


def sections_context(user: Any, today: dt.date) -> dict[str, Any]:
    """The page's context for every registered section, and the sections themselves (``home_sections``: the
    templates to include and stylesheets to link)."""
    found: dict[str, Any] = {"home_sections": list(_SECTIONS.values())}
    for section in _SECTIONS.values():
        found |= section.context(user, today)
    return found
