"""What each role may see and do: the one place where it is decided.

Views, templates, the admin (through ``RolePermissionBackend``) and services ask
these functions; none of them tests a role on its own.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Role


class Capability(models.TextChoices):
    USE_STAFF_PAGES = "use_staff_pages", _("Use ISU staff pages")
    MANAGE_REGISTRY = "manage_registry", _("Manage States, treaty dates, obligations, extensions and meetings")
    MANAGE_USERS = "manage_users", _("Invite and manage users")
    VIEW_AUDIT = "view_audit", _("Read the audit trail")
    PREPARE_REPORTS = "prepare_reports", _("Prepare and submit the State's Article 7 reports")
    REVIEW_REPORTS = "review_reports", _("Review, accept and publish Article 7 reports")
    REQUEST_ASSISTANCE = "request_assistance", _("File the State's assistance requests")
    OFFER_ASSISTANCE = "offer_assistance", _("Register assistance offers")
    MATCH_ASSISTANCE = "match_assistance", _("Match assistance requests to offers in own areas")
    MANAGE_TEAM = "manage_team", _("Invite and manage the State's national reporting team")
    CONTRIBUTE_TO_REPORTS = "contribute_to_reports", _("Contribute the forms assigned to them in the State's reports")


ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.ISU_STAFF: frozenset(
        {
            Capability.USE_STAFF_PAGES,
            Capability.MANAGE_REGISTRY,
            Capability.MANAGE_USERS,
            Capability.VIEW_AUDIT,
            Capability.REVIEW_REPORTS,
            Capability.MATCH_ASSISTANCE,
        }
    ),
    Role.FOCAL_POINT: frozenset({Capability.PREPARE_REPORTS, Capability.REQUEST_ASSISTANCE, Capability.MANAGE_TEAM}),
    Role.CONTRIBUTOR: frozenset({Capability.CONTRIBUTE_TO_REPORTS}),
    Role.COORDINATOR: frozenset({Capability.MATCH_ASSISTANCE}),
    Role.DONOR: frozenset({Capability.OFFER_ASSISTANCE}),
}

# Roles whose capabilities are held only in a session whose second factor was given: a password
# alone (stolen, guessed, or set by whoever opened an invitation) never reaches another State's drafts.
TWO_FACTOR_ROLES = frozenset({Role.ISU_STAFF})

# Set on the user object for the request (``accounts.middleware.SecondFactorSessionMiddleware``,
# from what allauth recorded in the session); absent means not verified.
_SECOND_FACTOR_ATTR = "second_factor_verified"

# Admin (model) permissions follow from capabilities: app label or "app.model" → capability.
# Audit entries can be read, never changed.
_MODEL_CAPABILITIES: dict[str, Capability] = {
    "parties": Capability.MANAGE_REGISTRY,
    "accounts.thematicarea": Capability.MANAGE_REGISTRY,
    "accounts.user": Capability.MANAGE_USERS,
    "accounts.invitation": Capability.MANAGE_USERS,
    "audit": Capability.VIEW_AUDIT,
    "reporting": Capability.REVIEW_REPORTS,
    "deadlines": Capability.MANAGE_REGISTRY,
    "assistance": Capability.MANAGE_REGISTRY,
    "progress": Capability.MANAGE_REGISTRY,
}
_READ_ONLY = {"audit"}


def capabilities(user: Any) -> frozenset[Capability]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    if requires_two_factor(user) and not second_factor_verified(user):
        # Two-factor is a property of the capability, not of the path: every view, export, upload
        # and task trigger asks here, so none of them is open on the password alone.
        return frozenset()
    return ROLE_CAPABILITIES.get(user.role, frozenset())


def can(user: Any, capability: Capability) -> bool:
    return capability in capabilities(user)


def is_isu(user: Any) -> bool:
    """ISU staff acting with their second factor: the one test of "is this the ISU" anywhere."""
    return can(user, Capability.USE_STAFF_PAGES)


def roles_with(capability: Capability) -> frozenset[str]:
    """The roles that hold ``capability``."""
    return frozenset(role for role, held in ROLE_CAPABILITIES.items() if capability in held)


def holders(capability: Capability) -> models.Q:
    """Active users whose role holds ``capability``, as a filter on users: whom to notify, whom to list as
    reviewers. (Whether a session may use it, second factor included, is ``can``.)"""
    return models.Q(role__in=sorted(roles_with(capability)), is_active=True)


def requires_two_factor(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and (user.role in TWO_FACTOR_ROLES or user.is_superuser))


def has_two_factor(user: Any) -> bool:
    """Whether ``user`` has enrolled an authenticator app (not whether this session used it)."""
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def second_factor_verified(user: Any) -> bool:
    """Whether ``user`` gave a second factor in the session acting now (see ``mark_second_factor``)."""
    return getattr(user, _SECOND_FACTOR_ATTR, False) is True


def mark_second_factor(user: Any, *, verified: bool) -> None:
    """Record on ``user`` whether the acting session verified a second factor. Set per request by
    the middleware; commands run on the server by its operator (demo seeds) set it themselves."""
    setattr(user, _SECOND_FACTOR_ATTR, verified)


def may_use_admin(user: Any) -> bool:
    """Django's admin site (``admin.site.has_permission``): ISU staff, with the second factor given."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.is_staff
        and can(user, Capability.USE_STAFF_PAGES)
    )


def acts_for_state(user: Any, state: Any) -> bool:
    """A focal point acts for their own State only."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.role == Role.FOCAL_POINT
        and user.state_id == state.pk
    )


def manages_team_of(user: Any, state: Any) -> bool:
    """The State's focal point invites and manages its national reporting team; nobody else, no other State's."""
    return acts_for_state(user, state) and can(user, Capability.MANAGE_TEAM)


def model_permission(user: Any, app_label: str, codename: str) -> bool:
    """Whether ``user`` holds the Django model permission ``app_label.codename`` by role."""
    model = codename.split("_", 1)[1] if "_" in codename else ""
    capability = _MODEL_CAPABILITIES.get(f"{app_label}.{model}") or _MODEL_CAPABILITIES.get(app_label)
    if capability is None or not can(user, capability):
        return False
    if app_label in _READ_ONLY:
        return codename.startswith("view_")
    return True


def module_permission(user: Any, app_label: str) -> bool:
    return any(
        (key == app_label or key.startswith(f"{app_label}.")) and can(user, capability)
        for key, capability in _MODEL_CAPABILITIES.items()
    )
