"""Who sees which deadlines and who may do what with reminders, snoozes and calendar feeds: the only module
of this app that decides it (views, selectors, services and the digest ask here, on
``accounts.permissions``' capabilities).

- The ISU (``permissions.is_isu``) follows every State's deadlines and opens the ISU's deadline pages.
- A focal point follows their own State's deadlines (``permissions.acts_for_state``), is reminded of them and
  may snooze those reminders.
- A national contributor follows the internal due dates of the forms given to them (and is reminded of them); a
  focal point is told when one of their State's forms is overdue. Nobody else sees them: not the ISU's pages
  (bar the reminder log, for e-mails to send again), not a State's feed.
- Everyone signed in sees the Meetings of States Parties.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from accounts import permissions, two_factor
from accounts.decorators import capability_required
from accounts.permissions import Capability
from deadlines.models import CalendarFeed
from parties.models import State
from reporting import access as reporting_access
from reporting.models import FormAssignment

# The ISU's deadline overview and reminder log (403 to others signed in; the second factor asked for first).
isu_required = capability_required(Capability.USE_STAFF_PAGES)


# --- Whose deadlines a user follows -----------------------------------------------------------------------
def focal_state(user: Any) -> State | None:
    """The State a focal point acts for (their reminders and deadlines), or None."""
    if not getattr(user, "is_authenticated", False) or not user.state_id:
        return None
    state = user.state
    return state if permissions.acts_for_state(user, state) else None


def follows_every_state(user: Any) -> bool:
    """ISU staff follow every State's deadlines."""
    return permissions.is_isu(user)


def may_follow_state(user: Any, state: State) -> bool:
    """Whether ``user`` may have ``state``'s calendar feed: its focal points and the ISU."""
    return permissions.acts_for_state(user, state) or follows_every_state(user)


def feed_states(user: Any) -> list[State]:
    """The States whose feed ``user`` may create: every State Party for the ISU, their own State for a focal
    point, none for anyone else."""
    if follows_every_state(user):
        return list(State.objects.exclude(deposit_date=None).order_by("name"))
    state = focal_state(user)
    return [state] if state is not None else []


def contributes(user: Any) -> bool:
    """A national contributor of a State (``reporting.access.contributes``)."""
    return reporting_access.contributes(user)


def internal_dates_of(user: Any) -> QuerySet[FormAssignment]:
    """The forms whose internal due dates ``user`` follows in their personal feed (and, a contributor, on their
    reminders page): a contributor's own, every form of their State given to a contributor for a focal point, none
    for anyone else (the ISU included: the team's dates are the State's own business)."""
    return reporting_access.team_dates_followed_by(user)


# --- Reminders, snoozes and feeds -------------------------------------------------------------------------
def may_snooze(user: Any, deadline_key: str) -> bool:
    """A focal point snoozes reminders of their own State's deadlines only (the key starts with its ISO
    code: ``LAO:annual_report:2025``)."""
    state = focal_state(user)
    return state is not None and state.iso3 == deadline_key.split(":", 1)[0]


def may_requeue_reminders(user: Any) -> bool:
    """Sending failed or stuck reminders again: the ISU staff who manage the registry."""
    return permissions.can(user, Capability.MANAGE_REGISTRY)


def may_revoke_feed(user: Any, feed: CalendarFeed) -> bool:
    """A feed is revoked by its owner only."""
    return feed.user_id == user.pk


def feed_still_allowed(feed: CalendarFeed) -> bool:
    """Whether a feed may still be read: its owner is active and, for a State's feed, may still follow that
    State. A feed is read without a session: from here on its owner acts with the capability of the session
    that created it (``two_factor.act_as_issuer_of_token``)."""
    owner = feed.user
    two_factor.act_as_issuer_of_token(owner, feed.created_at)
    if not owner.is_active:
        return False
    if feed.state is None:
        return True
    return may_follow_state(owner, feed.state)


# --- Whom to remind and to tell ---------------------------------------------------------------------------
def reminded() -> Q:
    """Whom reminders go to: the active focal points of a State (a filter on users; ``state`` says which)."""
    return permissions.holders(Capability.PREPARE_REPORTS) & Q(state__isnull=False)


def contributors() -> Q:
    """Whom internal reminders go to: active national contributors of a State (a filter on users)."""
    return permissions.holders(Capability.CONTRIBUTE_TO_REPORTS) & Q(state__isnull=False)


def digest_readers() -> Q:
    """Whom the weekly digest goes to, besides the ISU's address: active ISU staff (a filter on users)."""
    return permissions.holders(Capability.USE_STAFF_PAGES)
