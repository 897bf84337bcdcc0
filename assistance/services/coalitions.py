"""Writes on country coalitions: their meetings. Atomic, audited, with an explicit actor.

Coalitions themselves are created by the ISU in the admin. Who may record a meeting:
``assistance.access.may_add_meeting``.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from assistance import access
from assistance.models import Coalition, CoalitionMeeting
from audit import services as audit

TITLE_MAX, PLACE_MAX, SUMMARY_MAX = 200, 200, 5000


@transaction.atomic
def add_meeting(
    *,
    actor: User,
    coalition: Coalition,
    date: dt.date | None,
    title: str,
    place: str = "",
    summary: str = "",
) -> CoalitionMeeting:
    """Record a meeting of the coalition: when, what, where, and what was agreed."""
    if not access.may_add_meeting(actor):
        raise PermissionDenied
    title, place, summary = title.strip(), place.strip(), summary.strip()
    errors: dict[str, str] = {}
    if date is None:
        errors["date"] = _("Give the date of the meeting.")
    if not title:
        errors["title"] = _("Give the meeting a title.")
    elif len(title) > TITLE_MAX:
        errors["title"] = _("Keep the title to %(n)s characters.") % {"n": TITLE_MAX}
    if len(place) > PLACE_MAX:
        errors["place"] = _("Keep the place to %(n)s characters.") % {"n": PLACE_MAX}
    if len(summary) > SUMMARY_MAX:
        errors["summary"] = _("Keep the summary to %(n)s characters.") % {"n": SUMMARY_MAX}
    if errors:
        raise ValidationError(errors)
    meeting = CoalitionMeeting.objects.create(coalition=coalition, date=date, title=title, place=place, summary=summary)
    audit.record(
        actor=actor,
        action="assistance.coalition.meeting_added",
        obj=meeting,
        changes=audit.diff({}, audit.snapshot(meeting)),
        context={"coalition": coalition.state.iso3},
    )
    return meeting
