"""Assistance requests (Art. 6(1)): the list, a request's page, and the requesting State's focal
points' pages to file, change, share, withdraw and close a request and its supporting documents.

Views are thin: parse, fetch and authorize through ``assistance.access`` (404 to those who may
not know the request exists, 403 to those who may read but not change it), call one service,
render or redirect. Every write goes through ``assistance.services.requests`` (and ``documents``), which
audit it; the history and how a request ended are read by ``assistance.selectors.history``.

Who sees the matches of a request: the requesting State, the coordinators of its area and the
ISU see all of them; a donor sees its own. The public sees a public request and its funding, not
the matches (a match page is for the parties to it).
"""

from __future__ import annotations

from typing import Any, Literal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assistance import access, uploads
from assistance.forms import CloseForm, DocumentForm, ReasonForm, RequestFilterForm, RequestForm, ShareForm
from assistance.models import (
    AssistanceRequest,
    AssistanceSettings,
    Decision,
    Match,
    MatchStatus,
    RequestDocument,
    RequestStatus,
)
from assistance.selectors.funding import funding
from assistance.selectors.history import ending, request_history
from assistance.services import documents
from assistance.services.requests import close_request, create_request, share_request, update_request, withdraw_request
from ccm_portal.core import ratelimit
from ccm_portal.core.files import send_upload
from ccm_portal.core.page_cache import public_page
from ccm_portal.core.views import attempt, submit
from reporting.formats import currencies

PER_PAGE = 50
MINE, EVERYTHING = "mine", "all"

STATUS_BADGES = {RequestStatus.OPEN: "open", RequestStatus.CLOSED: "neutral", RequestStatus.WITHDRAWN: "withdrawn"}
MATCH_BADGES = {
    MatchStatus.PROPOSED: "info",
    MatchStatus.ACCEPTED: "success",
    MatchStatus.DECLINED: "danger",
    MatchStatus.COMMITTED: "success",
    MatchStatus.DELIVERED: "success",
}
DECISION_BADGES = {Decision.PENDING: "neutral", Decision.ACCEPTED: "success", Decision.DECLINED: "danger"}


# --- Shared helpers (the offer pages use them too) -------------------------------------------------
def not_found_or_sign_in(request: HttpRequest) -> HttpResponse:
    """The public is asked to sign in, whether the request exists or not: nothing is revealed, and a
    focal point following a link from an e-mail lands on the page once signed in."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    raise Http404


def _back(assistance_request: AssistanceRequest, anchor: str = "") -> HttpResponse:
    url = reverse("assistance:request_detail", args=[assistance_request.pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


def render_form(
    request: HttpRequest, template: str, form: forms.Form, obj: Any = None, *, status: int = 200
) -> HttpResponse:
    """The page to file or change a request or an offer; the currency field suggests the ISO 4217 codes."""
    return render(request, template, {"form": form, "object": obj, "currencies": sorted(currencies())}, status=status)


def read_filters(request: HttpRequest, form_class: type[forms.Form]) -> tuple[forms.Form, bool, dict[str, Any]]:
    """A list's filter form, whether it is valid, and its valid filters (even when another is not)."""
    if not request.GET:
        return form_class(), True, {}
    form = form_class(request.GET)
    valid = form.is_valid()
    return form, valid, form.cleaned_data


def scope_of(request: HttpRequest, *, has_mine: bool) -> str:
    """The list's scope: what is the user's own ("mine") unless they ask for everything, or the list has no
    "mine" for them."""
    return EVERYTHING if request.GET.get("scope") == EVERYTHING or not has_mine else MINE


def paginate(request: HttpRequest, queryset: QuerySet) -> Page:
    return Paginator(queryset.order_by("-created_at", "-pk"), PER_PAGE).get_page(request.GET.get("page"))


def render_list(
    request: HttpRequest,
    template: str,
    form: forms.Form,
    *,
    valid: bool,
    filters: dict[str, Any],
    page: Page,
    rows: list[Any],
    scope: str,
    scope_label: str | None,
    **extra: Any,
) -> HttpResponse:
    """The request or the offer list: the links to other pages keep the filters and the scope (the pagination
    include's ``querystring``), the chips that switch the scope keep the filters."""
    filter_query = request.GET.copy()
    filter_query.pop("page", None)
    filter_query.pop("scope", None)
    context = {
        "form": form,
        "rows": rows,
        "page": page,
        "filter_query": filter_query.urlencode(),
        "scope": scope,
        "scope_label": scope_label,
        "filtered": any(filters.get(key) for key in ("status", "area", "kind")),
    }
    return render(request, template, context | extra, status=200 if valid else 400)


def visible_matches(user: Any, matches: QuerySet[Match], *related: str) -> list[Match]:
    """The matches ``user`` may see, the oldest first, each with the badges of its status and of both decisions."""
    rows = list(access.matches_visible_to(user, matches).select_related(*related).order_by("created_at"))
    for match in rows:
        match.badge = MATCH_BADGES.get(match.status, "neutral")
        match.donor_badge = DECISION_BADGES.get(match.donor_decision, "neutral")
        match.state_badge = DECISION_BADGES.get(match.state_decision, "neutral")
    return rows


def _withdraw_form(*args: Any) -> ReasonForm:
    return ReasonForm(
        *args, label=_("Why the request is withdrawn"), required_message=_("Say why the request is withdrawn.")
    )


def _document_form(*args: Any) -> DocumentForm:
    rules = AssistanceSettings.current()
    return DocumentForm(*args, types=uploads.describe_types(rules.upload_types), limit_mb=rules.max_upload_mb)


# --- List ----------------------------------------------------------------------------------------------
def _scope_label(user: Any) -> str | None:
    """What "mine" means for this user (``access.own_requests_side``), or None when the list has no such choice."""
    side = access.own_requests_side(user)
    if side == "state":
        return _("Requests of %(state)s") % {"state": user.state.local_name}
    if side == "donor":
        return _("Shared with or matched to you")
    if side == "coordinator":
        return _("Requests in your areas")
    return None


@public_page
@require_GET
def request_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    form, valid, data = read_filters(request, RequestFilterForm)
    requests = access.requests_visible_to(user)
    scope_label = _scope_label(user)
    scope = scope_of(request, has_mine=scope_label is not None)
    if scope == MINE:
        requests = requests.filter(pk__in=AssistanceRequest.objects.filter(access.own_requests(user)).values("pk"))
    if data.get("status"):
        requests = requests.filter(status=data["status"])
    if data.get("area"):
        requests = requests.filter(area=data["area"])
    if data.get("kind"):
        requests = requests.filter(kind=data["kind"])
    page = paginate(request, requests.select_related("state", "area"))
    rows = list(page.object_list)
    money = funding(rows)
    for row in rows:
        row.funding = money[row.pk]
        row.badge = STATUS_BADGES.get(row.status, "neutral")
    return render_list(
        request,
        "assistance/requests/list.html",
        form,
        valid=valid,
        filters=data,
        page=page,
        rows=rows,
        scope=scope,
        scope_label=scope_label,
        can_request=access.may_request_assistance(user),
    )


# --- Filing and changing ------------------------------------------------------------------------------
FORM_TEMPLATE = "assistance/requests/form.html"


@login_required
@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not access.may_request_assistance(user):
        raise PermissionDenied
    if request.method == "GET":
        return render_form(request, FORM_TEMPLATE, RequestForm(state=user.state))
    form = RequestForm(request.POST, state=user.state)
    created = submit(
        form,
        lambda: create_request(actor=user, **form.service_arguments(), shared_with=form.cleaned_data["shared_with"]),
    )
    if created is None:
        return render_form(request, FORM_TEMPLATE, form, status=400)
    messages.success(request, _("Request filed: “%(title)s”.") % {"title": created.title})
    return _back(created)


def _still_open(request: HttpRequest, assistance_request: AssistanceRequest) -> bool:
    if assistance_request.status == RequestStatus.OPEN:
        return True
    messages.info(
        request,
        _("This request is %(status)s: it can no longer be changed.")
        % {"status": assistance_request.get_status_display().lower()},
    )
    return False


@login_required
@require_http_methods(["GET", "POST"])
def request_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    assistance_request = access.get_request(user, pk, to="edit")
    if not _still_open(request, assistance_request):
        return _back(assistance_request)
    state = assistance_request.state
    if request.method == "GET":
        form = RequestForm(initial=RequestForm.initial_for(assistance_request), state=state, with_sharing=False)
        return render_form(request, FORM_TEMPLATE, form, assistance_request)
    form = RequestForm(request.POST, state=state, with_sharing=False)
    saved = submit(form, lambda: update_request(actor=user, request=assistance_request, **form.service_arguments()))
    if saved is None:
        return render_form(request, FORM_TEMPLATE, form, assistance_request, status=400)
    messages.success(request, _("Request saved."))
    return _back(assistance_request)


# --- A request's page -------------------------------------------------------------------------------------
def _detail_queryset() -> QuerySet[AssistanceRequest]:
    return AssistanceRequest.objects.select_related(
        "state", "area", "obligation__state", "created_by"
    ).prefetch_related("obligation__extensions__meeting")


def _detail_context(request: HttpRequest, assistance_request: AssistanceRequest, **bound: Any) -> dict[str, Any]:
    user = request.user
    owner = access.may_edit_request(user, assistance_request)
    is_isu = access.is_isu(user)
    editable = owner and assistance_request.status == RequestStatus.OPEN
    matches = visible_matches(user, assistance_request.matches.all(), "offer__donor__state")
    sees_sharing = owner or is_isu
    closing, closing_reason = None, ""
    if assistance_request.status != RequestStatus.OPEN:
        # Why it was withdrawn or closed is for every reader, not only those who see the history.
        closing, closing_reason = ending(
            assistance_request, "assistance.request.withdrawn", "assistance.request.closed"
        )
    obligation = assistance_request.obligation
    return {
        "object": assistance_request,
        "badge": STATUS_BADGES.get(assistance_request.status, "neutral"),
        "closing": closing,
        "closing_reason": closing_reason,
        "owner": owner,
        "editable": editable,
        "funding": funding([assistance_request])[assistance_request.pk],
        "matches": matches,
        "documents": list(assistance_request.documents.select_related("uploaded_by")),
        "shared_with": list(assistance_request.shared_with.select_related("state")) if sees_sharing else None,
        "obligation_deadline": obligation.current_deadline if obligation is not None else None,
        "history": request_history(assistance_request) if sees_sharing else None,
        "withdraw_form": bound.get("withdraw_form") or _withdraw_form(),
        "close_form": bound.get("close_form") or CloseForm(),
        "document_form": bound.get("document_form") or (_document_form() if editable else None),
    }


def _render_detail(
    request: HttpRequest, assistance_request: AssistanceRequest, *, status: int = 200, **bound: Any
) -> HttpResponse:
    return render(
        request,
        "assistance/requests/detail.html",
        _detail_context(request, assistance_request, **bound),
        status=status,
    )


@public_page
@require_GET
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        assistance_request = access.get_request(request.user, pk, queryset=_detail_queryset())
    except Http404:
        return not_found_or_sign_in(request)
    return _render_detail(request, assistance_request)


# --- Workflow -------------------------------------------------------------------------------------------------
@login_required
@require_POST
def request_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    assistance_request = access.get_request(request.user, pk, to="edit", queryset=_detail_queryset())
    form = _withdraw_form(request.POST)
    if not form.is_valid():
        return _render_detail(request, assistance_request, status=400, withdraw_form=form)
    attempt(
        request,
        lambda: withdraw_request(actor=request.user, request=assistance_request, reason=form.cleaned_data["reason"]),
        _("Request withdrawn. Donors and coordinators see your reason."),
    )
    return _back(assistance_request)


@login_required
@require_POST
def request_close(request: HttpRequest, pk: int) -> HttpResponse:
    assistance_request = access.get_request(request.user, pk, to="edit", queryset=_detail_queryset())
    form = CloseForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, assistance_request, status=400, close_form=form)
    attempt(
        request,
        lambda: close_request(actor=request.user, request=assistance_request, note=form.cleaned_data["note"]),
        _("Request closed. It stays on record with its funding."),
    )
    return _back(assistance_request)


@login_required
@require_http_methods(["GET", "POST"])
def request_share(request: HttpRequest, pk: int) -> HttpResponse:
    assistance_request = access.get_request(request.user, pk, to="edit")
    if not _still_open(request, assistance_request):
        return _back(assistance_request)
    if request.method == "GET":
        form = ShareForm(initial={"donors": [d.pk for d in assistance_request.shared_with.all()]})
    else:
        form = ShareForm(request.POST)
        shared = submit(
            form,
            lambda: share_request(actor=request.user, request=assistance_request, donors=form.cleaned_data["donors"]),
        )
        if shared is not None:
            messages.success(request, _("The donors who may read this request are saved."))
            return _back(assistance_request)
    return render(
        request,
        "assistance/requests/share.html",
        {"object": assistance_request, "form": form},
        status=200 if request.method == "GET" or not form.errors else 400,
    )


# --- Supporting documents --------------------------------------------------------------------------------------
@login_required
@require_POST
def document_upload(request: HttpRequest, pk: int) -> HttpResponse:
    assistance_request = access.get_request(request.user, pk, to="edit", queryset=_detail_queryset())
    if not ratelimit.allowed(request, "document_upload"):
        return ratelimit.refused(
            request,
            _(
                "Each supporting document is stored and its content checked, so each person may upload a limited "
                "number each hour. Please try again later."
            ),
        )
    form = _document_form(request.POST, request.FILES)
    if form.is_valid():
        try:
            document = documents.add_document(
                actor=request.user, request=assistance_request, upload=form.cleaned_data["file"]
            )
        except ValidationError as error:
            form.add_error("file", error.messages)
        else:
            messages.success(request, _("“%(name)s” added.") % {"name": document.name})
            return _back(assistance_request, "documents-title")
    return _render_detail(request, assistance_request, status=400, document_form=form)


def _document(request: HttpRequest, pk: int, doc_pk: int, *, to: Literal["view", "edit"] = "view") -> RequestDocument:
    assistance_request = access.get_request(request.user, pk, to=to)
    document = get_object_or_404(RequestDocument, pk=doc_pk, request=assistance_request)
    document.request = assistance_request
    return document


@require_GET
def document_download(request: HttpRequest, pk: int, doc_pk: int) -> HttpResponse:
    try:
        document = _document(request, pk, doc_pk)
    except Http404:
        return not_found_or_sign_in(request)
    return send_upload(document.file, filename=document.name, content_type=document.content_type)


@login_required
@require_POST
def document_delete(request: HttpRequest, pk: int, doc_pk: int) -> HttpResponse:
    document = _document(request, pk, doc_pk, to="edit")
    attempt(
        request,
        lambda: documents.remove_document(actor=request.user, document=document),
        _("“%(name)s” removed.") % {"name": document.name},
    )
    return _back(document.request, "documents-title")


urlpatterns = [
    path("assistance/requests/", request_list, name="request_list"),
    path("assistance/requests/new/", request_new, name="request_new"),
    path("assistance/requests/<int:pk>/", request_detail, name="request_detail"),
    path("assistance/requests/<int:pk>/edit/", request_edit, name="request_edit"),
    path("assistance/requests/<int:pk>/withdraw/", request_withdraw, name="request_withdraw"),
    path("assistance/requests/<int:pk>/close/", request_close, name="request_close"),
    path("assistance/requests/<int:pk>/share/", request_share, name="request_share"),
    path("assistance/requests/<int:pk>/documents/", document_upload, name="document_upload"),
    path("assistance/requests/<int:pk>/documents/<int:doc_pk>/", document_download, name="document_download"),
    path("assistance/requests/<int:pk>/documents/<int:doc_pk>/delete/", document_delete, name="document_delete"),
]
