from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET

from ccm_portal.core import clock
from ccm_portal.core.page_cache import public_page
from ccm_portal.core.responses import form_errors, json_response, wants_json
from parties import selectors, state_page, universalization
from parties.forms import AsOfForm, StateFilterForm
from parties.models import DepositType, Meeting, MembershipStatus, Region
from parties.names import by_local_name

SOURCE_NOTE = _lazy("UN Treaty Collection, MTDSG chapter XXVI-6; entry into force computed under Art. 17.")


@public_page
@require_GET
def state_list(request: HttpRequest) -> HttpResponse:
    form = StateFilterForm(request.GET or None)
    valid = form.is_valid() if request.GET else True
    if not valid and wants_json(request):
        return json_response({"errors": form_errors(form)}, status=400)
    data = form.cleaned_data if request.GET and valid else {}
    as_of = data.get("as_of") or clock.today()
    states = list(
        selectors.states_as_of(
            as_of, status=data.get("status", ""), region=data.get("region", ""), query=data.get("q", "")
        )
    )
    if get_language() != settings.LANGUAGE_CODE:  # English: the treaty record's names, in the database's order
        states = by_local_name(states)  # the reader's names, in their order (no query)
    totals = selectors.membership_totals(as_of)
    status_labels, region_labels, deposit_labels = (
        dict(MembershipStatus.choices),
        dict(Region.choices),
        dict(DepositType.choices),
    )
    for state in states:
        selectors.known_by(state, as_of)  # no deposit dated after the day shown
        state.status_label = status_labels[state.status]
        state.region_label = region_labels.get(state.region, state.region)
        state.deposit_type_label = deposit_labels.get(state.deposit_type, "")
    if wants_json(request):
        return json_response(
            {
                "as_of": as_of,
                "filters": {k: data.get(k) or None for k in ("q", "status", "region")},
                "count": len(states),
                "totals": totals,
                "states": [selectors.state_row(s) for s in states],
                "source": str(SOURCE_NOTE),
            }
        )
    return render(
        request,
        "parties/state_list.html",
        {
            "form": form if request.GET else StateFilterForm(),
            "states": states,
            "as_of": as_of,
            "is_today": as_of == clock.today(),
            "totals": totals,
            "source_note": SOURCE_NOTE,
        },
        status=200 if valid else 400,
    )


@public_page
@require_GET
def state_detail(request: HttpRequest, iso3: str) -> HttpResponse:
    if iso3 != iso3.upper():
        query = f"?{request.GET.urlencode()}" if request.GET else ""
        return redirect(f"{request.path.replace(iso3, iso3.upper(), 1)}{query}", permanent=True)
    state = selectors.state_for_profile(iso3)
    if state is None:
        message = _("No State with the code %(code)s signed or joined the Convention.") % {"code": iso3}
        if wants_json(request):
            return json_response({"error": message}, status=404)
        raise Http404(message)
    form = AsOfForm(request.GET or None)
    valid = form.is_valid() if request.GET else True
    if not valid and wants_json(request):
        return json_response({"errors": form_errors(form)}, status=400)
    as_of = (form.cleaned_data.get("as_of") if request.GET and valid else None) or clock.today()
    # The registry's facts, then what the apps above add (the reports published by then, the calendar).
    profile = selectors.state_profile(state, as_of) | state_page.sections(state, as_of)
    subregion = universalization.state_summary(state.iso3, as_of)
    if wants_json(request):
        return json_response(profile | {"subregion": subregion})
    return render(
        request,
        "parties/state_detail.html",
        {
            "state": state,
            "profile": profile,
            "form": form if request.GET else AsOfForm(),
            "as_of": as_of,
            "is_today": as_of == clock.today(),
            "subregion": subregion,
            **state_page.shown(profile, as_of),
        },
        status=200 if valid else 400,
    )


@public_page
@require_GET
def meeting_list(request: HttpRequest) -> HttpResponse:
    meetings = list(Meeting.objects.order_by("-start_date"))
    if wants_json(request):
        return json_response(
            {
                "meetings": [
                    {
                        "code": m.code,
                        "name": m.name,
                        "kind": m.kind,
                        "start_date": m.start_date,
                        "end_date": m.end_date,
                        "place": m.place,
                        # As precise as the meeting's first day: "2025-12" for a meeting known by its month.
                        "extension_requests_due": m.requests_due.isoformat() if m.requests_due else None,
                        "notes": m.notes,
                        "source": m.source,
                    }
                    for m in meetings
                ]
            }
        )
    return render(request, "parties/meeting_list.html", {"meetings": meetings, "today": clock.today()})
