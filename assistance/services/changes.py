"""The audited writes requests and offers share: a new object's entry, saving checked fields with their
before and after, leaving the open (active) status. Each runs inside its caller's transaction, with the
caller's actor."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models

from accounts.models import User
from assistance.models import AssistanceOffer, AssistanceRequest
from audit import services as audit

Workflow = TypeVar("Workflow", AssistanceRequest, AssistanceOffer)


def record_created(actor: User, obj: models.Model, action: str) -> None:
    """The audit entry of a new ``obj``: every field, from nothing."""
    audit.record(actor=actor, action=action, obj=obj, changes=audit.diff({}, audit.snapshot(obj)))


def set_relations(obj: models.Model, relations: dict[str, list[Any]]) -> None:
    for name, values in relations.items():
        getattr(obj, name).set(values)


def save_changes(
    *,
    actor: User,
    obj: models.Model,
    action: str,
    fields: dict[str, Any],
    relations: dict[str, list[Any]] | None = None,
) -> None:
    """Give the locked ``obj`` its checked ``fields`` (and many-to-many ``relations``), save them, and audit what
    changed, before and after, as ``action``; no entry when nothing changed.

    Without relations nothing is written unless a field changed; with them, the fields are saved first and the
    relations set, then the comparison is made (it reads the relations back)."""
    before = audit.snapshot(obj)
    for name, value in fields.items():
        setattr(obj, name, value)
    if relations is None:
        changes = audit.diff(before, audit.snapshot(obj))
        if changes:
            obj.save(update_fields=list(fields))
    else:
        obj.save(update_fields=list(fields))
        set_relations(obj, relations)
        changes = audit.diff(before, audit.snapshot(obj))
    if changes:
        audit.record(actor=actor, action=action, obj=obj, changes=changes)


def set_status(*, actor: User, obj: Workflow, status: str, action: str, reason: str) -> Workflow:
    """A request or an offer leaves its open (active) status; the audit entry keeps the reason, if any."""
    before = obj.status
    obj.status = status
    obj.save(update_fields=["status"])
    audit.record(
        actor=actor,
        action=action,
        obj=obj,
        changes={"status": [before, status]},
        context={"reason": reason} if reason else None,
    )
    return obj
