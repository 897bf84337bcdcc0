"""E-mails about matches and coordinator tasks.

- A match is proposed: the donor's focal points and the requesting State's focal points.
- A side decides: the coordinator who proposed the match and the other side.
- The donor records a commitment or a delivery: the requesting State's focal points.
- The daily check raises a task: the coordinators of the request's thematic area.

Each message is sent once per (event, recipient): an ``AssistanceNotification`` row is written
before the message goes out, under a unique key, so a retried or duplicated task sends nothing
twice. Each message is written in its recipient's language. Whom each goes to is read from
``assistance.access`` (``donor_focal_points``, ``state_focal_points``, ``area_coordinators``).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from assistance.access import area_coordinators, donor_focal_points, state_focal_points
from assistance.models import AssistanceNotification, CoordinatorTask, Match
from ccm_portal.core import links


def _send(*, key: str, user: User, template: str, context: dict) -> bool:
    try:
        with transaction.atomic():
            AssistanceNotification.objects.create(key=key, recipient=user)
            with translation.override(user.language or settings.LANGUAGE_CODE):
                context = {**context, "user": user, "site_url": links.site_url()}
                subject = render_to_string(f"assistance/email/{template}_subject.txt", context).strip()
                message = EmailMultiAlternatives(
                    subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + " ".join(subject.split()),
                    body=render_to_string(f"assistance/email/{template}.txt", context),
                    to=[user.email],
                )
                message.attach_alternative(render_to_string(f"assistance/email/{template}.html", context), "text/html")
                message.send()
    except IntegrityError:
        return False  # already sent
    return True


# --- Recipients -----------------------------------------------------------------------------------
def _unique(users: Iterable[User]) -> list[User]:
    seen: dict[int, User] = {}
    for user in users:
        seen.setdefault(user.pk, user)
    return list(seen.values())


def _match(match_id: int) -> Match:
    return Match.objects.select_related("request__state", "request__area", "offer__donor__state", "proposed_by").get(
        pk=match_id
    )


def _match_url(match: Match) -> str:
    return links.absolute(reverse("assistance:match_detail", args=[match.pk]))


# --- Events -----------------------------------------------------------------------------------------
def match_proposed(*, match_id: int) -> int:
    match = _match(match_id)
    recipients = _unique([*donor_focal_points(match.offer.donor), *state_focal_points(match.request.state)])
    context = {"match": match, "request": match.request, "offer": match.offer, "url": _match_url(match)}
    return sum(
        _send(key=f"match.proposed:{match.pk}:{user.pk}", user=user, template="match_proposed", context=context)
        for user in recipients
    )


def match_decided(*, match_id: int, side: str, decision: str) -> int:
    """``side`` ("donor" or "state") answered ``decision`` ("accepted" or "declined")."""
    match = _match(match_id)
    if side == "donor":
        other_side = state_focal_points(match.request.state)
        reason = match.donor_reason
    else:
        other_side = donor_focal_points(match.offer.donor)
        reason = match.state_reason
    proposer = [match.proposed_by] if match.proposed_by.is_active else []
    context = {
        "match": match,
        "request": match.request,
        "offer": match.offer,
        "side": side,
        "accepted": decision == "accepted",
        "reason": reason if decision == "declined" else "",
        "url": _match_url(match),
    }
    return sum(
        _send(key=f"match.{side}_{decision}:{match.pk}:{user.pk}", user=user, template="match_decided", context=context)
        for user in _unique([*proposer, *other_side])
    )


def match_advanced(*, match_id: int, status: str) -> int:
    """The donor recorded ``status`` ("committed" or "delivered")."""
    match = _match(match_id)
    context = {"match": match, "request": match.request, "offer": match.offer, "url": _match_url(match)}
    return sum(
        _send(key=f"match.{status}:{match.pk}:{user.pk}", user=user, template=f"match_{status}", context=context)
        for user in state_focal_points(match.request.state)
    )


def no_offer_task(*, task_id: int) -> int:
    task = CoordinatorTask.objects.select_related("request__state", "request__area").get(pk=task_id)
    if task.done_at is not None:
        return 0  # done before the message went out: nothing left to ask
    url = links.absolute(reverse("assistance:board_request", args=[task.request_id]))
    context = {"task": task, "request": task.request, "url": url}
    return sum(
        _send(key=f"task.{task.kind}:{task.pk}:{user.pk}", user=user, template="no_offer_task", context=context)
        for user in area_coordinators(task.request.area_id)
    )
