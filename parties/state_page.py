"""The State page (``/states/<ISO>/``) gathers what every app knows of one State on a day.

Parties knows the registry (treaty dates, obligations, extensions, completions, Art. 9 measures); the apps
above it add their part (reporting: the reports published by then; deadlines: the obligation calendar)
by registering a section from their ``AppConfig.ready``, so this app imports none of them and the page
still reads as one. A section's ``read`` gives the open data (the page's JSON and its template's
``profile.<key>``); its optional ``show`` turns that into what the HTML page lists (context ``<key>``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from parties.models import State


@dataclass(frozen=True)
class Section:
    key: str
    read: Callable[[State, dt.date], Any]
    show: Callable[[Any, dt.date], Any] | None = None


_SECTIONS: dict[str, Section] = {}


def register(
    key: str, read: Callable[[State, dt.date], Any], show: Callable[[Any, dt.date], Any] | None = None
) -> None:
    """Add (or replace) the section ``key``: ``read(state, as_of)`` and, for the HTML page, ``show(read's
    value, as_of)``."""
    _SECTIONS[key] = Section(key, read, show)


def sections(state: State, as_of: dt.date) -> dict[str, Any]:
    """Every registered section's open data for ``state`` as of ``as_of``, by key."""
    return {key: section.read(state, as_of) for key, section in _SECTIONS.items()}


def shown(data: dict[str, Any], as_of: dt.date) -> dict[str, Any]:
    """What the HTML page lists for the sections that say how (``show``), by key."""
    return {key: s.show(data[key], as_of) for key, s in _SECTIONS.items() if s.show is not None and key in data}
