"""Who may see the background work and send it again: the only module of ``ccm_portal.operations`` that reads
``accounts.permissions``.

- The background-work page (``/isu/operations/``) is for ISU staff whose session gave its second factor
  (``Capability.USE_STAFF_PAGES``); signed-in others get 403, staff without the second factor are sent to give
  it, visitors to the sign-in page.
- Retrying an item (a reminder sent again, a PDF rendered again) is for the ISU staff who manage the registry
  (``Capability.MANAGE_REGISTRY``), as sending reminders again from the admin is.
"""

from __future__ import annotations

from typing import Any

from accounts import permissions
from accounts.decorators import capability_required
from accounts.permissions import Capability

isu_required = capability_required(Capability.USE_STAFF_PAGES)


def may_retry(user: Any) -> bool:
    """Whether ``user`` may send failed or stuck background work again."""
    return permissions.can(user, Capability.MANAGE_REGISTRY)
