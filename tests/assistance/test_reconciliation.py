"""Reconciling Article 7 Form I (assistance given and received) with recorded deliveries."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Role
from assistance.models import MatchStatus, ReportedAssistance
from assistance.reconciliation import (
    Reason,
    Scope,
    StateRef,
    StateResolver,
    reconcile,
    reconciled_years,
    scope_for,
)
from assistance.services import matching
from audit.models import AuditEntry
from parties.models import State
from reporting import services as reporting
from reporting.formats import Choice
from reporting.models import FormatVersion, Report, ReportKind, ReportStatus, ReportVersion, VersionOutcome
from tests.assistance.test_overview import donor_for, make_match, make_offer, make_request
from tests.factories import make_user
from tests.progress.builders import data_committed
from tests.reporting.conftest import fill_minimal

pytestmark = pytest.mark.django_db
D = dt.date
PAGE = "/assistance/reconciliation/"

# Session and user; the years there is something for; the States (resolver), the year's versions with their
# Form I rows (copied beside them), the delivered matches with their audit dates. The same for every role.
PAGE_QUERIES = 6
# The first reader of a version copies its Form I rows: its Form I out of the content, then one insert.
FIRST_COPY_QUERIES = 2
# A second reader with the same access while the data did not change: the session and the user only (the years
# and the figures are kept under the data's version, assistance.cached).
KEPT_PAGE_QUERIES = 2


# --- Building accepted reports with Form I content ----------------------------------------------
def form_i(*rows, choice=Choice.CHANGED):
    return {
        "choice": choice,
        "unchanged_since": None,
        "na_statement": "",
        "narratives": {},
        "tables": {
            "national": [],
            "international": [
                {"_id": f"r{n}", "kind": "financial", "sectors": "clearance", **row} for n, row in enumerate(rows)
            ],
        },
    }


def given(counterpart, amount, currency="USD"):
    return {"direction": "given", "counterpart": counterpart, "amount": amount, "currency": currency}


def received(counterpart, amount, currency="USD"):
    return {"direction": "received", "counterpart": counterpart, "amount": amount, "currency": currency}


def accepted_report(
    iso3,
    year,
    *rows,
    choice=Choice.CHANGED,
    status=ReportStatus.PUBLISHED,
    outcome=VersionOutcome.ACCEPTED,
    number=1,
    visibility="public",
    is_nil=False,
):
    """A report of ``iso3`` for ``year`` (None: the initial report) whose version ``number`` has ``outcome``."""
    state = State.objects.get(iso3=iso3)
    fmt = FormatVersion.objects.get(is_current=True)
    submitter = make_user(Role.FOCAL_POINT, iso3=iso3)
    report, _created = Report.objects.get_or_create(
        state=state,
        kind=ReportKind.ANNUAL if year else ReportKind.INITIAL,
        period_year=year,
        defaults={
            "format_version": fmt,
            "status": status,
            "visibility": visibility,
            "created_by": submitter,
            "updated_by": submitter,
        },
    )
    content = fmt.spec.empty_content()
    content["forms"]["I"] = form_i(*rows, choice=choice)
    return ReportVersion.objects.create(
        report=report,
        number=number,
        content=content,
        format_version=fmt,
        is_nil=is_nil,
        visibility=visibility,
        submitted_by=submitter,
        submitted_at=timezone.now(),
        outcome=outcome,
        published_at=timezone.now() if (status, outcome) == (ReportStatus.PUBLISHED, VersionOutcome.ACCEPTED) else None,
    )


def lines_of(result):
    return {
        (line.donor.iso3, line.recipient.iso3, line.year, line.currency): (
            line.reported_given,
            line.acknowledged,
            line.delivered,
            line.unacknowledged,
        )
        for line in result.lines
    }


def everything(isu_staff):
    return reconcile(user=isu_staff, scope=Scope(None))


def deliver(request, donor_iso3, amount, *, on=None, currency="USD"):
    """A match from ``donor_iso3``'s offer to ``request``, delivered (audited ``on`` that day when given)."""
    match = make_match(
        request, make_offer(donor_for(donor_iso3)), amount=amount, currency=currency, status=MatchStatus.DELIVERED
    )
    if on is not None:
        entry = AuditEntry.objects.create(
            action="assistance.match.delivered",
            object_type="assistance.match",
            object_id=str(match.pk),
            object_repr=str(match),
            changes={"status": ["committed", "delivered"]},
        )
        AuditEntry.objects.filter(pk=entry.pk).update(
            created_at=timezone.make_aware(dt.datetime.combine(on, dt.time(12)))
        )
    return match


# --- The resolver ------------------------------------------------------------------------------
@pytest.fixture
def resolver(reference_data):
    return StateResolver.from_database()


@pytest.mark.parametrize(
    ("text", "iso3"),
    [
        ("LAO", "LAO"),
        ("nor", "NOR"),
        ("Norway", "NOR"),
        ("  NORWAY ", "NOR"),
        ("Government of Norway", "NOR"),
        ("Lao People's Democratic Republic", "LAO"),
        ("Lao People’s Democratic Republic", "LAO"),
        ("Lao PDR", "LAO"),
        ("Laos", "LAO"),
        ("UK", "GBR"),
        ("United Kingdom", "GBR"),
        ("Tanzania", "TZA"),
        ("Bolivia", "BOL"),
        ("Bolivia (Plurinational State of)", "BOL"),
        ("the Netherlands", "NLD"),
        ("Netherlands", "NLD"),
        ("Côte d'Ivoire", "CIV"),
        ("Cote d'Ivoire", "CIV"),
        ("Ivory Coast", "CIV"),
        ("Saint Kitts and Nevis", "KNA"),
        ("St Lucia", "LCA"),
        ("DRC", "COD"),
        ("Congo", "COG"),
        ("Iraq (Kurdistan Region)", "IRQ"),
        ("Moldova", "MDA"),
        ("Czechia", "CZE"),
        ("Bosnia & Herzegovina", "BIH"),
    ],
)
def test_the_resolver_finds_states_by_code_name_and_short_form(resolver, text, iso3):
    assert resolver.resolve(text).iso3 == iso3


@pytest.mark.parametrize(
    "text", ["UNMAS", "ICRC", "Mines Advisory Group", "GICHD", "United States", "Kosovo", "", None, "Norwegian People"]
)
def test_organizations_and_unknown_text_resolve_to_no_state(resolver, text):
    assert resolver.resolve(text) is None


def test_an_alias_never_shadows_a_registered_name():
    congo = StateRef(1, "COG", "Congo")
    resolver = StateResolver([congo, StateRef(2, "COD", "Democratic Republic of the Congo")])
    assert resolver.resolve("Congo") == congo
    assert resolver.resolve("DR Congo").iso3 == "COD"


# --- The comparison ----------------------------------------------------------------------------
def test_given_acknowledged_and_delivered_are_set_side_by_side(isu_staff, reference_data):
    accepted_report("NOR", 2024, given("Lao PDR", "100000"), given("Laos", "20000.50"), given("Lao PDR", "9000", "EUR"))
    accepted_report("LAO", 2024, received("Norway", "60000"))
    request = make_request(amount="500000")
    deliver(request, "NOR", "25000", on=D(2024, 6, 1))
    deliver(request, "NOR", "1000", on=D(2025, 2, 1))  # another year

    assert lines_of(everything(isu_staff)) == {
        ("NOR", "LAO", 2024, "USD"): (Decimal("120000.50"), Decimal("60000"), Decimal("25000"), Decimal("60000.50")),
        ("NOR", "LAO", 2024, "EUR"): (Decimal("9000"), Decimal("0"), Decimal("0"), Decimal("9000")),
        ("NOR", "LAO", 2025, "USD"): (Decimal("0"), Decimal("0"), Decimal("1000"), Decimal("0")),
    }


def test_what_a_line_knows_about_the_reports_behind_it(isu_staff, reference_data):
    accepted_report("NOR", 2024, given("LAO", "100"))
    line = everything(isu_staff).lines[0]
    assert (line.donor_reported, line.recipient_reported) == (True, False)  # Laos has no accepted 2024 report
    assert line.unacknowledged == Decimal("100")


def test_a_recipient_acknowledging_more_than_given_leaves_nothing_unacknowledged(isu_staff, reference_data):
    accepted_report("NOR", 2023, given("Lao People's Democratic Republic", "100"))
    accepted_report("LAO", 2023, received("NOR", "150"))
    assert lines_of(everything(isu_staff))[("NOR", "LAO", 2023, "USD")] == (
        Decimal("100"),
        Decimal("150"),
        Decimal("0"),
        Decimal("0"),
    )


def test_a_delivery_without_audit_entry_is_dated_by_its_request_period(isu_staff, reference_data):
    request = make_request(period_start=D(2022, 3, 1), period_end=D(2023, 12, 31))
    deliver(request, "NOR", "700")
    assert lines_of(everything(isu_staff)) == {
        ("NOR", "LAO", 2022, "USD"): (Decimal("0"), Decimal("0"), Decimal("700"), Decimal("0"))
    }


def test_deliveries_from_organizations_and_undelivered_matches_are_not_counted(isu_staff, reference_data):
    request = make_request()
    make_match(request, make_offer(donor_for(organization="Mine Action Fund")), amount="5", status="delivered")
    make_match(request, make_offer(donor_for("NOR")), amount="7", status=MatchStatus.COMMITTED)
    assert everything(isu_staff).lines == []


def test_organizations_and_unknown_counterparts_are_listed_apart_not_dropped(isu_staff, reference_data):
    accepted_report(
        "NOR",
        2024,
        given("UNMAS", "5000"),
        given("Norway", "10"),
        given("LAO", ""),
        given("LAO", "lots"),
        received("Mines Advisory Group", "7", "GBP"),
    )
    accepted_report("LAO", None, received("Norway", "300"))  # the initial report covers no calendar year
    result = everything(isu_staff)
    assert result.lines == []
    assert sorted((row.reporter.iso3, row.counterpart, row.reason) for row in result.unresolved) == [
        ("LAO", "Norway", Reason.NO_YEAR),
        ("NOR", "LAO", Reason.NO_AMOUNT),
        ("NOR", "LAO", Reason.NOT_A_NUMBER),
        ("NOR", "Mines Advisory Group", Reason.NO_STATE),
        ("NOR", "Norway", Reason.SELF),
        ("NOR", "UNMAS", Reason.NO_STATE),
    ]
    unmas = next(row for row in result.unresolved if row.counterpart == "UNMAS")
    assert (unmas.year, unmas.direction, unmas.amount, unmas.currency) == (2024, "given", "5000", "USD")
    assert "names no State" in unmas.reason_label


def test_only_the_latest_accepted_version_of_a_report_counts(isu_staff, reference_data):
    accepted_report("NOR", 2024, given("LAO", "100"), outcome=VersionOutcome.SUPERSEDED, number=1)
    accepted_report("NOR", 2024, given("LAO", "250"), outcome=VersionOutcome.ACCEPTED, number=2)
    accepted_report("NOR", 2024, given("LAO", "999"), outcome=VersionOutcome.PENDING, number=3)  # a correction
    accepted_report("LAO", 2024, received("Norway", "80"), outcome=VersionOutcome.CHANGES_REQUESTED)
    assert lines_of(everything(isu_staff)) == {
        ("NOR", "LAO", 2024, "USD"): (Decimal("250"), Decimal("0"), Decimal("0"), Decimal("250"))
    }


def test_nil_reports_and_form_i_not_applicable_give_no_rows(isu_staff, reference_data):
    accepted_report("NOR", 2024, given("LAO", "100"), choice=Choice.NOT_APPLICABLE)
    accepted_report("DEU", 2024, given("LAO", "100"), is_nil=True)
    accepted_report("CHE", 2024, given("LAO", "40"), choice=Choice.UNCHANGED)  # restated for the year
    assert lines_of(everything(isu_staff)) == {
        ("CHE", "LAO", 2024, "USD"): (Decimal("40"), Decimal("0"), Decimal("0"), Decimal("40"))
    }


def test_reports_go_through_the_reporting_services_end_to_end(focal_point, isu_staff, reference_data):
    """A report built, submitted, reviewed and accepted the way focal points and the ISU do it."""
    lao = focal_point.state
    report = reporting.start_report(state=lao, kind=ReportKind.ANNUAL, period_year=2023, actor=focal_point)
    content = fill_minimal(report)
    content["forms"]["I"].update(choice=Choice.CHANGED, na_statement="")
    content["forms"]["I"]["tables"]["international"] = [
        {"_id": "i1", "direction": "received", "counterpart": "Norway", "kind": "financial", "amount": "45,000"}
        | {"currency": "usd", "sectors": "clearance"},
        {"_id": "i2", "direction": "received", "counterpart": "UNDP", "kind": "technical", "amount": ""}
        | {"currency": "", "sectors": "survey"},
    ]
    report = reporting.save_draft(report=report, content=content, base_revision=report.revision, actor=focal_point)
    reporting.set_visibility(report=report, visibility="public", actor=focal_point)
    reporting.submit_report(report=report, actor=focal_point)
    result = everything(isu_staff)
    assert result.lines == []  # submitted, not accepted yet
    reporting.start_review(report=report, actor=isu_staff)
    reporting.accept_report(report=report, actor=isu_staff)
    accepted_report("NOR", 2023, given("Lao PDR", "50000"))
    result = everything(isu_staff)
    assert lines_of(result) == {
        ("NOR", "LAO", 2023, "USD"): (Decimal("50000"), Decimal("45000"), Decimal("0"), Decimal("5000"))
    }
    assert [(row.counterpart, row.reason) for row in result.unresolved] == [("UNDP", Reason.NO_STATE)]


def test_a_delivery_recorded_through_the_matching_service_is_dated_by_its_audit_entry(
    isu_staff, coordinator, focal_point, donor, reference_data
):
    request = make_request(amount="1000")
    offer = make_offer(donor_for("NOR"))
    match = matching.propose_match(actor=coordinator, request=request, offer=offer, amount=Decimal(400), currency="USD")
    matching.decide_match(actor=donor, match=match, accept=True)
    matching.decide_match(actor=focal_point, match=match, accept=True)
    matching.advance_match(actor=donor, match=match)
    matching.advance_match(actor=donor, match=match)
    year = timezone.localdate().year
    assert lines_of(everything(isu_staff)) == {
        ("NOR", "LAO", year, "USD"): (Decimal("0"), Decimal("0"), Decimal("400.00"), Decimal("0"))
    }


# --- Who sees which rows -----------------------------------------------------------------------
@pytest.fixture
def three_states(reference_data):
    """Norway gives to Laos and to Iraq; Germany gives to Australia; each names an organization too."""
    accepted_report("NOR", 2024, given("Laos", "100"), given("Iraq", "50"), given("UNMAS", "5"))
    accepted_report("DEU", 2024, given("Australia", "70"), given("GICHD", "3"))
    accepted_report("LAO", 2024, received("Norway", "100"), received("ICRC", "1"))


def test_isu_and_coordinators_see_every_row(three_states, isu_staff, coordinator):
    for user in (isu_staff, coordinator):
        result = reconcile(user=user, scope=scope_for(user))
        assert {(line.donor.iso3, line.recipient.iso3) for line in result.lines} == {
            ("NOR", "LAO"),
            ("NOR", "IRQ"),
            ("DEU", "AUS"),
        }
        assert {row.counterpart for row in result.unresolved} == {"UNMAS", "GICHD", "ICRC"}


def test_a_donor_sees_only_rows_where_their_state_gives(three_states, donor):
    scope = scope_for(donor)
    assert scope.donor_only
    result = reconcile(user=donor, scope=scope)
    assert {(line.donor.iso3, line.recipient.iso3) for line in result.lines} == {("NOR", "LAO"), ("NOR", "IRQ")}
    assert {row.counterpart for row in result.unresolved} == {"UNMAS"}


def test_a_focal_point_sees_rows_about_their_state(three_states, focal_point, other_focal_point):
    result = reconcile(user=focal_point, scope=scope_for(focal_point))
    assert lines_of(result) == {("NOR", "LAO", 2024, "USD"): (Decimal("100"),) * 2 + (Decimal(0), Decimal(0))}
    assert {row.counterpart for row in result.unresolved} == {"ICRC"}
    result = reconcile(user=other_focal_point, scope=scope_for(other_focal_point))
    assert {(line.donor.iso3, line.recipient.iso3) for line in result.lines} == {("DEU", "AUS")}
    assert result.unresolved == []  # Germany's own organizations are Germany's rows


def test_restricted_or_unpublished_reports_are_read_only_by_those_who_may_read_them(
    reference_data, isu_staff, coordinator, focal_point
):
    accepted_report("NOR", 2024, given("Laos", "100"), status=ReportStatus.ACCEPTED)  # not published yet
    accepted_report("DEU", 2024, given("Laos", "40"), visibility="restricted")  # States Parties and the ISU
    assert set(lines_of(everything(isu_staff))) == {("NOR", "LAO", 2024, "USD"), ("DEU", "LAO", 2024, "USD")}
    assert set(lines_of(reconcile(user=focal_point, scope=scope_for(focal_point)))) == {("DEU", "LAO", 2024, "USD")}
    assert lines_of(reconcile(user=coordinator, scope=scope_for(coordinator))) == {}


def test_a_donor_acting_for_an_organization_has_no_rows(reference_data):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        scope_for(make_user(Role.DONOR, organization="Mine Action Fund"))


# --- The page ----------------------------------------------------------------------------------
def test_the_isu_page_shows_the_comparison_and_the_rows_apart(three_states, isu_staff, client_for):
    client = client_for(isu_staff)
    response = client.get(PAGE)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Reported by donor, not yet acknowledged by recipient" in page
    assert "Norway" in page and "Iraq" in page and "Australia" in page
    # The rows apart are one link away, with their number.
    assert '<a href="?list=unresolved">Not resolved</a> (3)' in page and "UNMAS" not in page
    page = client.get(PAGE, {"list": "unresolved"}).content.decode()
    assert "UNMAS" in page and "GICHD" in page and "ICRC" in page
    assert "names no State in the register" in page
    assert '<a href="?list=lines">Given, acknowledged and delivered</a> (3)' not in page  # list=None drops it
    assert '<a href="?">Given, acknowledged and delivered</a> (3)' in page


def test_a_row_not_resolved_names_the_state_its_counterpart_was_read_as(three_states, isu_staff, client_for):
    """A row set apart for another reason than its counterpart (here its amount) still says which registered State
    the counterpart as written was read as, under it."""
    accepted_report("IRQ", 2024, received("nor", "a lot"))
    page = client_for(isu_staff).get(PAGE, {"list": "unresolved"}).content.decode()
    row = next(r for r in re.findall(r"<tr>.*?</tr>", page, re.S) if "a lot" in r)
    assert '<td>nor<span class="sub">Norway</span></td>' in row
    assert "The amount is not a number." in row


def test_the_page_shows_the_latest_year_by_default_and_says_so(three_states, isu_staff, client_for):
    accepted_report("NOR", 2022, given("Laos", "9"), given("UNDP", "1"))
    client = client_for(isu_staff)
    response = client.get(PAGE)
    assert response.status_code == 200
    assert {line.year for line in response.context["result"].lines} == {2024}
    page = response.content.decode()
    assert "The latest year with data, 2024, is shown. Choose another year, or all years, above." in page
    assert '<option value="2024" selected>2024</option>' in page
    assert '<a class="btn btn--link" href="?year=all">All years</a>' in page
    # The other years stay one choice away: each year, or all of them.
    response = client.get(PAGE, {"year": "2022"})
    assert [(line.year, line.reported_given) for line in response.context["result"].lines] == [(2022, Decimal("9"))]
    assert [row.counterpart for row in response.context["result"].unresolved] == ["UNDP"]
    assert "The latest year with data" not in response.content.decode()
    response = client.get(PAGE, {"year": "all"})
    assert {line.year for line in response.context["result"].lines} == {2022, 2024}
    assert '<option value="all" selected>All years</option>' in response.content.decode()


def test_the_page_filters_by_year(three_states, isu_staff, client_for):
    accepted_report("NOR", 2022, given("Laos", "9"))
    client = client_for(isu_staff)
    response = client.get(PAGE, {"year": "2022"})
    assert response.status_code == 200
    assert [(line.year, line.reported_given) for line in response.context["result"].lines] == [(2022, Decimal("9"))]
    assert response.context["result"].unresolved == []
    response = client.get(PAGE, {"year": "1999"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert {line.year for line in response.context["result"].lines} == {2024}  # the latest year meanwhile


def test_the_years_are_those_of_readable_reports_and_of_deliveries(three_states, isu_staff, focal_point):
    accepted_report("NOR", 2019, given("Laos", "9"), status=ReportStatus.ACCEPTED)  # not published
    deliver(make_request(amount="100"), "NOR", "5", on=D(2021, 3, 1))
    assert reconciled_years(user=isu_staff, scope=scope_for(isu_staff)) == [2024, 2021, 2019]
    assert reconciled_years(user=focal_point, scope=scope_for(focal_point)) == [2024, 2021]


def test_a_long_list_is_shown_a_page_at_a_time(reference_data, isu_staff, client_for):
    states = list(State.objects.exclude(iso3="LAO").order_by("iso3")[:60])
    accepted_report("LAO", 2024, *(received(state.iso3, str(n + 1)) for n, state in enumerate(states)))
    client = client_for(isu_staff)
    page = client.get(PAGE).content.decode()
    assert page.count('<tr class="is-unacknowledged">') + page.count('<tr>\n              <th scope="row">') == 50
    assert "Page 1 of 2" in page and 'href="?page=2"' in page
    page = client.get(PAGE, {"page": "2"}).content.decode()
    assert "Page 2 of 2" in page
    assert "(60)" in page  # the number of lines, whatever the page


def test_the_page_has_a_json_twin(three_states, donor, client_for):
    accepted_report("NOR", 2022, given("Laos", "9"))
    data = client_for(donor).get(PAGE, {"format": "json"}).json()
    assert (data["year"], data["years"]) == (2024, [2024, 2022])  # the latest year, as on the page
    assert {(line["donor"], line["recipient"]) for line in data["lines"]} == {("NOR", "LAO"), ("NOR", "IRQ")}
    lao = next(line for line in data["lines"] if line["recipient"] == "LAO")
    assert lao["acknowledged_by_recipient"] == "100" and lao["reported_not_acknowledged"] == "0"
    iraq = next(line for line in data["lines"] if line["recipient"] == "IRQ")
    assert iraq["acknowledged_by_recipient"] is None  # Iraq has no accepted 2024 report
    assert [row["counterpart"] for row in data["not_resolved"]] == ["UNMAS"]
    data = client_for(donor).get(PAGE, {"format": "json", "year": "all"}).json()
    assert data["year"] is None and {line["year"] for line in data["lines"]} == {2022, 2024}


def test_form_i_is_copied_once_and_the_page_never_reads_the_content(three_states, isu_staff, client_for):
    accepted_report("NOR", 2023, given("Laos", "9"), choice=Choice.NOT_APPLICABLE)
    accepted_report("DEU", 2023, given("Laos", "9"), is_nil=True)
    result = reconcile(user=isu_staff, scope=Scope(None), year=2024)
    assert {(line.donor.iso3, line.recipient.iso3) for line in result.lines} == {
        ("NOR", "LAO"),
        ("NOR", "IRQ"),
        ("DEU", "AUS"),
    }
    # Only the year read is copied; nil reports and a Form I not applicable keep no row.
    assert ReportedAssistance.objects.count() == 3
    reconcile(user=isu_staff, scope=Scope(None))
    assert sorted(len(copy.rows) for copy in ReportedAssistance.objects.all()) == [0, 0, 2, 2, 3]
    versions = ReportVersion.objects.filter(report__state__iso3="NOR", report__period_year=2024)
    assert ReportedAssistance.objects.get(version__in=versions).rows[0] == {
        "direction": "given",
        "counterpart": "Laos",
        "kind": "financial",
        "amount": "100",
        "currency": "USD",
    }
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client_for(isu_staff).get(PAGE, {"year": "all"}).status_code == 200
    assert not any("content" in query["sql"] for query in queries.captured_queries)


def test_a_change_to_the_data_shows_at_once(three_states, isu_staff, client_for):
    client = client_for(isu_staff)
    lines = client.get(PAGE).context["result"].lines
    assert ("NOR", "AUS") not in {(line.donor.iso3, line.recipient.iso3) for line in lines}
    accepted_report("NOR", 2024, given("Australia", "5"), number=2)  # a correction, accepted
    data_committed()  # the data's version moves when the write commits (a test's transaction never does)
    lines = client.get(PAGE).context["result"].lines
    assert ("NOR", "AUS") in {(line.donor.iso3, line.recipient.iso3) for line in lines}


def test_a_donor_page_shows_only_their_states_rows(three_states, donor, client_for):
    page = client_for(donor).get(PAGE).content.decode()
    assert "Iraq" in page and "Australia" not in page and "GICHD" not in page


def test_another_states_focal_point_does_not_see_rows_about_laos(three_states, other_focal_point, client_for):
    page = client_for(other_focal_point).get(PAGE).content.decode()
    assert "Lao People" not in page and "ICRC" not in page
    assert "Australia" in page


def test_an_organization_donor_gets_403_and_the_public_must_sign_in(reference_data, client_for):
    organization = make_user(Role.DONOR, organization="Mine Action Fund")
    assert client_for(organization).get(PAGE).status_code == 403
    response = client_for(None).get(PAGE)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(("reports", "years"), [(2, 1), (12, 4)])
def test_page_query_count_does_not_grow_with_reports_or_years(
    reports, years, isu_staff, focal_point, donor, client_for, django_assert_num_queries
):
    states = list(State.objects.order_by("iso3")[:reports])
    for year in range(2024 - years + 1, 2025):
        for n, state in enumerate(states):
            accepted_report(state.iso3, year, given("Laos", str(n + 1)), given("UNMAS", "1"), received("Norway", "2"))
            deliver(make_request(state.iso3, amount="1000"), "NOR", "10", on=D(year, 5, 1))
    reconcile(user=isu_staff, scope=Scope(None))  # every version's Form I copied (the first reader's work)
    for user in (isu_staff, focal_point, donor):
        client = client_for(user)
        with django_assert_num_queries(PAGE_QUERIES):
            response = client.get(PAGE)
        assert response.status_code == 200
        assert response.context["result"].lines
        with django_assert_num_queries(KEPT_PAGE_QUERIES):
            assert client.get(PAGE).context["result"].lines


@pytest.mark.parametrize("reports", [2, 12])
def test_the_first_reader_copies_the_years_form_i_in_two_queries(
    reports, isu_staff, client_for, django_assert_num_queries
):
    for state in State.objects.order_by("iso3")[:reports]:
        accepted_report(state.iso3, 2024, given("Laos", "1"))
        accepted_report(state.iso3, 2023, given("Laos", "1"))
    client = client_for(isu_staff)
    with django_assert_num_queries(PAGE_QUERIES + FIRST_COPY_QUERIES):
        assert client.get(PAGE).status_code == 200
    assert ReportedAssistance.objects.count() == reports  # 2024's only
