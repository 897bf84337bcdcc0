"""The ISU's export of the archive: the selection of the archive's filters as XLSX (or CSV), one row
per accepted or superseded version, for ISU staff only."""

import csv
import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from reporting import services
from reporting.models import ReportKind
from tests.reporting.test_archive import accepted, corrected, focal_for, published, submitted

pytestmark = pytest.mark.django_db

# ISU pages: session and user (the second factor is read from the session); then the reporting formats
# (for the form columns and filter) and the versions, in one query however many there are.
EXPORT_QUERIES = 4

HEADERS = [
    "State",
    "ISO3",
    "Region",
    "Kind",
    "Period",
    "Version",
    "Report status",
    "Version outcome",
    "Visibility",
    "Nil report",
    "Submitted",
    "Entered by the ISU",
    "Accepted",
    "Superseded by version",
    "Corrects version",
    "What this version corrects",
    "Original language",
    "Sent to UNODA",
    "Permanent URL",
    *(f"Form {code}" for code in "ABCDEFGHIJ"),
]


def export_url(**params):
    url = reverse("reporting:archive_export")
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def sheet(response):
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    rows = list(workbook.active.iter_rows(values_only=True))
    return rows[0], [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


@pytest.fixture
def archive(focal_point, other_focal_point, isu_staff):
    """LAO: initial report published, then corrected (v1 superseded by v2); 2019 accepted, not
    published; 2020 submitted. AUS: 2020 published, restricted, with Form B."""
    lao = published(focal_point, isu_staff, kind=ReportKind.INITIAL, rows=2)
    services.update_report_details(
        report=lao, actor=focal_point, original_language="fr", sent_to_unoda_on=dt.date(2011, 3, 1)
    )
    corrected(lao, focal_point, isu_staff, note="corrects Form B totals", munitions=1700)
    accepted(submitted(focal_point, year=2019), isu_staff)
    submitted(focal_point, year=2020)
    published(other_focal_point, isu_staff, year=2020, visibility="restricted", rows=1)
    return lao


def test_the_isu_exports_every_accepted_version_of_the_published_reports(client_for, isu_staff, archive):
    headers, rows = sheet(client_for(isu_staff).get(export_url()))
    assert list(headers) == HEADERS
    assert [(r["ISO3"], r["Period"], r["Version"]) for r in rows] == [
        ("AUS", "2020", 1),
        ("LAO", "initial", 1),
        ("LAO", "initial", 2),
    ]
    aus, lao_v1, lao_v2 = rows
    assert aus["State"] == "Australia" and aus["Region"] == "Pacific" and aus["Kind"] == "Annual update"
    assert aus["Visibility"] == "Restricted to States Parties and the ISU" and aus["Nil report"] == "No"
    assert aus["Form B"] == "Changed" and aus["Form C"] == "Not applicable"
    assert lao_v1["Version outcome"] == "Superseded by a correction" and lao_v1["Superseded by version"] == 2
    assert lao_v2["Version outcome"] == "Accepted" and lao_v2["Corrects version"] == 1
    assert lao_v2["What this version corrects"] == "corrects Form B totals"
    assert lao_v2["Report status"] == "Published" and lao_v2["Kind"] == "Initial report"
    assert lao_v2["Form A"] == "Given in full" and lao_v2["Form B"] == "Given in full"
    assert lao_v2["Original language"] == "French" and lao_v2["Sent to UNODA"].date() == dt.date(2011, 3, 1)
    today = timezone.localdate()
    assert lao_v2["Submitted"].date() == today and lao_v2["Accepted"].date() == today
    assert lao_v2["Permanent URL"] == "http://testserver/reports/LAO/initial/v2/"


def test_the_export_takes_the_archive_filters(client_for, isu_staff, archive):
    client = client_for(isu_staff)
    _, rows = sheet(client.get(export_url(state="LAO")))
    assert [(r["ISO3"], r["Version"]) for r in rows] == [("LAO", 1), ("LAO", 2)]
    _, rows = sheet(client.get(export_url(region="Pacific", period="2020")))
    assert [(r["ISO3"], r["Version"]) for r in rows] == [("AUS", 1)]
    _, rows = sheet(client.get(export_url(period="2019")))  # accepted, never published
    assert rows == []


def test_the_same_rows_as_csv(client_for, isu_staff, archive):
    response = client_for(isu_staff).get(export_url(state="LAO", format="csv"))
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="article7-reports-')
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))
    assert [(r["ISO3"], r["Version"], r["Superseded by version"]) for r in rows] == [
        ("LAO", "1", "2"),
        ("LAO", "2", ""),
    ]
    assert rows[1]["What this version corrects"] == "corrects Form B totals"


def test_text_a_state_typed_cannot_become_a_spreadsheet_formula(client_for, focal_point, isu_staff):
    report = published(focal_point, isu_staff, kind=ReportKind.INITIAL, rows=1)
    corrected(report, focal_point, isu_staff, note='=HYPERLINK("https://evil.example","totals")', munitions=3)
    response = client_for(isu_staff).get(export_url())
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    cells = [c for c in workbook.active[3] if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert [(c.value, c.data_type) for c in cells] == [('\'=HYPERLINK("https://evil.example","totals")', "s")]


def test_bad_filters_are_refused_with_a_message(client_for, isu_staff, archive):
    response = client_for(isu_staff).get(export_url(region="Atlantis"))
    assert response.status_code == 400
    assert "Region: Select a valid choice." in response.content.decode()


@pytest.mark.parametrize("persona", ["focal_point", "other_focal_point", "coordinator", "donor"])
def test_everyone_else_signed_in_is_refused(request, client_for, persona, archive):
    assert client_for(request.getfixturevalue(persona)).get(export_url()).status_code == 403


def test_the_public_is_sent_to_sign_in(client_for, archive):
    response = client_for(None).get(export_url())
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_staff_without_an_authenticator_are_sent_to_set_one_up(client_for, isu_staff_without_2fa, archive):
    response = client_for(isu_staff_without_2fa).get(export_url())
    assert response.status_code == 302 and response["Location"].startswith("/me/two-factor/")


def test_the_export_is_get_only(client_for, isu_staff, archive):
    assert client_for(isu_staff).post(export_url()).status_code == 405


def test_the_archive_offers_the_export_to_the_isu_only(client_for, isu_staff, focal_point, archive):
    href = reverse("reporting:archive_export")
    assert href in client_for(isu_staff).get(reverse("reporting:archive")).content.decode()
    assert href not in client_for(focal_point).get(reverse("reporting:archive")).content.decode()
    assert href not in client_for(None).get(reverse("reporting:archive")).content.decode()


@pytest.mark.parametrize(("count", "rows"), [(2, 1), (16, 30)])
def test_the_export_runs_a_fixed_number_of_queries(client_for, isu_staff, django_assert_num_queries, count, rows):
    lao, aus = focal_for("LAO"), focal_for("AUS")
    reports = [
        published(lao if i < 12 else aus, isu_staff, year=(2010 + i) if i < 12 else (2013 + i - 12), rows=rows)
        for i in range(count)
    ]
    corrected(reports[0], lao, isu_staff, note="corrects Form B", munitions=5)
    client = client_for(isu_staff)
    with django_assert_num_queries(EXPORT_QUERIES):
        _, exported = sheet(client.get(export_url()))
    assert len(exported) == count + 1
    with django_assert_num_queries(EXPORT_QUERIES):
        assert client.get(export_url(format="csv", form="B")).status_code == 200
