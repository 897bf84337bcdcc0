"""Reading the audit trail: the one place every page, service and figure reads it from.

Nothing outside the ``audit`` app queries ``AuditEntry`` itself (``tests/test_architecture.py``).
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models.functions import Cast

from audit.models import AuditEntry, AuditEntryQuerySet


def entries(obj: models.Model, *actions: str) -> AuditEntryQuerySet:
    """The entries recorded for ``obj`` (only ``actions`` when given), newest first, with their actors: to
    filter further (e.g. on ``context``)."""
    found = AuditEntry.objects.for_object(obj).select_related("actor")
    return found.filter(action__in=actions) if actions else found


def history(obj: models.Model, *actions: str, oldest_first: bool = False) -> list[AuditEntry]:
    """The history a page shows for ``obj``: its entries (only ``actions`` when given), newest first unless
    ``oldest_first``, each with its actor. One query."""
    found = entries(obj, *actions)
    return list(found.order_by("created_at", "id") if oldest_first else found)


def latest(obj: models.Model, *actions: str) -> AuditEntry | None:
    """The newest entry for ``obj`` among ``actions``, with its actor, or None."""
    return entries(obj, *actions).first()


def was_recorded(action: str, **context: Any) -> bool:
    """Whether an entry of ``action`` was recorded with these ``context`` values (e.g. ``week="2026-W10"``)."""
    return AuditEntry.objects.filter(action=action, **{f"context__{k}": v for k, v in context.items()}).exists()


def latest_time(action: str, model: type[models.Model]) -> models.Subquery:
    """For a query on ``model``: when its newest ``action`` entry was recorded (``None`` if never), as a
    subquery on each row's primary key."""
    newest = (
        AuditEntry.objects.filter(
            action=action,
            object_type=model._meta.label_lower,
            object_id=Cast(models.OuterRef("pk"), output_field=models.CharField()),
        )
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    return models.Subquery(newest, output_field=models.DateTimeField())
