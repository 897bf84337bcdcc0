"""Who may see and do what on assistance requests, offers, matches, tasks and coalitions: the one place
in the app that decides it, on the capabilities of ``accounts.permissions`` (nothing here or elsewhere in
the app tests a role).

Who is who: a State's focal point files its State's requests (``Capability.REQUEST_ASSISTANCE``); a donor
focal point offers for their State's or organization's donor (``OFFER_ASSISTANCE``); a thematic
coordinator matches the requests of their own areas (``MATCH_ASSISTANCE``, not the ISU); the ISU
(``permissions.is_isu``) sees and matches everything.

Requests are restricted by default: seen by the requesting State's focal points, the
coordinators of the request's thematic area, the ISU, and the donors the request is shared
with or matched to. A State may make a request public. Offers can be public; otherwise they
are seen by their donor, the coordinators and the ISU.

Views fetch through ``get_request`` / ``get_offer`` / ``get_coalition``: an object the user may
not see is a 404 (its existence is not revealed); one they may see but not change is a 403.
Whom the e-mails go to (``assistance.notifications``) is read here too, as filters on users.
"""

from __future__ import annotations

from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from accounts import permissions
from accounts.decorators import capability_required
from accounts.models import User
from accounts.permissions import Capability
from assistance.models import AssistanceOffer, AssistanceRequest, Coalition, CoordinatorTask, Donor, Match
from reporting.access import readable_versions
from reporting.models import VersionOutcome


def _active(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


# --- Who is who ------------------------------------------------------------------------------------
def is_isu(user: Any) -> bool:
    """The ISU, with its second factor (``accounts.permissions.is_isu``): every request, offer and match."""
    return permissions.is_isu(user)


def may_request_assistance(user: Any) -> bool:
    """A State's focal point: files (and changes) their own State's assistance requests."""
    return permissions.can(user, Capability.REQUEST_ASSISTANCE) and bool(user.state_id)


def may_offer_assistance(user: Any) -> bool:
    """A donor focal point: registers offers of their State's or organization's donor (``donors_of``)."""
    return permissions.can(user, Capability.OFFER_ASSISTANCE)


def is_coordinator(user: Any) -> bool:
    """A thematic coordinator: matches the requests of their own areas (the ISU, matching every area, is not one)."""
    return permissions.can(user, Capability.MATCH_ASSISTANCE) and not permissions.is_isu(user)


def may_add_meeting(user: Any) -> bool:
    """Thematic coordinators and the ISU record the meetings of every coalition."""
    return permissions.can(user, Capability.MATCH_ASSISTANCE)


# Pages only coordinators and the ISU open: the matching board, the full overview (403 to others signed in;
# ISU staff are asked for their second factor first).
coordinator_required = capability_required(Capability.MATCH_ASSISTANCE)


def donors_of(user: Any) -> QuerySet[Donor]:
    """The donors a donor focal point acts for: their State's, or their organization's."""
    if not may_offer_assistance(user):
        return Donor.objects.none()
    if user.state_id:
        return Donor.objects.filter(state_id=user.state_id)
    if user.organization:
        return Donor.objects.filter(organization__iexact=user.organization)
    return Donor.objects.none()


def acts_for_donor(user: Any, donor: Donor) -> bool:
    if not may_offer_assistance(user):
        return False
    if donor.state_id:
        return user.state_id == donor.state_id
    return bool(user.organization) and user.organization.casefold() == donor.organization.casefold()


def coordinated_area_ids(user: Any) -> set[int] | None:
    """Areas whose requests ``user`` matches: ``None`` means every area (the ISU)."""
    if not permissions.can(user, Capability.MATCH_ASSISTANCE):
        return set()
    if is_isu(user):
        return None
    return set(user.thematic_areas.values_list("pk", flat=True))


def coordinates(user: Any, area_id: int) -> bool:
    areas = coordinated_area_ids(user)
    return areas is None or area_id in areas


def requests_visible_to(user: Any) -> QuerySet[AssistanceRequest]:
    requests = AssistanceRequest.objects.all()
    if not _active(user):
        return requests.filter(is_public=True)
    if is_isu(user):
        return requests
    seen = Q(is_public=True)
    if may_request_assistance(user):
        seen |= Q(state_id=user.state_id)
    if is_coordinator(user):
        seen |= Q(area__in=user.thematic_areas.all())
    if may_offer_assistance(user):
        donors = donors_of(user)
        seen |= Q(shared_with__in=donors) | Q(matches__offer__donor__in=donors)
    return requests.filter(pk__in=AssistanceRequest.objects.filter(seen).values("pk"))


def offers_visible_to(user: Any) -> QuerySet[AssistanceOffer]:
    offers = AssistanceOffer.objects.all()
    if not _active(user):
        return offers.filter(is_public=True)
    if is_isu(user) or is_coordinator(user):
        return offers
    seen = Q(is_public=True)
    if may_offer_assistance(user):
        seen |= Q(donor__in=donors_of(user))
    if may_request_assistance(user):
        # A State sees the offers proposed to it through a match.
        seen |= Q(matches__request__state_id=user.state_id)
    return offers.filter(pk__in=AssistanceOffer.objects.filter(seen).values("pk"))


def may_edit_request(user: Any, request: AssistanceRequest) -> bool:
    """The requesting State's focal points (while the request is open: ``services.requests``)."""
    return permissions.can(user, Capability.REQUEST_ASSISTANCE) and permissions.acts_for_state(user, request.state)


def get_request(
    user: Any, pk: int, *, to: Literal["view", "edit"] = "view", queryset: QuerySet | None = None
) -> AssistanceRequest:
    """The request ``pk`` if ``user`` may see it (404 otherwise) and, for ``to="edit"``, change it (403)."""
    queryset = queryset if queryset is not None else AssistanceRequest.objects.select_related("state", "area")
    request = queryset.filter(pk__in=requests_visible_to(user).filter(pk=pk).values("pk")).first()
    if request is None:
        raise Http404
    if to == "edit" and not may_edit_request(user, request):
        raise PermissionDenied
    return request


def get_offer(
    user: Any, pk: int, *, to: Literal["view", "edit"] = "view", queryset: QuerySet | None = None
) -> AssistanceOffer:
    queryset = queryset if queryset is not None else AssistanceOffer.objects.select_related("donor__state")
    offer = queryset.filter(pk__in=offers_visible_to(user).filter(pk=pk).values("pk")).first()
    if offer is None:
        raise Http404
    if to == "edit" and not acts_for_donor(user, offer.donor):
        raise PermissionDenied
    return offer


def coalitions_visible_to(user: Any) -> QuerySet[Coalition]:
    """Coalition pages are for their members: the State, its partners, coordinators and the ISU."""
    coalitions = Coalition.objects.all()
    if not _active(user):
        return coalitions.none()
    if is_isu(user) or is_coordinator(user):
        return coalitions
    if may_request_assistance(user):
        return coalitions.filter(state_id=user.state_id)
    if may_offer_assistance(user):
        return coalitions.filter(pk__in=Coalition.objects.filter(partners__in=donors_of(user)).values("pk"))
    return coalitions.none()


def get_coalition(user: Any, iso3: str) -> Coalition:
    coalition = coalitions_visible_to(user).select_related("state").filter(state__iso3=iso3.upper()).first()
    if coalition is None:
        raise Http404
    return coalition


def matches_visible_to(user: Any, matches: QuerySet[Match] | None = None) -> QuerySet[Match]:
    """The matches (among ``matches``, default all) that ``user`` may read: the ISU all, a
    coordinator those of their areas, a State those on its requests, a donor its own; the public none."""
    matches = Match.objects.all() if matches is None else matches
    if not _active(user):
        return matches.none()
    if is_isu(user):
        return matches
    seen = Q(pk__in=[])
    if is_coordinator(user):
        seen |= Q(request__area__in=user.thematic_areas.all())
    if may_request_assistance(user):
        seen |= Q(request__state_id=user.state_id)
    if may_offer_assistance(user):
        seen |= Q(offer__donor__in=donors_of(user))
    return matches.filter(seen)


def get_match(user: Any, pk: int) -> Match:
    match = (
        matches_visible_to(user)
        .select_related("request__state", "request__area", "offer__donor__state", "proposed_by")
        .filter(pk=pk)
        .first()
    )
    if match is None:
        raise Http404
    return match


def side_of(user: Any, match: Match) -> str | None:
    """Which side of ``match`` the user answers for: "donor", "state" or ``None``."""
    if acts_for_donor(user, match.offer.donor):
        return "donor"
    if permissions.acts_for_state(user, match.request.state):
        return "state"
    return None


def get_task(user: Any, pk: int) -> CoordinatorTask:
    """A coordinator task of one of the user's areas (every area for the ISU); 404 otherwise."""
    areas = coordinated_area_ids(user)
    tasks = CoordinatorTask.objects.select_related("request__state", "request__area")
    if areas is not None:
        tasks = tasks.filter(request__area_id__in=areas)
    task = tasks.filter(pk=pk).first()
    if task is None:
        raise Http404
    return task


# --- A user's own requests (the request list's "mine") ------------------------------------------------
def own_requests_side(user: Any) -> Literal["state", "donor", "coordinator"] | None:
    """Which requests are ``user``'s own on the request list: "state" (a focal point: their State's),
    "donor" (shared with or matched to their donor), "coordinator" (those of their areas), or None (the
    public and the ISU: the list offers them no such choice)."""
    if not _active(user) or is_isu(user):
        return None
    if may_request_assistance(user):
        return "state"
    if may_offer_assistance(user):
        return "donor"
    if is_coordinator(user):
        return "coordinator"
    return None


def own_requests(user: Any) -> Q:
    """``user``'s own requests (``own_requests_side``), as a filter on requests."""
    side = own_requests_side(user)
    if side == "state":
        return Q(state_id=user.state_id)
    if side == "donor":
        donors = donors_of(user)
        return Q(shared_with__in=donors) | Q(matches__offer__donor__in=donors)
    if side == "coordinator":
        return Q(area__in=user.thematic_areas.all())
    return Q(pk__in=[])


# --- The reconciliation with Article 7 Form I ------------------------------------------------------------
def reconciliation_states(user: Any) -> tuple[frozenset[int] | None, bool]:
    """The States whose rows ``user`` sees in the reconciliation, and whether only as the donor: every State
    (``None``) for the ISU and coordinators; a donor focal point acting for a State, that State's rows as a
    donor; a focal point, the rows where their State gives or receives. Anyone else (a donor acting for an
    organization, which files no Article 7 report) gets 403."""
    if is_isu(user) or is_coordinator(user):
        return None, False
    if may_offer_assistance(user):
        # A donor focal point acts for their State's donor (``acts_for_donor``), whether or not that State
        # has offered anything through the portal yet.
        if user.state_id:
            return frozenset({user.state_id}), True
    elif may_request_assistance(user):
        return frozenset({user.state_id}), False
    raise PermissionDenied


def reconciled_versions(user: Any) -> Q:
    """The report versions whose Form I the reconciliation reads for ``user``, as a filter on versions: every
    accepted version for the ISU's reviewers; for everyone else what the ISU published that they may read
    (``reporting.access.readable_versions``) and, for a State's focal points, their own accepted versions."""
    if permissions.can(user, Capability.REVIEW_REPORTS):
        return Q(outcome=VersionOutcome.ACCEPTED)
    readable = Q(pk__in=readable_versions(user).values("pk"))
    if permissions.can(user, Capability.PREPARE_REPORTS) and user.state_id:
        readable |= Q(outcome=VersionOutcome.ACCEPTED, report__state_id=user.state_id)
    return readable


# --- Whom the e-mails go to (assistance.notifications) ------------------------------------------------
def donor_focal_points(donor: Donor) -> QuerySet[User]:
    """The active donor focal points acting for ``donor`` (``donors_of`` read backwards)."""
    users = User.objects.filter(permissions.holders(Capability.OFFER_ASSISTANCE))
    if donor.state_id:
        return users.filter(state_id=donor.state_id)
    return users.filter(organization__iexact=donor.organization)


def state_focal_points(state: Any) -> QuerySet[User]:
    """The active focal points of ``state``."""
    return User.objects.filter(permissions.holders(Capability.REQUEST_ASSISTANCE), state=state)


def area_coordinators(area_id: int) -> QuerySet[User]:
    """The active thematic coordinators of the area (not the ISU, which is not told of each area's tasks)."""
    return User.objects.filter(permissions.holders(Capability.MATCH_ASSISTANCE), thematic_areas=area_id).exclude(
        permissions.holders(Capability.USE_STAFF_PAGES)
    )
