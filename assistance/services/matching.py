"""Matches between assistance requests and offers, and the coordinators' tasks.

Writes: a coordinator proposes, the donor and the State decide, the donor records commitment and
delivery; the daily check raises a task on requests nobody offered anything for; a coordinator
marks a task done. Each is atomic, audited, with an explicit actor, and queues its e-mails by task
name (``ccm_portal.core.tasks.enqueue``, run once the transaction commits) so that nothing is sent
for a change that was rolled back.

Who may see a match or a task is decided in ``assistance.access``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from assistance import access
from assistance.models import (
    AssistanceOffer,
    AssistanceRequest,
    AssistanceSettings,
    CoordinatorTask,
    Decision,
    Match,
    MatchStatus,
    OfferStatus,
    RequestStatus,
    TaskKind,
)
from assistance.services.validation import check_money
from audit import services as audit
from ccm_portal.core.tasks import enqueue, enqueue_each
from parties.rules import add_months


# --- Matches ----------------------------------------------------------------------------------------
@transaction.atomic
def propose_match(
    *, actor: User, request: AssistanceRequest, offer: AssistanceOffer, amount: Decimal | None, currency: str
) -> Match:
    """A coordinator of the request's area (or the ISU) proposes that an offer funds a request."""
    if not access.coordinates(actor, request.area_id):
        raise PermissionDenied
    request = AssistanceRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != RequestStatus.OPEN:
        raise ValidationError(
            _("This request is %(status)s: it cannot be matched.") % {"status": request.get_status_display()}
        )
    if offer.status != OfferStatus.ACTIVE:
        raise ValidationError({"offer": _("This offer was withdrawn by its donor: it cannot be proposed.")})
    errors = check_money(amount, currency)
    if errors:
        raise ValidationError(errors)
    if Match.objects.filter(request=request, offer=offer).exists():
        raise ValidationError(_("This offer is already proposed for this request."))
    match = Match.objects.create(
        request=request, offer=offer, amount=amount, currency=currency.upper(), proposed_by=actor
    )
    audit.record(
        actor=actor, action="assistance.match.proposed", obj=match, changes=audit.diff({}, audit.snapshot(match))
    )
    enqueue("assistance.tasks.notify_match_proposed", match.pk)
    return match


@transaction.atomic
def decide_match(*, actor: User, match: Match, accept: bool, reason: str = "") -> Match:
    """The donor and the requesting State each accept or decline a proposed match; a decline needs a reason."""
    match = Match.objects.select_for_update().select_related("request", "offer__donor").get(pk=match.pk)
    if match.status != MatchStatus.PROPOSED:
        raise ValidationError(_("This match was already decided."))
    if not accept and not reason.strip():
        raise ValidationError({"reason": _("Say why the match is declined.")})
    decision = Decision.ACCEPTED if accept else Decision.DECLINED
    side = access.side_of(actor, match)
    if side is None:
        raise PermissionDenied
    before = {"status": match.status, f"{side}_decision": getattr(match, f"{side}_decision")}
    setattr(match, f"{side}_decision", decision)
    setattr(match, f"{side}_reason", reason.strip())
    if Decision.DECLINED in (match.donor_decision, match.state_decision):
        match.status = MatchStatus.DECLINED
    elif match.donor_decision == match.state_decision == Decision.ACCEPTED:
        match.status = MatchStatus.ACCEPTED
    match.save(update_fields=["status", f"{side}_decision", f"{side}_reason"])
    audit.record(
        actor=actor,
        action=f"assistance.match.{side}_{decision}",
        obj=match,
        changes={key: [value, getattr(match, key)] for key, value in before.items()},
        context={"reason": reason.strip()},
    )
    enqueue("assistance.tasks.notify_match_decided", match.pk, side, str(decision))
    return match


@transaction.atomic
def advance_match(*, actor: User, match: Match) -> Match:
    """The donor records the next step of an accepted match: committed, then delivered."""
    match = Match.objects.select_for_update().select_related("offer__donor").get(pk=match.pk)
    if not access.acts_for_donor(actor, match.offer.donor):
        raise PermissionDenied
    following = {MatchStatus.ACCEPTED: MatchStatus.COMMITTED, MatchStatus.COMMITTED: MatchStatus.DELIVERED}
    if match.status not in following:
        raise ValidationError(_("Only an accepted match can be committed, and only a committed one delivered."))
    before = match.status
    match.status = following[before]
    match.save(update_fields=["status"])
    audit.record(
        actor=actor, action=f"assistance.match.{match.status}", obj=match, changes={"status": [before, match.status]}
    )
    enqueue("assistance.tasks.notify_match_advanced", match.pk, str(match.status))
    return match


# --- Coordinator tasks --------------------------------------------------------------------------------
def no_offer_cutoff(now: dt.datetime, months: int) -> dt.datetime:
    """The moment ``months`` calendar months before ``now`` (31 Aug − 6 months → 28/29 Feb)."""
    local = timezone.localtime(now)
    day = add_months(local.date(), -months)
    return local.replace(year=day.year, month=day.month, day=day.day)


@transaction.atomic
def raise_no_offer_tasks(*, now: dt.datetime | None = None) -> list[int]:
    """The daily check: a ``no_offer`` task on each open request filed more than
    ``AssistanceSettings.no_offer_after_months`` ago that nobody proposed any offer for.

    Idempotent: a request with an open task gets no other (a unique constraint holds even against a
    concurrent run), and one whose task was marked done gets a new one only after another such period
    without a proposal. The coordinators of the area are e-mailed once per new task."""
    now = now or timezone.now()
    months = AssistanceSettings.current().no_offer_after_months
    cutoff = no_offer_cutoff(now, months)
    recent_task = CoordinatorTask.objects.filter(request=OuterRef("pk"), kind=TaskKind.NO_OFFER).filter(
        Q(done_at__isnull=True) | Q(done_at__gt=cutoff)
    )
    waiting = (
        AssistanceRequest.objects.filter(status=RequestStatus.OPEN, created_at__lte=cutoff)
        .exclude(Exists(Match.objects.filter(request=OuterRef("pk"))))
        .exclude(Exists(recent_task))
        .order_by("created_at", "pk")
    )
    raised = []
    for request in waiting:
        try:
            with transaction.atomic():
                task = CoordinatorTask.objects.create(request=request, kind=TaskKind.NO_OFFER)
                audit.record(
                    actor=None,
                    action="assistance.task.raised",
                    obj=task,
                    changes={"kind": [None, task.kind]},
                    context={"request": request.pk, "months": months},
                )
        except IntegrityError:
            continue  # a concurrent run raised it first
        raised.append(task.pk)
    enqueue_each("assistance.tasks.notify_no_offer_task", raised)
    return raised


@transaction.atomic
def complete_task(*, actor: User, task: CoordinatorTask, note: str) -> CoordinatorTask:
    """A coordinator of the request's area (or the ISU) marks a task done, saying what was done."""
    task = CoordinatorTask.objects.select_for_update().select_related("request").get(pk=task.pk)
    if not access.coordinates(actor, task.request.area_id):
        raise PermissionDenied
    if task.done_at is not None:
        raise ValidationError(_("This task was already marked done."))
    note = note.strip()
    if not note:
        raise ValidationError({"note": _("Say what was done about this request.")})
    task.done_at, task.done_by, task.note = timezone.now(), actor, note
    task.save(update_fields=["done_at", "done_by", "note"])
    audit.record(
        actor=actor,
        action="assistance.task.done",
        obj=task,
        changes={"done_at": [None, task.done_at.isoformat()], "note": ["", note]},
    )
    return task
