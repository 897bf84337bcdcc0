"""The public data's version: one token that changes whenever data the public can read may have changed.

What readers of the public data key on, instead of each computing what changed: the open-data API's ETag and
Last-Modified (a client that sends them back gets 304 without the answer being built again) and the open-data
package's refresh (rebuilt only when the token moved since it was last built).

- ``current()`` is ``(token, changed_at)``: an opaque token and when it last changed, read from the default
  cache (Redis in production, shared by every web and worker process; local memory in ``make run``, where
  one process serves). A cache that lost the value (restarted, evicted) makes up a new token dated now, so
  readers see "changed", never a stale "unchanged".
- Every write to a model of the tracked apps (``TRACKED_APPS``, except purely operational models such as
  reminders and PDF renders, ``IGNORED``; and the few other models public pages show, ``ALSO_TRACKED``)
  bumps it once its transaction commits, unless the save wrote only fields the public never reads
  (``PRIVATE_FIELDS``: a draft's autosave) (``connect()`` wires the
  model signals; ``ccm_portal/apps.py`` calls it). Writes that send no signal (``QuerySet.update``,
  ``bulk_create``) call ``bump()`` themselves.
- ``kept(parts, compute)`` is ``compute()`` kept in the default cache under ``parts`` and the current token:
  what pages compute from the data alone (the dashboard's figures, every State's calendar, the assistance
  figures) is computed once per change of the data, and never served stale.
- ``on_change(callback)`` lets an app above act on a change (the API's open-data package is refreshed in
  the background); ``callback`` runs after the commit, once per transaction however many rows changed.

The page cache (``ccm_portal.core.page_cache``) keys public pages on it too.

Knows no app: apps and models are named by label.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TypeVar

from django.apps import apps
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from ccm_portal.core import clock

KEY = "ccm:data-version"
# A kept value is never read again once the version moves; this only bounds how long a dead key takes memory.
KEPT_SECONDS = 24 * 60 * 60

T = TypeVar("T")
# The apps whose models hold data the public reads (States, obligations, reports, assistance, calendars).
TRACKED_APPS = frozenset({"parties", "reporting", "deadlines", "assistance", "progress"})
# Models of other apps that public pages show: the thematic areas named on the public assistance pages.
ALSO_TRACKED = frozenset({"accounts.ThematicArea"})
# Models of those apps that the public never reads: background work, personal settings, notifications.
IGNORED = frozenset(
    {
        "reporting.ReportPdf",
        "reporting.WorkbookUpload",
        "reporting.Notification",
        "deadlines.Reminder",
        "deadlines.Snooze",
        "deadlines.CalendarFeed",
        "progress.DashboardPdf",
        "assistance.AssistanceNotification",
        "assistance.ReportedAssistance",  # a copy of a version's Form I rows, derived from data that never changes
        "assistance.CoordinatorTask",
    }
)

# Fields of a tracked model that the public never reads: a save that writes only these (``update_fields``) does not
# move the version. A focal point's autosave writes a draft's working copy every few seconds in the filing season;
# the public reads a report only through its submitted versions.
PRIVATE_FIELDS: dict[str, frozenset[str]] = {
    "reporting.Report": frozenset({"draft", "revision", "updated_by", "updated_at"}),
}

_callbacks: list[Callable[[], None]] = []


def current() -> tuple[str, datetime]:
    """The token and when it last changed; a lost value is replaced by a new token dated now."""
    value = cache.get(KEY)
    if value is None:
        cache.add(KEY, _new_value())  # the first process to notice wins; the others read its value
        value = cache.get(KEY) or _new_value()
    token, _, stamp = value.partition("|")
    return token, datetime.fromisoformat(stamp)


def kept(parts: Sequence[str], compute: Callable[[], T], *, timeout: int = KEPT_SECONDS) -> T:
    """``compute()``, kept in the default cache under ``parts`` (what the value depends on besides the data: the
    part, the language, the day…) and the current token, so the same parts give the same value until a committed
    write moves the version. The token is read before computing: a write meanwhile moves it past this entry."""
    token, _changed = current()
    name = ":".join(("ccm:kept", token, *parts))
    value = cache.get(name)
    if value is None:
        value = compute()
        cache.set(name, value, timeout)
    return value


def bump() -> None:
    """Mark the public data changed: now outside a transaction, else once it commits (once per transaction)."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        _changed()
    elif not any(entry[1] is _changed for entry in connection.run_on_commit):
        transaction.on_commit(_changed)


def on_change(callback: Callable[[], None]) -> None:
    """Call ``callback`` after every committed change (registered once, in an app's ``ready``)."""
    if callback not in _callbacks:
        _callbacks.append(callback)


def connect() -> None:
    """Bump on every save and delete of a tracked model, and on changes to its many-to-many relations.
    Connected model by model, so the models nobody tracks keep Django's fast deletes."""
    for model in apps.get_models():
        if tracked(model):
            post_save.connect(_on_write, sender=model, dispatch_uid=f"ccm_data_version_save_{model._meta.label}")
            post_delete.connect(_on_write, sender=model, dispatch_uid=f"ccm_data_version_delete_{model._meta.label}")
            for field in model._meta.local_many_to_many:
                m2m_changed.connect(
                    _on_write, sender=field.remote_field.through, dispatch_uid=f"ccm_data_version_m2m_{field}"
                )


def tracked(model: type) -> bool:
    label = model._meta.label
    return label in ALSO_TRACKED or (model._meta.app_label in TRACKED_APPS and label not in IGNORED)


def _on_write(sender: type, update_fields: frozenset[str] | None = None, **kwargs: object) -> None:
    private = PRIVATE_FIELDS.get(sender._meta.label) if hasattr(sender, "_meta") else None
    if private and update_fields and update_fields <= private:
        return
    bump()


def _new_value() -> str:
    return f"{uuid.uuid4().hex}|{clock.now().isoformat()}"


def _changed() -> None:
    cache.set(KEY, _new_value(), timeout=None)
    for callback in list(_callbacks):
        callback()
