"""The published Article 7 reports in the open-data API (/api/v1/reports): what a researcher finds, that nothing
unpublished or restricted ever appears (checked on the text of every answer), personal data only when the State
chose to publish it, the filters, the links, and the queries each answer runs."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from parties.models import State
from reporting import services
from reporting.archive import open_data, reads
from reporting.formats import Choice
from reporting.models import FormatVersion, ReportKind, ReportVersion
from tests.reporting.builders import full_content
from tests.reporting.conftest import fill_minimal
from tests.reporting.test_archive import accepted, focal_for, stock

pytestmark = pytest.mark.django_db

HOST = "http://testserver"
# Queries per answer, whatever the number of versions or rows: the list reads the formats (for each form's
# choice), counts and reads one page; a version or one of its forms is one query (the version with its
# report, State and format); the forms are one query.
LIST_QUERIES = 3
VERSION_QUERIES = 1
FORMS_QUERIES = 1

# Text that only an unpublished, unfinished or restricted version holds: no answer may ever contain it.
HIDDEN_MARKERS = {
    "draft": "DRAFT-MARKER-LAO-2019",
    "pending": "PENDING-MARKER-LAO-2020",
    "recalled": "RECALLED-MARKER-LAO-2021",
    "accepted_unpublished": "UNPUBLISHED-MARKER-LAO-2022",
    "sent_back": "SENT-BACK-MARKER-LAO-2023",
    "restricted": "RESTRICTED-MARKER-AUS-2020",
    "correction_pending": "CORRECTION-MARKER-LAO-INITIAL",
}
PRIVATE_EMAIL = "private.contact@lao.example.org"
PRIVATE_PHONE = "+856 21 PRIVATE"
PUBLISHED_EMAIL = "published.contact@aus.example.org"
PUBLISHED_PHONE = "+61 2 PUBLISHED"


# --- Building reports through the services -----------------------------------------------------------
def drafted(focal, *, kind=ReportKind.ANNUAL, year=None, marker="", rows=0, contact=None, content=None):
    """A report of ``focal``'s State, filled and saved (Form A's summary says ``marker``): a draft."""
    report = services.start_report(state=focal.state, kind=kind, period_year=year, actor=focal)
    if content is None:
        content = fill_minimal(report, form_b_stock=stock(rows) if rows else None)
        content["forms"]["A"]["narratives"]["summary"] = f"Law No. 12 prohibits cluster munitions. {marker}".strip()
    content["cover"].update(contact or {})
    return services.save_draft(report=report, content=content, base_revision=report.revision, actor=focal)


def submitted(focal, *, visibility="public", **kwargs):
    report = drafted(focal, **kwargs)
    services.set_visibility(report=report, visibility=visibility, actor=focal)
    services.submit_report(report=report, actor=focal)
    report.refresh_from_db()
    return report


def published(focal, isu, **kwargs):
    report = accepted(submitted(focal, **kwargs), isu)
    services.publish_report(report=report, actor=isu)
    report.refresh_from_db()
    return report


def corrected(report, focal, *, marker):
    """A correction of ``report`` submitted (awaiting review): Form A's summary now says ``marker``."""
    services.start_correction(report=report, actor=focal)
    report.refresh_from_db()
    content = report.draft
    content["forms"]["A"]["narratives"]["summary"] = f"Law No. 12 as amended. {marker}"
    report = services.save_draft(report=report, content=content, base_revision=report.revision, actor=focal)
    services.submit_report(report=report, actor=focal, correction_note=f"corrects Form A {marker}")
    report.refresh_from_db()
    return report


def version_of(report, number=1):
    return ReportVersion.objects.get(report=report, number=number)


def same_moment(text, moment):
    """An answer's time is the stored time to the millisecond (JSON keeps milliseconds)."""
    return abs(datetime.fromisoformat(text) - moment) < timedelta(milliseconds=1)


# --- Addresses -----------------------------------------------------------------------------------------
def get_json(client, name, *args, status=200, **params):
    response = client.get(reverse(f"api-v1:{name}", args=args), params)
    assert response.status_code == status, response.content
    return response


def results(client, **params):
    data = get_json(client, "reports", **params).json()
    return [(r["state"]["iso3"], r["period"], r["version"]) for r in data["results"]]


# --- Scenario ------------------------------------------------------------------------------------------
@pytest.fixture
def archive(focal_point, other_focal_point, isu_staff):
    """Published and public: LAO's initial report (Form B: two stockpile rows; contact details kept back) and
    AUS 2021 (contact details published). Everything else holds a marker no answer may show: LAO 2019 a draft,
    2020 awaiting review, 2021 recalled, 2022 accepted but not published, 2023 sent back; AUS 2020 published but
    restricted to States Parties; and a correction of LAO's initial report awaiting review."""
    private = {"contact_email": PRIVATE_EMAIL, "contact_phone": PRIVATE_PHONE, "publish_contact_details": "no"}
    lao_initial = published(focal_point, isu_staff, kind=ReportKind.INITIAL, rows=2, contact=private)
    aus_2021 = published(
        other_focal_point,
        isu_staff,
        year=2021,
        contact={"contact_email": PUBLISHED_EMAIL, "contact_phone": PUBLISHED_PHONE, "publish_contact_details": "yes"},
    )
    drafted(focal_point, year=2019, marker=HIDDEN_MARKERS["draft"], contact=private)
    submitted(focal_point, year=2020, marker=HIDDEN_MARKERS["pending"])
    recalled = submitted(focal_point, year=2021, marker=HIDDEN_MARKERS["recalled"])
    services.recall_submission(report=recalled, actor=focal_point)
    accepted(submitted(focal_point, year=2022, marker=HIDDEN_MARKERS["accepted_unpublished"]), isu_staff)
    sent_back = submitted(focal_point, year=2023, marker=HIDDEN_MARKERS["sent_back"])
    services.start_review(report=sent_back, actor=isu_staff)
    services.request_changes(report=sent_back, actor=isu_staff, reason="Form B totals")
    published(other_focal_point, isu_staff, year=2020, visibility="restricted", marker=HIDDEN_MARKERS["restricted"])
    corrected(lao_initial, focal_point, marker=HIDDEN_MARKERS["correction_pending"])
    return {"lao_initial": lao_initial, "aus_2021": aus_2021}


# Versions that exist but must not be readable, and one that does not exist at all.
HIDDEN_VERSIONS = [
    ("LAO", "2019", 1),  # a draft: no version yet
    ("LAO", "2020", 1),
    ("LAO", "2021", 1),
    ("LAO", "2022", 1),
    ("LAO", "2023", 1),
    ("AUS", "2020", 1),
    ("LAO", "initial", 2),
]
MISSING_VERSION = ("NOR", "2015", 1)


def assert_no_hidden_text(response):
    text = response.content.decode()
    for kind, marker in HIDDEN_MARKERS.items():
        assert marker not in text, f"{kind} data in {response.request['PATH_INFO']}"
    assert PRIVATE_EMAIL not in text and PRIVATE_PHONE not in text


# --- What a researcher finds ---------------------------------------------------------------------------
def test_the_list_gives_each_published_public_version_with_its_facts_and_absolute_links(client, archive):
    data = get_json(client, "reports").json()
    assert data["count"] == 2 and data["next"] is None and data["previous"] is None
    aus, lao = data["results"]  # by State name
    version = version_of(archive["lao_initial"])
    assert lao == {
        "state": {"iso3": "LAO", "name": "Lao People's Democratic Republic"},
        "kind": "initial",
        "period": "initial",
        "period_year": None,
        "version": 1,
        "submitted_on": version.submitted_on.isoformat(),
        "published_at": lao["published_at"],
        "superseded_by_version": None,
        "nil_report": False,
        "format": "2010",
        "original_language": "en",
        "forms": {"A": "changed", "B": "changed"} | dict.fromkeys("CDEFGHIJ", "not_applicable"),
        "url": f"{HOST}/api/v1/reports/LAO/initial/1",
        "page_url": f"{HOST}/reports/LAO/initial/v1/",
        "json_url": f"{HOST}/reports/LAO/initial/v1/report.json",
        "csv_url": f"{HOST}/reports/LAO/initial/v1/report.csv",
    }
    assert same_moment(lao["published_at"], version.published_at)
    assert (aus["state"], aus["kind"], aus["period"], aus["period_year"]) == (
        {"iso3": "AUS", "name": "Australia"},
        "annual",
        "2021",
        2021,
    )
    assert aus["forms"]["B"] == "not_applicable"
    # Every link answers.
    for key in ("url", "page_url", "json_url", "csv_url"):
        assert client.get(lao[key]).status_code == 200


def test_the_version_gives_the_content_of_its_json_download_with_absolute_links(client, archive):
    version = reads.get_version(AnonymousUser(), iso3="LAO", period="initial", number=1)
    document = json.loads(json.dumps(open_data.version_document(version), default=str))
    data = get_json(client, "report_version", "LAO", "initial", 1).json()
    assert data["content"] == document["content"]
    assert data["content"]["forms"]["B"]["tables"]["stockpile"][1]["munitions"] == 1501
    assert data["state"] == {"iso3": "LAO", "name": "Lao People's Democratic Republic"}
    assert data["report"] == document["report"]
    assert data["format"] == {"code": "2010", "name": document["format"]["name"]}
    facts = dict(data["version"])
    assert same_moment(facts.pop("published_at"), version.published_at)
    for key in ("submitted_at", "accepted_at"):
        assert same_moment(facts.pop(key), datetime.fromisoformat(document["version"].pop(key)))
    assert facts == document["version"]
    assert facts["outcome"] == "accepted" and facts["visibility"] == "public" and facts["number"] == 1
    assert data["url"] == f"{HOST}/api/v1/reports/LAO/initial/1"
    assert data["page_url"] == f"{HOST}/reports/LAO/initial/v1/"
    assert data["json_url"] == f"{HOST}/reports/LAO/initial/v1/report.json"
    assert data["csv_url"] == f"{HOST}/reports/LAO/initial/v1/report.csv"
    assert [f["code"] for f in data["forms"]] == list("ABCDEFGHIJ")
    assert data["forms"][1] == {
        "code": "B",
        "title": "Stockpiles and destruction",
        "url": f"{HOST}/api/v1/reports/LAO/initial/1/forms/B",
    }
    # The same address with a lower-case code is the same version.
    assert get_json(client, "report_version", "lao", "initial", 1).json()["url"] == data["url"]


def test_one_form_gives_its_choice_narratives_and_rows_with_the_formats_labels(client, archive):
    version = version_of(archive["lao_initial"])
    data = get_json(client, "report_form", "LAO", "initial", 1, "B").json()
    assert data["state"] == {"iso3": "LAO", "name": "Lao People's Democratic Republic"}
    assert (data["period"], data["version"], data["code"]) == ("initial", 1, "B")
    assert (data["title"], data["choice"], data["unchanged_since"]) == ("Stockpiles and destruction", "changed", None)
    assert data["url"] == f"{HOST}/api/v1/reports/LAO/initial/1/forms/B"
    assert data["version_url"] == f"{HOST}/api/v1/reports/LAO/initial/1"
    spec = version.format_version.spec.form("B")
    assert [n["key"] for n in data["narratives"]] == [n.key for n in spec.narratives]
    assert data["narratives"][0]["label"] == spec.narratives[0].label
    tables = {t["key"]: t for t in data["tables"]}
    assert list(tables) == ["stockpile", "destroyed", "discovered"]
    stockpile = tables["stockpile"]
    assert stockpile["label"] == spec.table("stockpile").label
    assert [(c["key"], c["label"], c["type"]) for c in stockpile["columns"]] == [
        (c.key, c.label, c.type) for c in spec.table("stockpile").columns
    ]
    qualifier = next(c for c in stockpile["columns"] if c["type"] == "qualifier")
    assert qualifier["choices"]["at_least"] == "at least"
    assert stockpile["rows"] == version.content["forms"]["B"]["tables"]["stockpile"]
    assert [row["type"] for row in stockpile["rows"]] == ["M0 rocket", "M1 rocket"]
    assert tables["destroyed"]["rows"] == []
    form_c = get_json(client, "report_form", "LAO", "initial", 1, "C").json()
    assert form_c["choice"] == Choice.NOT_APPLICABLE and form_c["na_statement"]
    form_a = get_json(client, "report_form", "LAO", "initial", 1, "A").json()
    assert form_a["narratives"][0]["text"] == "Law No. 12 prohibits cluster munitions."


def test_an_unknown_form_is_a_404(client, archive):
    response = get_json(client, "report_form", "LAO", "initial", 1, "Z", status=404)
    assert "Z" in response.json()["detail"]


def test_the_forms_readers_filter_on(client, archive):
    data = get_json(client, "report_forms").json()
    assert data["count"] == 10
    assert data["results"][0] == {"code": "A", "title": "National implementation measures"}
    assert [form["code"] for form in data["results"]] == list("ABCDEFGHIJ")


# --- Nothing unpublished, restricted or personal --------------------------------------------------------
@pytest.mark.parametrize("persona", [None, "focal_point", "other_focal_point", "isu_staff"])
def test_nothing_unpublished_or_restricted_appears_in_any_answer_whoever_asks(request, client_for, persona, archive):
    """The API reads as the public: a focal point or the ISU signed in reads what anyone reads."""
    client = client_for(request.getfixturevalue(persona) if persona else None)
    answers = [
        get_json(client, "reports"),
        get_json(client, "reports", all_versions="true"),
        get_json(client, "reports", state="LAO", all_versions="true"),
        get_json(client, "reports", period="2020"),
        get_json(client, "report_forms"),
    ]
    assert results(client) == [("AUS", "2021", 1), ("LAO", "initial", 1)]
    assert results(client, all_versions="true") == [("AUS", "2021", 1), ("LAO", "initial", 1)]
    for args in (("LAO", "initial", 1), ("AUS", "2021", 1)):
        answers.append(get_json(client, "report_version", *args))
        answers += [get_json(client, "report_form", *args, code) for code in "ABCDEFGHIJ"]
    for response in answers:
        assert_no_hidden_text(response)
    # What is not published and public answers exactly as what does not exist, so nothing leaks.
    missing = get_json(client, "report_version", *MISSING_VERSION, status=404).content
    missing_form = get_json(client, "report_form", *MISSING_VERSION, "A", status=404).content
    for args in HIDDEN_VERSIONS:
        assert get_json(client, "report_version", *args, status=404).content == missing, args
        assert get_json(client, "report_form", *args, "A", status=404).content == missing_form, args
    assert json.loads(missing) == {"detail": "No published public report version at this address."}


def test_the_contact_points_email_and_telephone_appear_only_where_the_state_published_them(client, archive):
    lao = get_json(client, "report_version", "LAO", "initial", 1)
    cover = lao.json()["content"]["cover"]
    assert "contact_email" not in cover and "contact_phone" not in cover
    assert cover["contact_name"] == "Focal Point" and cover["publish_contact_details"] == "no"
    assert_no_hidden_text(lao)
    aus = get_json(client, "report_version", "AUS", "2021", 1).json()["content"]["cover"]
    assert (aus["contact_email"], aus["contact_phone"]) == (PUBLISHED_EMAIL, PUBLISHED_PHONE)


# --- Filters -------------------------------------------------------------------------------------------
def test_the_filters_select_by_state_region_period_form_and_nil(client, archive):
    assert results(client, state="AUS") == [("AUS", "2021", 1)]
    assert results(client, state="lao") == [("LAO", "initial", 1)]
    assert results(client, state="NOR") == []
    assert results(client, region="Asia") == [("LAO", "initial", 1)]
    assert results(client, region="Pacific") == [("AUS", "2021", 1)]
    assert results(client, period="initial") == [("LAO", "initial", 1)]
    assert results(client, period="2021") == [("AUS", "2021", 1)]
    assert results(client, period="2020") == []  # AUS 2020 is restricted, LAO 2020 not published
    assert results(client, form="B") == [("LAO", "initial", 1)]  # AUS says Form B does not apply
    assert results(client, form="A", form_changed="true") == [("AUS", "2021", 1), ("LAO", "initial", 1)]
    assert results(client, form="C") == []
    assert results(client, nil="false") == [("AUS", "2021", 1), ("LAO", "initial", 1)]
    assert results(client, nil="true") == []
    assert results(client, state="LAO", period="2021") == []


def test_changed_since_selects_versions_published_at_or_after_it(client, archive):
    ReportVersion.objects.filter(report=archive["lao_initial"], number=1).update(
        published_at=datetime(2024, 3, 1, 10, 0, tzinfo=UTC)  # 11:00 in Zurich
    )
    ReportVersion.objects.filter(report=archive["aus_2021"]).update(
        published_at=datetime(2025, 6, 15, 12, 0, tzinfo=UTC)
    )
    both, aus = [("AUS", "2021", 1), ("LAO", "initial", 1)], [("AUS", "2021", 1)]
    assert results(client, changed_since="2024-03-01") == both  # from the start of the day
    assert results(client, changed_since="2024-03-02") == aus
    assert results(client, changed_since="2024-03-01T11:00:00") == both  # the portal's time zone
    assert results(client, changed_since="2024-03-01T11:00:01") == aus
    assert results(client, changed_since="2024-03-01T10:00:00Z") == both
    assert results(client, changed_since="2024-03-01T10:00:01+00:00") == aus
    assert results(client, changed_since="2025-06-16") == []


@pytest.mark.parametrize(
    "params",
    [
        {"state": "LAOS"},
        {"state": "L1O"},
        {"period": "20x1"},
        {"period": "initial2"},
        {"form": "B!"},
        {"region": "Mars"},
        {"changed_since": "yesterday"},
        {"nil": "perhaps"},
        {"page": "0"},
    ],
)
def test_malformed_filters_are_a_422_that_says_why(client, archive, params):
    response = get_json(client, "reports", status=422, **params)
    assert response.json()["detail"]


@pytest.mark.parametrize(
    "path",
    ["/api/v1/reports/LAOS/initial/1", "/api/v1/reports/LAO/20x1/1", "/api/v1/reports/LAO/initial/0",
     "/api/v1/reports/LAO/initial/99999", "/api/v1/reports/LAO/initial/1/forms/B!"],
)  # fmt: skip
def test_malformed_addresses_are_a_422(client, archive, path):
    assert client.get(path).status_code == 422


def test_all_versions_lists_every_published_version_and_corrections_supersede(
    client, focal_point, isu_staff, reference_data
):
    report = published(focal_point, isu_staff, kind=ReportKind.INITIAL, rows=2)
    report = accepted(corrected(report, focal_point, marker="corrects the law's number"), isu_staff)
    services.publish_report(report=report, actor=isu_staff)
    assert results(client) == [("LAO", "initial", 2)]
    data = get_json(client, "reports", all_versions="true").json()
    assert [(r["version"], r["superseded_by_version"]) for r in data["results"]] == [(1, 2), (2, None)]
    assert data["results"][0]["url"] == f"{HOST}/api/v1/reports/LAO/initial/1"
    old = get_json(client, "report_version", "LAO", "initial", 1).json()["version"]
    assert (old["outcome"], old["superseded_by_version"]) == ("superseded", 2)
    new = get_json(client, "report_version", "LAO", "initial", 2).json()["version"]
    assert (new["corrects_version"], new["correction_note"]) == (1, "corrects Form A corrects the law's number")
    # Filters on the version's own facts look at each version.
    ReportVersion.objects.filter(report=report, number=1).update(published_at=datetime(2024, 3, 1, 10, 0, tzinfo=UTC))
    assert results(client, all_versions="true", changed_since="2025-01-01") == [("LAO", "initial", 2)]
    assert results(client, changed_since="2025-01-01") == [("LAO", "initial", 2)]


def test_pages_link_to_each_other_with_the_filters_kept(client, focal_point, isu_staff, reference_data):
    for year in (2015, 2016, 2017):
        published(focal_point, isu_staff, year=year)
    first = get_json(client, "reports", state="LAO", page_size=2).json()
    assert [r["period"] for r in first["results"]] == ["2017", "2016"]
    assert first["count"] == 3 and first["previous"] is None
    assert first["next"].startswith(f"{HOST}/api/v1/reports?") and "state=LAO" in first["next"]
    second = client.get(first["next"]).json()
    assert [r["period"] for r in second["results"]] == ["2015"] and second["next"] is None


# --- Queries -------------------------------------------------------------------------------------------
def _published_versions(count, isu):
    """``count`` published public annual reports of LAO, NOR and FRA (sixteen years each at most)."""
    made = 0
    for iso3 in ("LAO", "NOR", "FRA"):
        focal = focal_for(iso3)
        for year in range(2010, 2026):
            if made == count:
                return
            published(focal, isu, year=year, rows=made % 5)
            made += 1


@pytest.mark.parametrize("count", [10, 40])
def test_the_list_runs_a_fixed_number_of_queries(client, isu_staff, django_assert_num_queries, count):
    _published_versions(count, isu_staff)
    with django_assert_num_queries(LIST_QUERIES):
        data = get_json(client, "reports", page_size=100).json()
    assert data["count"] == len(data["results"]) == count
    with django_assert_num_queries(LIST_QUERIES):
        assert get_json(client, "reports", all_versions="true", page_size=100).json()["count"] == count
    with django_assert_num_queries(LIST_QUERIES):
        filtered = get_json(client, "reports", region="Europe", form="A", changed_since="2020-01-01").json()
    assert filtered["count"] == max(count - 16, 0)
    with django_assert_num_queries(FORMS_QUERIES):
        get_json(client, "report_forms")


@pytest.mark.parametrize("rows", [1, 300])
def test_a_version_and_its_forms_run_one_query_whatever_their_size(
    client, focal_point, isu_staff, django_assert_num_queries, rows
):
    content = full_content(FormatVersion.objects.get(is_current=True).spec, rows=rows)
    published(focal_point, isu_staff, kind=ReportKind.INITIAL, content=content)
    with django_assert_num_queries(VERSION_QUERIES):
        data = get_json(client, "report_version", "LAO", "initial", 1).json()
    assert sum(len(t) for f in data["content"]["forms"].values() for t in f["tables"].values()) == rows
    for code in "ABF":
        with django_assert_num_queries(VERSION_QUERIES):
            get_json(client, "report_form", "LAO", "initial", 1, code)
    with django_assert_num_queries(VERSION_QUERIES):
        get_json(client, "report_version", "LAO", "initial", 2, status=404)


def test_states_are_named_as_in_the_registry(client, archive):
    names = {r["state"]["iso3"]: r["state"]["name"] for r in get_json(client, "reports").json()["results"]}
    assert names == dict(State.objects.filter(iso3__in=names).values_list("iso3", "name"))
