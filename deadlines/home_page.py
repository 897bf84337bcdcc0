"""This app's section of the signed-in user's home page (``accounts.home_page``): "What is due next", the
user's State's deadlines for a focal point, every State's for the ISU, the next meetings for everyone else.
Registered in ``DeadlinesConfig.ready``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from deadlines import access
from deadlines.selectors.user import due_next

TEMPLATE = "deadlines/user/_due_next.html"
STYLESHEET = "css/deadlines.css"


def due_next_context(user: Any, today: dt.date) -> dict[str, Any]:
    """Template context for the "What is due next" card (``TEMPLATE``)."""
    state = access.focal_state(user)
    if state is not None:
        title = _("What %(state)s has due next") % {"state": state.local_name}
        empty = _("Nothing due in the next 12 months, and nothing overdue.")
    elif access.follows_every_state(user):
        title = _("Due next, all States")
        empty = _("No State has a deadline in the next 12 months.")
    else:
        title = _("Next Meetings of States Parties")
        empty = _("No meeting is scheduled in the portal for the next 12 months.")
    return {
        "due_next": due_next(user, today=today),
        "due_next_title": title,
        "due_next_empty": empty,
        "due_next_reminders": state is not None or access.follows_every_state(user),  # others get no reminders
    }
