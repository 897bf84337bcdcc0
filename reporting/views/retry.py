"""What a save view says when the database could not take the save (a lock held too long, a dropped
connection): nothing was written, the page keeps what was typed, and saving again may work."""

from __future__ import annotations

from django.utils.translation import gettext as _

from ccm_portal.core.db import recover_connection

__all__ = ["message", "recover_connection"]


def message() -> str:
    return _("Not saved: the database was busy. What you typed is still on this page — wait a moment and save again.")
