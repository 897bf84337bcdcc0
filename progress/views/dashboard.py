"""Progress to date pages: the dashboard and the page of each figure, with their JSON twins
(``?format=json``), for the public (``/progress/``) and the ISU (``/isu/progress/``).

Thin views: parse ``?as_of=``, authorize, read through ``progress.selectors``, render. The ISU pages
sit under /isu/, where ``StaffTwoFactorMiddleware`` demands a second factor, and are for the ISU only
(``progress.access``). The public pages never show a
restricted figure: asking for one there is a 404, as for a figure that does not exist.
"""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from ccm_portal.core import clock
from ccm_portal.core.page_cache import public_page
from ccm_portal.core.responses import form_errors, json_response, wants_json
from parties.forms import AsOfForm
from progress import access, cached, selectors
from progress.models import Audience

# URL names (namespace ``progress``) of each audience's pages.
PAGES = {
    Audience.PUBLIC: {"dashboard": "progress:dashboard", "figure": "progress:figure"},
    Audience.ISU: {"dashboard": "progress:dashboard_isu", "figure": "progress:figure_isu"},
}


def _as_of(request: HttpRequest) -> tuple[AsOfForm, bool, dt.date]:
    """The date asked for (today by default). A bad date leaves today's figures under the form that
    shows what was typed and why it was refused."""
    form = AsOfForm(request.GET or None)
    valid = form.is_valid() if request.GET else True
    as_of = (form.cleaned_data.get("as_of") if request.GET and valid else None) or clock.today()
    return form, valid, as_of


def figure_url(audience: str, key: str, as_of: dt.date) -> str:
    return f"{reverse(PAGES[audience]['figure'], args=[key])}?as_of={as_of.isoformat()}"


# --- Dashboard -------------------------------------------------------------------------------------
def _dashboard(request: HttpRequest, audience: str) -> HttpResponse:
    form, valid, as_of = _as_of(request)
    if not valid and wants_json(request):
        return json_response({"errors": form_errors(form)}, status=400)
    dashboard = cached.dashboard(as_of=as_of, audience=audience)
    if wants_json(request):
        return json_response(
            {
                "as_of": as_of,
                "audience": audience,
                "sections": [{"key": key, "label": selectors.section_label(key)} for key, _f in dashboard.sections()],
                "figures": [
                    selectors.figure_data(f, as_of=as_of, url=figure_url(audience, f.key, as_of))
                    for f in dashboard.figures
                ],
                "universalization": cached.universalization_table(as_of),
            }
        )
    context = {
        "form": form if request.GET else AsOfForm(),
        "as_of": as_of,
        "is_today": as_of == clock.today(),
        "audience": audience,
        "is_isu": audience == Audience.ISU,
        "pages": PAGES[audience],
        "dashboard": dashboard,
        "other_version": _other_version(request, audience, as_of),
        "body": cached.body(as_of=as_of, audience=audience, compute=lambda: _body(dashboard, audience, as_of)),
    }
    return render(request, "progress/dashboard.html", context, status=200 if valid else 400)


def _body(dashboard, audience: str, as_of: dt.date) -> str:
    """The figures by section and the charts, rendered without the request: nothing in them is the reader's."""
    sections = [
        {
            "key": key,
            "label": selectors.section_label(key),
            "cards": [selectors.figure_card(f, url=figure_url(audience, f.key, as_of)) for f in figures],
        }
        for key, figures in dashboard.sections()
    ]
    return render_to_string(
        "progress/_dashboard_body.html",
        {
            "sections": sections,
            "as_of": as_of,
            "audience": audience,
            "is_isu": audience == Audience.ISU,
            "pages": PAGES[audience],
            "charts": cached.charts(as_of=as_of, audience=audience),
            "universalization": cached.universalization_table(as_of),
        },
    )


def _other_version(request: HttpRequest, audience: str, as_of: dt.date) -> str | None:
    """The ISU reach the public version from theirs and back; nobody else is shown the ISU one."""
    if audience == Audience.ISU:
        return f"{reverse('progress:dashboard')}?as_of={as_of.isoformat()}"
    if access.sees_isu_version(request.user):
        return f"{reverse('progress:dashboard_isu')}?as_of={as_of.isoformat()}"
    return None


@public_page
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    return _dashboard(request, Audience.PUBLIC)


@require_GET
@access.isu_required
def dashboard_isu(request: HttpRequest) -> HttpResponse:
    return _dashboard(request, Audience.ISU)


# --- One figure and the States behind it ------------------------------------------------------------
def _figure(request: HttpRequest, key: str, audience: str) -> HttpResponse:
    form, valid, as_of = _as_of(request)
    if not valid and wants_json(request):
        return json_response({"errors": form_errors(form)}, status=400)
    page = selectors.figure_page(key=key, as_of=as_of, audience=audience)
    if page is None:
        message = _("There is no figure “%(key)s” on this dashboard.") % {"key": key}
        if wants_json(request):
            return json_response({"error": message}, status=404)
        raise Http404(message)
    figure = page.figure
    url = figure_url(audience, key, as_of)
    if wants_json(request):
        return json_response(
            {
                "as_of": as_of,
                "audience": audience,
                "figure": selectors.figure_data(figure, as_of=as_of, url=url),
                "states": page.states,
                "others": page.others,
                "others_label": page.others_label,
            }
        )
    rows = page.states + page.others
    return render(
        request,
        "progress/figure.html",
        {
            "form": form if request.GET else AsOfForm(),
            "as_of": as_of,
            "is_today": as_of == clock.today(),
            "audience": audience,
            "is_isu": audience == Audience.ISU,
            "pages": PAGES[audience],
            "dashboard_url": f"{reverse(PAGES[audience]['dashboard'])}?as_of={as_of.isoformat()}",
            "figure_url": url,
            "action": reverse(PAGES[audience]["figure"], args=[key]),
            "card": selectors.figure_card(figure, url=url),
            "figure": figure,
            "section_label": selectors.section_label(figure.section),
            "page": page,
            # Columns shown only where some State has something to show in them.
            "columns": {
                name: any(row[name] for row in rows)
                for name in ("date", "status_label", "confidence", "source", "note")
            },
        },
        status=200 if valid else 400,
    )


@public_page
@require_GET
def figure(request: HttpRequest, key: str) -> HttpResponse:
    return _figure(request, key, Audience.PUBLIC)


@require_GET
@access.isu_required
def figure_isu(request: HttpRequest, key: str) -> HttpResponse:
    return _figure(request, key, Audience.ISU)


urlpatterns = [
    path("progress/", dashboard, name="dashboard"),
    path("progress/<slug:key>/", figure, name="figure"),
    path("isu/progress/", dashboard_isu, name="dashboard_isu"),
    path("isu/progress/<slug:key>/", figure_isu, name="figure_isu"),
]
