"""The thematic coordinators' matching board, the match page and the coordinators' tasks.

- ``board``: the open requests of the coordinator's areas (every area for the ISU), each with its
  funding gap and its best candidate offers, ranked and explained; the coordinator's open tasks.
- ``board_request``: one request with every active offer ranked, its matches, and a form per
  candidate to propose a match (``match_propose``).
- ``match_detail``: the match for both sides and the coordinators; the donor and the State each
  accept or decline (``match_decide``), the donor records commitment and delivery (``match_advance``).
- ``task_done``: a coordinator closes a task with a note.

The board is shared by coordinators and the ISU, so it lives under /assistance/ rather than /isu/:
``StaffTwoFactorMiddleware`` does not ask ISU staff for their second factor here. Board pages need
``Capability.MATCH_ASSISTANCE`` (403 for other signed-in users); a request, match or task the user
may not see is a 404. Every write goes through ``assistance.matching``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
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

from accounts.decorators import capability_required
from accounts.models import ThematicArea
from accounts.permissions import Capability
from assistance import access, matching, ranking
from assistance import board as board_reads
from assistance.models import (
    AssistanceKind,
    AssistanceRequest,
    Decision,
    Match,
    MatchStatus,
    RequestStatus,
)
from assistance.selectors import funding
from assistance.services import check_money
from audit.models import AuditEntry
from parties.models import Region

match_required = capability_required(Capability.MATCH_ASSISTANCE)

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

ACTION_LABELS = {
    "assistance.match.proposed": _lazy("Match proposed"),
    "assistance.match.donor_accepted": _lazy("Accepted by the donor"),
    "assistance.match.donor_declined": _lazy("Declined by the donor"),
    "assistance.match.state_accepted": _lazy("Accepted by the State"),
    "assistance.match.state_declined": _lazy("Declined by the State"),
    "assistance.match.committed": _lazy("Committed by the donor"),
    "assistance.match.delivered": _lazy("Delivered by the donor"),
}


# --- Forms ----------------------------------------------------------------------------------------
class BoardFilterForm(forms.Form):
    area = forms.TypedChoiceField(label=_lazy("Thematic area"), required=False, coerce=int, empty_value=None)
    region = forms.ChoiceField(
        label=_lazy("Region"), required=False, choices=[("", _lazy("All regions")), *Region.choices]
    )
    kind = forms.ChoiceField(
        label=_lazy("Kind"), required=False, choices=[("", _lazy("Any kind")), *AssistanceKind.choices]
    )
    unproposed = forms.BooleanField(label=_lazy("Only requests with no proposal yet"), required=False)

    def __init__(self, *args: Any, areas: list[ThematicArea], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [("", _("All my areas")), *((str(a.pk), a.name) for a in areas)]


class ProposeForm(forms.Form):
    offer = forms.IntegerField(
        widget=forms.HiddenInput,
        error_messages={"required": _lazy("Choose an offer."), "invalid": _lazy("Choose an offer.")},
    )
    amount = forms.DecimalField(
        label=_lazy("Amount"),
        required=False,
        max_digits=14,
        decimal_places=2,
        error_messages={
            "invalid": _lazy("Enter the amount as a number, e.g. 25000 or 25000.50."),
            "max_digits": _lazy("This amount is larger than any assistance on record; check the figure."),
            "max_whole_digits": _lazy("This amount is larger than any assistance on record; check the figure."),
            "max_decimal_places": _lazy("Give at most two decimals."),
        },
    )
    currency = forms.CharField(label=_lazy("Currency"), required=False, max_length=3)

    def clean_currency(self) -> str:
        # The service checks the money again; checking the code here too reports it alongside an amount
        # that could not be read.
        currency = self.cleaned_data["currency"].strip()
        problem = check_money(None, currency).get("currency")
        if problem:
            raise ValidationError(problem)
        return currency


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=_lazy("Your answer"),
        choices=[("accept", _lazy("Accept the match")), ("decline", _lazy("Decline the match"))],
        widget=forms.RadioSelect,
        error_messages={
            "required": _lazy("Choose to accept or decline."),
            "invalid_choice": _lazy("Choose to accept or decline."),
        },
    )
    reason = forms.CharField(
        label=_lazy("Reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_lazy("Needed when you decline; the other side and the coordinator read it."),
    )


class TaskDoneForm(forms.Form):
    note = forms.CharField(
        label=_lazy("What was done"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _lazy("Say what was done about this request.")},
    )


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
    page = Paginator(board_reads.open_requests(areas, **filters), board_reads.BOARD_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    tasks = board_reads.open_tasks(areas)
    task_forms = task_forms or {}
    for task in tasks:
        task.form = task_forms.get(task.pk) or TaskDoneForm(auto_id=f"task-{task.pk}-%s")
    context = {
        "form": form if params else BoardFilterForm(areas=area_choices),
        "page": page,
        "rows": board_reads.board_rows(list(page.object_list)),
        "tasks": tasks,
        "filtered": any(value not in (None, False) for value in filters.values()),
        "every_area": areas is None,
        "areas": area_choices,
        "weights": _weights(),
        "max_score": _max_score(),
        "top": board_reads.TOP_CANDIDATES,
    }
    return context, valid


@require_GET
@match_required
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


def _prefill(row: board_reads.BoardRow) -> tuple[str, str]:
    """The propose form starts from what the request still needs, in its currency."""
    gap = row.funding.gap
    if not gap:
        return "", row.request.currency
    whole = gap == gap.to_integral_value()
    return f"{gap.quantize(Decimal(1)) if whole else gap:f}", row.request.currency


def _render_request(
    request: HttpRequest, assistance_request: AssistanceRequest, *, failed: ProposeForm | None = None, status: int = 200
) -> HttpResponse:
    row = board_reads.request_board(assistance_request)
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
@match_required
def board_request(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_request(request, _board_request(request.user, pk))


@require_POST
@match_required
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
def _timeline(match: Match) -> list[AuditEntry]:
    entries = list(AuditEntry.objects.for_object(match).select_related("actor").order_by("created_at", "id"))
    for entry in entries:
        entry.label = ACTION_LABELS.get(entry.action, entry.action)
        entry.reason = (entry.context or {}).get("reason", "")
    return entries


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
            "timeline": _timeline(match),
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
    if form.is_valid():
        accept = form.cleaned_data["decision"] == "accept"
        try:
            match = matching.decide_match(
                actor=request.user, match=match, accept=accept, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_error(None, error)  # a {"reason": …} error lands on the field
        else:
            if accept:
                messages.success(request, _("You accepted the match. The other side and the coordinator are told."))
            else:
                messages.success(request, _("You declined the match. The other side and the coordinator are told."))
            return redirect("assistance:match_detail", pk=match.pk)
    return _render_match(request, match, form=form, status=400)


@require_POST
@login_required
def match_advance(request: HttpRequest, pk: int) -> HttpResponse:
    match = access.get_match(request.user, pk)
    try:
        match = matching.advance_match(actor=request.user, match=match)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if match.status == MatchStatus.COMMITTED:
            messages.success(request, _("Commitment recorded. The State’s focal points are told."))
        else:
            messages.success(request, _("Delivery recorded. The State’s focal points are told."))
    return redirect("assistance:match_detail", pk=match.pk)


# --- Tasks --------------------------------------------------------------------------------------------
@require_POST
@match_required
def task_done(request: HttpRequest, pk: int) -> HttpResponse:
    task = access.get_task(request.user, pk)
    form = TaskDoneForm(request.POST, auto_id=f"task-{task.pk}-%s")
    if form.is_valid():
        try:
            matching.complete_task(actor=request.user, task=task, note=form.cleaned_data["note"])
        except ValidationError as error:
            if not hasattr(error, "error_dict"):  # already done: nothing left to fix in the form
                messages.error(request, " ".join(error.messages))
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
