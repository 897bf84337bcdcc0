"""Assistance pages: country coalitions.

The list is public (the ISU presents coalitions publicly: State, formed on, partners, source).
A coalition's page is for its members (``access.get_coalition``): the affected State's focal
points, its partners' donor focal points, coordinators and the ISU; others get 404, the public
is asked to sign in. Coordinators and the ISU record the coalition's meetings there.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from assistance import access
from assistance.forms import MeetingForm
from assistance.models import Coalition
from assistance.selectors.coalitions import coalition_page, coalitions_with_partner_counts
from assistance.services import coalitions
from assistance.views.overview import coalition_row, openable_coalitions, request_url
from ccm_portal.core.page_cache import public_page
from ccm_portal.core.responses import json_response, wants_json
from ccm_portal.core.views import submit


@public_page
@require_GET
def coalition_list(request: HttpRequest) -> HttpResponse:
    listed = list(coalitions_with_partner_counts())
    if wants_json(request):
        return json_response({"coalitions": [coalition_row(c) for c in listed]})
    return render(
        request,
        "assistance/coalitions/coalition_list.html",
        {"coalitions": listed, "openable_coalitions": openable_coalitions(request.user)},
    )


def _render_detail(request: HttpRequest, coalition: Coalition, *, form: MeetingForm | None = None, status: int = 200):
    page = coalition_page(coalition, visible=access.requests_visible_to(request.user))
    for item in page.requests:
        item.url = request_url(item.pk)
    may_add = access.may_add_meeting(request.user)
    context: dict[str, Any] = {
        "coalition": coalition,
        "page": page,
        "may_add_meeting": may_add,
        "form": form if form is not None else (MeetingForm() if may_add else None),
    }
    return render(request, "assistance/coalitions/coalition_detail.html", context, status=status)


@require_GET
@login_required
def coalition_detail(request: HttpRequest, iso3: str) -> HttpResponse:
    coalition = access.get_coalition(request.user, iso3)
    return _render_detail(request, coalition)


@require_POST
@login_required
def coalition_meeting_add(request: HttpRequest, iso3: str) -> HttpResponse:
    coalition = access.get_coalition(request.user, iso3)  # 404 to those who may not see it
    if not access.may_add_meeting(request.user):
        raise PermissionDenied
    form = MeetingForm(request.POST)
    meeting = submit(form, lambda: coalitions.add_meeting(actor=request.user, coalition=coalition, **form.cleaned_data))
    if meeting is None:
        return _render_detail(request, coalition, form=form, status=400)
    messages.success(request, _("Meeting “%(title)s” recorded.") % {"title": meeting.title})
    return redirect(f"{reverse('assistance:coalition_detail', args=[coalition.state.iso3])}#meetings")


urlpatterns = [
    path("assistance/coalitions/", coalition_list, name="coalition_list"),
    path("assistance/coalitions/<str:iso3>/", coalition_detail, name="coalition_detail"),
    path("assistance/coalitions/<str:iso3>/meetings/new/", coalition_meeting_add, name="coalition_meeting_add"),
]
