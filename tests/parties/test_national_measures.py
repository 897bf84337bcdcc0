"""Art. 9 national implementation measures in the admin: listed, filtered, searched, edited with an
audit entry, imported from CSV/XLSX all or nothing with each bad cell named, exported again."""

import datetime as dt
import io

import openpyxl
import pytest
import tablib
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEntry
from ccm_portal.core.imports import import_all_or_nothing
from parties.models import MeasuresStatus, NationalMeasures, State
from parties.resources import NationalMeasuresResource

pytestmark = pytest.mark.django_db

D = dt.date.fromisoformat
LIST = "/admin/parties/nationalmeasures/"
HEADER = "iso3,name,status,effective_from,source,source_url,notes\n"


@pytest.fixture(autouse=True)
def _no_reference_records(reference_data):
    """These tests follow the ISU's own records from an empty table: the reference file's rows (loaded with
    the reference data) are set aside; ``test_time_true`` and the figures' tests cover those."""
    NationalMeasures.objects.all().delete()


def record(iso3: str, status: str, day: str, source: str = "Art. 7 report, Form A") -> NationalMeasures:
    return NationalMeasures.objects.create(
        state=State.objects.get(iso3=iso3), status=status, effective_from=D(day), source=source
    )


def run_import(text: str, actor=None):
    return import_all_or_nothing(
        NationalMeasuresResource(), tablib.Dataset().load(text, format="csv"), file_label="art9.csv", actor=actor
    )


# --- The admin -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("url", [LIST, f"{LIST}add/", f"{LIST}import/", f"{LIST}export/"])
def test_admin_for_each_persona(client_for, url, isu_staff, isu_staff_without_2fa, focal_point, coordinator, donor):
    assert client_for(isu_staff).get(url).status_code == 200
    assert client_for(isu_staff_without_2fa).get(url)["Location"].startswith("/me/two-factor/")
    for lesser in (focal_point, coordinator, donor):
        response = client_for(lesser).get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]
    assert "/login/" in client_for(None).get(url)["Location"]


def test_list_filters_by_status_and_region_and_searches_states_and_sources(client_for, isu_staff):
    record("FRA", MeasuresStatus.ADOPTED, "2010-07-20", "Loi n° 2010-819")
    record("LAO", MeasuresStatus.EXISTING_LAW, "2012-04-30")
    record("NZL", MeasuresStatus.ADOPTED, "2009-12-17", "Cluster Munitions Prohibition Act 2009")
    client = client_for(isu_staff)

    def listed(params):
        return {r.state.iso3 for r in client.get(LIST, params).context["cl"].result_list}

    assert listed({}) == {"FRA", "LAO", "NZL"}
    assert listed({"status__exact": "adopted"}) == {"FRA", "NZL"}
    assert listed({"state__region__exact": "Asia"}) == {"LAO"}
    assert listed({"q": "Prohibition Act"}) == {"NZL"}
    assert listed({"q": "FRA"}) == {"FRA"}
    html = client.get(LIST).content.decode()
    assert "Specific measures adopted" in html and "Loi n° 2010-819" in html


def test_isu_staff_add_and_correct_a_record_and_each_change_is_audited(client_for, isu_staff):
    client = client_for(isu_staff)
    chile = State.objects.get(iso3="CHL")
    data = {
        "state": chile.pk,
        "status": "in_progress",
        "effective_from": "2015-04-30",
        "source": "Art. 7 report 2014, Form A",
        "source_url": "",
        "notes": "",
    }
    response = client.post(f"{LIST}add/", data)
    assert response.status_code == 302, response.context["adminform"].errors if response.context else response
    created = NationalMeasures.objects.get(state=chile)
    entry = AuditEntry.objects.get(action="parties.national_measures.created")
    assert entry.actor == isu_staff and entry.changes["status"] == [None, "in_progress"]
    response = client.post(f"{LIST}{created.pk}/change/", data | {"status": "adopted"})
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="parties.national_measures.changed")
    assert entry.changes["status"] == ["in_progress", "adopted"]
    client.post(f"{LIST}{created.pk}/delete/", {"post": "yes"})
    assert AuditEntry.objects.filter(action="parties.national_measures.deleted", actor=isu_staff).count() == 1
    assert not NationalMeasures.objects.exists()


def test_an_address_typed_without_its_scheme_is_read_as_https(client_for, isu_staff):
    data = {"state": State.objects.get(iso3="CHL").pk, "status": "adopted", "effective_from": "2015-04-30"}
    data |= {"source": "Ley 20.905", "source_url": "www.bcn.cl/leychile/navegar?idNorma=1091220", "notes": ""}
    assert client_for(isu_staff).post(f"{LIST}add/", data).status_code == 302
    assert NationalMeasures.objects.get().source_url == "https://www.bcn.cl/leychile/navegar?idNorma=1091220"


def test_two_records_of_a_state_on_the_same_day_are_refused(client_for, isu_staff):
    record("CHL", MeasuresStatus.IN_PROGRESS, "2015-04-30")
    data = {"state": State.objects.get(iso3="CHL").pk, "status": "adopted", "effective_from": "2015-04-30"}
    response = client_for(isu_staff).post(f"{LIST}add/", data | {"source": "x", "source_url": "", "notes": ""})
    assert response.status_code == 200
    assert "already exists" in response.content.decode()


def test_admin_list_runs_the_same_queries_for_few_and_many_records(client_for, isu_staff):
    client = client_for(isu_staff)
    record("FRA", MeasuresStatus.ADOPTED, "2010-07-20")

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(LIST).status_code == 200
        return len(ctx.captured_queries)

    count()  # warm the content types
    few = count()
    NationalMeasures.objects.bulk_create(
        NationalMeasures(state=s, status=MeasuresStatus.NONE_KNOWN, effective_from=D("2011-01-01"), source="x")
        for s in State.objects.exclude(iso3="FRA")
    )
    assert count() == few


# --- Import and export -------------------------------------------------------------------------------------
def test_a_good_file_imports_with_an_audit_entry_per_row_and_again_changes_nothing(isu_staff):
    text = HEADER + (
        "FRA,France,adopted,2010-07-20,Loi n° 2010-819,https://www.legifrance.gouv.fr/,\n"
        'LAO,,Existing law considered sufficient,2012-04-30,"Art. 7 report 2011, Form A",,by label\n'
        "AUS,,IN_PROGRESS,2011-01-01,Art. 7 report 2012,,\n"
    )
    outcome = run_import(text, actor=isu_staff)
    assert outcome.ok, outcome.errors
    assert (outcome.new, outcome.updated, outcome.skipped) == (3, 0, 0)
    laos = NationalMeasures.objects.get(state__iso3="LAO")
    assert (laos.status, laos.effective_from, laos.notes) == ("existing_law", D("2012-04-30"), "by label")
    assert AuditEntry.objects.filter(action="parties.national_measures.imported", actor=isu_staff).count() == 3
    again = run_import(text, actor=isu_staff)
    assert again.ok and (again.new, again.updated, again.skipped) == (0, 0, 3)
    changed = run_import(text.replace("Loi n° 2010-819", "Loi n° 2010-819 du 20 juillet 2010"), actor=isu_staff)
    assert (changed.new, changed.updated, changed.skipped) == (0, 1, 2)
    entry = AuditEntry.objects.get(action="parties.national_measures.changed_by_import")
    assert entry.changes["source"] == ["Loi n° 2010-819", "Loi n° 2010-819 du 20 juillet 2010"]


def test_a_bad_file_names_each_bad_cell_by_row_and_column_and_imports_nothing(isu_staff):
    text = HEADER + (
        "FRA,France,adopted,2010-07-20,Loi n° 2010-819,,\n"  # a good row that must not land
        "XYZ,,adopted,2010-01-01,somewhere,,\n"
        "LAO,,sufficient,2012-04-30,somewhere,,\n"
        "AUS,,adopted,30/04/2012,somewhere,,\n"
        "NZL,,adopted,2009-12-17,,,\n"
        "CHL,,adopted,2015-04-30,somewhere,not a web address,\n"
        "PER,,,2014-04-30,somewhere,,\n"
    )
    outcome = run_import(text, actor=isu_staff)
    assert not outcome.ok
    joined = "\n".join(outcome.errors)
    assert "art9.csv, row 2 (line 3), column “iso3”: No State with the code “XYZ”" in joined
    assert "row 3 (line 4), column “status”: “sufficient” is not one of" in joined
    assert "row 4 (line 5), column “effective_from”" in joined
    assert "row 5 (line 6), column “source”" in joined
    assert "row 6 (line 7), column “source_url”" in joined
    assert "row 7 (line 8), column “status”" in joined
    assert "row 1 " not in joined
    assert not NationalMeasures.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="parties.national_measures", actor=isu_staff).exists()


def test_export_can_be_imported_back_unchanged(isu_staff):
    record("FRA", MeasuresStatus.ADOPTED, "2010-07-20", "Loi n° 2010-819")
    record("FRA", MeasuresStatus.IN_PROGRESS, "2009-06-01", "Bill tabled")
    record("LAO", MeasuresStatus.EXISTING_LAW, "2012-04-30")
    exported = NationalMeasuresResource().export().export("csv")
    lines = exported.splitlines()
    assert lines[0] == HEADER.strip()
    assert lines[1].startswith("FRA,France,in_progress,2009-06-01,Bill tabled")
    outcome = run_import(exported, actor=isu_staff)
    assert outcome.ok, outcome.errors
    assert outcome.skipped == 3


def test_export_query_count_does_not_grow_with_rows():
    def queries():
        with CaptureQueriesContext(connection) as ctx:
            NationalMeasuresResource().export().export("csv")
        return len(ctx.captured_queries)

    record("FRA", MeasuresStatus.ADOPTED, "2010-07-20")
    few = queries()
    NationalMeasures.objects.bulk_create(
        NationalMeasures(state=s, status=MeasuresStatus.NONE_KNOWN, effective_from=D("2011-01-01"), source="x")
        for s in State.objects.exclude(iso3="FRA")
    )
    assert queries() == few == 1


def test_admin_import_previews_then_applies(client_for, isu_staff):
    client = client_for(isu_staff)
    upload = io.BytesIO((HEADER + "FRA,France,adopted,2010-07-20,Loi n° 2010-819,,\n").encode())
    upload.name = "art9.csv"
    preview = client.post(f"{LIST}import/", {"resource": "0", "format": "0", "import_file": upload})
    assert preview.status_code == 200
    assert "Loi n° 2010-819" in preview.content.decode()
    assert not NationalMeasures.objects.exists()  # a preview writes nothing
    confirm = preview.context["confirm_form"]
    response = client.post(f"{LIST}process_import/", {k: v for k, v in confirm.initial.items() if v is not None})
    assert response.status_code == 302
    assert NationalMeasures.objects.get().status == "adopted"
    assert AuditEntry.objects.filter(action="parties.national_measures.imported", actor=isu_staff).count() == 1


def test_admin_import_with_errors_cannot_be_confirmed(client_for, isu_staff):
    upload = io.BytesIO((HEADER + "FRA,France,adopted,yesterday,Loi,,\n").encode())
    upload.name = "art9.csv"
    response = client_for(isu_staff).post(f"{LIST}import/", {"resource": "0", "format": "0", "import_file": upload})
    html = response.content.decode()
    assert "effective_from" in html and "yesterday" in html
    assert "confirm_form" not in response.context or response.context["confirm_form"] is None
    assert not NationalMeasures.objects.exists()


def test_admin_xlsx_export(client_for, isu_staff):
    record("LAO", MeasuresStatus.EXISTING_LAW, "2012-04-30")
    client = client_for(isu_staff)
    form = client.get(f"{LIST}export/").context["form"]
    columns = {name: "on" for name, field in form.fields.items() if getattr(field, "is_selectable_field", False)}
    response = client.post(f"{LIST}export/", {"format": "1", "resource": "0", **columns})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]][:4] == ["iso3", "name", "status", "effective_from"]
    row = [c.value for c in sheet[2]]
    assert row[:3] == ["LAO", "Lao People's Democratic Republic", "existing_law"]
    assert row[3].date() == D("2012-04-30")  # a date cell


def test_an_xlsx_file_with_real_date_cells_imports(isu_staff):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER.strip().split(","))
    sheet.append(["NOR", "Norway", "adopted", dt.datetime(2008, 12, 3), "Act of 19 June 2009", None, None])
    buffer = io.BytesIO()
    book.save(buffer)
    dataset = tablib.Dataset().load(buffer.getvalue(), format="xlsx")
    outcome = import_all_or_nothing(NationalMeasuresResource(), dataset, file_label="art9.xlsx", actor=isu_staff)
    assert outcome.ok, outcome.errors
    assert NationalMeasures.objects.get(state__iso3="NOR").effective_from == D("2008-12-03")
