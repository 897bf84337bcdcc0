"""The Article 7 reporting history loaded from ``fixtures/article7_reporting.csv``, and the one selector of
reporting records (``reporting.records``): each report is submitted, not submitted (a source says so, or the
portal is the complete record) or has no record, as of any day; "no record" is never "missing".

The dashboard is pinned against figures computed here straight from the CSV files (``states.csv`` and
``article7_reporting.csv``), not through the selector."""

import csv
import datetime as dt
import io
import shutil
from pathlib import Path

import pytest
import tablib
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Role, User
from audit.models import AuditEntry
from ccm_portal.core.imports import import_all_or_nothing
from deadlines import calendar
from deadlines import services as deadline_services
from deadlines.models import Reminder, ReminderSettings
from parties import reference
from parties.dates import PartialDate, Precision
from parties.models import PublishedFigure, PublishedFigureTopic, State
from reporting import records
from reporting.models import (
    FormatVersion,
    RecordStatus,
    Report,
    ReportingRecord,
    ReportingRules,
    ReportKind,
    ReportStatus,
    ReportVersion,
)
from tests.factories import make_user

pytestmark = pytest.mark.django_db
D = dt.date.fromisoformat
FIXTURES = Path(settings.BASE_DIR) / "fixtures"
FILE = "article7_reporting.csv"
RECORDS_QUERIES = 4  # versions, records (with their lists), reporting rules; the States unless given


def load_file(text: str | None = None):
    """Load the reporting history through the resources ``load_reference_data`` uses, in their order."""
    text = text if text is not None else (FIXTURES / FILE).read_text(encoding="utf-8")
    outcomes = []
    for entry in (f for f in reference.files() if f.name == FILE):
        dataset = tablib.Dataset().load(text, format="csv")
        outcomes.append(import_all_or_nothing(entry.resource_class()(), dataset, file_label=FILE))
    return outcomes


def figure(key: str, topic: str) -> PublishedFigure:
    return PublishedFigure.objects.get(reference=f"{FILE}:{key}:{topic}")


def known(iso3: str, as_of: str, kind=ReportKind.INITIAL, year=None) -> records.ReportState:
    state = State.objects.get(iso3=iso3)
    return records.load(D(as_of), states=[state]).report(state, kind, year)


# --- The loader ---------------------------------------------------------------------------------------
def test_published_totals_and_lists_are_loaded_with_their_numbers_dates_and_windows(reference_data):
    submitted = figure("cmc-2015-06-18", PublishedFigureTopic.INITIAL_REPORTS_SUBMITTED)
    assert (submitted.value, submitted.out_of, submitted.as_of) == (68, None, D("2015-06-18"))
    late = figure("cmc-2015-06-18", PublishedFigureTopic.INITIAL_REPORTS_LATE)
    assert (late.value, late.is_complete_list) == (18, False)  # only 15 of its 18 names are known
    assert late.reporting_records.count() == 15
    dap = figure("isu-dap", PublishedFigureTopic.INITIAL_REPORTS_LATE)
    assert (dap.value, dap.is_complete_list, dap.as_of) == (13, True, None)
    assert (dap.window_start, dap.window_end) == (D("2018-07-01"), D("2019-11-10"))
    lap = figure("isu-lap", PublishedFigureTopic.INITIAL_REPORTS_LATE)
    assert (lap.value, lap.window_start, lap.window_end) == (9, D("2021-09-01"), D("2022-08-31"))
    annual = figure("cmc-2012-09-13-annual-2011", PublishedFigureTopic.ANNUAL_REPORTS_OVERDUE)
    assert (annual.period_year, annual.value, annual.out_of) == (2011, 10, 47)
    monitor = figure("monitor-2021", PublishedFigureTopic.INITIAL_REPORTS_LATE)
    assert (monitor.value, monitor.as_of, monitor.as_of_precision) == (10, D("2021-01-01"), "year")


def test_state_rows_keep_their_status_dates_precision_and_list(reference_data):
    gnb = ReportingRecord.objects.filter(state__iso3="GNB", kind=ReportKind.INITIAL).exclude(
        reference__contains=":implied:"
    )
    assert sorted(gnb.values_list("status", flat=True)) == ["late", "late", "not_submitted", "submitted"]
    assert gnb.get(status=RecordStatus.SUBMITTED).submitted_on == D("2019-11-11")
    mauritania = ReportingRecord.objects.get(
        state__iso3="MRT", status=RecordStatus.SUBMITTED, origin=FILE, submitted_on__isnull=False
    )
    assert (mauritania.submitted_on, mauritania.submitted_precision) == (D("2013-03-01"), "month")
    benin = ReportingRecord.objects.get(state__iso3="BEN", status=RecordStatus.LATE)
    assert benin.listed_in == figure("isu-dap", PublishedFigureTopic.INITIAL_REPORTS_LATE)
    assert benin.not_submitted_on == D("2018-07-01") and benin.known_from == D("2019-11-10")
    chad = ReportingRecord.objects.get(state__iso3="TCD", status=RecordStatus.LATE)
    assert chad.confidence == "disputed"  # the row says DISAGREEMENT: kept, never resolved


def test_a_complete_list_records_every_other_state_then_owing_as_submitted_citing_it(reference_data):
    lap = figure("isu-lap", PublishedFigureTopic.INITIAL_REPORTS_LATE)
    implied = ReportingRecord.objects.filter(listed_in=lap, reference__contains=":implied:")
    named = set(lap.reporting_records.exclude(reference__contains=":implied:").values_list("state__iso3", flat=True))
    assert named == {"CPV", "COM", "COG", "GIN", "MDG", "NIU", "RWA", "STP", "TGO"}
    # Computed from states.csv: every State bound on 1 Sep 2021 whose initial report was due before it.
    with (FIXTURES / "states.csv").open(encoding="utf-8") as handle:
        owing = {
            row["iso3"]
            for row in csv.DictReader(handle)
            if row["initial_report_due"]
            and D(row["initial_report_due"]) < D("2021-09-01")
            and D(row["entry_into_force_date"]) <= D("2021-09-01")
            and not (row["withdrawal_effective_date"] and D(row["withdrawal_effective_date"]) <= D("2021-09-01"))
        }
    assert set(implied.values_list("state__iso3", flat=True)) == owing - named
    benin = implied.get(state__iso3="BEN")
    assert (benin.status, benin.submitted_on, benin.submitted_by) == ("submitted", None, D("2022-08-31"))
    assert "Not named in the list of 9" in benin.notes and benin.source == lap.source
    assert not implied.filter(state__iso3="NGA").exists()  # due 28 Jan 2024: not concerned
    # The 2015 list shows 15 of its 18 names: nothing is implied from it.
    cmc = figure("cmc-2015-06-18", PublishedFigureTopic.INITIAL_REPORTS_LATE)
    assert not ReportingRecord.objects.filter(listed_in=cmc, reference__contains=":implied:").exists()


def test_loading_twice_changes_nothing_and_a_change_is_audited(reference_data):
    before = (ReportingRecord.objects.count(), PublishedFigure.objects.count(), AuditEntry.objects.count())
    outcomes = load_file()
    assert all(o.ok and (o.new, o.updated) == (0, 0) for o in outcomes)
    assert (ReportingRecord.objects.count(), PublishedFigure.objects.count(), AuditEntry.objects.count()) == before
    text = (
        (FIXTURES / FILE)
        .read_text(encoding="utf-8")
        .replace("Annual update 5 Mar 2016.", "Annual update 5 March 2016.")
    )
    outcomes = load_file(text)
    assert sum(o.updated for o in outcomes) == 1
    chad = ReportingRecord.objects.get(
        state__iso3="TCD", status=RecordStatus.SUBMITTED, origin=FILE, submitted_on__isnull=False
    )
    entry = AuditEntry.objects.for_object(chad).latest("created_at")
    assert entry.action == "reporting.reporting_record.changed_by_import"
    assert "5 March 2016" in str(entry.changes["notes"][1])


@pytest.mark.parametrize(
    ("find", "replace", "column"),
    [
        ("GNB,initial,submitted,2019-11-11", "GNB,initial,submitted,2019-13-11", "submitted_on"),
        ("ZAF,initial,not_submitted,,2017-06-30", "ZAF,initial,not_sent,,2017-06-30", "status"),
        ("BWA,2014,late", "BWA,twenty,late", "report"),
        (",isu-lap,,,,,", ",isu-lapp,,,,,", "list"),
        ("\nLBN,initial", "\nLBX,initial", "iso3"),
    ],
)
def test_a_bad_cell_names_file_row_and_column_and_nothing_is_written(reference_data, tmp_path, find, replace, column):
    for name in {f.name for f in reference.files()}:
        shutil.copy(FIXTURES / name, tmp_path / name)
    text = (FIXTURES / FILE).read_text(encoding="utf-8")
    assert find in text
    # The bad cell, and a change elsewhere in the file that must not land either.
    bad = text.replace(find, replace, 1).replace("Annual update 5 Mar 2016.", "changed")
    start = bad.index(replace) + (1 if replace.startswith("\n") else 0)
    line = bad[:start].count("\n") + 1  # the header is line 1
    (tmp_path / FILE).write_text(bad, encoding="utf-8")
    before = (ReportingRecord.objects.count(), PublishedFigure.objects.count(), AuditEntry.objects.count())
    with pytest.raises(CommandError) as error:
        call_command("load_reference_data", dir=str(tmp_path), stdout=io.StringIO())
    assert f"{FILE}, row {line - 1} (line {line}), column “{column}”" in str(error.value)
    assert (ReportingRecord.objects.count(), PublishedFigure.objects.count(), AuditEntry.objects.count()) == before
    assert not ReportingRecord.objects.filter(notes="changed").exists()


# --- The selector: three states, as of a day ------------------------------------------------------------
def test_guinea_bissau_not_submitted_then_submitted_late(reference_data):
    """Due 28 Oct 2011. The Monitor: not submitted as of 31 Jul 2019; submitted on 11 Nov 2019."""
    before = known("GNB", "2019-07-31")
    assert before.status == records.Status.NOT_SUBMITTED
    assert "guinea-bissau" in before.source
    assert known("GNB", "2019-11-10").status == records.Status.NOT_SUBMITTED  # not yet in: invisible
    after = known("GNB", "2019-11-11")
    assert after.status == records.Status.SUBMITTED and after.timing == records.Timing.LATE
    assert after.submitted.submitted == PartialDate(D("2019-11-11"), Precision.DAY)
    # Every statement behind it stays visible, and none contradicts the submission's date.
    assert {e.status for e in after.evidence} == {"late", "not_submitted", "submitted"}
    assert not after.disputed


def test_chads_disagreement_is_kept_visible(reference_data):
    """The Monitor dates Chad's initial report 24 May 2014; the CMC listed it overdue on 18 Jun 2015."""
    chad = known("TCD", "2015-06-18")
    assert chad.status == records.Status.SUBMITTED and chad.submitted_on == D("2014-05-24")
    assert chad.disputed
    assert {e.status for e in chad.evidence} == {"submitted", "late"}
    # The day before the list, nobody disagreed yet.
    assert not known("TCD", "2015-06-17").disputed


def test_a_state_not_named_in_a_complete_list_counts_as_submitted_by_its_window_end(reference_data):
    """Benin: named in the ISU's Dubrovnik-era list (due 30 Jun 2018), not in the Lausanne-era one."""
    assert known("BEN", "2022-08-30").status == records.Status.NOT_SUBMITTED  # the earlier list says so
    benin = known("BEN", "2022-08-31")
    assert benin.status == records.Status.SUBMITTED and benin.submitted_on == D("2022-08-31")
    assert benin.submitted.date_label == f"by {PartialDate(D('2022-08-31'), Precision.DAY).display()}"
    assert benin.timing == records.Timing.LATE  # not in on 1 Jul 2018, after its due date
    # Afghanistan, named in neither ISU list: submitted by the end of the first list's window, date unknown.
    afghanistan = known("AFG", "2019-11-10")
    assert (afghanistan.status, afghanistan.timing) == (records.Status.SUBMITTED, records.Timing.UNKNOWN)
    assert known("AFG", "2019-11-09").status == records.Status.NO_RECORD


def test_no_record_before_the_portal_is_complete_not_submitted_after(reference_data):
    assert ReportingRules.current().records_complete_from == D("2026-01-01")
    nigeria = known("NGA", "2024-06-01")  # due 28 Jan 2024, no source
    assert nigeria.status == records.Status.NO_RECORD and not nigeria.is_overdue
    vanuatu = known("VUT", "2026-09-01")  # due 28 Aug 2026, the portal is the complete record
    assert vanuatu.status == records.Status.NOT_SUBMITTED and vanuatu.source == records.PORTAL
    assert known("VUT", "2026-08-27").status == records.Status.NOT_YET_DUE


def test_laos_initial_report_entered_from_its_original_counts_on_its_real_date(reference_data, isu_staff):
    """Lao PDR's initial report was submitted on 25 Jan 2011, before its 28 Jan 2011 due date; entered today."""
    lao = State.objects.get(iso3="LAO")
    fmt = FormatVersion.objects.get(is_current=True)
    report = Report.objects.create(
        state=lao,
        kind=ReportKind.INITIAL,
        format_version=fmt,
        status=ReportStatus.SUBMITTED,
        created_by=isu_staff,
        updated_by=isu_staff,
    )
    ReportVersion.objects.create(
        report=report,
        number=1,
        content={},
        format_version=fmt,
        submitted_by=isu_staff,
        submitted_at=dt.datetime(2026, 12, 1, 10, tzinfo=dt.UTC),  # typed in by the ISU now
        submitted_on=D("2011-01-25"),  # the original's date
        entered_by_isu=True,
    )
    found = known("LAO", "2011-01-31")
    assert (found.status, found.timing, found.in_portal) == (records.Status.SUBMITTED, records.Timing.ON_TIME, True)
    assert found.source == records.PORTAL
    not_yet = known("LAO", "2011-01-24")  # the portal's version is invisible before its day
    assert (not_yet.status, not_yet.in_portal) == (records.Status.NOT_YET_DUE, False)


def test_the_selector_takes_a_fixed_number_of_queries(reference_data, isu_staff):
    states = list(State.objects.exclude(deposit_date=None))

    def count():
        with CaptureQueriesContext(connection) as ctx:
            data = records.load(D("2022-08-31"), states=states)
            [data.owed(s) for s in states]
        return len(ctx.captured_queries)

    few = count()
    for state in states[:20]:
        ReportingRecord.objects.create(
            state=state, kind=ReportKind.ANNUAL, period_year=2015, submitted_on=D("2016-04-01"), source="UNODA"
        )
    assert few == count() == RECORDS_QUERIES - 1  # the States are given


# --- The dashboard, pinned against the data files ---------------------------------------------------------
def _csv(name):
    with (FIXTURES / name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _end(text: str) -> dt.date:
    """The last day of a YYYY, YYYY-MM or YYYY-MM-DD date."""
    parts = [int(p) for p in text.split("-")]
    if len(parts) == 3:
        return dt.date(*parts)
    if len(parts) == 2:
        year, month = parts
        return dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
    return dt.date(parts[0], 12, 31)


def independent_initial(as_of: dt.date) -> dict[str, set[str]]:
    """Initial reports as of ``as_of`` straight from the CSV files: submitted (a dated submission by then,
    or not named in a complete list whose window ended by then though due before its start), not submitted
    (a statement known by then), no record (neither). Every date here is before 1 Jan 2026."""
    states = {
        row["iso3"]: row
        for row in _csv("states.csv")
        if row["initial_report_due"]
        and D(row["initial_report_due"]) <= as_of
        and not (row["withdrawal_effective_date"] and D(row["withdrawal_effective_date"]) <= as_of)
    }
    rows = _csv(FILE)
    lists = {r["list"]: r for r in rows if r["iso3"] == "ALL"}
    submitted, said_not = set(), set()
    for row in rows:
        if row["iso3"] not in states or row["report"] != "initial":
            continue
        if row["status"] == "submitted" and _end(row["submitted_on"]) <= as_of:
            submitted.add(row["iso3"])
        if row["status"] in ("late", "not_submitted"):
            known_on = _end(row["as_of"]) if row["as_of"] else D(lists[row["list"]]["window_end"])
            if known_on <= as_of:
                said_not.add(row["iso3"])
    for key, row in lists.items():
        if row["complete_list"] != "yes" or D(row["window_end"]) > as_of:
            continue
        start = D(row["window_start"])
        named = {r["iso3"] for r in rows if r["list"] == key and r["iso3"] != "ALL"}
        for iso3, state in states.items():
            if (
                iso3 not in named
                and D(state["initial_report_due"]) < start
                and D(state["entry_into_force_date"]) <= start
            ):
                submitted.add(iso3)
    return {
        "submitted": submitted,
        "not_submitted": said_not - submitted,
        "no_record": set(states) - submitted - said_not,
        "expected": set(states),
    }


@pytest.mark.parametrize("as_of", ["2012-09-13", "2015-06-18", "2019-12-01", "2022-08-31"])
def test_the_dashboard_counts_what_the_data_files_say(client, reference_data, as_of):
    expected = independent_initial(D(as_of))
    data = client.get("/progress/", {"as_of": as_of, "format": "json"}).json()
    figures = {f["key"]: f for f in data["figures"]}
    assert set(figures["initial-reports-submitted"]["states"]) == expected["submitted"]
    assert set(figures["initial-reports-not-submitted"]["states"]) == expected["not_submitted"]
    assert set(figures["initial-reports-no-record"]["states"]) == expected["no_record"]
    assert set(figures["initial-reports-submitted"]["out_of"]) == expected["expected"]
    coverage = figures["initial-reports-submitted"]["coverage"]
    assert (coverage["recorded"], coverage["of"]) == (
        len(expected["expected"]) - len(expected["no_record"]),
        len(expected["expected"]),
    )
    html = client.get("/progress/", {"as_of": as_of}).content.decode()
    recorded = f"Recorded for {coverage['recorded']} of {coverage['of']} States"
    assert recorded in html
    assert "issing" not in html  # never "Missing" or "missing", in any section


def test_published_totals_sit_beside_the_computed_ones_with_the_coverage_gap(client, reference_data):
    expected = independent_initial(D("2015-06-18"))
    data = client.get("/progress/", {"as_of": "2015-06-18", "format": "json"}).json()
    figures = {f["key"]: f for f in data["figures"]}
    published = figures["initial-reports-submitted"]["published"]
    assert (published["value"], published["computed"]) == (68, len(expected["submitted"]))
    assert published["no_record"] == len(expected["no_record"])
    assert published["within_coverage"] == min(68 - len(expected["submitted"]), len(expected["no_record"]))
    assert "jrsap.org" in published["source"]
    late = figures["initial-reports-not-submitted"]["published"]
    assert (late["value"], late["computed"]) == (18, len(expected["not_submitted"]))
    # Chad's disagreement is visible beside the figure.
    assert "TCD" in figures["initial-reports-submitted"]["coverage"]["disputed"]
    html = client.get("/progress/", {"as_of": "2015-06-18"}).content.decode()
    assert "Published: <strong>68</strong>" in html and f"computed here: {len(expected['submitted'])}" in html
    # A total published later is not shown before it was known.
    earlier = client.get("/progress/", {"as_of": "2015-06-17", "format": "json"}).json()
    submitted = next(f for f in earlier["figures"] if f["key"] == "initial-reports-submitted")
    assert submitted["published"] is None


# --- The focal point's list, the calendar, the reminders -------------------------------------------------
def test_the_demo_focal_point_sees_no_overdue_year_without_a_source(client_for):
    call_command("seed_demo", force=True, stdout=io.StringIO())
    call_command("seed_demo_reports", force=True, stdout=io.StringIO())
    focal = User.objects.filter(role=Role.FOCAL_POINT, state__iso3="LAO").order_by("pk").first()
    page = client_for(focal).get("/reporting/")
    owed = page.context["owed"]
    before_portal = [item for item in owed if item["due"] < D("2026-01-01")]
    assert before_portal and not any(item["overdue"] for item in before_portal)
    assert all(item["no_record"] for item in before_portal)
    text = page.content.decode()
    assert "No record — tell the ISU if it was sent" in text


def test_a_source_saying_not_sent_keeps_overdue(client_for):
    """Congo: the Monitor says its initial report was still not submitted in August 2022."""
    focal = make_user(Role.FOCAL_POINT, iso3="COG", email="fp.cog@example.org")
    owed = {item["kind"]: item for item in client_for(focal).get("/reporting/").context["owed"]}
    assert owed["initial"]["overdue"] and not owed["initial"]["no_record"]


def test_the_calendar_marks_reports_by_what_is_known(reference_data):
    guinea_bissau = State.objects.get(iso3="GNB")
    data = calendar.load([guinea_bissau], as_of=D("2020-01-01"))
    deadlines = calendar.state_deadlines(guinea_bissau, data, start=D("2011-01-01"), end=D("2012-12-31"))
    initial = next(d for d in deadlines if d.kind == "initial_report")
    assert (initial.met, initial.met_on, initial.portal_owned) == (True, D("2019-11-11"), False)
    annual = next(d for d in deadlines if d.period_year == 2011)
    assert annual.has_no_record and not annual.remindable


def test_the_calendar_queries_do_not_grow_with_records(reference_data):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            data = calendar.load(as_of=D("2022-08-31"))
            for state in data.states:
                calendar.state_deadlines(state, data, start=D("2010-01-01"), end=D("2027-12-31"))
        return len(ctx.captured_queries)

    few = count()
    for state in State.objects.exclude(deposit_date=None)[:30]:
        ReportingRecord.objects.create(
            state=state, kind=ReportKind.ANNUAL, period_year=2016, submitted_on=D("2017-04-01"), source="UNODA"
        )
    assert count() == few


def test_reminders_never_remind_a_year_with_no_record(reference_data, django_capture_on_commit_callbacks):
    rules = ReminderSettings.current()
    rules.kinds = ["initial_report", "annual_report"]
    rules.tracking_starts_on = D("2024-01-01")
    rules.save()
    make_user(Role.FOCAL_POINT, iso3="JPN", email="fp.jpn@example.org")
    for today in (D("2025-04-30"), D("2025-05-14"), D("2026-04-30")):
        with django_capture_on_commit_callbacks(execute=True):
            deadline_services.run_daily_reminders(today=today)
    keys = set(Reminder.objects.filter(state__iso3="JPN").values_list("deadline_key", flat=True))
    # The 2024 update fell due (30 Apr 2025) before the portal was the complete record: never reminded.
    assert keys == {"JPN:annual_report:2025"}


def test_the_first_submission_behind_reminders_counts_reports_received_outside_the_portal(
    reference_data, django_assert_num_queries
):
    from deadlines.selectors.reports import first_submissions, start_of

    lao = State.objects.get(iso3="LAO")
    ReportingRecord.objects.create(
        state=lao,
        kind=ReportKind.ANNUAL,
        period_year=2025,
        submitted_on=D("2026-03-01"),
        submitted_precision="month",
        source="UNODA Article 7 database",
    )
    wanted = [(lao.pk, ReportKind.ANNUAL, 2025), (lao.pk, ReportKind.INITIAL, None), (lao.pk, ReportKind.ANNUAL, 2024)]
    with django_assert_num_queries(1):
        found = first_submissions(wanted)
    # Known to the month: counts from the month's last day. The initial report: by the ISU list's last day.
    assert found == {
        (lao.pk, ReportKind.ANNUAL, 2025): start_of(D("2026-03-31")),
        (lao.pk, ReportKind.INITIAL, None): start_of(D("2019-11-10")),
    }
