"""The audit trail of requests, offers and matches as their pages show it, read through ``audit.selectors``:
a request's history in words (ids of areas, obligations and donors named, one query per kind), how a
request or an offer ended (withdrawn, closed) and why, and a match's timeline, oldest first."""

from __future__ import annotations

from typing import Any

from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from accounts.models import ThematicArea
from assistance.models import AssistanceKind, AssistanceRequest, Donor, Match, RequestStatus
from audit import selectors as audit
from parties.models import Obligation

REQUEST_ACTIONS = {
    "assistance.request.created": _lazy("Request filed"),
    "assistance.request.changed": _lazy("Request changed"),
    "assistance.request.shared": _lazy("Donors it is shared with changed"),
    "assistance.request.withdrawn": _lazy("Request withdrawn"),
    "assistance.request.closed": _lazy("Request closed"),
    "assistance.request.document_added": _lazy("Document added"),
    "assistance.request.document_removed": _lazy("Document removed"),
}
REQUEST_FIELDS = {
    "area": _lazy("thematic area"),
    "kind": _lazy("kind"),
    "title": _lazy("title"),
    "description": _lazy("description"),
    "obligation": _lazy("obligation it serves"),
    "amount": _lazy("amount needed"),
    "currency": _lazy("currency"),
    "period_start": _lazy("from"),
    "period_end": _lazy("until"),
    "location": _lazy("location"),
    "is_public": _lazy("public"),
    "status": _lazy("status"),
    "shared_with": _lazy("shared with"),
    "documents": _lazy("documents"),
}
# Fields of the snapshot not worth showing in the history (they never change after filing).
HIDDEN_AUDIT_FIELDS = {"state", "created_by", "id"}

MATCH_ACTIONS = {
    "assistance.match.proposed": _lazy("Match proposed"),
    "assistance.match.donor_accepted": _lazy("Accepted by the donor"),
    "assistance.match.donor_declined": _lazy("Declined by the donor"),
    "assistance.match.state_accepted": _lazy("Accepted by the State"),
    "assistance.match.state_declined": _lazy("Declined by the State"),
    "assistance.match.committed": _lazy("Committed by the donor"),
    "assistance.match.delivered": _lazy("Delivered by the donor"),
}


def ending(obj: Any, *actions: str) -> tuple[Any | None, str]:
    """The audit entry that ended ``obj`` (withdrawn, closed) and the reason given: every reader sees why."""
    entry = audit.latest(obj, *actions)
    return entry, ((entry.context or {}).get("reason", "") if entry else "")


def _audit_value(name: str, value: Any, names: dict[str, dict[str, str]]) -> str:
    if value is None or value == "":
        return ""
    if name in names:
        if isinstance(value, list):
            return ", ".join(names[name].get(str(v), str(v)) for v in value)
        return names[name].get(str(value), str(value))
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return Truncator(str(value)).chars(240)


def _recorded_ids(entries: list[Any]) -> dict[str, set[str]]:
    """The ids of areas, obligations and donors the entries' recorded values name."""
    ids: dict[str, set[str]] = {"area": set(), "obligation": set(), "shared_with": set()}
    for entry in entries:
        for name, values in (entry.changes or {}).items():
            if name in ids and isinstance(values, list):
                for value in values:
                    ids[name].update(str(v) for v in (value if isinstance(value, list) else [value]) if v)
    return ids


def _value_names(ids: dict[str, set[str]]) -> dict[str, dict[str, str]]:
    """Recorded values in words: choices by their labels, ids by their objects' names (one query per kind of
    object named, none for a kind no entry names)."""
    return {
        "status": {k: str(v) for k, v in RequestStatus.choices},
        "kind": {k: str(v) for k, v in AssistanceKind.choices},
        "is_public": {"True": _("yes"), "False": _("no")},
        "area": {str(a.pk): a.name for a in ThematicArea.objects.filter(pk__in=ids["area"])} if ids["area"] else {},
        "obligation": {
            str(o.pk): str(o.get_article_display()) for o in Obligation.objects.filter(pk__in=ids["obligation"])
        }
        if ids["obligation"]
        else {},
        "shared_with": {
            str(d.pk): str(d) for d in Donor.objects.select_related("state").filter(pk__in=ids["shared_with"])
        }
        if ids["shared_with"]
        else {},
    }


def request_history(assistance_request: AssistanceRequest) -> list[Any]:
    """The request's audit entries, newest first, each with ``label`` (what happened), ``change_list``
    ((field, before, after) in words) and ``detail`` (the reason given, if any)."""
    entries = audit.history(assistance_request)
    # Ids in the recorded values, in words: one query per kind of object, whatever the number of entries.
    names = _value_names(_recorded_ids(entries))
    for entry in entries:
        entry.label = REQUEST_ACTIONS.get(entry.action, entry.action)
        entry.change_list = []
        for name, values in (entry.changes or {}).items():
            if name in HIDDEN_AUDIT_FIELDS:
                continue
            before, after = values if isinstance(values, list) and len(values) == 2 else (None, values)
            before, after = _audit_value(name, before, names), _audit_value(name, after, names)
            if before != after:
                entry.change_list.append((REQUEST_FIELDS.get(name, name), before, after))
        entry.detail = (entry.context or {}).get("reason", "")
    return entries


def match_timeline(match: Match) -> list[Any]:
    """The match's audit entries, oldest first, each with ``label`` and ``reason`` (a decline's, if any)."""
    entries = audit.history(match, oldest_first=True)
    for entry in entries:
        entry.label = MATCH_ACTIONS.get(entry.action, entry.action)
        entry.reason = (entry.context or {}).get("reason", "")
    return entries
