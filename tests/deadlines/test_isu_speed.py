"""The ISU's deadline overview at volume: every State's calendar computed once per change of the data (kept in the
cache under the data's version, today and the language), the reminders and focal points read on every request,
the upcoming deadlines a page at a time, and the same number of queries for a few States as for many."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.urls import reverse

from accounts.models import Role
from ccm_portal.core import data_version
from deadlines.models import ReminderStatus
from deadlines.selectors.overview import obligation_overview
from deadlines.views import isu
from deadlines.views.isu import UPCOMING_PAGE_SIZE
from tests.deadlines.test_isu_views import (
    OVERVIEW,
    OVERVIEW_QUERIES,
    TODAY,
    at,
    forty_states_reminded,
    page,
    remind,
    section,
    submitted_report,
)
from tests.factories import make_user

pytestmark = pytest.mark.django_db

# The calendar's eight reads (States, obligations, their extensions and completion records, meetings, report
# versions, reports received outside the portal, reporting rules: ``deadlines.calendar.load``) come on top when
# the data changed since the calendar was last computed.
OVERVIEW_COLD_QUERIES = OVERVIEW_QUERIES + 8


@pytest.fixture
def today(set_today):
    set_today(TODAY)
    return TODAY


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Runs ``write`` and then what its commit runs (the data's version moves by itself on a write to the
    tracked models), and forgets those callbacks as a commit does, so the next write moves the version again."""

    def run(write):
        before, start = data_version.current()[0], len(connection.run_on_commit)
        with django_capture_on_commit_callbacks(execute=True):
            result = write()
        del connection.run_on_commit[start:]
        assert data_version.current()[0] != before, "the write moved the data's version"
        return result

    return run


def upcoming_states(response) -> list[str]:
    body = page(response)
    start = body.index('id="upcoming-title"')
    return re.findall(
        r'<th scope="row">\s*<a href="/states/([A-Z]{3})/">', body[start : body.find("</section>", start)]
    )


def test_a_committed_report_shows_on_the_next_request(client_for, isu_staff, today, committed):
    client = client_for(isu_staff)
    asia = {"region": "Asia", "kind": "annual_report", "days": "30", "include_met": "on"}
    before = section(client.get(OVERVIEW, asia), "upcoming-title")
    assert "Lao People's Democratic Republic" in before and "Met on" not in before

    committed(lambda: submitted_report("LAO", on=at(dt.date(2026, 3, 20)), period_year=2025))
    after = section(client.get(OVERVIEW, asia), "upcoming-title")
    assert "Lao People's Democratic Republic" in after and "Met on 20 Mar 2026" in after
    # Met deadlines are left out unless asked for.
    assert "Lao People" not in section(client.get(OVERVIEW, {"region": "Asia", "days": "30"}), "upcoming-title")


def test_an_uncommitted_change_is_not_shown_from_the_kept_calendar_but_reminders_always_are(
    client_for, isu_staff, today
):
    """What the data's version does not follow is read on every request: the reminders recorded and who has a
    focal point; the calendar itself is kept until the version moves (a commit), which this test does not do."""
    client = client_for(isu_staff)
    europe = {"region": "Europe", "days": "30"}
    first = client.get(OVERVIEW, europe)
    assert "None yet" in section(first, "upcoming-title")

    fp = make_user(Role.FOCAL_POINT, iso3="NOR", email="fp.nor@example.org")
    remind("NOR", step=-30, recipient=fp)
    remind("NOR", step=-30, status=ReminderStatus.BOUNCED, email="old@example.org")
    response = client.get(OVERVIEW, europe)
    assert "1 sent Last step: 30 days before 1 problem" in section(response, "upcoming-title")
    assert "Norway NOR Address bounced" in section(response, "problems-title")

    submitted_report("NOR", on=at(dt.date(2026, 3, 20)), period_year=2025)  # not committed: no new version
    assert "Norway" in section(client.get(OVERVIEW, europe), "upcoming-title")


def test_the_upcoming_deadlines_come_a_page_at_a_time_with_nothing_left_out(client_for, isu_staff, today):
    client = client_for(isu_staff)
    expected = [row.deadline.state_iso3 for row in obligation_overview(today=TODAY).upcoming]
    assert len(expected) > 2 * UPCOMING_PAGE_SIZE  # two years of every State's annual reports

    first = client.get(OVERVIEW)
    heading = section(first, "upcoming-title")
    assert f"Upcoming {len(expected)}" in heading
    assert f"Deadlines 1 to {UPCOMING_PAGE_SIZE} of {len(expected)}" in heading
    assert 'rel="next"' in page(first)
    shown, number = [], 1
    while True:
        response = client.get(OVERVIEW, {"page": number})
        assert response.status_code == 200
        shown += upcoming_states(response)
        if 'rel="next"' not in page(response):
            break
        number += 1
    assert shown == expected


def test_the_pages_keep_the_filters(client_for, isu_staff, today):
    response = client_for(isu_staff).get(OVERVIEW, {"kind": "annual_report", "page": "2"})
    assert response.status_code == 200
    assert "Filtered" in section(response, "upcoming-title")
    assert re.search(r'href="\?kind=annual_report&amp;page=1"', page(response))
    assert "Initial Article 7 report" not in section(response, "upcoming-title")


def test_each_row_links_to_the_state_and_its_reminders(client_for, isu_staff, today):
    fp = make_user(Role.FOCAL_POINT, iso3="NOR", email="fp.nor@example.org")
    remind("NOR", step=-30, recipient=fp)
    response = client_for(isu_staff).get(OVERVIEW, {"region": "Europe", "days": "30"})
    body = page(response)
    log = reverse("deadlines:isu_reminders")
    assert f'<a href="{reverse("parties:state_detail", args=["NOR"])}">Norway</a>' in body
    assert f'href="{log}?state=NOR&amp;since=2025-01-01">1 sent</a>' in body
    assert '<time datetime="2026-04-30">30 April 2026</time>' in body
    assert '<span class="days">29 days</span>' in body


def test_overview_queries_cold_and_warm_do_not_grow_with_the_data(
    client_for, isu_staff, today, committed, django_assert_num_queries
):
    client = client_for(isu_staff)
    remind("LAO", step=-60, status=ReminderStatus.NO_RECIPIENT)
    client.get(OVERVIEW)  # the settings row created once
    committed(data_version.bump)
    with django_assert_num_queries(OVERVIEW_COLD_QUERIES):
        client.get(OVERVIEW)
    with django_assert_num_queries(OVERVIEW_QUERIES):
        few = client.get(OVERVIEW)

    committed(lambda: forty_states_reminded(submitted_on=dt.date(2026, 3, 1), period_year=2025))
    with django_assert_num_queries(OVERVIEW_COLD_QUERIES):
        cold = client.get(OVERVIEW, {"include_met": "on"})
    with django_assert_num_queries(OVERVIEW_QUERIES):
        many = client.get(OVERVIEW, {"include_met": "on"})
    assert few.status_code == cold.status_code == many.status_code == 200
    assert page(cold) == page(many).replace(_nonce(many), _nonce(cold)).replace(_csrf(many), _csrf(cold))
    assert page(many).count("Address bounced") == 40
    assert "Met on 1 Mar 2026" in section(many, "upcoming-title")


def _nonce(response) -> str:
    found = re.search(r'nonce="([^"]+)"', page(response))
    return found.group(1) if found else "\0"


def _csrf(response) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page(response))
    return found.group(1) if found else "\0"


def test_a_row_is_rendered_once_for_the_same_words_and_again_when_they_change(client_for, isu_staff, today):
    """Each row's HTML is kept per process by all it shows (deadlines.views.isu._rows): a repeat renders no row,
    and a row whose reminders changed is rendered anew with the change."""
    isu._ROW_HTML.entries.clear()
    client = client_for(isu_staff)
    europe = {"region": "Europe", "days": "30"}
    first = client.get(OVERVIEW, europe)
    row = "deadlines/isu/_deadline_row.html"
    assert [t.name for t in first.templates].count(row) >= 3
    again = client.get(OVERVIEW, europe)
    assert row not in [t.name for t in again.templates]
    assert section(again, "upcoming-title") == section(first, "upcoming-title")

    fp = make_user(Role.FOCAL_POINT, iso3="NOR", email="fp.nor@example.org")
    remind("NOR", step=-30, recipient=fp)
    changed = client.get(OVERVIEW, europe)
    assert [t.name for t in changed.templates].count(row) == 1  # Norway's row alone
    assert "1 sent Last step: 30 days before" in section(changed, "upcoming-title")


def test_the_unbound_filter_fields_are_rendered_once_and_a_bound_form_keeps_what_was_chosen(
    client_for, isu_staff, today
):
    isu._UNBOUND_FILTER_FIELDS.entries.clear()
    client = client_for(isu_staff)
    fields = "deadlines/isu/_overview_filter_fields.html"
    first = client.get(OVERVIEW)
    assert fields in [t.name for t in first.templates]
    again = client.get(OVERVIEW)
    assert fields not in [t.name for t in again.templates]
    assert '<option value="" selected>All regions</option>' in page(again)
    chosen = client.get(OVERVIEW, {"region": "Europe", "days": "abc"})
    assert chosen.status_code == 400
    assert '<option value="Europe" selected>' in page(chosen) and 'value="abc"' in page(chosen)
