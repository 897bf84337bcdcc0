"""Signed-in users' pages: my calendars, my reminders (snooze), "what is due next" on /me/, and the
obligation calendar on a State's page — for the owner, a lesser role and an outsider."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ccm_portal.core import clock
from deadlines import services
from deadlines.models import CalendarFeed, Reminder, ReminderStatus, Snooze
from parties.models import Meeting, MeetingKind, State
from tests.deadlines.test_isu_views import at, submitted_report

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 1, 15)


@pytest.fixture
def today(set_today):
    set_today(TODAY)
    return TODAY


def html(response) -> str:
    return response.content.decode()


# --- Sign-in and methods ----------------------------------------------------------------------
@pytest.mark.parametrize("url", ["/me/reminders/", "/me/calendar/"])
def test_pages_need_sign_in(client, reference_data, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize(
    "url", ["/me/reminders/snooze/", "/me/reminders/unsnooze/", "/me/calendar/new/", "/me/calendar/1/revoke/"]
)
def test_writes_need_sign_in_and_post(client_for, focal_point, url):
    assert client_for(None).post(url).status_code == 302
    assert client_for(focal_point).get(url).status_code == 405


# --- My calendars -----------------------------------------------------------------------------
def test_focal_point_creates_a_personal_and_a_state_feed(client_for, focal_point):
    client = client_for(focal_point)
    page = html(client.get("/me/calendar/"))
    assert "Outlook" in page and "Google Calendar" in page
    assert 'name="state" value="LAO"' in page  # their own State, and no other
    assert 'id="feed-state"' not in page

    response = client.post("/me/calendar/new/", {"state": ""})
    assert response.status_code == 302
    personal = CalendarFeed.objects.get(user=focal_point, state=None, revoked_at=None)
    assert response["Location"] == f"/me/calendar/#feed-{personal.pk}"
    client.post("/me/calendar/new/", {"state": "LAO"})
    state_feed = CalendarFeed.objects.get(user=focal_point, state__iso3="LAO", revoked_at=None)

    page = html(client.get("/me/calendar/"))
    for feed in (personal, state_feed):
        assert f'value="http://testserver/calendar/{feed.token}.ics"' in page  # absolute, ready to paste
        assert f"webcal://testserver/calendar/{feed.token}.ics" in page
        assert reverse("deadlines:feed_revoke", args=[feed.pk]) in page


def test_creating_again_replaces_the_address(client_for, focal_point):
    client = client_for(focal_point)
    client.post("/me/calendar/new/", {"state": "LAO"})
    first = CalendarFeed.objects.get(user=focal_point, revoked_at=None)
    assert "Replace the address for" in html(client.get("/me/calendar/"))
    client.post("/me/calendar/new/", {"state": "LAO"})
    first.refresh_from_db()
    assert first.revoked_at is not None
    assert CalendarFeed.objects.filter(user=focal_point, revoked_at=None).count() == 1
    assert client.get(f"/calendar/{first.token}.ics").status_code == 404


def test_another_states_focal_point_cannot_create_laos_feed(client_for, other_focal_point):
    response = client_for(other_focal_point).post("/me/calendar/new/", {"state": "LAO"})
    assert response.status_code == 403
    assert not CalendarFeed.objects.exists()


@pytest.mark.parametrize("persona", ["donor", "coordinator"])
def test_lesser_roles_get_a_personal_feed_only(request, client_for, persona):
    client = client_for(request.getfixturevalue(persona))
    page = html(client.get("/me/calendar/"))
    assert "Create a personal address" in page and 'name="state" value=""' in page
    assert 'id="feed-state"' not in page and 'value="LAO"' not in page
    assert client.post("/me/calendar/new/", {"state": "LAO"}).status_code == 403
    assert client.post("/me/calendar/new/", {"state": ""}).status_code == 302


def test_isu_picks_any_state(client_for, isu_staff):
    client = client_for(isu_staff)
    page = html(client.get("/me/calendar/"))
    assert '<select id="feed-state" name="state"' in page
    assert '<option value="COL">Colombia</option>' in page
    assert client.post("/me/calendar/new/", {"state": "COL"}).status_code == 302
    assert CalendarFeed.objects.filter(user=isu_staff, state__iso3="COL", revoked_at=None).exists()


def test_unknown_state_is_not_found(client_for, isu_staff):
    assert client_for(isu_staff).post("/me/calendar/new/", {"state": "XXX"}).status_code == 404


def test_owner_revokes_a_feed(client_for, focal_point):
    feed = services.create_feed(user=focal_point, state=None)
    client = client_for(focal_point)
    response = client.post(f"/me/calendar/{feed.pk}/revoke/")
    assert response.status_code == 302 and response["Location"] == "/me/calendar/"
    feed.refresh_from_db()
    assert feed.revoked_at is not None
    assert client.get(f"/calendar/{feed.token}.ics").status_code == 404
    assert feed.token not in html(client.get("/me/calendar/"))


def test_nobody_else_can_revoke_a_feed(client_for, focal_point, other_focal_point, isu_staff):
    feed = services.create_feed(user=focal_point, state=None)
    for outsider in (other_focal_point, isu_staff):
        assert client_for(outsider).post(f"/me/calendar/{feed.pk}/revoke/").status_code == 404
        assert feed.token not in html(client_for(outsider).get("/me/calendar/"))
    feed.refresh_from_db()
    assert feed.revoked_at is None


# --- My reminders -----------------------------------------------------------------------------
def _reminder(user, key, kind, due, offset, status=ReminderStatus.SENT):
    return Reminder.objects.create(
        key=f"{key}|{offset}|{user.pk}",
        deadline_key=key,
        deadline_kind=kind,
        deadline_date=due,
        state=user.state,
        offset_days=offset,
        recipient=user,
        email=user.email,
        status=status,
        for_day=due + dt.timedelta(days=offset),
    )


def test_focal_point_sees_upcoming_deadlines_and_the_reminders_sent(client_for, focal_point, today):
    due = dt.date(2026, 4, 30)
    _reminder(focal_point, "LAO:annual_report:2025", "annual_report", due, -60, ReminderStatus.SENT)
    _reminder(focal_point, "LAO:annual_report:2025", "annual_report", due, -30, ReminderStatus.SKIPPED_BOUNCED)
    response = client_for(focal_point).get("/me/reminders/")
    assert response.status_code == 200
    page = html(response)
    assert "Annual Article 7 report for 2025" in page
    assert "Annual Article 7 report for 2024" not in page  # 30 April 2025: before reminders started
    assert "Annual Article 7 report for 2026" not in page  # 30 April 2027: more than 12 months ahead
    assert "60 days before" in page and "30 days before" in page
    assert "Sent" in page and "Not sent: address bounced before" in page
    assert "In 105 days" in page
    assert 'id="d-lao-annual_report-2025-until"' in page
    assert 'max="2026-04-15"' in page  # 90 days at most
    (row,) = [r for r in response.context["upcoming"] if r.deadline.key == "LAO:annual_report:2025"]
    assert [s["step"] for s in row.steps] == ["60 days before", "30 days before"]


def test_overdue_deadlines_not_met_are_listed(client_for, today, reference_data):
    from accounts.models import Role
    from tests.factories import make_user

    colombia = make_user(Role.FOCAL_POINT, iso3="COL", email="fp.col@example.org")
    due = dt.date(2026, 3, 1)
    _reminder(colombia, "COL:art4", "clearance", due, 14, ReminderStatus.SENT)
    with clock.frozen(dt.date(2026, 3, 20)):
        response = client_for(colombia).get("/me/reminders/")
    assert [r.deadline.key for r in response.context["overdue"]] == ["COL:art4"]
    page = html(response)
    assert "19 days overdue" in page and "overdue 14 days" in page


@pytest.mark.parametrize("persona", ["donor", "coordinator", "isu_staff"])
def test_others_are_told_reminders_go_to_focal_points(request, client_for, persona):
    response = client_for(request.getfixturevalue(persona)).get("/me/reminders/")
    assert response.status_code == 200
    assert "national focal points" in html(response)
    assert "Snooze reminders" not in html(response)


def test_snooze_and_unsnooze(client_for, focal_point, today):
    client = client_for(focal_point)
    key = "LAO:annual_report:2025"
    response = client.post("/me/reminders/snooze/", {"deadline_key": key, "until": "2026-03-01"})
    assert response.status_code == 302
    assert response["Location"] == "/me/reminders/#d-lao-annual_report-2025"
    assert Snooze.objects.get(user=focal_point, deadline_key=key).until == dt.date(2026, 3, 1)
    page = html(client.get("/me/reminders/"))
    assert "Snoozed: no reminder until 1 March 2026." in page
    assert "Stop snoozing" in page

    response = client.post("/me/reminders/unsnooze/", {"deadline_key": key})
    assert response.status_code == 302
    assert not Snooze.objects.filter(user=focal_point).exists()
    assert "Stop snoozing" not in html(client.get("/me/reminders/"))


@pytest.mark.parametrize(
    ("until", "message"),
    [
        ("2026-02-30", "Enter a real day"),
        ("", "Enter a day."),
        ("2026-01-15", "Choose a day after today."),
        ("2026-05-01", "90 days at most"),
    ],
)
def test_bad_snooze_dates_are_explained_and_nothing_is_lost(client_for, focal_point, today, until, message):
    response = client_for(focal_point).post(
        "/me/reminders/snooze/", {"deadline_key": "LAO:annual_report:2025", "until": until}
    )
    assert response.status_code == 400
    page = html(response)
    assert message in page
    assert "There is a problem" in page  # summary, linked to the field
    assert 'href="#d-lao-annual_report-2025-until"' in page
    if until:
        assert f'value="{until}"' in page  # what was typed is still there
    assert not Snooze.objects.exists()


def test_snoozing_another_states_deadline_is_forbidden(client_for, focal_point, other_focal_point, today):
    response = client_for(other_focal_point).post(
        "/me/reminders/snooze/", {"deadline_key": "LAO:annual_report:2025", "until": "2026-02-01"}
    )
    assert response.status_code == 403
    assert not Snooze.objects.exists()


def test_unsnooze_touches_only_ones_own_snoozes(client_for, focal_point, other_focal_point, today):
    services.snooze(user=focal_point, deadline_key="LAO:annual_report:2025", until=dt.date(2026, 2, 1), today=TODAY)
    client_for(other_focal_point).post("/me/reminders/unsnooze/", {"deadline_key": "LAO:annual_report:2025"})
    assert Snooze.objects.filter(user=focal_point).exists()


def test_reminders_page_queries_do_not_grow_with_reminders(client_for, focal_point, today):
    client = client_for(focal_point)

    def queries():
        client.get("/me/reminders/")  # warm up
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/me/reminders/").status_code == 200
        return len(ctx.captured_queries)

    due = dt.date(2026, 4, 30)
    _reminder(focal_point, "LAO:annual_report:2025", "annual_report", due, -60)
    one = queries()
    for offset in range(-59, -40):
        _reminder(focal_point, "LAO:annual_report:2025", "annual_report", due, offset)
    assert Reminder.objects.count() == 20
    # Session, user, State; obligations, extensions, completion records, reports, reports received outside
    # the portal, meetings, reporting rules; reminder settings, reminders, snoozes.
    assert one == queries() == 13


# --- What is due next (/me/) ------------------------------------------------------------------
def test_focal_point_sees_what_their_state_has_due_next(client_for, focal_point):
    page = html(client_for(focal_point).get("/me/"))
    assert "What Lao People&#x27;s Democratic Republic has due next" in page
    assert "Annual Article 7 report for" in page
    assert 'href="/me/reminders/"' in page and 'href="/me/calendar/"' in page


def test_isu_sees_every_states_deadlines_grouped(client_for, isu_staff):
    response = client_for(isu_staff).get("/me/")
    items = response.context["due_next"]
    assert 1 <= len(items) <= 5
    assert any(re.fullmatch(r"\d+ States", item["who"]) for item in items)
    assert "Due next, all States" in html(response)


def test_isu_home_reads_every_states_calendar_once_per_change_of_the_data(
    client_for, isu_staff, today, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    """Every State's calendar is kept until the data changes (deadlines.selectors.calendars), as on the ISU's
    deadline overview: a repeated /me/ reads none of it, and a committed report shows on the next request."""
    client = client_for(isu_staff)
    client.get("/me/")
    with CaptureQueriesContext(connection) as warm:
        first = client.get("/me/")
    assert not [q for q in warm.captured_queries if "parties_obligation" in q["sql"]]
    warm_count = len(warm.captured_queries)
    assert warm_count <= 12  # the session, the user, the second factor, the page's own reads
    assert "Annual Article 7 report for 2025" in html(first), [i["title"] for i in first.context["due_next"]]

    ids = State.objects.exclude(deposit_date=None).values_list("iso3", flat=True)
    with django_capture_on_commit_callbacks(execute=True):
        for iso3 in ids:
            submitted_report(iso3, on=at(dt.date(2026, 1, 10)), period_year=2025)
    after = client.get("/me/")
    assert "Annual Article 7 report for 2025" not in html(after)  # every State's report is in: nothing due
    with django_assert_max_num_queries(warm_count):
        client.get("/me/")


def test_others_see_the_next_meetings(client_for, donor):
    start = timezone.localdate() + dt.timedelta(days=40)  # /me/ counts from the real today
    Meeting.objects.create(
        code="99MSP", name="Ninety-ninth Meeting", kind=MeetingKind.MSP, start_date=start, source="test"
    )
    response = client_for(donor).get("/me/")
    assert [item["title"] for item in response.context["due_next"]] == ["Ninety-ninth Meeting"]
    assert "In 40 days" in html(response)


# --- A State's obligation calendar --------------------------------------------------------------
def test_state_page_lists_the_obligation_calendar(client):
    response = client.get("/states/COL/", {"as_of": "2026-01-15"})
    assert response.status_code == 200
    rows = {row["key"]: row for row in response.context["calendar"]}
    assert rows["COL:art4"]["date"] == dt.date(2026, 3, 1)
    assert rows["COL:art4"]["days_left"] == 45
    assert rows["COL:annual_report:2025"]["date"] == dt.date(2026, 4, 30)
    assert rows["COL:annual_report:2024"]["overdue"]  # 30 April 2025, nothing received
    assert "COL:annual_report:2028" not in rows  # 30 April 2029: more than 36 months ahead
    page = html(response)
    assert "Obligation calendar" in page
    assert "Clearance deadline (Art. 4)" in page and "45 days left" in page
    assert "Signed-in users can subscribe" in page


def test_state_page_calendar_json_twin(client):
    data = client.get("/states/COL/", {"as_of": "2026-01-15", "format": "json"}).json()
    art4 = next(row for row in data["calendar"] if row["key"] == "COL:art4")
    assert art4 == {
        "key": "COL:art4",
        "kind": "clearance",
        "date": "2026-03-01",
        "title": "Clearance deadline (Art. 4)",
        "basis": art4["basis"],
        "met": False,
        "met_on": None,
        "precision": "day",
        "extension_pending_at": "",
    }
    assert {row["kind"] for row in data["calendar"]} >= {"clearance", "annual_report"}


def test_state_page_calendar_is_empty_before_entry_into_force(client, reference_data):
    response = client.get("/states/AGO/")  # a signatory
    assert response.context["calendar"] == []
    assert client.get("/states/AGO/", {"format": "json"}).json()["calendar"] == []


def test_signed_in_users_are_pointed_to_their_calendars(client_for, focal_point):
    page = html(client_for(focal_point).get("/states/COL/"))
    assert 'href="/me/calendar/"' in page


def test_state_page_queries_stay_fixed(client, reference_data):
    def queries(iso3):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/states/{iso3}/").status_code == 200
        return len(ctx.captured_queries)

    queries("AUS")  # warm up
    # Profile: State, obligations, extensions, completion records, Art. 9 records, published reports; calendar:
    # obligations, extensions, completion records, reports, reports received outside the portal, meetings,
    # reporting rules. A State without obligations skips the extension and completion record queries. Plus
    # one for the State's UN sub-region (parties.universalization: the registry once), and one for its
    # country coalition ({% coalition_for %}).
    assert queries("COL") == queries("BGR") == queries("LAO") == 13 + 1 + 1
    assert queries("AUS") == 9 + 1 + 1
    assert State.objects.filter(iso3="AUS", obligations__isnull=True).exists()
