"""The dashboard's figures, charts and universalization table are kept in the cache (``progress.cached``): a
repeated request of /progress/ or /isu/progress/ whose data did not change reads none of them from the database
again, and a committed change to the data shows on the very next request. Each audience, date and language has
its own entry: the public never gets the ISU's figures."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from assistance.models import Coalition
from parties.models import State
from progress import cached
from progress.models import Audience
from reporting.models import Visibility
from tests.progress.builders import data_committed
from tests.progress.test_dashboard_views import (
    DASHBOARD_JSON_QUERIES,
    DASHBOARD_QUERIES,
    ISU_QUERIES,
    SIGNED_IN_QUERIES,
    UNIVERSALIZATION_QUERIES,
)
from tests.progress.test_reporting_rates import content_with, make_report

pytestmark = pytest.mark.django_db

D = __import__("datetime").date.fromisoformat
PUBLIC, ISU = "/progress/", "/isu/progress/"
AS_OF = {"as_of": "2026-06-01"}


def _get(client, url, params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return response, len(ctx.captured_queries)


def committed(capture, work):
    """Run ``work`` and its commit callbacks, as its commit would (the data's version moves)."""
    start = len(connection.run_on_commit)
    with capture(execute=True):
        result = work()
    # A real commit empties the list; the capture leaves what it ran there (the next write would find its bump).
    del connection.run_on_commit[start:]
    return result


def published_annual(iso3, actor, year, **content):
    day = D(f"{year + 1}-04-01")
    return make_report(iso3, actor, year=year, submitted_on=day, published_on=day, content=content_with(**content))


# --- Cold and warm ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("persona", "url", "params", "cold", "warm"),
    [
        ("anonymous", PUBLIC, AS_OF, DASHBOARD_QUERIES, 0),
        ("anonymous", PUBLIC, AS_OF | {"format": "json"}, DASHBOARD_JSON_QUERIES, 0),
        ("anonymous", PUBLIC, {}, DASHBOARD_QUERIES, 0),  # today
        ("focal_point", PUBLIC, AS_OF, SIGNED_IN_QUERIES + DASHBOARD_QUERIES, SIGNED_IN_QUERIES),
        ("isu_staff", ISU, AS_OF, ISU_QUERIES + DASHBOARD_QUERIES, ISU_QUERIES),
        ("isu_staff", ISU, {}, ISU_QUERIES + DASHBOARD_QUERIES, ISU_QUERIES),
    ],
)
def test_a_repeated_request_reads_the_figures_and_charts_from_the_cache(
    client_for, request, persona, url, params, cold, warm
):
    client = client_for(None if persona == "anonymous" else request.getfixturevalue(persona))
    first, _n = _get(client, url, params)  # warms the session and the content types
    data_committed()
    again, cold_queries = _get(client, url, params)
    repeated, warm_queries = _get(client, url, params)
    assert (cold_queries, warm_queries) == (cold, warm)
    if persona != "anonymous":  # the same page, from the cache (an anonymous page may come whole from the page cache)
        assert repeated.context["body"] == again.context["body"] == first.context["body"]  # figures and charts
        assert [f.numerator for f in repeated.context["dashboard"].figures] == [
            f.numerator for f in again.context["dashboard"].figures
        ]


# --- Never stale ---------------------------------------------------------------------------------------------------
def test_a_committed_publication_shows_on_the_next_request(client_for, isu_staff, django_capture_on_commit_callbacks):
    """Nigeria (Art. 3 open): its stockpile chart gains the year the ISU publishes, on the public page and the ISU's."""
    committed(django_capture_on_commit_callbacks, lambda: published_annual("NGA", isu_staff, 2023, stock=[600]))
    public, staff = Client(), client_for(isu_staff)  # two readers at once
    pages = [(public, PUBLIC), (staff, ISU), (public, PUBLIC), (staff, ISU)]
    before = [_get(client, url, AS_OF) for client, url in pages]
    assert [queries for _r, queries in before[2:]] == [0, ISU_QUERIES]  # kept
    assert all("2023: 600" in r.content.decode() and "2024: 450" not in r.content.decode() for r, _q in before)

    committed(django_capture_on_commit_callbacks, lambda: published_annual("NGA", isu_staff, 2024, stock=[450]))

    after = [_get(client, url, AS_OF) for client, url in pages[:2]]
    # Everything read again (but the universalization table, the same for both audiences, kept from the first).
    isu_cold = ISU_QUERIES + DASHBOARD_QUERIES - UNIVERSALIZATION_QUERIES
    assert [queries for _r, queries in after] == [DASHBOARD_QUERIES, isu_cold]
    assert all("2024: 450" in r.content.decode() for r, _q in after)


def test_a_committed_coalition_shows_in_the_figures_on_the_next_request(client, django_capture_on_commit_callbacks):
    def coalitions():
        figures = client.get(PUBLIC, AS_OF | {"format": "json"}).json()["figures"]
        return next(f["numerator"] for f in figures if f["key"] == "coalitions")

    before = coalitions()
    assert coalitions() == before
    taken = set(Coalition.objects.values_list("state_id", flat=True))
    state = State.objects.exclude(deposit_date=None).exclude(pk__in=taken).order_by("iso3").first()
    committed(
        django_capture_on_commit_callbacks,
        lambda: Coalition.objects.create(state=state, formed_on=D("2020-01-01"), source="test"),
    )
    assert coalitions() == before + 1


# --- One entry per audience, date and language ------------------------------------------------------------------
def test_the_public_never_gets_the_isu_figures_kept_for_the_same_date(client_for, isu_staff):
    """South Sudan (Art. 4 open): a published report restricted to States Parties."""
    make_report(
        "SSD",
        isu_staff,
        year=2024,
        submitted_on=D("2025-04-01"),
        published_on=D("2025-04-01"),
        visibility=Visibility.RESTRICTED,
        content=content_with(areas=[987_654_321]),
    )
    staff, public = client_for(isu_staff), Client()
    for _round in range(2):  # cold, then from the cache
        assert "987.65" in staff.get(ISU, AS_OF).content.decode()
        assert "987.65" not in staff.get(PUBLIC, AS_OF).content.decode()
        assert "987.65" not in public.get(PUBLIC, AS_OF).content.decode()


def test_each_date_and_language_has_its_own_entry(isu_staff):
    published_annual("NGA", isu_staff, 2023, stock=[600])
    published_annual("NGA", isu_staff, 2024, stock=[450])

    def nigeria(day):
        charts = cached.charts(as_of=D(day), audience=Audience.PUBLIC)
        return next(o["points"] for o in charts["data"]["obligations"] if o["iso3"] == "NGA")

    assert nigeria("2026-06-01") == [[2023, "600"], [2024, "450"]]
    assert nigeria("2025-01-01") == [[2023, "600"]]
    assert nigeria("2026-06-01") == [[2023, "600"], [2024, "450"]]
    with translation.override("en"):
        english = cached.charts(as_of=D("2026-06-01"), audience=Audience.PUBLIC)["membership"].title
    with translation.override("fr"):
        french = cached.charts(as_of=D("2026-06-01"), audience=Audience.PUBLIC)["membership"].title
    assert english.endswith("June 1, 2026") and french.endswith("1 juin 2026")
