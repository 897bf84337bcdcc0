"""What the ISU sees of the States' national reporting teams: per report being prepared, figures only (forms
given, ready, returned, overdue internally, the nearest internal due date, how many contributors), never who
nor what is written; and, on the review of a submitted report, who was given each form."""

import datetime as dt
import html as html_lib
import re

import pytest
from django.urls import reverse

from accounts.models import Role
from parties.models import State
from reporting import services
from reporting.models import AssignmentStatus, FormAssignment, ReportKind
from tests.factories import make_user
from tests.reporting.conftest import fill_minimal

pytestmark = pytest.mark.django_db

URL = "/isu/reporting-teams/"
# Session and user (the second factor is read from the session), then the page's one read: the reports
# being prepared with their assignments' figures and their State. However many States, reports, forms.
PAGE_QUERIES = 3
# The review page of an initial report (session, user, report, versions, audit trail, comments, check_report's
# own reads) and one query for who was given each form, however many forms.
REVIEW_QUERIES = 8
SECRET = "Draft sentence only the State may read."


@pytest.fixture
def mod(reference_data):
    return make_user(
        Role.CONTRIBUTOR, iso3="LAO", organization="Ministry of Defence", email="mod@example.la", full_name="Khamla S."
    )


@pytest.fixture
def nra(reference_data):
    return make_user(Role.CONTRIBUTOR, iso3="LAO", organization="NRA", email="nra@example.la", full_name="Bounmy P.")


def give(report, focal, code, contributor, due=None, status=None):
    services.assign_form(report=report, form_code=code, contributor=contributor, due_on=due, actor=focal)
    if status:  # the contributor's and the focal point's own steps are the editor's: set here as they end up
        FormAssignment.objects.filter(report=report, form_code=code).update(status=status)


def text(response):
    """The visible text, tags stripped and spaces collapsed."""
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def rows(response):
    """The table's rows as lists of their cells' text."""
    body = re.search(r"<tbody>(.*?)</tbody>", response.content.decode(), re.S)
    if body is None:
        return []
    return [
        [
            " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", cell)).split())
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr, re.S)
        ]
        for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", body.group(1), re.S)
    ]


@pytest.fixture
def team_at_work(focal_point, initial_report, mod, nra):
    """Laos's initial report with four forms given: B (due 1 March, in progress), C (due 20 March, returned),
    F (due 1 February, ready) and G (no date); and a sentence in the draft that stays the State's."""
    report = initial_report
    report.draft["forms"]["A"]["narratives"]["summary"] = SECRET
    report.save()
    give(report, focal_point, "B", mod, dt.date(2027, 3, 1))
    give(report, focal_point, "C", mod, dt.date(2027, 3, 20), AssignmentStatus.RETURNED)
    give(report, focal_point, "F", nra, dt.date(2027, 2, 1), AssignmentStatus.READY)
    give(report, focal_point, "G", nra)
    return report


def test_the_isu_sees_each_teams_figures_and_nothing_else(client_for, isu_staff, team_at_work, lao, set_today):
    set_today(dt.date(2027, 3, 10))
    response = client_for(isu_staff).get(URL)
    assert response.status_code == 200
    state, title, status, due, given, ready, returned, overdue, next_due, contributors = rows(response)[0]
    assert state.startswith(lao.local_name) and title == "Initial report" and status == "Draft"
    assert (given, ready, returned, overdue, contributors) == ("4", "1", "1", "1", "2")  # overdue: B (F is ready)
    assert next_due == "1 Mar 2027"  # the nearest date of a form not ready: B's, already past
    assert due == "not known" or re.fullmatch(r"\d+ \w+ \d{4}", due)
    page = response.content.decode()
    for private in ("Khamla", "Bounmy", "mod@example.la", "nra@example.la", "Ministry of Defence", "NRA", SECRET):
        assert private not in page, private
    # The ISU's navigation leads to it.
    assert f'href="{URL}" aria-current="page"' in page


def test_a_day_later_and_once_every_form_is_ready_nothing_is_overdue(
    client_for, isu_staff, focal_point, team_at_work, set_today
):
    set_today(dt.date(2027, 3, 1))  # B's date is today: not past yet
    assert rows(client_for(isu_staff).get(URL))[0][7] == "0"
    FormAssignment.objects.update(status=AssignmentStatus.READY)
    set_today(dt.date(2027, 12, 31))
    row = rows(client_for(isu_staff).get(URL))[0]
    assert row[4:] == ["4", "4", "0", "0", "— none", "2"]


def test_reports_no_longer_prepared_and_reports_without_a_team_are_left_out(
    client_for, isu_staff, focal_point, initial_report, lao, mod
):
    services.start_report(state=lao, kind=ReportKind.ANNUAL, period_year=2024, actor=focal_point)  # no form given
    response = client_for(isu_staff).get(URL)
    assert rows(response) == [] and "No team at work" in text(response)
    give(initial_report, focal_point, "B", mod)
    initial_report.refresh_from_db()
    content = fill_minimal(initial_report)
    report = services.save_draft(
        report=initial_report, content=content, base_revision=initial_report.revision, actor=focal_point
    )
    services.set_visibility(report=report, visibility="public", actor=focal_point)
    services.submit_report(report=report, actor=focal_point)
    assert rows(client_for(isu_staff).get(URL)) == []  # submitted: the ISU reviews it now


def test_only_isu_reviewers_with_their_second_factor_open_it(
    client_for, isu_staff, isu_staff_without_2fa, focal_point, other_focal_point, mod, coordinator, donor, team_at_work
):
    for user in (focal_point, other_focal_point, mod, coordinator, donor):
        assert client_for(user).get(URL).status_code == 403, user
    response = client_for(isu_staff_without_2fa).get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/me/two-factor/")
    response = client_for(None).get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client_for(isu_staff).post(URL).status_code == 405
    assert client_for(None).post(URL).status_code == 405


@pytest.mark.parametrize("count", [1, 6])
def test_the_page_costs_the_same_queries_however_many_states(client_for, isu_staff, django_assert_num_queries, count):
    states = list(State.objects.filter(deposit_date__isnull=False).order_by("iso3")[:count])
    assert len(states) == count
    for index, state in enumerate(states):
        focal = make_user(Role.FOCAL_POINT, iso3=state.iso3, email=f"fp.{state.iso3.lower()}@example.org")
        report = services.start_report(state=state, kind=ReportKind.INITIAL, period_year=None, actor=focal)
        for n, code in enumerate("BCDEF"[: 1 + index % 5]):
            person = make_user(
                Role.CONTRIBUTOR, iso3=state.iso3, organization=f"Body {n}", email=f"c{n}.{state.iso3}@example.org"
            )
            give(report, focal, code, person, dt.date(2027, 3, 1 + n))
    client = client_for(isu_staff)
    with django_assert_num_queries(PAGE_QUERIES):
        response = client.get(URL)
    assert len(rows(response)) == count


# --- The review names who was given each form ---------------------------------------------------------------
@pytest.mark.parametrize("others", ["", "DEFGHIJ"])
def test_the_review_names_the_contributor_and_body_of_each_form_given(
    client_for, isu_staff, focal_point, initial_report, mod, nra, django_assert_num_queries, others
):
    give(initial_report, focal_point, "B", mod, dt.date(2027, 3, 1), AssignmentStatus.READY)
    for code in others:
        give(initial_report, focal_point, code, nra)
    initial_report.refresh_from_db()
    content = fill_minimal(initial_report)
    report = services.save_draft(
        report=initial_report, content=content, base_revision=initial_report.revision, actor=focal_point
    )
    services.set_visibility(report=report, visibility="public", actor=focal_point)
    services.submit_report(report=report, actor=focal_point)
    client = client_for(isu_staff)
    with django_assert_num_queries(REVIEW_QUERIES):  # one query for who was given the forms, however many
        response = client.get(reverse("reporting:review_detail", args=[report.pk]))
    assert response.status_code == 200
    page = response.content.decode()

    def prepared_by(code):
        section = re.search(rf'<section [^>]*id="form-{code}".*?</section>', page, re.S).group(0)
        cell = re.search(r"<dt>Prepared by</dt><dd>(.*?)</dd>", section, re.S).group(1)
        return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", cell)).split())

    assert prepared_by("B") == "Khamla S. , Ministry of Defence National contributor · Ready for the focal point"
    assert prepared_by("A") == prepared_by("C") == "The State’s focal point"
