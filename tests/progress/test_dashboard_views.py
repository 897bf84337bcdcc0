"""The "progress to date" pages: the public dashboard and its ISU version, the page of each figure,
their JSON twins, who may see what, a bad date, and the number of queries whatever the data."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assistance.models import Coalition
from parties.models import MeasuresStatus, NationalMeasures, State
from progress import membership, reporting_rates, selectors
from progress.models import Audience
from progress.types import Figure
from tests.progress.builders import bulk_reports, data_committed

pytestmark = pytest.mark.django_db

D = dt.date.fromisoformat
PUBLIC, ISU = "/progress/", "/isu/progress/"
PERSONAS = ["anonymous", "focal_point", "coordinator", "donor", "isu_staff"]

# Queries, whatever the number of States, records, coalitions and reports:
# - the treaty figures (progress.membership.load): States, obligations, their completion records (every
#   source's statement of completion), Art. 9 records, coalitions, the published Art. 9 totals;
TREATY_QUERIES = 6
# - the figure page of Art. 3 or Art. 4 also reads the extensions with their meetings (deadline in force);
DEADLINE_QUERIES = 1
# - as the page stands, the Art. 7 rates (progress.reporting_rates: States, portal versions, reporting records
#   outside the portal, reporting rules, published totals) and
#   the charts (progress.trends). Those modules pin their own counts; the totals below pin the whole page.
RATES_QUERIES = 5
CHARTS_QUERIES = 8
# - a signed-in reader: session and user (ISU staff's second factor is read from the session).
SIGNED_IN_QUERIES = 2
ISU_QUERIES = 2
# - the universalization table by UN sub-region and ISU region (progress.universalization.table): the registry.
UNIVERSALIZATION_QUERIES = 1

DASHBOARD_QUERIES = TREATY_QUERIES + RATES_QUERIES + CHARTS_QUERIES + UNIVERSALIZATION_QUERIES
DASHBOARD_JSON_QUERIES = TREATY_QUERIES + RATES_QUERIES + UNIVERSALIZATION_QUERIES
FIGURE_QUERIES = TREATY_QUERIES + RATES_QUERIES


@pytest.fixture
def persona_client(request, client_for):
    name = request.param
    user = None if name == "anonymous" else request.getfixturevalue(name)
    return client_for(user)


def figure_of(response, key: str) -> Figure:
    return response.context["dashboard"].figure(key)


# --- Who may see what --------------------------------------------------------------------------------------
@pytest.mark.parametrize("persona_client", PERSONAS, indirect=True)
def test_everyone_reads_the_public_dashboard_and_its_figures(persona_client):
    response = persona_client.get(PUBLIC, {"as_of": "2026-02-03"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Progress to date" in html and "States Parties that completed stockpile destruction" in html
    assert figure_of(response, "states-parties").numerator == 112
    page = persona_client.get(f"{PUBLIC}states-parties/", {"as_of": "2026-02-03"})
    assert page.status_code == 200 and "Vanuatu" in page.content.decode()


@pytest.mark.parametrize("url", [ISU, f"{ISU}art3-completed/", f"{ISU}?format=json"])
def test_the_isu_version_is_for_isu_staff_with_two_factors(
    client_for, url, isu_staff, isu_staff_without_2fa, focal_point, coordinator, donor
):
    assert client_for(isu_staff).get(url).status_code == 200
    assert client_for(isu_staff_without_2fa).get(url)["Location"].startswith("/me/two-factor/")
    for lesser in (focal_point, coordinator, donor):
        assert client_for(lesser).get(url).status_code == 403
    response = client_for(None).get(url)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_only_the_isu_is_offered_the_isu_version(client_for, isu_staff, focal_point):
    assert "Show the ISU version" not in client_for(None).get(PUBLIC).content.decode()
    assert "Show the ISU version" not in client_for(focal_point).get(PUBLIC).content.decode()
    html = client_for(isu_staff).get(PUBLIC, {"as_of": "2020-01-01"}).content.decode()
    assert 'href="/isu/progress/?as_of=2020-01-01"' in html
    isu = client_for(isu_staff).get(ISU, {"as_of": "2020-01-01"}).content.decode()
    assert 'href="/progress/?as_of=2020-01-01"' in isu and "ISU version: includes restricted figures" in isu
    assert 'href="/isu/progress/art3-completed/?as_of=2020-01-01"' in isu  # figure links stay in the ISU version


def test_the_pages_only_answer_get(client):
    assert client.post(PUBLIC).status_code == 405
    assert client.post(f"{PUBLIC}states-parties/").status_code == 405


# --- The dashboard -----------------------------------------------------------------------------------------
def test_each_figure_shows_n_of_m_its_share_definition_and_link(client):
    response = client.get(PUBLIC, {"as_of": "2018-08-01"})
    html = response.content.decode()
    art3 = figure_of(response, "art3-completed")
    assert (art3.numerator, art3.denominator) == (33, 41)
    assert '<strong class="progress-figure__n">33</strong> of 41' in html
    assert '<span class="progress-figure__share">80%</span>' in html  # 33 of 41 = 80.5%
    assert "<summary>How this is counted</summary>" in html
    assert "counts from the last day of that month or year" in html
    assert 'href="/progress/art3-completed/?as_of=2018-08-01"' in html
    assert "The 33 States behind “States Parties that completed stockpile destruction”" in html
    assert '<strong class="progress-figure__n">103</strong>' in html  # a plain count: no "of"
    headings = re.findall(r'<h2 id="section-[^"]*">([^<]+)</h2>', html)
    assert headings[:4] == ["Membership", "Universalization", "Stockpile destruction (Art. 3)", "Clearance (Art. 4)"]
    assert headings[-1] == "National implementation measures (Art. 9)"
    assert 'id="charts-title"' in html


def test_the_dashboard_defaults_to_today(client):
    response = client.get(PUBLIC)
    assert response.context["as_of"] == dt.date.today()
    assert response.context["is_today"]
    assert "These figures show the situation today." in response.content.decode()


def test_json_twin_gives_every_figure_with_its_states_definition_and_source(client):
    html = client.get(PUBLIC, {"as_of": "2025-03-06"})
    data = client.get(PUBLIC, {"as_of": "2025-03-06", "format": "json"}).json()
    assert data["as_of"] == "2025-03-06" and data["audience"] == "public"
    assert [f["key"] for f in data["figures"]] == [f.key for f in html.context["dashboard"].figures]
    assert {s["key"] for s in data["sections"]} >= {"membership", "stockpile_destruction", "national_implementation"}
    keys = {
        "key", "section", "section_label", "label", "numerator", "denominator", "share", "states", "out_of",
        "definition", "source", "breakdown", "restricted", "coverage", "published", "as_of", "url",
    }  # fmt: skip
    assert all(set(f) == keys for f in data["figures"])
    figures = {f["key"]: f for f in data["figures"]}
    withdrawn = figures["withdrawals"]
    assert (withdrawn["numerator"], withdrawn["states"], withdrawn["denominator"]) == (1, ["LTU"], None)
    assert withdrawn["share"] is None and withdrawn["out_of"] is None
    assert withdrawn["breakdown"]["Europe"] == 1
    in_force = figures["in-force"]
    assert (in_force["numerator"], in_force["denominator"], in_force["share"]) == (111, 111, 1.0)
    assert figures["art3-completed"]["share"] == round(39 / 42, 4)  # with Norway's (2010) and Peru's (2023)
    assert figures["art3-completed"]["breakdown"] == {"confirmed": 10, "partly unverified": 29, "disputed": 0}
    assert figures["states-parties"]["url"] == "/progress/states-parties/?as_of=2025-03-06"
    assert "depositary" in figures["states-parties"]["source"] and figures["states-parties"]["definition"]
    assert "Access-Control-Allow-Origin" not in html  # the page is a page; the JSON is open data
    assert client.get(PUBLIC, {"format": "json"})["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("url", [PUBLIC, f"{PUBLIC}art3-completed/"])
def test_a_bad_date_is_refused_with_a_message_and_the_form_keeps_what_was_typed(client, url):
    response = client.get(url, {"as_of": "2018-13-01"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html and "Enter a valid date." in html
    assert 'value="2018-13-01"' in html
    assert "The date could not be used, so today's situation is shown." in html
    assert "open data (JSON)" not in html
    early = client.get(url, {"as_of": "2008-01-01"})
    assert early.status_code == 400
    assert "opened for signature on 2008-12-03" in early.content.decode()
    data = client.get(url, {"as_of": "yesterday", "format": "json"})
    assert data.status_code == 400
    assert data.json() == {"errors": {"as_of": ["Enter a valid date."]}}


# --- The page of one figure --------------------------------------------------------------------------------
def test_figure_page_lists_the_states_behind_it_and_those_not_yet_there(client):
    response = client.get(f"{PUBLIC}art3-completed/", {"as_of": "2018-08-01"})
    assert response.status_code == 200
    html = response.content.decode()
    assert '<strong class="progress-figure__n">33</strong> of 41 on 1 August 2018' in html
    assert 'href="/states/HRV/?as_of=2018-08-01">Croatia</a>' in html
    assert '<time datetime="2018-07">July 2018</time> <span class="muted">(month only)</span>' in html
    assert 'badge badge--confirmed"' in html and "Partly unverified" in html
    page = response.context["page"]
    assert len(page.states) == 33 and len(page.others) == 8
    assert 'Not yet completed (or completion not yet counted) <span class="progress-count">(8)</span>' in html
    peru = next(r for r in page.others if r["iso3"] == "PER")
    assert peru["status_label"] == "In progress"
    assert "the-monitor.org" in html  # each State's source
    assert 'action="/progress/art3-completed/"' in html and 'value="2018-08-01"' in html


def test_figure_page_of_a_membership_count_gives_the_deposit_and_no_others(client):
    response = client.get(f"{PUBLIC}withdrawals/", {"as_of": "2025-03-06"})
    html = response.content.decode()
    assert 'href="/states/LTU/?as_of=2025-03-06">Lithuania</a>' in html
    assert '<time datetime="2025-03-06">6 March 2025</time><span class="sub">Withdrawal effective</span>' in html
    assert response.context["page"].others == []
    assert "others-title" not in html  # a plain count has no "out of"


def test_figure_page_of_art9_shows_status_day_and_linked_source(client):
    NationalMeasures.objects.create(
        state=State.objects.get(iso3="FRA"),
        status=MeasuresStatus.ADOPTED,
        effective_from=D("2010-07-20"),
        source="Loi n° 2010-819 du 20 juillet 2010",
        source_url="https://www.legifrance.gouv.fr/loda/id/JORFTEXT000022511945",
    )
    html = client.get(f"{PUBLIC}art9-adopted/", {"as_of": "2012-01-01"}).content.decode()
    assert 'href="/states/FRA/?as_of=2012-01-01">France</a>' in html
    assert '<span class="badge badge--adopted">Specific measures adopted</span>' in html
    assert 'href="https://www.legifrance.gouv.fr/loda/id/JORFTEXT000022511945" rel="noopener">Loi n° 2010-819' in html
    assert "Other States Parties" in html


def test_figure_json_twin(client):
    data = client.get(f"{PUBLIC}art4-completed/", {"as_of": "2022-08-01", "format": "json"}).json()
    assert data["as_of"] == "2022-08-01" and data["audience"] == "public"
    assert data["figure"]["key"] == "art4-completed"
    # Every source's statement counts (art4_completions.csv beside obligations.csv).
    assert (data["figure"]["numerator"], data["figure"]["denominator"]) == (10, 21)
    assert [r["iso3"] for r in data["states"]] == ["ALB", "COG", "HRV", "GRD", "GNB", "MRT", "MNE", "MOZ", "NOR", "ZMB"]
    croatia = next(r for r in data["states"] if r["iso3"] == "HRV")
    assert croatia == {
        "iso3": "HRV",
        "name": "Croatia",
        "region": "Europe",
        "region_label": "Europe",
        "url": "/states/HRV/?as_of=2022-08-01",
        "date": "2020-07-10",
        "date_display": "10 July 2020",
        "date_label": "Completed",
        "precision": "day",
        "precision_label": "",
        "status": "completed",
        "status_label": "Completed",
        "confidence": "confirmed",
        "confidence_label": "Confirmed",
        "source": croatia["source"],
        "source_url": "",
        "note": "",
    }
    assert "ccm3.pronk.se" in croatia["source"]
    assert len(data["others"]) == 11 and data["others_label"].startswith("Not yet completed")
    assert {r["iso3"] for r in data["others"]} | {r["iso3"] for r in data["states"]} == set(data["figure"]["out_of"])


@pytest.mark.parametrize("prefix", [PUBLIC, ISU])
def test_an_unknown_figure_is_a_404(client_for, isu_staff, prefix):
    client = client_for(isu_staff)
    assert client.get(f"{prefix}no-such-figure/").status_code == 404
    response = client.get(f"{prefix}no-such-figure/", {"format": "json"})
    assert response.status_code == 404 and "no-such-figure" in response.json()["error"]


@pytest.fixture
def restricted_figure(monkeypatch):
    """A restricted figure besides the real ones (none of today's figures rests on restricted data)."""
    real = reporting_rates.figures

    def figures(*, as_of, audience):
        secret = Figure(
            key="secret-figure",
            section="transparency",
            label="A figure from restricted report content",
            numerator=1,
            denominator=2,
            states=("LAO",),
            out_of=("AUS", "LAO"),
            definition="Counted from restricted content.",
            source="Restricted Art. 7 reports.",
            restricted=True,
        )
        return [*real(as_of=as_of, audience=audience), secret]

    monkeypatch.setattr(reporting_rates, "figures", figures)


def test_a_restricted_figure_reaches_the_isu_version_only(client_for, isu_staff, restricted_figure):
    public = client_for(None)
    assert "secret-figure" not in public.get(PUBLIC).content.decode()
    assert "secret-figure" not in {f["key"] for f in public.get(PUBLIC, {"format": "json"}).json()["figures"]}
    assert public.get(f"{PUBLIC}secret-figure/").status_code == 404
    assert public.get(f"{PUBLIC}secret-figure/", {"format": "json"}).status_code == 404
    staff = client_for(isu_staff)
    assert staff.get(f"{PUBLIC}secret-figure/").status_code == 404  # the public URL is public, even for the ISU
    html = staff.get(ISU).content.decode()
    assert "A figure from restricted report content" in html and "ISU only: rests on restricted data" in html
    page = staff.get(f"{ISU}secret-figure/")
    assert page.status_code == 200
    assert [r["iso3"] for r in page.context["page"].states] == ["LAO"]
    assert [r["iso3"] for r in page.context["page"].others] == ["AUS"]
    data = staff.get(ISU, {"format": "json"}).json()
    assert next(f for f in data["figures"] if f["key"] == "secret-figure")["restricted"] is True


# --- Bounded queries ----------------------------------------------------------------------------------------
@pytest.fixture
def many_rows(isu_staff):
    """Every State Party with four Art. 9 records, forty coalitions and seven years of published reports."""
    parties = list(State.objects.filter(deposit_date__isnull=False).order_by("iso3"))
    NationalMeasures.objects.bulk_create(
        NationalMeasures(state=s, status=status, effective_from=D(f"20{12 + n}-06-01"), source="test")
        for s in parties
        for n, status in enumerate(MeasuresStatus.values)
    )
    taken = set(Coalition.objects.values_list("state_id", flat=True))  # the reference data's (Botswana's)
    free = [s for s in parties if s.pk not in taken]
    Coalition.objects.bulk_create(Coalition(state=s, formed_on=D("2019-01-01"), source="test") for s in free[:40])
    return bulk_reports(years=range(2019, 2026), actor=isu_staff)


def _count(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


PAGES = [
    (PUBLIC, {"as_of": "2026-02-03"}, DASHBOARD_QUERIES),
    (PUBLIC, {"as_of": "2026-02-03", "format": "json"}, DASHBOARD_JSON_QUERIES),
    (f"{PUBLIC}art3-completed/", {"as_of": "2026-02-03"}, FIGURE_QUERIES + DEADLINE_QUERIES),
    (f"{PUBLIC}art9-none-known/", {"as_of": "2026-02-03"}, FIGURE_QUERIES),
    (f"{PUBLIC}coalitions/", {"as_of": "2026-02-03", "format": "json"}, FIGURE_QUERIES),
]


def test_the_treaty_figures_take_four_queries(django_assert_num_queries):
    with django_assert_num_queries(TREATY_QUERIES):
        membership.figures(as_of=D("2026-02-03"), audience=Audience.PUBLIC)
    with django_assert_num_queries(TREATY_QUERIES + RATES_QUERIES):
        selectors.build(as_of=D("2026-02-03"), audience=Audience.ISU)


@pytest.mark.parametrize(("url", "params", "queries"), PAGES)
def test_public_pages_run_the_same_queries_for_few_and_many_rows(client, url, params, queries, request):
    few = _count(client, url, params)
    request.getfixturevalue("many_rows")
    data_committed()  # as the commit of those writes would: the pages and figures kept for the old data go
    assert few == _count(client, url, params) == queries


def test_isu_pages_run_the_same_queries_for_few_and_many_rows(client_for, isu_staff, request):
    client = client_for(isu_staff)
    _count(client, ISU)  # warm the content types and the session
    data_committed()  # and count the pages cold, as after a change of the data
    few = [_count(client, ISU), _count(client, f"{ISU}art4-completed/"), _count(client, PUBLIC)]
    request.getfixturevalue("many_rows")
    data_committed()  # as the commit of those writes would: the pages and figures kept for the old data go
    many = [_count(client, ISU), _count(client, f"{ISU}art4-completed/"), _count(client, PUBLIC)]
    assert (
        few
        == many
        == [
            ISU_QUERIES + DASHBOARD_QUERIES,
            ISU_QUERIES + FIGURE_QUERIES + DEADLINE_QUERIES,
            # The universalization table is the same for both audiences: kept from the ISU's page.
            SIGNED_IN_QUERIES + DASHBOARD_QUERIES - UNIVERSALIZATION_QUERIES,
        ]
    )
