"""How a log line is written: one JSON object per line in production, readable text in ``make run``.

Both formats carry the same fields: time, level, logger, message, and every field a line adds (the
request's id, method, path, view, status, duration and user id; a task's name, id, state and
duration; see ``request_log`` and ``task_log``). ``CCM_LOG_FORMAT`` (``json`` or ``text``) chooses;
by default JSON unless ``DJANGO_DEBUG`` is on.

Django adds the request object itself to its "django.request" lines; it is left out, as its text
holds the query string. The line's request id leads to the request's own line instead.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

# Record attributes that are not fields of a line: the standard ones, Django's request object (its
# text has the query string) and runserver's own clock.
NOT_FIELDS = frozenset(RESERVED_ATTRS) | {"asctime", "request", "server_time", "taskName"}


class JsonFormatter(_JsonFormatter):
    """``{"time": …, "level": …, "logger": …, "message": …, <the line's fields>}`` on one line."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("fmt", "%(levelname)s %(name)s %(message)s")
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger"})
        kwargs.setdefault("timestamp", "time")
        kwargs.setdefault("reserved_attrs", sorted(NOT_FIELDS))
        super().__init__(**kwargs)

    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        # The time first, as a reader scans a file of lines.
        return {"time": log_data.pop("time", None), **log_data}


class TextFormatter(logging.Formatter):
    """``<time> <level> <logger> <message> key=value …``: the JSON line's fields, for a terminal."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("fmt", "%(asctime)s %(levelname)s %(name)s %(message)s")
        super().__init__(**kwargs)

    def formatMessage(self, record: logging.LogRecord) -> str:
        fields = " ".join(
            f"{key}={_text(value)}"
            for key, value in record.__dict__.items()
            if key not in NOT_FIELDS and not key.startswith("_") and value is not None
        )
        line = super().formatMessage(record)
        return f"{line} {fields}" if fields else line


def _text(value: object) -> str:
    """The value as is, or quoted (and escaped) when it has a space, a quote or a line break."""
    text = str(value)
    return json.dumps(text, ensure_ascii=False) if not text or any(c.isspace() or c == '"' for c in text) else text
