"""The public archive of Article 7 reports, as the public, focal points, other roles and the ISU see it:
browsing and filters, citable version pages, JSON and CSV downloads, the PDF link."""

import csv
import html as html_lib
import io
import json
import re

import pytest
from django.urls import reverse

from accounts.models import Role, User
from reporting import services
from reporting.formats import Choice
from reporting.models import ReportKind, ReportVersion, VersionOutcome
from tests.factories import make_user
from tests.reporting.conftest import fill_minimal

pytestmark = pytest.mark.django_db

# Queries, whatever the number of reports, versions or table rows. The list: the reporting formats
# (for the form filter), the count and the page; the version page: the version (with its report,
# State and format) and the report's readable versions. Signed-in users add session and user.
LIST_QUERIES = 3
VERSION_QUERIES = 2
DOWNLOAD_QUERIES = 1
SIGNED_IN = 2


# --- Building reports through the services -----------------------------------------------------------
def stock(n, *, munitions=1500):
    return [
        {"_id": f"s{i}", "type": f"M{i} rocket", "munitions": str(munitions + i), "submunitions": "88", "qualifier": ""}
        for i in range(n)
    ]


def focal_for(iso3):
    user = User.objects.filter(role=Role.FOCAL_POINT, state__iso3=iso3).first()
    return user or make_user(Role.FOCAL_POINT, iso3=iso3, email=f"fp.{iso3.lower()}@example.org")


def submitted(focal, *, kind=ReportKind.ANNUAL, year=None, visibility="public", rows=0, nil=False, tweak=None):
    """A report of ``focal``'s State, filled (``tweak`` edits the content) and submitted: version 1
    awaiting review."""
    report = services.start_report(state=focal.state, kind=kind, period_year=year, actor=focal)
    content = fill_minimal(report, form_b_stock=stock(rows) if rows else None)
    if tweak:
        tweak(content)
    report = services.save_draft(report=report, content=content, base_revision=report.revision, actor=focal)
    if nil:
        report = services.make_nil_report(report=report, base_revision=report.revision, actor=focal)
    services.set_visibility(report=report, visibility=visibility, actor=focal)
    services.submit_report(report=report, actor=focal)
    return report


def accepted(report, isu):
    services.start_review(report=report, actor=isu)
    services.accept_report(report=report, actor=isu)
    report.refresh_from_db()
    return report


def published(focal, isu, **kwargs):
    report = accepted(submitted(focal, **kwargs), isu)
    services.publish_report(report=report, actor=isu)
    report.refresh_from_db()
    return report


def corrected(report, focal, isu, *, note, munitions):
    """A correction of every Form B stockpile figure, accepted and published again."""
    services.start_correction(report=report, actor=focal)
    report.refresh_from_db()
    content = report.draft
    for row in content["forms"]["B"]["tables"]["stockpile"]:
        row["munitions"] = str(munitions)
    report = services.save_draft(report=report, content=content, base_revision=report.revision, actor=focal)
    services.submit_report(report=report, actor=focal, correction_note=note)
    report = accepted(report, isu)
    services.publish_report(report=report, actor=isu)
    report.refresh_from_db()
    return report


def archive_url(**params):
    url = reverse("reporting:archive")
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def version_url(iso3, period, number, name="archive_version"):
    return reverse(f"reporting:{name}", args=[iso3, period, number])


def text(response):
    return html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


def listed(response):
    """(ISO3, period) of each report on a page of the archive."""
    return [(r["iso3"], r["period"]) for r in json.loads(response.content)["reports"]]


# --- Scenario ---------------------------------------------------------------------------------------
@pytest.fixture
def archive(focal_point, other_focal_point, isu_staff):
    """LAO: initial report published and public (Form B: two stockpile rows); 2019 accepted but not
    published; 2020 submitted. AUS: 2020 published, restricted to States Parties."""
    lao_initial = published(focal_point, isu_staff, kind=ReportKind.INITIAL, rows=2)
    lao_2019 = accepted(submitted(focal_point, year=2019), isu_staff)
    lao_2020 = submitted(focal_point, year=2020)
    aus_2020 = published(other_focal_point, isu_staff, year=2020, visibility="restricted")
    return {"lao_initial": lao_initial, "lao_2019": lao_2019, "lao_2020": lao_2020, "aus_2020": aus_2020}


# --- Who sees what ----------------------------------------------------------------------------------
def test_the_public_sees_published_public_reports_only(client_for, archive):
    response = client_for(None).get(archive_url(format="json"))
    assert response.status_code == 200
    assert listed(response) == [("LAO", "initial")]
    page = client_for(None).get(archive_url())
    assert page.status_code == 200
    html = text(page)
    assert "1 report" in html and "Lao People's Democratic Republic" in html and "Australia" not in html


@pytest.mark.parametrize("persona", ["focal_point", "other_focal_point", "isu_staff"])
def test_focal_points_of_any_state_and_the_isu_also_see_restricted_published_reports(
    request, client_for, persona, archive
):
    client = client_for(request.getfixturevalue(persona))
    assert listed(client.get(archive_url(format="json"))) == [("AUS", "2020"), ("LAO", "initial")]
    assert "Restricted" in text(client.get(archive_url()))


@pytest.mark.parametrize("persona", ["coordinator", "donor"])
def test_other_roles_read_what_the_public_reads(request, client_for, persona, archive):
    client = client_for(request.getfixturevalue(persona))
    assert listed(client.get(archive_url(format="json"))) == [("LAO", "initial")]
    assert client.get(version_url("AUS", "2020", 1)).status_code == 404


def test_a_restricted_report_is_404_to_the_public_and_readable_by_another_states_focal_point(
    client_for, focal_point, other_focal_point, isu_staff, coordinator, archive
):
    urls = [
        reverse("reporting:archive_latest", args=["AUS", "2020"]),
        version_url("AUS", "2020", 1),
        version_url("AUS", "2020", 1, "archive_version_json"),
        version_url("AUS", "2020", 1, "archive_version_csv"),
    ]
    for url in urls:
        assert client_for(None).get(url).status_code == 404, url
        assert client_for(coordinator).get(url).status_code == 404, url  # a lesser role reads what the public reads
        assert client_for(focal_point).get(url).status_code == 200, url  # Lao reads Australia's restricted report
        assert client_for(other_focal_point).get(url).status_code == 200, url  # Australia, its owner
        assert client_for(isu_staff).get(url).status_code == 200, url


@pytest.mark.parametrize("persona", [None, "focal_point", "other_focal_point", "isu_staff"])
def test_unpublished_reports_are_never_in_the_archive_not_even_for_their_state_or_the_isu(
    request, client_for, persona, archive
):
    client = client_for(request.getfixturevalue(persona) if persona else None)
    for period in ("2019", "2020"):  # accepted but not published; submitted
        assert client.get(reverse("reporting:archive_latest", args=["LAO", period])).status_code == 404
        for name in ("archive_version", "archive_version_json", "archive_version_csv"):
            assert client.get(version_url("LAO", period, 1, name)).status_code == 404
    assert ("LAO", "2019") not in listed(client.get(archive_url(format="json")))


def test_versions_the_isu_did_not_accept_stay_out_of_a_published_report(client_for, focal_point, isu_staff):
    """Version 1 sent back, version 2 recalled, version 3 accepted and published: only version 3 exists
    in the archive, for every reader."""
    report = submitted(focal_point, year=2021)
    services.start_review(report=report, actor=isu_staff)
    services.request_changes(report=report, actor=isu_staff, reason="Complete Form A.")
    report.refresh_from_db()
    services.submit_report(report=report, actor=focal_point)
    services.recall_submission(report=report, actor=focal_point)
    report.refresh_from_db()
    services.submit_report(report=report, actor=focal_point)
    accepted(report, isu_staff)
    services.publish_report(report=report, actor=isu_staff)
    outcomes = dict(report.versions.values_list("number", "outcome"))
    assert outcomes == {1: VersionOutcome.CHANGES_REQUESTED, 2: VersionOutcome.RECALLED, 3: VersionOutcome.ACCEPTED}
    for user in (None, focal_point, isu_staff):
        client = client_for(user)
        assert client.get(version_url("LAO", "2021", 1)).status_code == 404
        assert client.get(version_url("LAO", "2021", 2, "archive_version_json")).status_code == 404
        page = client.get(reverse("reporting:archive_latest", args=["LAO", "2021"]))
        assert page.status_code == 200
        history = page.content.decode().split('id="history-title"')[1].split("</section>")[0]
        assert "Version 3" in history and "Version 1" not in history and "Version 2" not in history
        assert [r["version"] for r in json.loads(client.get(archive_url(format="json")).content)["reports"]] == [3]


def test_unknown_addresses_are_404(client_for, archive):
    client = client_for(None)
    for url in (
        "/reports/XYZ/initial/",
        "/reports/LAO/2031/",
        "/reports/LAO/initial/v9/",
        "/reports/LAO/first/",
        "/reports/LAOS/initial/v1/",
        "/reports/LAO/initial/v1/report.json/",
    ):
        assert client.get(url).status_code == 404, url


def test_a_lower_case_code_moves_to_the_citable_address(client_for, archive):
    response = client_for(None).get("/reports/lao/initial/v1/")
    assert response.status_code == 301 and response["Location"] == "/reports/LAO/initial/v1/"


def test_pages_are_read_only(client_for, focal_point, archive):
    client = client_for(focal_point)
    for url in (
        archive_url(),
        version_url("LAO", "initial", 1),
        version_url("LAO", "initial", 1, "archive_version_csv"),
    ):
        assert client.post(url).status_code == 405


# --- Filters ----------------------------------------------------------------------------------------
@pytest.fixture
def many(focal_point, other_focal_point, isu_staff):
    """Published and public: LAO initial (Form B given) and 2020 (nil); AUS 2020 and 2021 (Form B
    unchanged since 2020); CAN 2020; the Central African Republic's initial report (nil, to test that
    "CAN" means Canada alone)."""

    def form_b_unchanged(content):
        content["forms"]["B"].update(choice=Choice.UNCHANGED, unchanged_since=2020)

    published(focal_point, isu_staff, kind=ReportKind.INITIAL, rows=3)
    published(focal_point, isu_staff, year=2020, nil=True)
    published(other_focal_point, isu_staff, year=2020)
    published(other_focal_point, isu_staff, year=2021, rows=1, tweak=form_b_unchanged)
    published(focal_for("CAN"), isu_staff, year=2020)
    published(focal_for("CAF"), isu_staff, kind=ReportKind.INITIAL, nil=True)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (
            {},
            [
                ("AUS", "2021"),
                ("AUS", "2020"),
                ("CAN", "2020"),
                ("CAF", "initial"),
                ("LAO", "2020"),
                ("LAO", "initial"),
            ],
        ),
        ({"state": "LAO"}, [("LAO", "2020"), ("LAO", "initial")]),
        ({"state": "lao"}, [("LAO", "2020"), ("LAO", "initial")]),
        ({"state": "CAN"}, [("CAN", "2020")]),
        ({"state": "afric"}, [("CAF", "initial")]),
        ({"state": "Austral"}, [("AUS", "2021"), ("AUS", "2020")]),
        ({"region": "Asia"}, [("LAO", "2020"), ("LAO", "initial")]),
        ({"region": "Pacific", "period": "2021"}, [("AUS", "2021")]),
        ({"period": "2020"}, [("AUS", "2020"), ("CAN", "2020"), ("LAO", "2020")]),
        ({"period": "initial"}, [("CAF", "initial"), ("LAO", "initial")]),
        ({"form": "B"}, [("AUS", "2021"), ("LAO", "initial")]),
        ({"form": "B", "changed": "on"}, [("LAO", "initial")]),
        ({"form": "A", "state": "LAO"}, [("LAO", "2020"), ("LAO", "initial")]),
        ({"nil": "yes"}, [("CAF", "initial"), ("LAO", "2020")]),
        ({"nil": "no", "region": "Asia"}, [("LAO", "initial")]),
        ({"state": "Narnia"}, []),
    ],
)
def test_filters(client_for, many, params, expected):
    response = client_for(None).get(reverse("reporting:archive"), {**params, "format": "json"})
    assert response.status_code == 200
    assert listed(response) == expected


def test_the_state_page_links_to_its_reports(client_for, many):
    response = client_for(None).get("/reports/?state=LAO")
    assert response.status_code == 200
    html = text(response)
    assert "2 reports" in html and "Lao People's Democratic Republic" in html and "Australia" not in html
    assert 'value="LAO"' in response.content.decode()  # the filter shows what was asked


def test_the_form_filter_says_what_it_means(client_for, many):
    html = text(client_for(None).get(archive_url()))
    assert "Has content in" in html
    assert "rather than declaring it not applicable" in html
    assert "Form B: Stockpiles and destruction" in html


def test_bad_filters_are_explained_and_kept(client_for, many):
    client = client_for(None)
    response = client.get(reverse("reporting:archive"), {"region": "Atlantis", "state": "Lao", "changed": "on"})
    assert response.status_code == 400
    html = text(response)
    assert "There is a problem" in html and "Choose the form that changed." in html
    assert 'value="Lao"' in response.content.decode()
    assert "2 reports" in html  # the valid filters still apply
    response = client.get(reverse("reporting:archive"), {"period": "1999", "format": "json"})
    assert response.status_code == 400 and "period" in json.loads(response.content)["errors"]


def test_the_list_is_paginated_by_fifty(client_for, focal_point, isu_staff, monkeypatch):
    from reporting.archive import reads

    monkeypatch.setattr(reads, "PER_PAGE", 2)
    for year in (2018, 2019, 2020):
        published(focal_point, isu_staff, year=year)
    client = client_for(None)
    first = json.loads(client.get(archive_url(format="json")).content)
    assert (first["count"], first["pages"], [r["period"] for r in first["reports"]]) == (3, 2, ["2020", "2019"])
    second = json.loads(client.get(archive_url(format="json", page=2)).content)
    assert [r["period"] for r in second["reports"]] == ["2018"]
    response = client.get(archive_url(state="LAO"))
    assert 'href="?state=LAO&amp;page=2"' in response.content.decode() and "Page 1 of 2" in text(response)


def test_fifty_reports_a_page():
    from reporting.archive import reads

    assert reads.PER_PAGE == 50


def test_the_json_twin_describes_each_report(client_for, many):
    data = json.loads(client_for(None).get(archive_url(format="json", state="LAO", period="initial")).content)
    assert data["filters"] == {
        "state": "LAO",
        "region": None,
        "period": "initial",
        "form": None,
        "form_changed": None,
        "nil": None,
    }
    (row,) = data["reports"]
    assert row["state"] == "Lao People's Democratic Republic" and row["version"] == 1
    assert row["forms_with_content"] == ["A", "B"] and row["forms_changed"] == ["A", "B"]
    assert row["url"] == "/reports/LAO/initial/" and row["version_url"] == "/reports/LAO/initial/v1/"
    assert row["permanent_url"] == "http://testserver/reports/LAO/initial/v1/"
    assert row["downloads"]["csv"] == "/reports/LAO/initial/v1/report.csv"


# --- Citable versions and corrections ------------------------------------------------------------
@pytest.fixture
def corrected_initial(focal_point, isu_staff):
    report = published(focal_point, isu_staff, kind=ReportKind.INITIAL, rows=2)
    return corrected(report, focal_point, isu_staff, note="corrects Form B totals", munitions=1700)


def test_every_version_keeps_its_citable_address_after_a_correction(client_for, corrected_initial):
    client = client_for(None)
    v1 = client.get(version_url("LAO", "initial", 1))
    assert v1.status_code == 200
    html = text(v1)
    assert "This version was corrected: it is superseded by version 2." in html
    assert "1,500" in html and "1,700" not in html
    assert "http://testserver/reports/LAO/initial/v1/" in html  # cite this
    v2 = client.get(version_url("LAO", "initial", 2))
    html = text(v2)
    assert v2.status_code == 200 and "1,700" in html and "1,500" not in html
    assert "What this version corrects corrects Form B totals" in html
    assert "version 2: corrects Form B totals" in html  # the correction history
    assert "the report as first accepted" in html
    for page in (v1, v2):
        history = page.content.decode().split('id="history-title"')[1].split("</section>")[0]
        assert "Version 1" in history and "Version 2" in history


def test_the_latest_address_shows_the_latest_version_with_a_canonical_link(client_for, corrected_initial):
    response = client_for(None).get(reverse("reporting:archive_latest", args=["LAO", "initial"]))
    assert response.status_code == 200  # not a redirect: the address stays the one cited
    html = response.content.decode()
    assert '<link rel="canonical" href="http://testserver/reports/LAO/initial/v2/">' in html
    assert "now version 2" in text(response) and "1,700" in text(response)


def test_the_version_page_shows_the_facts_and_the_downloads(client_for, corrected_initial):
    response = client_for(None).get(version_url("LAO", "initial", 2))
    html = text(response)
    for fact in ("Submitted", "Accepted by the ISU", "Cite this", "Original language", "English"):
        assert fact in html, fact
    content = response.content.decode()
    for name in ("archive_version_json", "archive_version_csv", "archive_version_pdf"):
        assert f'href="{version_url("LAO", "initial", 2, name)}"' in content
    assert "Form B: Stockpiles and destruction" in html and "M1 rocket" in html


def test_focal_points_read_the_archive_without_their_working_details(client_for, focal_point, corrected_initial):
    """The owner sees the same reader's page: no submitter names, no ISU reasons."""
    page = client_for(focal_point).get(version_url("LAO", "initial", 1)).content.decode()
    assert focal_point.get_full_name() not in page.split('id="main-content"')[1]


# --- Downloads ----------------------------------------------------------------------------------------
def test_json_download_holds_the_facts_and_the_content_as_submitted(client_for, corrected_initial):
    response = client_for(None).get(version_url("LAO", "initial", 2, "archive_version_json"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert 'filename="LAO-initial-v2.json"' in response["Content-Disposition"]
    data = json.loads(response.content.decode("utf-8"))
    assert list(data) == ["state", "report", "version", "format", "url", "content"]  # facts first
    assert list(data["content"]["forms"]["B"]) == sorted(data["content"]["forms"]["B"])  # then in key order
    assert data["state"]["iso3"] == "LAO" and data["report"]["period"] == "initial"
    assert data["version"]["number"] == 2 and data["version"]["corrects_version"] == 1
    assert data["version"]["correction_note"] == "corrects Form B totals"
    assert data["format"]["code"] == "2010"
    assert data["url"] == "http://testserver/reports/LAO/initial/v2/"
    stock_rows = data["content"]["forms"]["B"]["tables"]["stockpile"]
    assert [row["munitions"] for row in stock_rows] == [1700, 1700]
    v1 = json.loads(client_for(None).get(version_url("LAO", "initial", 1, "archive_version_json")).content)
    assert [row["munitions"] for row in v1["content"]["forms"]["B"]["tables"]["stockpile"]] == [1500, 1501]
    assert v1["version"]["superseded_by_version"] == 2
    assert response.content == client_for(None).get(version_url("LAO", "initial", 2, "archive_version_json")).content


def test_json_download_is_utf8(client_for, focal_point, isu_staff):
    summary = "Loi n° 12 — interdiction des armes à sous-munitions. 法律"

    def french(content):
        content["forms"]["A"]["narratives"]["summary"] = summary

    published(focal_point, isu_staff, kind=ReportKind.INITIAL, tweak=french)
    body = client_for(None).get(version_url("LAO", "initial", 1, "archive_version_json")).content
    assert summary.encode() in body


def test_csv_gives_units_for_areas_and_amounts(client_for, focal_point, isu_staff):
    def areas_and_money(content):
        forms = content["forms"]
        forms["F"].update(choice=Choice.CHANGED, na_statement="", narratives={"programme": "Survey continues."})
        forms["F"]["tables"]["areas"] = [
            {"_id": "a1", "location": "Phonsavan", "area": "2.5 km2", "status": "confirmed"}
        ]
        forms["I"].update(choice=Choice.CHANGED, na_statement="")
        forms["I"]["tables"]["national"] = [
            {"_id": "n1", "article": "4", "kind": "financial", "amount": "1500000", "currency": "LAK"}
        ]

    published(focal_point, isu_staff, kind=ReportKind.INITIAL, tweak=areas_and_money)
    response = client_for(None).get(version_url("LAO", "initial", 1, "archive_version_csv"))
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    area = next(r for r in rows if r["table"] == "areas" and r["column"] == "area")
    assert (area["value"], area["unit"]) == ("2.5", "km2")  # as typed (issue 12, finding 10)
    amount = next(r for r in rows if r["table"] == "national" and r["column"] == "amount")
    assert (amount["value"], amount["unit"]) == ("1500000", "LAK")


def test_public_downloads_are_open_data_and_restricted_ones_are_not(client_for, focal_point, archive):
    public = client_for(None).get(version_url("LAO", "initial", 1, "archive_version_json"))
    assert public["Access-Control-Allow-Origin"] == "*"
    restricted = client_for(focal_point).get(version_url("AUS", "2020", 1, "archive_version_json"))
    assert restricted.status_code == 200 and "Access-Control-Allow-Origin" not in restricted


def test_restricted_versions_are_never_kept_by_a_shared_cache(client_for, focal_point, archive):
    """A version restricted to States Parties is read by signed-in focal points: a proxy between them and the
    portal must not keep it for the next visitor (its page, JSON, CSV and PDF say ``private``)."""
    from ccm_portal.core.models import RenderStatus
    from reporting import pdf as report_pdf
    from reporting.models import ReportPdf

    client = client_for(focal_point)
    pdf_url = version_url("AUS", "2020", 1, "archive_version_pdf")
    client.get(pdf_url)
    report_pdf.render(ReportPdf.objects.get(version__report=archive["aus_2020"]).pk)
    assert ReportPdf.objects.get(version__report=archive["aus_2020"]).status == RenderStatus.READY
    for name in ("archive_version", "archive_version_json", "archive_version_csv", "archive_version_pdf"):
        response = client.get(version_url("AUS", "2020", 1, name))
        assert response.status_code == 200, name
        assert "private" in response.get("Cache-Control", ""), name
    public = client_for(None).get(version_url("LAO", "initial", 1, "archive_version_json"))
    assert "private" not in public.get("Cache-Control", "")


# --- PDF ---------------------------------------------------------------------------------------------
def test_pdf_link_shows_the_progress_page_then_serves_the_pdf(client_for, archive):
    from ccm_portal.core.models import RenderStatus
    from reporting import pdf as report_pdf
    from reporting.models import ReportPdf

    client = client_for(None)
    url = version_url("LAO", "initial", 1, "archive_version_pdf")
    response = client.get(url)  # queued: the render starts once the request's transaction commits
    pdf = ReportPdf.objects.get(version__report=archive["lao_initial"], version__number=1)
    assert response.status_code == 302 and response["Location"] == reverse("reporting:pdf_status", args=[pdf.pk])
    assert client.get(response["Location"]).status_code == 200  # the public may follow it
    assert report_pdf.render(pdf.pk).status == RenderStatus.READY  # what the Celery worker does
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="LAO-initial-v1.pdf"'
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert ReportPdf.objects.filter(version__report=archive["lao_initial"]).count() == 1  # rendered once


def test_no_pdf_of_a_version_the_reader_may_not_read(client_for, archive):
    for url in (
        version_url("AUS", "2020", 1, "archive_version_pdf"),
        version_url("LAO", "2020", 1, "archive_version_pdf"),
    ):
        assert client_for(None).get(url).status_code == 404


# --- Queries -----------------------------------------------------------------------------------------
def _reports_of(count, isu, *, rows):
    """``count`` published annual reports of LAO (and AUS beyond fifteen), ``rows`` Form B rows each."""
    lao, aus = focal_for("LAO"), focal_for("AUS")
    for index in range(count):
        focal, year = (lao, 2010 + index) if index < 15 else (aus, 2013 + index - 15)
        published(focal, isu, year=year, rows=rows)


@pytest.mark.parametrize(("count", "rows"), [(2, 1), (18, 40)])
def test_the_list_runs_a_fixed_number_of_queries(client_for, isu_staff, django_assert_num_queries, count, rows):
    _reports_of(count, isu_staff, rows=rows)
    client = client_for(None)
    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(archive_url(form="B", region="Asia"))
    assert response.status_code == 200
    with django_assert_num_queries(LIST_QUERIES):
        assert len(listed(client.get(archive_url(format="json")))) == count
    client = client_for(isu_staff)
    with django_assert_num_queries(LIST_QUERIES + SIGNED_IN):
        assert client.get(archive_url()).status_code == 200


@pytest.mark.parametrize("rows", [1, 200])
def test_a_version_and_its_downloads_run_a_fixed_number_of_queries(
    client_for, focal_point, isu_staff, django_assert_num_queries, rows
):
    report = published(focal_point, isu_staff, kind=ReportKind.INITIAL, rows=rows)
    corrected(report, focal_point, isu_staff, note="corrects Form B", munitions=7)
    client = client_for(None)
    with django_assert_num_queries(VERSION_QUERIES):
        assert client.get(version_url("LAO", "initial", 1)).status_code == 200
    with django_assert_num_queries(VERSION_QUERIES):
        assert client.get(reverse("reporting:archive_latest", args=["LAO", "initial"])).status_code == 200
    for name in ("archive_version_json", "archive_version_csv"):
        with django_assert_num_queries(DOWNLOAD_QUERIES):
            assert client.get(version_url("LAO", "initial", 2, name)).status_code == 200
    client = client_for(focal_point)
    with django_assert_num_queries(VERSION_QUERIES + SIGNED_IN):
        assert client.get(version_url("LAO", "initial", 2)).status_code == 200
    assert ReportVersion.objects.filter(report=report).count() == 2


def test_a_published_version_stays_citable_while_its_correction_is_prepared_and_reviewed(
    client_for, focal_point, isu_staff
):
    report = published(focal_point, isu_staff, kind=ReportKind.INITIAL, rows=2)
    client = client_for(None)
    services.start_correction(report=report, actor=focal_point)
    report.refresh_from_db()
    assert client.get(version_url("LAO", "initial", 1)).status_code == 200
    assert client.get(reverse("reporting:archive_latest", args=["LAO", "initial"])).status_code == 200
    assert "Lao People's Democratic Republic" in text(client.get(archive_url(state="LAO")))
    assert [r["period"] for r in client.get("/states/LAO/", {"format": "json"}).json()["reports"]] == ["initial"]

    content = report.draft
    content["forms"]["B"]["tables"]["stockpile"][0]["munitions"] = "1700"
    report = services.save_draft(report=report, content=content, base_revision=report.revision, actor=focal_point)
    services.submit_report(report=report, actor=focal_point, correction_note="corrects Form B totals")
    accepted(report, isu_staff)
    # Accepted but not yet published: readers still get version 1, and version 2 is not theirs yet.
    assert client.get(version_url("LAO", "initial", 2)).status_code == 404
    latest = text(client.get(reverse("reporting:archive_latest", args=["LAO", "initial"])))
    assert "1,500" in latest and "1,700" not in latest

    services.publish_report(report=report, actor=isu_staff)
    assert client.get(version_url("LAO", "initial", 2)).status_code == 200
    assert client.get(version_url("LAO", "initial", 1)).status_code == 200
