"""The national reporting team: the contributors a focal point invites for their State's reports.

A contributor works for a national body (a ministry, the mine action centre) and is invited by the State's focal
point, as the ISU invites people: a signed link that expires and works once, every step audited. The invitation
fixes the role (national contributor), the State (the focal point's) and the body; a contributor never acts for
another State. Which forms of which report each contributor is given is the reporting app's (its assignments);
here are the people. Reads (``team_of``) and writes (``invite``, ``revoke``, ``remove``), each write atomic and
audited, with who may do it decided by ``accounts.permissions.manages_team_of``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts import permissions, services
from accounts.models import Invitation, Role, User
from parties.models import State


@dataclass(frozen=True)
class Team:
    state: State
    members: list[User]  # active and former contributors, the active first
    invitations: list[Invitation]  # pending


def team_of(state: State) -> Team:
    """The State's contributors and the invitations still pending for it. Two queries."""
    members = list(
        User.objects.filter(role=Role.CONTRIBUTOR, state=state).order_by("-is_active", "organization", "full_name")
    )
    invitations = list(
        Invitation.objects.pending()
        .filter(role=Role.CONTRIBUTOR, state=state)
        .select_related("invited_by")
        .order_by("-created_at")
    )
    return Team(state=state, members=members, invitations=invitations)


def _require(actor: User, state: State) -> None:
    if not permissions.manages_team_of(actor, state):
        raise PermissionDenied(_("Only the State's focal point manages its national reporting team."))


def invite(*, actor: User, email: str, full_name: str, body: str) -> Invitation:
    """Invite a national contributor for the actor's State (the focal point's), from ``body``."""
    state = actor.state
    if state is None:
        raise PermissionDenied(_("Only the State's focal point manages its national reporting team."))
    _require(actor, state)
    if not full_name.strip():
        raise ValidationError({"full_name": _("Give the contributor's full name.")})
    return services.create_invitation(
        email=email,
        full_name=full_name.strip(),
        role=Role.CONTRIBUTOR,
        state=state,
        organization=" ".join(body.split()),
        invited_by=actor,
    )


def revoke(*, actor: User, invitation: Invitation) -> None:
    """Withdraw a pending invitation to the actor's State's team."""
    if invitation.role != Role.CONTRIBUTOR or invitation.state_id is None:
        raise PermissionDenied(_("Only the State's focal point manages its national reporting team."))
    _require(actor, invitation.state)
    services.revoke_invitation(invitation=invitation, actor=actor)


@transaction.atomic
def set_active(*, actor: User, member: User, active: bool) -> None:
    """Take a contributor off the team (the account is deactivated: they can no longer sign in) or back on."""
    if member.role != Role.CONTRIBUTOR or member.state_id is None:
        raise PermissionDenied(_("Only the State's focal point manages its national reporting team."))
    _require(actor, member.state)
    services.set_user_active(user=member, active=active, actor=actor)
