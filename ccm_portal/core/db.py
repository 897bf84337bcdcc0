"""Database helpers shared by the settings and the views that save what users type.

SQLite (``make run``, a newcomer's ``make test``) serialises writers: without a busy timeout a
save that meets an autosave still writing fails at once with "database is locked". WAL lets
readers read while one writer writes; a busy timeout makes a writer wait for the other; and
``BEGIN IMMEDIATE`` takes the write lock when the transaction starts, so two transactions
that both read and then write cannot deadlock on upgrading their locks (which SQLite answers
with "database is locked" at once, whatever the timeout).

A save that meets a dropped connection or a database restarting (``recover_connection``) drops the
connection and waits, a few seconds at most, until the database answers again, so that the page that
keeps what was typed and says "save again" can be shown (tests/faults restart PostgreSQL mid-save).
"""

from __future__ import annotations

import time
from typing import Any

from django.db import InterfaceError, OperationalError, connection

SQLITE_ENGINE = "django.db.backends.sqlite3"
SQLITE_BUSY_TIMEOUT_SECONDS = 20
# How long a save that met a database restart waits for it to answer again before showing the page again
# (``pg_ctl restart -m fast`` takes well under a second, a container restart a few), and how often it asks.
RECOVERY_WAIT_SECONDS = 10
RECOVERY_POLL_SECONDS = 0.25


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


def recover_connection(*, wait: float = RECOVERY_WAIT_SECONDS) -> None:
    """After a transient error outside any transaction, drop the connection if it is unusable so
    that the next query (showing the page again) opens a fresh one; and when the database does not
    answer (it is restarting), wait up to ``wait`` seconds until it does. The page that says "not saved,
    save again" with what was typed reads from the database too: shown at once, during a restart, it
    would fail in turn and the user would get an error page with nothing of what they typed."""
    if connection.in_atomic_block:
        return
    connection.close_if_unusable_or_obsolete()
    deadline = time.monotonic() + wait
    while True:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            return
        except (OperationalError, InterfaceError):
            connection.close()
            if time.monotonic() >= deadline:
                return
            time.sleep(RECOVERY_POLL_SECONDS)
