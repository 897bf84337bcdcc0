"""``country_coalitions.csv`` loaded by ``load_reference_data``: coalitions with their date or a bound
and their source, the concept's events and coalitions only discussed kept as records; all or
nothing, audited, and loading twice changes nothing."""

import datetime as dt
from pathlib import Path

import pytest
import tablib
from django.conf import settings

from assistance.models import Coalition, CoalitionEvent, CoalitionEventKind
from assistance.resources import CoalitionEventResource, CoalitionResource
from audit.models import AuditEntry
from ccm_portal.core.imports import import_all_or_nothing
from parties.dates import Precision

pytestmark = pytest.mark.django_db

FILE = Path(settings.BASE_DIR) / "fixtures" / "country_coalitions.csv"
HEADER = "iso3,partner,launched_on,established_by,status,source,notes\n"


def load(text: str):
    dataset = tablib.Dataset().load(text, format="csv")
    return [
        import_all_or_nothing(resource(), dataset, file_label="country_coalitions.csv")
        for resource in (CoalitionResource, CoalitionEventResource)
    ]


def test_botswana_is_established_by_18_september_2018_with_its_ngo_partner_and_source(reference_data):
    botswana = Coalition.objects.get(state__iso3="BWA")
    # No source dates the launch: the coalition is known only to exist by its Art. 3 completion.
    assert (botswana.formed_on, botswana.formed_by) == (None, dt.date(2018, 9, 18))
    assert botswana.partner_names == "Norwegian People's Aid (NGO, not a State)"
    assert not botswana.partners.exists()  # an NGO is no donor State
    assert "botswana-completes-destruction" in botswana.source
    assert list(Coalition.objects.established_on(dt.date(2018, 9, 17))) == []
    assert list(Coalition.objects.established_on(dt.date(2018, 9, 18))) == [botswana]


def test_iraq_only_discussed_and_the_concept_events_are_records_not_coalitions(reference_data):
    assert not Coalition.objects.filter(state__iso3="IRQ").exists()
    iraq = CoalitionEvent.objects.get(state__iso3="IRQ")
    assert (iraq.kind, iraq.held_on) == (CoalitionEventKind.DISCUSSED, None)  # no date invented
    events = CoalitionEvent.objects.filter(kind=CoalitionEventKind.CONCEPT).order_by("held_on")
    assert [(e.state, e.held_on, e.held_precision) for e in events] == [
        (None, dt.date(2017, 3, 16), Precision.DAY),
        (None, dt.date(2017, 6, 12), Precision.DAY),
        (None, dt.date(2019, 3, 13), Precision.DAY),
    ]
    assert all(e.source for e in events)


def test_loading_the_file_is_audited_and_loading_it_again_changes_nothing(reference_data):
    Coalition.objects.all().delete()
    CoalitionEvent.objects.all().delete()
    entries = AuditEntry.objects.filter(action__startswith="assistance.coalition")
    already = entries.count()  # the session's first load
    text = FILE.read_text(encoding="utf-8")
    first = load(text)
    assert [(o.new, o.updated, o.errors) for o in first] == [(1, 0, []), (4, 0, [])]
    assert entries.count() == already + 5
    botswana = Coalition.objects.get(state__iso3="BWA")
    assert AuditEntry.objects.for_object(botswana).get().changes["formed_by"] == [None, "2018-09-18"]
    second = load(text)
    assert [(o.new, o.updated, o.skipped, o.errors) for o in second] == [(0, 0, 5, []), (0, 0, 5, [])]
    assert entries.count() == already + 5


def test_a_corrected_source_updates_the_coalition_with_an_audit_entry(reference_data):
    text = FILE.read_text(encoding="utf-8").replace("ccm3.pronk.se", "clusterconvention.org", 1)
    outcome = load(text)
    assert [(o.new, o.updated) for o in outcome] == [(0, 1), (0, 0)]
    botswana = Coalition.objects.get(state__iso3="BWA")
    entry = AuditEntry.objects.for_object(botswana).get(action="assistance.coalition.changed_by_import")
    assert entry.changes["source"][1].startswith("clusterconvention.org")


def test_a_bad_cell_names_its_row_and_column_and_nothing_is_written(reference_data):
    before = (Coalition.objects.count(), CoalitionEvent.objects.count())
    outcome = load(
        HEADER
        + "LAO,Norway,2019-09,,established,ISU news,\n"
        + "BIH,Norway,Sept 2019,,established,ISU news,\n"
        + "ALL,ISU,2020-02-30,,event,ISU,\n"
    )
    assert any("row 2" in e and "“launched_on”" in e for e in outcome[0].errors), outcome[0].errors
    assert not outcome[1].ok
    assert (Coalition.objects.count(), CoalitionEvent.objects.count()) == before
    assert not Coalition.objects.filter(state__iso3="LAO").exists()


@pytest.mark.parametrize(
    ("row", "column"),
    [
        ("LAO,Norway,2019,,launched,ISU,", "status"),  # no such status: neither resource may skip it
        ("ALL,Norway,2019,,established,ISU,", "iso3"),  # ALL is never a coalition
        ("LAO,Norway,,,established,ISU,", "launched_on"),  # neither a date nor a bound
        ("LAO,Norway,2019,,established,,", "source"),
        ("XYZ,Norway,2019,,established,ISU,", "iso3"),
    ],
)
def test_a_row_that_is_not_a_coalition_record_is_refused_by_column(reference_data, row, column):
    errors = [e for outcome in load(HEADER + row + "\n") for e in outcome.errors]
    assert errors and all("row 1" in e for e in errors)
    assert any(f"“{column}”" in e for e in errors), errors
    assert not Coalition.objects.filter(state__iso3="LAO").exists()


def test_a_month_counts_from_its_last_day(reference_data):
    load(HEADER + "LAO,Norway,2019-09,,established,ISU news,\n")
    lao = Coalition.objects.get(state__iso3="LAO")
    assert (lao.formed_on, lao.formed_precision, lao.counts_from) == (
        dt.date(2019, 9, 1),
        Precision.MONTH,
        dt.date(2019, 9, 30),
    )
    assert not Coalition.objects.established_on(dt.date(2019, 9, 29)).filter(pk=lao.pk).exists()
    assert Coalition.objects.established_on(dt.date(2019, 9, 30)).filter(pk=lao.pk).exists()


# --- Shown on the State page, as of any date ---------------------------------------------------------
def test_the_state_page_shows_botswanas_coalition_from_its_bound_only(reference_data, client_for):
    before = client_for(None).get("/states/BWA/", {"as_of": "2018-09-17"}).content.decode()
    assert "Country coalition" not in before  # nothing dated after the day asked
    page = client_for(None).get("/states/BWA/", {"as_of": "2018-09-18"}).content.decode()
    assert 'id="coalition-heading"' in page
    assert 'by <time datetime="2018-09-18">18 September 2018</time>' in page
    assert "no source gives the launch date" in page
    assert "Norwegian People&#x27;s Aid (NGO, not a State)" in page and "botswana-completes-destruction" in page
    # The State page's JSON twin carries no coalition (parties does not read assistance): the list's does.
    assert "coalition" not in client_for(None).get("/states/BWA/", {"as_of": "2018-09-18", "format": "json"}).json()


# --- Shown on the dashboard, as of any date ----------------------------------------------------------
def coalition_figure(day: str):
    from progress import membership

    facts = membership.load(dt.date.fromisoformat(day))
    figure = next(
        f for f in membership.figures(as_of=facts.as_of, audience="public", facts=facts) if f.key == "coalitions"
    )
    return figure, facts


def test_the_dashboard_counts_botswana_from_its_bound_and_lists_the_concepts_events_by_then(reference_data):
    from progress import membership

    figure, _facts = coalition_figure("2018-09-17")
    assert (figure.numerator, figure.states) == (0, ())
    assert "16 March 2017" in figure.definition and "12 June 2017" in figure.definition
    assert "13 March 2019" not in figure.definition  # the roundtable came later
    figure, facts = coalition_figure("2018-09-18")
    assert (figure.numerator, figure.states) == (1, ("BWA",))
    (row,), _others = membership.rows(figure, facts)
    assert (row["date"], row["date_display"], row["date_label"]) == (
        "2018-09-18",
        "18 September 2018",
        "Established at the latest by",
    )
    assert row["note"] == "Norwegian People's Aid (NGO, not a State)" and "botswana" in row["source"]
    figure, _facts = coalition_figure("2025-01-01")
    assert figure.states == ("BWA",)  # Iraq's coalition was only discussed
    assert "13 March 2019" in figure.definition


def test_the_figure_page_shows_botswana_with_the_bound_and_its_source(reference_data, client_for):
    page = client_for(None).get("/progress/coalitions/", {"as_of": "2018-09-18"}).content.decode()
    assert "Botswana" in page and "Established at the latest by" in page and "18 September 2018" in page
    assert "botswana-completes-destruction" in page
    before = client_for(None).get("/progress/coalitions/", {"as_of": "2018-09-17"}).content.decode()
    assert "Botswana" not in before.split("<main", 1)[-1].split("</main>")[0]


def test_the_coalition_records_are_one_query_whatever_their_number(reference_data, django_assert_num_queries):
    from assistance.selectors.coalitions import coalition_records_on

    with django_assert_num_queries(1):
        few = coalition_records_on(dt.date(2025, 1, 1))
    load(
        HEADER
        + "".join(f"{iso3},Norway,2019-0{n + 1},,established,ISU,\n" for n, iso3 in enumerate(["LAO", "BIH", "TCD"]))
    )
    with django_assert_num_queries(1):
        many = coalition_records_on(dt.date(2025, 1, 1))
    assert (len(few[0]), len(many[0])) == (1, 4)


def test_the_isu_corrects_a_coalition_in_the_admin_and_the_change_is_audited(reference_data, client_for, isu_staff):
    botswana = Coalition.objects.get(state__iso3="BWA")
    data = {
        "state": botswana.state_id,
        "partner_names": botswana.partner_names,
        "description": "",
        "formed_on": "2018-05",  # not a day: refused, the admin takes a full date or the bound
        "formed_precision": "day",
        "formed_by": "2018-09-18",
        "source": botswana.source,
        "notes": botswana.notes,
        "meetings-TOTAL_FORMS": "0",
        "meetings-INITIAL_FORMS": "0",
        "meetings-MIN_NUM_FORMS": "0",
        "meetings-MAX_NUM_FORMS": "1000",
    }
    url = f"/admin/assistance/coalition/{botswana.pk}/change/"
    assert client_for(isu_staff).post(url, data).status_code == 200  # the form again, with the error
    response = client_for(isu_staff).post(url, data | {"formed_on": "2018-05-01", "formed_precision": "month"})
    assert response.status_code == 302
    entry = AuditEntry.objects.for_object(botswana).filter(actor=isu_staff).get()
    assert entry.changes["formed_on"] == [None, "2018-05-01"]
    assert entry.changes["formed_precision"] == ["day", "month"]
    assert Coalition.objects.get(pk=botswana.pk).counts_from == dt.date(2018, 5, 31)


def test_the_state_pages_coalition_block_is_one_query_with_or_without_a_coalition(
    reference_data, django_assert_num_queries
):
    from django.template import Context, Template

    from parties.models import State

    tag = Template("{% load coalitions %}{% coalition_for state as_of %}")
    for iso3, shown in (("BWA", True), ("BGR", False)):
        context = Context({"state": State.objects.get(iso3=iso3), "as_of": dt.date(2025, 1, 1)})
        with django_assert_num_queries(1):
            html = tag.render(context)
        assert ("Norwegian People&#x27;s Aid" in html) is shown
