"""Who may see and do what on assistance requests, offers, matches and coalitions.

Requests are restricted by default: seen by the requesting State's focal points, the
coordinators of the request's thematic area, the ISU, and the donors the request is shared
with or matched to. A State may make a request public. Offers can be public; otherwise they
are seen by their donor, the coordinators and the ISU.

Views fetch through ``get_request`` / ``get_offer`` / ``get_coalition``: an object the user may
not see is a 404 (its existence is not revealed); one they may see but not change is a 403.
"""

from __future__ import annotations

from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from accounts import permissions
from accounts.models import Role
from accounts.permissions import Capability
from assistance.models import AssistanceOffer, AssistanceRequest, Coalition, CoordinatorTask, Donor, Match


def _active(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def is_isu(user: Any) -> bool:
    return permissions.can(user, Capability.USE_STAFF_PAGES)


def donors_of(user: Any) -> QuerySet[Donor]:
    """The donors a donor focal point acts for: their State's, or their organization's."""
    if not permissions.can(user, Capability.OFFER_ASSISTANCE):
        return Donor.objects.none()
    if user.state_id:
        return Donor.objects.filter(state_id=user.state_id)
    if user.organization:
        return Donor.objects.filter(organization__iexact=user.organization)
    return Donor.objects.none()


def acts_for_donor(user: Any, donor: Donor) -> bool:
    if not permissions.can(user, Capability.OFFER_ASSISTANCE):
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
    if user.role == Role.FOCAL_POINT and user.state_id:
        seen |= Q(state_id=user.state_id)
    if user.role == Role.COORDINATOR:
        seen |= Q(area__in=user.thematic_areas.all())
    if user.role == Role.DONOR:
        donors = donors_of(user)
        seen |= Q(shared_with__in=donors) | Q(matches__offer__donor__in=donors)
    return requests.filter(pk__in=AssistanceRequest.objects.filter(seen).values("pk"))


def offers_visible_to(user: Any) -> QuerySet[AssistanceOffer]:
    offers = AssistanceOffer.objects.all()
    if not _active(user):
        return offers.filter(is_public=True)
    if is_isu(user) or user.role == Role.COORDINATOR:
        return offers
    seen = Q(is_public=True)
    if user.role == Role.DONOR:
        seen |= Q(donor__in=donors_of(user))
    if user.role == Role.FOCAL_POINT and user.state_id:
        # A State sees the offers proposed to it through a match.
        seen |= Q(matches__request__state_id=user.state_id)
    return offers.filter(pk__in=AssistanceOffer.objects.filter(seen).values("pk"))


def may_edit_request(user: Any, request: AssistanceRequest) -> bool:
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
    if is_isu(user) or user.role == Role.COORDINATOR:
        return coalitions
    if user.role == Role.FOCAL_POINT and user.state_id:
        return coalitions.filter(state_id=user.state_id)
    if user.role == Role.DONOR:
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
    if user.role == Role.COORDINATOR:
        seen |= Q(request__area__in=user.thematic_areas.all())
    if user.role == Role.FOCAL_POINT and user.state_id:
        seen |= Q(request__state_id=user.state_id)
    if user.role == Role.DONOR:
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
