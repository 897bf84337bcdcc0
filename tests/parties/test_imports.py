"""CSV/XLSX import of the registry: all or nothing, each bad cell named, every change audited."""

import io
import shutil
from pathlib import Path

import openpyxl
import pytest
import tablib
from django.core.management import CommandError, call_command

from audit.models import AuditEntry
from ccm_portal.core.imports import import_all_or_nothing
from parties.models import Obligation, State
from parties.resources import ObligationResource, StateResource

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def states_csv(edit=None) -> str:
    dataset = tablib.Dataset().load((FIXTURES / "states.csv").read_text(encoding="utf-8"), format="csv")
    rows = [dict(zip(dataset.headers, row, strict=True)) for row in dataset]
    if edit:
        edit(rows)
    out = tablib.Dataset(headers=dataset.headers)
    for row in rows:
        out.append([row[h] for h in dataset.headers])
    return out.export("csv")


def run_import(resource, text, actor=None):
    return import_all_or_nothing(
        resource, tablib.Dataset().load(text, format="csv"), file_label="upload.csv", actor=actor
    )


def test_loading_the_reference_data_again_changes_nothing():
    entries = AuditEntry.objects.count()
    out = io.StringIO()
    call_command("load_reference_data", stdout=out, verbosity=2)
    assert "states.csv: 0 new, 0 updated, 125 unchanged" in out.getvalue()
    assert "obligations.csv: 0 new, 0 updated, 64 unchanged" in out.getvalue()
    assert AuditEntry.objects.count() == entries


def test_a_bad_row_names_its_row_and_column_and_imports_nothing(isu_staff):
    def edit(rows):
        rows[0]["name"] = "Afghanistan (renamed)"  # a valid change that must not land
        chad = next(r for r in rows if r["iso3"] == "TCD")
        chad["entry_into_force_date"] = "2013-10-01"
        rows[5]["region"] = "Atlantis"

    outcome = run_import(StateResource(), states_csv(edit), actor=isu_staff)
    assert not outcome.ok
    chad_row = next(
        i for i, line in enumerate((FIXTURES / "states.csv").read_text().splitlines()) if line.startswith("TCD,")
    )
    assert any(
        f"row {chad_row} (line {chad_row + 1}), column “entry_into_force_date”" in e and "2013-09-01" in e
        for e in outcome.errors
    )
    assert any("row 6 (line 7), column “region”" in e and "Atlantis" in e for e in outcome.errors)
    assert State.objects.get(iso3="AFG").name == "Afghanistan"


def test_malformed_dates_and_unknown_states_are_named(isu_staff):
    text = (
        "iso3,article,original_deadline,extended_deadline,completed_date,completed_by,confidence,source,notes\n"
        "XYZ,3,,,,,confirmed,somewhere,\n"
        "HRV,3,2018-08-01,,July 2018,,confirmed,somewhere,\n"
        "HRV,4,2020-08-01,,,31/12/2020,sure,somewhere,\n"
    )
    outcome = run_import(ObligationResource(), text, actor=isu_staff)
    joined = "\n".join(outcome.errors)
    assert "row 1 (line 2), column “iso3”: No State with the code “XYZ”" in joined
    assert "row 2 (line 3), column “completed_date”" in joined and "YYYY" in joined
    assert "row 3 (line 4), column “completed_by”" in joined
    assert "row 3 (line 4), column “confidence”" in joined
    assert Obligation.objects.get(state__iso3="HRV", article=3).completion.isoformat() == "2018-07"


def test_a_good_import_applies_and_leaves_audit_entries_with_before_and_after(isu_staff):
    def edit(rows):
        next(r for r in rows if r["iso3"] == "TCD")["crosscheck"] = "ISU news page: match"

    outcome = run_import(StateResource(), states_csv(edit), actor=isu_staff)
    assert outcome.ok, outcome.errors
    assert (outcome.new, outcome.updated, outcome.skipped) == (0, 1, 124)
    entry = AuditEntry.objects.get(action="parties.state.changed_by_import")
    assert entry.actor == isu_staff
    assert entry.changes["crosscheck"] == ["UNTC-excerpt:match;Monitor2022:match", "ISU news page: match"]


def test_export_can_be_imported_back_unchanged(isu_staff):
    exported = StateResource().export().export("csv")
    outcome = run_import(StateResource(), exported, actor=isu_staff)
    assert outcome.ok, outcome.errors
    assert outcome.skipped == 125


def test_exported_obligations_can_be_imported_back_unchanged(isu_staff):
    """An extension the record gives to a month exports as YYYY-MM: reading the file back must not refuse the
    portal's own export."""
    exported = ObligationResource().export().export("csv")
    assert any(len(row["extended_deadline"]) == 7 for row in tablib.Dataset().load(exported, format="csv").dict)
    outcome = run_import(ObligationResource(), exported, actor=isu_staff)
    assert outcome.ok, outcome.errors
    assert outcome.skipped == Obligation.objects.count()


def test_loader_refuses_a_bad_file_and_writes_nothing(tmp_path):
    from parties import reference

    for name in {file.name for file in reference.files()}:
        shutil.copy(FIXTURES / name, tmp_path / name)
    text = (tmp_path / "obligations.csv").read_text().replace("HRV,3,2018-08-01,,2018-07,", "HRV,3,2018-08-01,,2018-7,")
    text = text.replace("AFG,3,2020-03-01,", "AFG,3,2021-03-01,")
    (tmp_path / "obligations.csv").write_text(text)
    (tmp_path / "meetings.csv").write_text(
        (tmp_path / "meetings.csv").read_text() + "14MSP,Fourteenth,2026-09-14,,Geneva,,ISU\n"
    )
    with pytest.raises(CommandError) as error:
        call_command("load_reference_data", dir=str(tmp_path), stdout=io.StringIO())
    message = str(error.value)
    assert message.startswith("Nothing was loaded")
    assert "obligations.csv, row 1 (line 2), column “original_deadline”" in message
    assert "column “completed_date”" in message
    from parties.models import Meeting

    assert not Meeting.objects.filter(code="14MSP").exists()


# --- Through the admin: preview, then confirm -----------------------------------------------
def test_admin_import_previews_then_applies(client_for, isu_staff):
    client = client_for(isu_staff)

    def edit(rows):
        next(r for r in rows if r["iso3"] == "NOR")["crosscheck"] = "checked by the ISU"

    upload = io.BytesIO(states_csv(edit).encode())
    upload.name = "states.csv"
    preview = client.post("/admin/parties/state/import/", {"resource": "0", "format": "0", "import_file": upload})
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "checked by the ISU" in html
    assert State.objects.get(iso3="NOR").crosscheck != "checked by the ISU"  # a preview writes nothing
    confirm = preview.context["confirm_form"]
    response = client.post(
        "/admin/parties/state/process_import/", {k: v for k, v in confirm.initial.items() if v is not None}
    )
    assert response.status_code == 302
    assert State.objects.get(iso3="NOR").crosscheck == "checked by the ISU"
    assert AuditEntry.objects.filter(action="parties.state.changed_by_import", actor=isu_staff).count() == 1


def test_admin_import_with_errors_cannot_be_confirmed(client_for, isu_staff):
    client = client_for(isu_staff)

    def edit(rows):
        rows[2]["deposit_date"] = "yesterday"

    upload = io.BytesIO(states_csv(edit).encode())
    upload.name = "states.csv"
    response = client.post("/admin/parties/state/import/", {"resource": "0", "format": "0", "import_file": upload})
    html = response.content.decode()
    assert "deposit_date" in html and "yesterday" in html
    assert "confirm_form" not in response.context or response.context["confirm_form"] is None


def test_admin_xlsx_export_of_obligations(client_for, isu_staff):
    client = client_for(isu_staff)
    form = client.get("/admin/parties/obligation/export/").context["form"]
    columns = {name: "on" for name, field in form.fields.items() if getattr(field, "is_selectable_field", False)}
    response = client.post("/admin/parties/obligation/export/", {"format": "1", "resource": "0", **columns})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["iso3", "article", "original_deadline", "extended_deadline"]
    assert sheet.max_row == 65
    bulgaria = next(row for row in sheet.iter_rows(values_only=True) if row[0] == "BGR")
    # The extended deadline is the last one granted (the 10th Meeting's, to 31 December 2023).
    assert bulgaria[2:5] == ("2019-10-01", "2023-12-31", "2023")
