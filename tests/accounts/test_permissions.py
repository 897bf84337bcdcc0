"""What each role may do, decided in accounts.permissions and checked role by role."""

import pytest

from accounts import permissions
from accounts.permissions import Capability

pytestmark = pytest.mark.django_db

EXPECTED = {
    "isu_staff": {
        Capability.USE_STAFF_PAGES,
        Capability.MANAGE_REGISTRY,
        Capability.MANAGE_USERS,
        Capability.VIEW_AUDIT,
        Capability.REVIEW_REPORTS,
        Capability.MATCH_ASSISTANCE,
    },
    "focal_point": {Capability.PREPARE_REPORTS, Capability.REQUEST_ASSISTANCE, Capability.MANAGE_TEAM},
    "coordinator": {Capability.MATCH_ASSISTANCE},
    "donor": {Capability.OFFER_ASSISTANCE},
}


@pytest.mark.parametrize("persona", EXPECTED)
def test_capabilities_by_role(request, persona):
    user = request.getfixturevalue(persona)
    assert permissions.capabilities(user) == EXPECTED[persona]


def test_inactive_and_anonymous_users_can_do_nothing(focal_point):
    from django.contrib.auth.models import AnonymousUser

    focal_point.is_active = False
    assert permissions.capabilities(focal_point) == frozenset()
    assert permissions.capabilities(AnonymousUser()) == frozenset()


def test_only_isu_staff_need_a_second_factor(isu_staff, focal_point, coordinator, donor):
    assert permissions.requires_two_factor(isu_staff)
    assert not any(permissions.requires_two_factor(u) for u in (focal_point, coordinator, donor))


def test_a_focal_point_acts_for_their_own_state_only(focal_point, other_focal_point):
    lao = focal_point.state
    assert permissions.acts_for_state(focal_point, lao)
    assert not permissions.acts_for_state(other_focal_point, lao)


@pytest.mark.parametrize(
    ("persona", "perm", "allowed"),
    [
        ("isu_staff", "parties.change_state", True),
        ("isu_staff", "parties.add_obligation", True),
        ("isu_staff", "accounts.change_user", True),
        ("isu_staff", "audit.view_auditentry", True),
        ("isu_staff", "audit.change_auditentry", False),
        ("isu_staff", "audit.delete_auditentry", False),
        ("focal_point", "parties.change_state", False),
        ("focal_point", "parties.view_state", False),
        ("coordinator", "accounts.view_user", False),
        ("donor", "parties.change_obligation", False),
    ],
)
def test_admin_permissions_follow_the_role(request, persona, perm, allowed):
    user = request.getfixturevalue(persona)
    assert user.has_perm(perm) is allowed
