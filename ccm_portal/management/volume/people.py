"""The accounts the volume acts through, and its donors. Every account has an address at ``plan.DOMAIN``
and no usable password (the volume is for measuring; benchmarks sign in with ``force_login``); every donor is
an organization named ``plan.DONOR_PREFIX`` and a number. That is the marker ``flush`` finds them by."""

from __future__ import annotations

from dataclasses import dataclass, field

from accounts.models import Role, ThematicArea, User
from assistance.models import Donor
from ccm_portal.management.volume.plan import DOMAIN, DONOR_PREFIX, DONORS, Plan
from parties.models import State

FOCAL_POINTS_PER_STATE = 2
REVIEWERS = 3
COORDINATORS = 4
UNUSABLE = "!volume"  # Django's mark of an unusable password


@dataclass
class People:
    focal_points: dict[int, list[User]] = field(default_factory=dict)  # State pk → its focal points
    reviewers: list[User] = field(default_factory=list)
    coordinators: list[User] = field(default_factory=list)
    donors: list[Donor] = field(default_factory=list)
    donor_users: dict[int, User] = field(default_factory=dict)  # donor pk → its donor focal point

    @property
    def counts(self) -> dict[str, int]:
        accounts = sum(len(users) for users in self.focal_points.values())
        return {
            "accounts": accounts + len(self.reviewers) + len(self.coordinators) + len(self.donor_users),
            "donors": len(self.donors),
        }


def _user(email: str, role: str, name: str, plan: Plan, **fields) -> User:
    return User(
        email=f"{email}@{DOMAIN}",
        full_name=name,
        role=role,
        password=UNUSABLE,
        is_staff=role == Role.ISU_STAFF,
        date_joined=plan.at_start,
        **fields,
    )


def build(plan: Plan, states: list[State]) -> People:
    """The focal points of every State, the ISU's reviewers, the coordinators (two areas each) and the
    donors with one donor focal point each."""
    people = People()
    users = [
        _user(f"fp{i + 1}.{s.iso3.lower()}", Role.FOCAL_POINT, f"Focal point {i + 1} ({s.iso3})", plan, state=s)
        for s in states
        for i in range(FOCAL_POINTS_PER_STATE)
    ]
    users += [_user(f"isu{i + 1}", Role.ISU_STAFF, f"ISU reviewer {i + 1}", plan) for i in range(REVIEWERS)]
    users += [_user(f"coordinator{i + 1}", Role.COORDINATOR, f"Coordinator {i + 1}", plan) for i in range(COORDINATORS)]
    names = [f"{DONOR_PREFIX}{i + 1:02d}" for i in range(DONORS)]
    users += [
        _user(f"donor{i + 1:02d}", Role.DONOR, f"Donor focal point {i + 1:02d}", plan, organization=name)
        for i, name in enumerate(names)
    ]
    users = User.objects.bulk_create(users, batch_size=1000)
    for user in users:
        if user.role == Role.FOCAL_POINT:
            people.focal_points.setdefault(user.state_id, []).append(user)
        elif user.role == Role.ISU_STAFF:
            people.reviewers.append(user)
        elif user.role == Role.COORDINATOR:
            people.coordinators.append(user)
    areas = list(ThematicArea.objects.order_by("code"))
    Through = User.thematic_areas.through
    Through.objects.bulk_create(
        Through(user_id=user.pk, thematicarea_id=areas[(2 * i + k) % len(areas)].pk)
        for i, user in enumerate(people.coordinators)
        for k in range(min(2, len(areas)))
    )
    people.donors = Donor.objects.bulk_create(Donor(organization=name) for name in names)
    by_name = {user.organization: user for user in users if user.role == Role.DONOR}
    people.donor_users = {donor.pk: by_name[donor.organization] for donor in people.donors}
    return people
