"""Reports received outside the portal (from the UN's records): the ISU records them, imports them all
or nothing, and the reporting rates, the deadlines and the focal point's page count them as submitted."""

import datetime as dt

import pytest
import tablib

from audit.models import AuditEntry
from ccm_portal.core.imports import import_all_or_nothing
from deadlines import calendar
from parties.models import State
from progress import reporting_rates
from progress.models import Audience
from reporting.models import ReportingRecord, ReportKind
from reporting.resources import ReportingRecordResource

pytestmark = pytest.mark.django_db
D = dt.date.fromisoformat
HEADER = "iso3,name,kind,period_year,submitted_on,is_nil,source,source_url,notes\n"


def received(iso3, kind, year, on, *, nil=False):
    return ReportingRecord.objects.create(
        state=State.objects.get(iso3=iso3),
        kind=kind,
        period_year=year,
        submitted_on=D(on),
        is_nil=nil,
        source="UNODA Article 7 database",
    )


def rates(as_of):
    return {f.key: f for f in reporting_rates.figures(as_of=D(as_of), audience=Audience.PUBLIC)}


def test_the_rates_count_a_report_received_outside_the_portal(reference_data):
    # Nigeria: entry into force 1 Aug 2023, initial report due 28 Jan 2024; no source speaks of it yet.
    before = rates("2024-06-01")
    assert "NGA" in before["initial-reports-no-record"].states
    received("NGA", ReportKind.INITIAL, None, "2024-03-15")
    after = rates("2024-06-01")
    assert "NGA" in after["initial-reports-late"].states and "NGA" not in after["initial-reports-no-record"].states
    # Not yet received on an earlier day: still no record (never "missing").
    assert "NGA" in rates("2024-03-01")["initial-reports-no-record"].states
    received("TCD", ReportKind.ANNUAL, 2014, "2015-04-20", nil=True)
    annual = rates("2015-06-01")
    assert "TCD" in annual["annual-reports-nil"].states
    assert "a source says it was submitted" in annual["annual-reports-on-time"].definition


def test_a_received_report_meets_its_deadline_and_is_not_owed_again(reference_data, client_for, focal_point):
    lao = State.objects.get(iso3="LAO")
    received("LAO", ReportKind.ANNUAL, 2024, "2025-04-28")
    data = calendar.load(states=[lao])
    deadlines = calendar.state_deadlines(lao, data, start=D("2025-01-01"), end=D("2025-12-31"), as_of=D("2025-06-01"))
    annual = next(d for d in deadlines if d.period_year == 2024)
    assert annual.met_on == D("2025-04-28")
    page = client_for(focal_point).get("/reporting/")
    owed_years = [item["year"] for item in page.context["owed"]]
    assert 2024 not in owed_years
    assert "Reports received outside the portal" in page.content.decode()


def test_an_import_names_each_bad_cell_and_writes_nothing(isu_staff):
    text = HEADER + (
        "TCD,Chad,initial,,2014-03-15,no,UNODA,,\n"  # good, must not land
        "XYZ,,annual,2015,2016-04-01,no,UNODA,,\n"
        "LAO,,annual,,2016-04-01,no,UNODA,,\n"
        "AUS,,initial,2012,2013-01-01,no,UNODA,,\n"
        "NZL,,annual,2014,,no,UNODA,,\n"
        "CHL,,annual,2014,2015-04-01,no,,,\n"
        "PER,,annual,2014,2015-04-01,maybe,UNODA,,\n"
    )
    loaded = ReportingRecord.objects.count()  # the reporting history of the reference data
    outcome = import_all_or_nothing(
        ReportingRecordResource(), tablib.Dataset().load(text, format="csv"), file_label="unoda.csv", actor=isu_staff
    )
    assert not outcome.ok
    joined = "\n".join(outcome.errors)
    assert "unoda.csv, row 2 (line 3), column “iso3”" in joined
    assert "row 3 (line 4), column “period_year”" in joined
    assert "row 4 (line 5), column “period_year”" in joined
    assert "row 5 (line 6), column “submitted_on”" in joined
    assert "row 6 (line 7), column “source”" in joined
    assert "row 7 (line 8), column “is_nil”: “maybe” is not yes or no." in joined
    assert ReportingRecord.objects.count() == loaded


def test_a_good_import_is_audited_and_importing_it_again_changes_nothing(isu_staff):
    text = HEADER + "TCD,Chad,initial,,2014-03-15,no,UNODA,,\nTCD,Chad,annual,2014,2015-04-20,yes,UNODA,,\n"

    def run():
        return import_all_or_nothing(
            ReportingRecordResource(), tablib.Dataset().load(text, format="csv"), file_label="u.csv", actor=isu_staff
        )

    first = run()
    assert first.ok and first.new == 2
    assert ReportingRecord.objects.get(kind=ReportKind.ANNUAL, source="UNODA").is_nil
    audited = AuditEntry.objects.filter(
        action__startswith="reporting.reporting_record",
        object_id__in=[str(pk) for pk in ReportingRecord.objects.filter(source="UNODA").values_list("pk", flat=True)],
    )
    assert audited.count() == 2
    again = run()
    assert again.ok and (again.new, again.updated) == (0, 0)


@pytest.mark.parametrize("url", ["/admin/reporting/reportingrecord/", "/admin/reporting/reportingrecord/import/"])
def test_only_the_isu_keeps_these_records_in_the_admin(client_for, url, isu_staff, focal_point, coordinator, donor):
    assert client_for(isu_staff).get(url).status_code == 200
    for lesser in (focal_point, coordinator, donor):
        response = client_for(lesser).get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]
    assert "/login/" in client_for(None).get(url)["Location"]
