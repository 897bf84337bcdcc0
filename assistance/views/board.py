"""The thematic coordinators' matching board, the match page and the coordinators' tasks.

- ``board``: the open requests of the coordinator's areas (every area for the ISU), each with its
  funding gap and its best candidate offers, ranked and explained; the coordinator's open tasks.
- ``board_request``: one request with every active offer ranked, its matches, and a form per
  candidate to propose a match (``match_propose``).
- ``match_detail``: the match for both sides and the coordinators; the donor and the State each
  accept or decline (``match_decide``), the donor records commitment and delivery (``match_advance``).
- ``task_done``: a coordinator closes a task with a note.

The board is shared by coordinators and the ISU, so it lives under /assistance/ rather than /isu/:
``StaffTwoFactorMiddleware`` does not ask ISU staff for their second factor here. Board pages are for
coordinators and the ISU (``access.coordinator_required``: 403 for other signed-in users); a request,
match or task the user may not see is a 404. The board is read by ``assistance.selectors.board``; every
write goes through ``assistance.services.matching``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_POST

from accounts.models import ThematicArea
from assistance import access, cached, ranking
from assistance.access import coordinator_required
from assistance.forms import BoardFilterForm, DecideForm, ProposeForm, TaskDoneForm
from assistance.models import AssistanceRequest, Decision, Match, MatchStatus, RequestStatus
from assistance.selectors.board import (
    BOARD_PAGE_SIZE,
    TOP_CANDIDATES,
    BoardRow,
    board_rows,
    open_requests,
    open_tasks,
    request_board,
)
from assistance.selectors.funding import funding
from assistance.selectors.history import match_timeline
from assistance.services import matching
from ccm_portal.core.views import attempt, show_refusal, submit

WEIGHT_LABELS = {
    "area": _lazy("The offer covers the request’s thematic area"),
    "kind": _lazy("It offers the kind of assistance asked for (technical, material, financial)"),
    "place": _lazy("The donor names the State (its region counts for 60%)"),
    "amount": _lazy(
        "The amount still to find (the need less what is already pledged, committed or delivered) fits the "
        "offer’s budget, in the same currency (in part, when larger); nothing when the need is fully pledged"
    ),
    "period": _lazy("The periods overlap"),
    "history": _lazy("The donor has delivered assistance to this State before"),
}


# --- Board ------------------------------------------------------------------------------------------
def _weights() -> list[tuple[str, float]]:
    return [(str(WEIGHT_LABELS.get(key, key)), weight) for key, weight in ranking.weights().items()]


def _max_score() -> float:
    return round(sum(ranking.weights().values()), 2)


def _board_context(request: HttpRequest, *, task_forms: dict[int, TaskDoneForm] | None = None) -> tuple[dict, bool]:
    areas = access.coordinated_area_ids(request.user)
    area_choices = list(ThematicArea.objects.all() if areas is None else ThematicArea.objects.filter(pk__in=areas))
    params = request.GET.copy()
    params.pop("page", None)
    form = BoardFilterForm(params or None, areas=area_choices)
    valid = form.is_valid() if params else True
    data = form.cleaned_data if params else {}  # the valid filters, even when another is not
    filters = {
        "area": data.get("area"),
        "region": data.get("region") or None,
        "kind": data.get("kind") or None,
        "unproposed": bool(data.get("unproposed")),
    }
    page = Paginator(open_requests(areas, **filters), BOARD_PAGE_SIZE).get_page(request.GET.get("page"))
    tasks = open_tasks(areas)
    task_forms = task_forms or {}
    for task in tasks:
        task.form = task_forms.get(task.pk) or TaskDoneForm(auto_id=f"task-{task.pk}-%s")
    context = {
        "form": form if params else BoardFilterForm(areas=area_choices),
        "page": page,
        "rows": board_rows(list(page.object_list), choose=cached.best_offers),
        "tasks": tasks,
        "filtered": any(value not in (None, False) for value in filters.values()),
        "every_area": areas is None,
        "areas": area_choices,
        "weights": _weights(),
        "max_score": _max_score(),
        "top": TOP_CANDIDATES,
    }
    return context, valid


@require_GET
@coordinator_required
def board(request: HttpRequest) -> HttpResponse:
    context, valid = _board_context(request)
    return render(request, "assistance/board/board.html", context, status=200 if valid else 400)


# --- One request ------------------------------------------------------------------------------------
def _board_request(user: Any, pk: int) -> AssistanceRequest:
    """A request of one of the user's areas: the board does not reach into other areas, even for a
    request the user may read because it is public (404)."""
    areas = access.coordinated_area_ids(user)
    queryset = AssistanceRequest.objects.select_related("state", "area")
    if areas is not None:
        queryset = queryset.filter(area_id__in=areas)
    return access.get_request(user, pk, queryset=queryset)


def _prefill(row: BoardRow) -> tuple[str, str]:
    """The propose form starts from what the request still needs, in its currency."""
    gap = row.funding.gap
    if not gap:
        return "", row.request.currency
    whole = gap == gap.to_integral_value()
    return f"{gap.quantize(Decimal(1)) if whole else gap:f}", row.request.currency


def _render_request(
    request: HttpRequest, assistance_request: AssistanceRequest, *, failed: ProposeForm | None = None, status: int = 200
) -> HttpResponse:
    row = request_board(assistance_request)
    amount, currency = _prefill(row)
    failed_offer = failed.data.get("offer", "") if failed is not None else ""
    for candidate in row.candidates:
        candidate.form = failed if failed is not None and str(candidate.offer.pk) == failed_offer else None
    is_open = assistance_request.status == RequestStatus.OPEN
    return render(
        request,
        "assistance/board/request.html",
        {
            "assistance_request": assistance_request,
            "row": row,
            "failed": failed,
            "failed_unplaced": failed is not None and not any(c.form for c in row.candidates),
            "prefill_amount": amount,
            "prefill_currency": currency,
            "is_open": is_open,
            "weights": _weights(),
            "max_score": _max_score(),
        },
        status=status,
    )


@require_GET
@coordinator_required
def board_request(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_request(request, _board_request(request.user, pk))


@require_POST
@coordinator_required
def match_propose(request: HttpRequest, pk: int) -> HttpResponse:
    assistance_request = _board_request(request.user, pk)
    form = ProposeForm(request.POST)  # its fields are drawn in the candidate's row, by offer id
    if form.is_valid():
        try:
            offer = access.get_offer(request.user, form.cleaned_data["offer"])
        except Http404:
            form.add_error("offer", _("This offer does not exist."))
        else:
            try:
                match = matching.propose_match(
                    actor=request.user,
                    request=assistance_request,
                    offer=offer,
                    amount=form.cleaned_data["amount"],
                    currency=form.cleaned_data["currency"],
                )
            except ValidationError as error:
                form.add_error(None, error)  # {"amount": …} lands on its field, the rest above the form
            else:
                messages.success(
                    request,
                    _("Match proposed. The donor’s and the State’s focal points are told by e-mail."),
                )
                return redirect("assistance:match_detail", pk=match.pk)
    return _render_request(request, assistance_request, failed=form, status=400)


# --- Match page ---------------------------------------------------------------------------------------
def _render_match(
    request: HttpRequest, match: Match, *, form: DecideForm | None = None, status: int = 200
) -> HttpResponse:
    side = access.side_of(request.user, match)
    decision = getattr(match, f"{side}_decision") if side else None
    money = funding([match.request])[match.request_id]
    return render(
        request,
        "assistance/matches/detail.html",
        {
            "match": match,
            "funding": money,
            "side": side,
            "can_decide": side is not None and match.status == MatchStatus.PROPOSED and decision == Decision.PENDING,
            "can_advance": side == "donor" and match.status in (MatchStatus.ACCEPTED, MatchStatus.COMMITTED),
            "decide_form": form or DecideForm(),
            "timeline": match_timeline(match),
            "is_coordinator": access.coordinates(request.user, match.request.area_id),
        },
        status=status,
    )


@require_GET
@login_required
def match_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_match(request, access.get_match(request.user, pk))


@require_POST
@login_required
def match_decide(request: HttpRequest, pk: int) -> HttpResponse:
    match = access.get_match(request.user, pk)
    form = DecideForm(request.POST)
    # A {"reason": …} refusal lands on its field.
    decided = submit(
        form,
        lambda: matching.decide_match(
            actor=request.user,
            match=match,
            accept=form.cleaned_data["decision"] == "accept",
            reason=form.cleaned_data["reason"],
        ),
    )
    if decided is None:
        return _render_match(request, match, form=form, status=400)
    if form.cleaned_data["decision"] == "accept":
        messages.success(request, _("You accepted the match. The other side and the coordinator are told."))
    else:
        messages.success(request, _("You declined the match. The other side and the coordinator are told."))
    return redirect("assistance:match_detail", pk=decided.pk)


@require_POST
@login_required
def match_advance(request: HttpRequest, pk: int) -> HttpResponse:
    match = access.get_match(request.user, pk)
    advanced = attempt(request, lambda: matching.advance_match(actor=request.user, match=match))
    if advanced is not None and advanced.status == MatchStatus.COMMITTED:
        messages.success(request, _("Commitment recorded. The State’s focal points are told."))
    elif advanced is not None:
        messages.success(request, _("Delivery recorded. The State’s focal points are told."))
    return redirect("assistance:match_detail", pk=match.pk)


# --- Tasks --------------------------------------------------------------------------------------------
@require_POST
@coordinator_required
def task_done(request: HttpRequest, pk: int) -> HttpResponse:
    task = access.get_task(request.user, pk)
    form = TaskDoneForm(request.POST, auto_id=f"task-{task.pk}-%s")
    if form.is_valid():
        try:
            matching.complete_task(actor=request.user, task=task, note=form.cleaned_data["note"])
        except ValidationError as error:
            if not hasattr(error, "error_dict"):  # already done: nothing left to fix in the form
                show_refusal(request, error)
                return redirect("assistance:board")
            form.add_error(None, error)
        else:
            messages.success(request, _("Task on “%(title)s” marked done.") % {"title": task.request.title})
            return redirect("assistance:board")
    context, _valid = _board_context(request, task_forms={task.pk: form})
    return render(request, "assistance/board/board.html", context, status=400)


urlpatterns = [
    path("assistance/board/", board, name="board"),
    path("assistance/board/<int:pk>/", board_request, name="board_request"),
    path("assistance/board/<int:pk>/propose/", match_propose, name="match_propose"),
    path("assistance/matches/<int:pk>/", match_detail, name="match_detail"),
    path("assistance/matches/<int:pk>/decide/", match_decide, name="match_decide"),
    path("assistance/matches/<int:pk>/advance/", match_advance, name="match_advance"),
    path("assistance/tasks/<int:pk>/done/", task_done, name="task_done"),
]
