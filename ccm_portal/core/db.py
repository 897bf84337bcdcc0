"""Database helpers shared by the settings and the views that save what users type.

SQLite (``make run``, a newcomer's ``make test``) serialises writers: without a busy timeout a
save that meets an autosave still writing fails at once with "database is locked". WAL lets
readers read while one writer writes; a busy timeout makes a writer wait for the other; and
``BEGIN IMMEDIATE`` takes the write lock when the transaction starts, so two transactions
that both read and then write cannot deadlock on upgrading their locks (which SQLite answers
with "database is locked" at once, whatever the timeout).
"""

from __future__ import annotations

from typing import Any

from django.db import InterfaceError, OperationalError, connection

SQLITE_ENGINE = "django.db.backends.sqlite3"
SQLITE_BUSY_TIMEOUT_SECONDS = 20


def sqlite_options(
    existing: dict[str, Any] | None = None, *, timeout: int = SQLITE_BUSY_TIMEOUT_SECONDS
) -> dict[str, Any]:
    """``OPTIONS`` for the SQLite engine: WAL, a busy timeout and immediate write transactions.
    Options already set (e.g. a longer timeout in the test settings) win."""
    return {
        "timeout": timeout,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        **(existing or {}),
    }


def is_transient(error: BaseException) -> bool:
    """A database error a user can retry: a lock held too long, a dropped connection. Not an
    integrity error or a programming error, which a retry would only repeat."""
    return isinstance(error, (OperationalError, InterfaceError))


def recover_connection() -> None:
    """After a transient error outside any transaction, drop the connection if it is unusable so
    that the next query (showing the page again) opens a fresh one."""
    if not connection.in_atomic_block:
        connection.close_if_unusable_or_obsolete()
