"""Reading the audit trail: one place for every page that shows an object's history."""

from __future__ import annotations

from django.db import models

from audit.models import AuditEntry


def history(obj: models.Model, *, actions: tuple[str, ...] = (), oldest_first: bool = False) -> list[AuditEntry]:
    """The entries recorded for ``obj`` (only ``actions``, when given), newest first unless ``oldest_first``,
    each with its actor: one query."""
    entries = AuditEntry.objects.for_object(obj).select_related("actor")
    if actions:
        entries = entries.filter(action__in=actions)
    return list(entries.order_by("created_at", "id") if oldest_first else entries)


def latest(obj: models.Model, *actions: str) -> AuditEntry | None:
    """The newest entry for ``obj`` among ``actions``, with its actor, or None."""
    return AuditEntry.objects.for_object(obj).filter(action__in=actions).select_related("actor").first()
