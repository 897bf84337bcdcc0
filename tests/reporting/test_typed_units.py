"""What was typed is what is shown (issue 12, finding 10): an area typed as 87,000 km² or 41.30 km² keeps
its unit and precision on the version page, in report.json, report.csv and the PDF, and comes back as
typed in the editor and the workbook; the portal still computes in square metres."""

import copy
import csv
import datetime as dt
import html as html_lib
import io
import json
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from reporting import formats, services
from reporting import pdf as report_pdf
from reporting.checks import year_on_year
from reporting.content import validation_for
from reporting.formats import Choice
from reporting.workbook import download, merge, read
from tests.reporting.conftest import fill_minimal, publish_publicly

pytestmark = pytest.mark.django_db

AREAS = [("a1", "Xieng Khouang", "87,000 km²"), ("a2", "Savannakhet", "41.30 km²"), ("a3", "Attapeu", "1,100 ha")]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def page_text(response):
    return html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


def input_value(response, name):
    match = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', response.content.decode())
    return html_lib.unescape(match.group(1)) if match else None


def form_f_post(report, areas=AREAS):
    data = {
        "revision": str(report.revision),
        "f-F-shown": "1",
        "f-F-choice": "changed",
        "n-programme": "Survey of the Plain of Jars continues.",
        "t-areas-_id": [row_id for row_id, _location, _area in areas],
    }
    for row_id, location, area in areas:
        data |= {
            f"t-areas-{row_id}-location": location,
            f"t-areas-{row_id}-area": area,
            f"t-areas-{row_id}-qualifier": "approximately",
            f"t-areas-{row_id}-status": "confirmed",
        }
    return data


@pytest.fixture
def typed_in_editor(client_for, focal_point, initial_report):
    """Lao PDR's initial report: cover and forms filled, then Form F typed in the browser editor."""
    report = services.save_draft(
        report=initial_report, content=fill_minimal(initial_report), base_revision=0, actor=focal_point
    )
    client = client_for(focal_point)
    response = client.post(reverse("reporting:report_form", args=[report.pk, "F"]), form_f_post(report))
    assert response.status_code == 302
    report.refresh_from_db()
    return report


@pytest.fixture
def published_report(typed_in_editor, focal_point, isu_staff):
    report = typed_in_editor
    return publish_publicly(report, focal_point, isu_staff)


def version_url(name="archive_version"):
    return reverse(f"reporting:{name}", args=["LAO", "initial", 1])


def test_the_editor_keeps_what_was_typed_in_the_draft(typed_in_editor):
    rows = typed_in_editor.draft["forms"]["F"]["tables"]["areas"]
    assert [row["area"] for row in rows] == ["87,000 km²", "41.30 km²", "1,100 ha"]


def test_the_published_version_page_shows_the_units_typed(client_for, published_report):
    text = page_text(client_for(None).get(version_url()))
    assert "approximately 87,000 km²" in text
    assert "approximately 41.30 km²" in text
    assert "approximately 1,100 ha" in text
    assert "87,000,000,000 m²" not in text and "41,300,000 m²" not in text


def test_the_states_version_page_shows_the_units_typed(client_for, focal_point, published_report):
    url = reverse("reporting:version_detail", args=[published_report.pk, 1])
    text = page_text(client_for(focal_point).get(url))
    assert "87,000 km²" in text and "41.30 km²" in text


def test_report_json_gives_square_metres_and_what_was_typed(client_for, published_report):
    document = json.loads(client_for(None).get(version_url("archive_version_json")).content)
    rows = {row["_id"]: row for row in document["content"]["forms"]["F"]["tables"]["areas"]}
    assert rows["a1"]["area"] == "87000000000"  # computed in m², as before
    assert rows["a1"]["_typed"] == {"area": {"number": "87000", "unit": "km2"}}
    assert rows["a2"]["area"] == "41300000"
    assert rows["a2"]["_typed"] == {"area": {"number": "41.30", "unit": "km2"}}  # the precision typed
    assert rows["a3"]["_typed"] == {"area": {"number": "1100", "unit": "ha"}}


def test_report_csv_gives_the_number_and_unit_typed(client_for, published_report):
    response = client_for(None).get(version_url("archive_version_csv"))
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    areas = {r["row_id"]: (r["value"], r["unit"]) for r in rows if r["table"] == "areas" and r["column"] == "area"}
    assert areas == {"a1": ("87000", "km2"), "a2": ("41.30", "km2"), "a3": ("1100", "ha")}


def test_the_pdf_shows_the_units_typed(published_report, django_capture_on_commit_callbacks):
    version = published_report.versions.get(number=1)
    with django_capture_on_commit_callbacks(execute=True):
        pdf = report_pdf.ensure_pdf(report=published_report, version=version)
    pdf.refresh_from_db()
    with pdf.file.open("rb") as handle:
        text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in PdfReader(handle).pages))
    assert "87,000 km²" in text and "41.30 km²" in text and "1,100 ha" in text
    assert "87,000,000,000" not in text


def test_progress_figures_still_read_square_metres(published_report):
    from progress import trends

    (row,) = trends.versions_in_force([published_report.state_id], as_of=dt.date.today(), audience="public")
    assert Decimal(row["totals"]["F"]) == 87_000_000_000 + 41_300_000 + 11_000_000


def test_checks_still_compare_square_metres(published_report):
    content = published_report.versions.get(number=1).content
    halved = copy.deepcopy(content)
    for row in halved["forms"]["F"]["tables"]["areas"]:
        row["area"] = str(int(row["area"]) // 2)
    (finding,) = year_on_year(content, halved, threshold_percent=25)
    assert "-50.0%" in finding.message


def test_a_correction_opens_the_editor_with_what_was_typed_and_saving_unchanged_stores_it_identical(
    client_for, focal_point, published_report
):
    services.start_correction(report=published_report, actor=focal_point)
    published_report.refresh_from_db()
    draft = copy.deepcopy(published_report.draft)
    assert [row["area"] for row in draft["forms"]["F"]["tables"]["areas"]] == ["87000 km²", "41.30 km²", "1100 ha"]
    assert all("_typed" not in row for row in draft["forms"]["F"]["tables"]["areas"])
    client = client_for(focal_point)
    url = reverse("reporting:report_form", args=[published_report.pk, "F"])
    page = client.get(url)
    assert input_value(page, "t-areas-a2-area") == "41.30 km²"
    assert input_value(page, "t-areas-a1-area") == "87000 km²"
    posted = form_f_post(
        published_report, areas=[(i, loc, input_value(page, f"t-areas-{i}-area")) for i, loc, _ in AREAS]
    )
    assert client.post(url, posted).status_code == 302
    published_report.refresh_from_db()
    assert published_report.draft["forms"]["F"]["tables"]["areas"] == draft["forms"]["F"]["tables"]["areas"]
    # Submitted again, the correction keeps the units typed.
    services.submit_report(report=published_report, actor=focal_point, correction_note="Same areas")
    content = published_report.versions.get(number=2).content
    assert content["forms"]["F"]["tables"]["areas"][1]["_typed"] == {"area": {"number": "41.30", "unit": "km2"}}


def test_the_workbook_of_a_correction_shows_what_was_typed(focal_point, published_report):
    services.start_correction(report=published_report, actor=focal_point)
    published_report.refresh_from_db()
    book = load_workbook(io.BytesIO(download.build_workbook(published_report)))
    values = {cell.value for row in book["F areas"].iter_rows() for cell in row}
    assert {"87000 km²", "41.30 km²", "1100 ha"} <= values
    parsed = read.read_workbook(published_report, name="x.xlsx", data=download.build_workbook(published_report))
    merged = merge.merge_tables(published_report.format_version.spec, published_report.draft, parsed)
    assert merged == published_report.draft


def test_contents_stored_before_in_plain_square_metres_still_read_and_show_in_m2(initial_report):
    spec = initial_report.format_version.spec
    stored = {"_id": "old1", "location": "Phonsavan", "area": "2500000", "qualifier": "", "status": "confirmed"}
    table = spec.form("F").table("areas")
    from reporting.display import read_only_table

    shown = read_only_table(table, [stored]).rows[0]["cells"]
    assert any(cell["text"] == "2,500,000 m²" for cell in shown)
    assert (
        formats.content_for_editing({"cover": {}, "forms": {"F": {"tables": {"areas": [stored]}}}})["forms"]["F"][
            "tables"
        ]["areas"][0]["area"]
        == "2500000"
    )
    # A plain number of square metres needs nothing kept beside it.
    assert formats.typed_area("2500000") is None and formats.typed_area("2,500,000 m2") is None
    assert formats.typed_area("1500.50 m²") == {"number": "1500.50", "unit": "m2"}


def test_validation_keeps_the_typed_form_only_beside_a_valid_area(initial_report):
    content = fill_minimal(initial_report)
    content["forms"]["F"].update(choice=Choice.CHANGED, na_statement="")
    content["forms"]["F"]["tables"]["areas"] = [
        {"_id": "a1", "location": "X", "area": "12 acres", "status": "confirmed"},
        {"_id": "a2", "location": "Y", "area": "3 ha", "status": "confirmed"},
    ]
    validation = validation_for(initial_report, content)
    rows = validation.cleaned["forms"]["F"]["tables"]["areas"]
    assert "_typed" not in rows[0] and "forms.F.tables.areas.a1.area" in validation.errors
    assert rows[1]["area"] == "30000" and rows[1]["_typed"] == {"area": {"number": "3", "unit": "ha"}}
