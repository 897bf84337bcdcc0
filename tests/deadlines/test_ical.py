"""Calendar feeds: the iCalendar document, and the secret-token URL that serves it.

Every feed is parsed back with ``icalendar`` (as a calendar app would) rather than searched as text.
"""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from icalendar import Calendar

from accounts.models import Role
from ccm_portal.core import data_version
from deadlines import services
from deadlines.calendar import Deadline
from deadlines.ical import build_calendar
from deadlines.models import CalendarFeed
from parties.models import Meeting, MeetingKind, State
from reporting import services as reporting
from reporting.models import ReportKind
from tests.factories import make_user
from tests.reporting.conftest import fill_minimal

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 1, 15)


@pytest.fixture
def today(set_today):
    set_today(TODAY)
    return TODAY


@pytest.fixture
def colombia_fp(reference_data):
    return make_user(Role.FOCAL_POINT, iso3="COL", email="fp.col@example.org")


@pytest.fixture
def next_meeting(reference_data):
    return Meeting.objects.create(
        code="14MSP",
        name="Fourteenth Meeting of States Parties",
        kind=MeetingKind.MSP,
        start_date=dt.date(2026, 9, 14),
        place="Geneva",
        source="test",
    )


def events(body: bytes) -> dict[str, object]:
    """UID → VEVENT of a parsed feed."""
    parsed = Calendar.from_ical(body)
    return {str(event["UID"]): event for event in parsed.walk("VEVENT")}


def get_feed(feed: CalendarFeed, client: Client | None = None):
    return (client or Client()).get(reverse("deadlines:feed", args=[feed.token]))


# --- The document ---------------------------------------------------------------------------
def _deadline(**kw) -> Deadline:
    base = {
        "key": "COL:art4",
        "kind": "clearance",
        "date": dt.date(2026, 3, 1),
        "title": "Clearance deadline (Art. 4)",
        "basis": "Entry into force + 10 years, as extended (Art. 4(1), 4(5))",
        "state_iso3": "COL",
        "state_name": "Colombia",
    }
    return Deadline(**(base | kw))


def test_one_all_day_event_per_deadline_with_a_stable_uid():
    met = _deadline(
        key="COL:annual_report:2024",
        kind="annual_report",
        date=dt.date(2025, 4, 30),
        title="Annual Article 7 report for 2024",
        basis="30 April",
        met=True,
        met_on=dt.date(2025, 4, 2),
    )
    meeting = Deadline(
        key="meeting:14MSP", kind="meeting", date=dt.date(2026, 9, 14), title="14MSP (Geneva)", basis="Art. 11"
    )
    body = build_calendar([_deadline(), met, meeting], name="CCM deadlines: Colombia", today=TODAY)

    parsed = Calendar.from_ical(body)
    assert str(parsed["VERSION"]) == "2.0"
    assert "CCM Portal" in str(parsed["PRODID"])
    assert str(parsed["X-WR-CALNAME"]) == "CCM deadlines: Colombia"
    found = events(body)
    assert set(found) == {"COL:art4@ccm-portal", "COL:annual_report:2024@ccm-portal", "meeting:14MSP@ccm-portal"}

    art4 = found["COL:art4@ccm-portal"]
    assert art4.decoded("DTSTART") == dt.date(2026, 3, 1)  # a date: an all-day event
    assert art4.decoded("DTEND") == dt.date(2026, 3, 2)
    assert art4.decoded("DTSTAMP") == dt.datetime(2026, 1, 15, tzinfo=dt.UTC)
    assert str(art4["SUMMARY"]) == "Colombia: Clearance deadline (Art. 4)"
    assert "Art. 4(1)" in str(art4["DESCRIPTION"]) and "Not met yet" in str(art4["DESCRIPTION"])
    assert [str(c) for c in art4["CATEGORIES"].cats] == ["clearance"]
    (alarm,) = art4.walk("VALARM")
    assert alarm.decoded("TRIGGER") == dt.timedelta(days=-7)
    assert str(alarm["ACTION"]) == "DISPLAY"

    report = found["COL:annual_report:2024@ccm-portal"]
    assert report.walk("VALARM") == []  # met: nothing to be reminded of
    assert "Met on 2 April 2025" in str(report["DESCRIPTION"])
    assert str(found["meeting:14MSP@ccm-portal"]["SUMMARY"]) == "14MSP (Geneva)"


def test_overdue_deadlines_say_so():
    body = build_calendar([_deadline()], name="x", today=dt.date(2026, 3, 2))
    assert "Overdue" in str(events(body)["COL:art4@ccm-portal"]["DESCRIPTION"])


def test_the_same_facts_give_the_same_bytes():
    deadlines = [_deadline(), _deadline(key="COL:annual_report:2025", kind="annual_report", date=dt.date(2026, 4, 30))]
    first = build_calendar(deadlines, name="x", today=TODAY)
    assert build_calendar(list(reversed(deadlines)), name="x", today=TODAY) == first
    assert build_calendar(deadlines, name="x", today=TODAY + dt.timedelta(days=1)) != first  # DTSTAMP follows today


# --- State feeds ----------------------------------------------------------------------------
def test_state_feed_holds_the_states_deadlines_and_the_meetings(colombia_fp, next_meeting, today):
    feed = services.create_feed(user=colombia_fp, state=State.objects.get(iso3="COL"))
    response = get_feed(feed)  # no session: the token is the credential
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "private, max-age=3600"
    found = events(response.content)
    assert found["COL:art4@ccm-portal"].decoded("DTSTART") == dt.date(2026, 3, 1)
    annual = found["COL:annual_report:2025@ccm-portal"]
    assert annual.decoded("DTSTART") == dt.date(2026, 4, 30)  # due 30 April
    assert str(annual["SUMMARY"]) == "Colombia: Annual Article 7 report for 2025"
    assert str(annual["URL"]) == "http://testserver/states/COL/"
    assert "meeting:14MSP@ccm-portal" in found
    # About 12 months back and 36 months ahead; nothing of another State.
    assert "COL:annual_report:2024@ccm-portal" in found  # 30 April 2025
    assert "COL:annual_report:2027@ccm-portal" in found  # 30 April 2028
    assert "COL:annual_report:2023@ccm-portal" not in found  # 30 April 2024: more than a year ago
    assert all(uid.startswith(("COL:", "meeting:")) for uid in found)
    assert "Colombia" in str(Calendar.from_ical(response.content)["X-WR-CALNAME"])


def test_a_submitted_report_shows_as_met_and_loses_its_alarm(colombia_fp, today):
    feed = services.create_feed(user=colombia_fp, state=colombia_fp.state)
    fp, col = colombia_fp, colombia_fp.state
    report = reporting.start_report(state=col, kind=ReportKind.ANNUAL, period_year=2025, actor=fp)
    report = reporting.save_draft(report=report, content=fill_minimal(report), base_revision=0, actor=fp)
    reporting.set_visibility(report=report, visibility="public", actor=fp)
    reporting.submit_report(report=report, actor=fp)
    annual = events(get_feed(feed).content)["COL:annual_report:2025@ccm-portal"]
    assert "Met on" in str(annual["DESCRIPTION"])
    assert annual.walk("VALARM") == []


def test_feed_answers_head_requests_too(colombia_fp, today):
    feed = services.create_feed(user=colombia_fp, state=None)
    assert Client().head(reverse("deadlines:feed", args=[feed.token])).status_code == 200


# --- Personal feeds -------------------------------------------------------------------------
def test_focal_points_personal_feed_holds_their_states_deadlines(focal_point, next_meeting, today):
    feed = services.create_feed(user=focal_point, state=None)
    found = events(get_feed(feed).content)
    assert "LAO:annual_report:2025@ccm-portal" in found
    assert "meeting:14MSP@ccm-portal" in found
    assert all(uid.startswith(("LAO:", "meeting:")) for uid in found)


def test_isu_personal_feed_holds_every_states_deadlines(isu_staff, next_meeting, today):
    feed = services.create_feed(user=isu_staff, state=None)
    found = events(get_feed(feed).content)
    assert {"COL:art4", "LAO:annual_report:2025", "AUS:annual_report:2025"} <= {uid.split("@")[0] for uid in found}
    assert "meeting:14MSP@ccm-portal" in found


@pytest.mark.parametrize("persona", ["donor", "coordinator"])
def test_everyone_elses_personal_feed_holds_the_meetings(request, persona, next_meeting, today):
    feed = services.create_feed(user=request.getfixturevalue(persona), state=None)
    found = events(get_feed(feed).content)
    # Meetings only: the next one, and the reference data's meetings that fall in the feed's window.
    assert "meeting:14MSP@ccm-portal" in found
    assert all(uid.startswith("meeting:") for uid in found)


def test_isu_can_follow_any_state(isu_staff, today):
    feed = services.create_feed(user=isu_staff, state=State.objects.get(iso3="COL"))
    assert "COL:art4@ccm-portal" in events(get_feed(feed).content)


# --- Tokens ---------------------------------------------------------------------------------
def test_unknown_token_is_not_found(reference_data, today):
    assert Client().get("/calendar/not-a-token.ics").status_code == 404


def test_revoked_token_is_not_found(focal_point, today):
    feed = services.create_feed(user=focal_point, state=None)
    assert get_feed(feed).status_code == 200
    services.revoke_feed(feed=feed, user=focal_point)
    assert get_feed(feed).status_code == 404


def test_recreating_a_feed_cuts_off_the_old_url(focal_point, today):
    old = services.create_feed(user=focal_point, state=focal_point.state)
    new = services.create_feed(user=focal_point, state=focal_point.state)
    assert new.token != old.token
    assert get_feed(old).status_code == 404
    assert get_feed(new).status_code == 200


def test_feed_of_an_inactive_owner_is_not_found(focal_point, today):
    feed = services.create_feed(user=focal_point, state=None)
    focal_point.is_active = False
    focal_point.save(update_fields=["is_active"])
    assert get_feed(feed).status_code == 404


def test_state_feed_stops_when_its_owner_no_longer_acts_for_the_state(focal_point, today):
    feed = services.create_feed(user=focal_point, state=focal_point.state)
    focal_point.state = State.objects.get(iso3="AUS")
    focal_point.save(update_fields=["state"])
    assert get_feed(feed).status_code == 404


# --- Queries --------------------------------------------------------------------------------
def _queries(url: str, *, warm: bool = True) -> int:
    client = Client()
    if warm:
        client.get(url)  # warm up (reference rows created on first use, the kept calendar)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_feed_query_counts_are_fixed(colombia_fp, isu_staff, donor, today, django_capture_on_commit_callbacks):
    state_feed = services.create_feed(user=colombia_fp, state=colombia_fp.state)
    personal = services.create_feed(user=colombia_fp, state=None)
    everything = services.create_feed(user=isu_staff, state=None)
    meetings = services.create_feed(user=donor, state=None)
    url = lambda feed: reverse("deadlines:feed", args=[feed.token])  # noqa: E731
    # The feed with its owner and State; then the calendar: obligations, extensions, completion records,
    # reports, reports received outside the portal, meetings, reporting rules. A focal point's own feed also has
    # the internal due dates of the State's forms given to its national contributors: one query more.
    assert _queries(url(state_feed)) == 8
    assert _queries(url(personal)) == 9
    # Every State: the feed, whether its ISU owner had enrolled their authenticator app when the feed was made (a
    # staff feed needs the second factor) and the meetings; every State's deadlines come from the calendar kept
    # until the data changes (deadlines.selectors.calendars), whatever the number of States.
    assert _queries(url(everything)) == 3
    # The first request after a change computes it: the States and the calendar's seven reads.
    with django_capture_on_commit_callbacks(execute=True):
        data_version.bump()
    assert _queries(url(everything), warm=False) == 3 + 8
    # Meetings only: the feed and the meetings.
    assert _queries(url(meetings)) == 2


def test_a_deadline_known_to_its_month_says_so_in_the_feed():
    # Chad's Art. 4 extension runs to "October 2026": the event sits on the month's last day and says so.
    chad = Deadline(
        key="TCD:art4",
        kind="clearance",
        date=dt.date(2026, 10, 31),
        title="Clearance deadline (Art. 4)",
        basis="",
        state_name="Chad",
        precision="month",
    )
    event = Calendar.from_ical(build_calendar([chad], name="x", today=TODAY)).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == "Chad: Clearance deadline (Art. 4) (October 2026; no day given)"
    assert event.decoded("DTSTART") == dt.date(2026, 10, 31)
