"""The ISU deadline overview and reminder log: who may see them, the filters, the figures on
reminder effectiveness, and the number of queries whatever the amount of data."""

import datetime as dt
import html as html_lib
import re
from itertools import count

import pytest
from django.urls import reverse

from accounts import permissions
from accounts.models import Role
from audit.models import AuditEntry
from deadlines.models import Reminder, ReminderSettings, ReminderStatus
from deadlines.selectors.effectiveness import next_step, reminder_effectiveness
from deadlines.selectors.overview import obligation_overview
from parties.models import State
from reporting.models import FormatVersion, Report, ReportKind, ReportStatus, ReportVersion, Visibility
from tests.factories import make_user

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 4, 1)  # 29 days before the 2025 annual reports are due
DUE_2025 = dt.date(2026, 4, 30)
OVERVIEW = reverse("deadlines:isu_deadlines")
LOG = reverse("deadlines:isu_reminders")

# Queries for one page, whatever the number of States, reminders and reports: session and user (the
# second factor is read from the session), then the page's own reads.
# Overview: the reminders recorded per deadline, the reminder settings and the focal points (nobody to remind),
# and the problem reminders; the calendar is kept until the data changes (its eight reads when it does:
# tests/deadlines/test_isu_speed.py).
OVERVIEW_QUERIES = 6
# Log: the States for the filter, the count and the page of reminders, the reports that followed
# them; the effectiveness table: settings, reminders sent, their reports, reports submitted in the
# period and the reminders sent for those.
LOG_QUERIES = 11


# --- Building data ---------------------------------------------------------------------------------
_keys = count()


def at(day: dt.date, hour: int = 6) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)


def remind(
    iso3: str,
    *,
    step: int,
    due: dt.date = DUE_2025,
    key: str | None = None,
    kind: str = "annual_report",
    status: str = ReminderStatus.SENT,
    recipient=None,
    email: str | None = None,
    sent_at: dt.datetime | None = None,
) -> Reminder:
    """A reminder row as the daily run records it (sent at 06:00 UTC on its day unless not sent)."""
    state = State.objects.get(iso3=iso3)
    day = due + dt.timedelta(days=step)
    deadline_key = key or (f"{iso3}:annual_report:{due.year - 1}" if kind == "annual_report" else f"{iso3}:{kind}")
    sent = status == ReminderStatus.SENT
    return Reminder.objects.create(
        key=f"{deadline_key}|{step}|{next(_keys)}",
        deadline_key=deadline_key,
        deadline_kind=kind,
        deadline_date=due,
        state=state,
        offset_days=step,
        recipient=recipient,
        email=email if email is not None else (recipient.email if recipient else ""),
        copy_to_isu=step > 0,
        status=status,
        for_day=day,
        sent_at=(sent_at or at(day)) if sent else None,
    )


def submitted_report(iso3: str, *, on: dt.datetime, period_year: int | None = 2025) -> Report:
    """A report whose first version was submitted at ``on``."""
    author = make_user(Role.ISU_STAFF, email=f"author.{next(_keys)}@example.org")
    fmt = FormatVersion.objects.get(is_current=True)
    report = Report.objects.create(
        state=State.objects.get(iso3=iso3),
        kind=ReportKind.ANNUAL if period_year else ReportKind.INITIAL,
        period_year=period_year,
        format_version=fmt,
        status=ReportStatus.SUBMITTED,
        created_by=author,
        updated_by=author,
    )
    ReportVersion.objects.create(
        report=report,
        number=1,
        content={},
        format_version=fmt,
        visibility=Visibility.PUBLIC,
        submitted_by=author,
        submitted_at=on,
    )
    return report


@pytest.fixture
def today(set_today):
    """The pages' "today" (``clock.today()``), fixed."""
    set_today(TODAY)
    return TODAY


def page(response) -> str:
    return response.content.decode()


def text(response) -> str:
    """The visible text, tags stripped and spaces collapsed."""
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", page(response), flags=re.S)
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def section(response, title_id: str) -> str:
    """The text of the page section headed by the element with id ``title_id``."""
    body = page(response)
    start = body.index(f'id="{title_id}"')
    end = body.find("</section>", start)
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", body[start:end])).split())


# --- Who may see the pages ---------------------------------------------------------------------------
@pytest.mark.parametrize("url", [OVERVIEW, LOG])
def test_isu_staff_see_the_pages(client_for, isu_staff, url):
    response = client_for(isu_staff).get(url)
    assert response.status_code == 200
    assert 'href="/static/css/deadlines-isu.css"' in page(response)


@pytest.mark.parametrize("url", [OVERVIEW, LOG])
def test_isu_staff_without_two_factor_are_sent_to_set_it_up(client_for, isu_staff_without_2fa, url):
    response = client_for(isu_staff_without_2fa).get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:two_factor_setup"))


@pytest.mark.parametrize("persona", ["focal_point", "coordinator", "donor"])
@pytest.mark.parametrize("url", [OVERVIEW, LOG])
def test_everyone_else_signed_in_is_refused(request, client_for, persona, url):
    assert client_for(request.getfixturevalue(persona)).get(url).status_code == 403


@pytest.mark.parametrize("url", [OVERVIEW, LOG])
def test_the_public_is_asked_to_sign_in(client_for, reference_data, url):
    response = client_for(None).get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("url", [OVERVIEW, LOG])
def test_the_pages_only_read(client_for, isu_staff, url):
    assert client_for(isu_staff).post(url).status_code == 405


# --- Deadline overview -----------------------------------------------------------------------------
def test_overdue_come_first_then_upcoming_each_linking_to_the_state(client_for, isu_staff, today):
    response = client_for(isu_staff).get(OVERVIEW)
    body = page(response)
    assert body.index('id="overdue-title"') < body.index('id="upcoming-title"')
    overdue, upcoming = section(response, "overdue-title"), section(response, "upcoming-title")
    # Laos: the 2024 update was due on 30 April 2025, before the portal became the complete record (1 January
    # 2026): with no record of it, it is not "overdue". The 2025 update is due in 29 days.
    assert "Annual Article 7 report for 2024" not in overdue
    assert "Annual Article 7 report for 2025" in upcoming and "29 days" in upcoming
    assert f'href="{reverse("parties:state_detail", args=["LAO"])}"' in body


def test_a_report_submitted_is_no_longer_overdue_and_an_early_one_shows_only_on_request(client_for, isu_staff, today):
    submitted_report("LAO", on=at(dt.date(2025, 6, 1)), period_year=2024)  # late
    submitted_report("LAO", on=at(dt.date(2026, 3, 20)), period_year=2025)  # early
    client = client_for(isu_staff)
    overview = obligation_overview(today=TODAY, region="Asia")
    keys = {row.deadline.key for row in overview.overdue + overview.upcoming}
    assert "LAO:annual_report:2024" not in keys and "LAO:annual_report:2025" not in keys
    assert "JPN:annual_report:2024" not in keys  # no record: never listed as overdue
    assert "JPN:annual_report:2025" in keys

    shown = client.get(OVERVIEW, {"region": "Asia", "include_met": "on", "kind": "annual_report", "days": "30"})
    assert shown.status_code == 200
    upcoming = section(shown, "upcoming-title")
    assert "Lao People's Democratic Republic" in upcoming and "Met on 20 Mar 2026" in upcoming
    assert "Lao People's Democratic Republic" not in section(client.get(OVERVIEW, {"region": "Asia"}), "overdue-title")


def test_filters_by_kind_region_and_days_left(client_for, isu_staff, today):
    rows = obligation_overview(today=TODAY, kind="annual_report", region="Europe", max_days_left=30)
    every = rows.overdue + rows.upcoming
    assert every and all(r.deadline.kind == "annual_report" and r.deadline.region == "Europe" for r in every)
    assert all(r.days_left <= 30 for r in every)
    assert {r.deadline.key for r in rows.upcoming} >= {"NOR:annual_report:2025", "FRA:annual_report:2025"}
    assert all(r.deadline.date == DUE_2025 for r in rows.upcoming)  # the 2026 updates are a year away

    response = client_for(isu_staff).get(OVERVIEW, {"kind": "annual_report", "region": "Europe", "days": "30"})
    assert response.status_code == 200
    listed = section(response, "upcoming-title")
    assert "Norway" in listed and "Australia" not in listed and "Lao People" not in listed
    assert "Filtered" in listed


def test_an_initial_report_deadline_shows_with_its_kind(client_for, isu_staff, today):
    # Vanuatu deposited on 5 September 2025: in force 1 March 2026, initial report due 28 August 2026.
    response = client_for(isu_staff).get(OVERVIEW, {"kind": "initial_report"})
    upcoming = section(response, "upcoming-title")
    assert "Vanuatu" in upcoming and "Initial Article 7 report" in upcoming and "149 days" in upcoming
    assert "Annual Article 7 report" not in upcoming


def test_invalid_filters_are_explained_and_the_valid_ones_still_apply(client_for, isu_staff, today):
    response = client_for(isu_staff).get(OVERVIEW, {"days": "-3", "region": "Africa"})
    assert response.status_code == 400
    assert "There is a problem" in text(response)
    upcoming = section(response, "upcoming-title")
    assert "Chad" in upcoming and "Norway" not in upcoming


def test_each_deadline_shows_the_reminders_recorded_for_it(client_for, isu_staff, today):
    fp = make_user(Role.FOCAL_POINT, iso3="NOR", email="fp.nor@example.org")
    remind("NOR", step=-60, recipient=fp)
    remind("NOR", step=-30, recipient=fp)
    remind("NOR", step=-30, status=ReminderStatus.BOUNCED, email="old@example.org")
    row = next(r for r in obligation_overview(today=TODAY).upcoming if r.deadline.key == "NOR:annual_report:2025")
    assert (row.reminders.recorded, row.reminders.sent, row.reminders.problems) == (3, 2, 1)
    assert row.reminders.last_step == -30 and row.reminders.last_step_label == "30 days before"

    response = client_for(isu_staff).get(OVERVIEW, {"region": "Europe", "days": "30"})
    upcoming = section(response, "upcoming-title")
    assert "2 sent Last step: 30 days before 1 problem" in upcoming


def test_the_problems_panel_tells_the_isu_who_could_not_be_reminded(client_for, isu_staff, today):
    fp = make_user(Role.FOCAL_POINT, iso3="NOR", email="fp.nor@example.org")
    remind("TCD", step=-30, status=ReminderStatus.NO_RECIPIENT)
    remind("TCD", step=-60, status=ReminderStatus.NO_RECIPIENT)
    remind("NOR", step=-60, status=ReminderStatus.NO_RECIPIENT)  # before Norway had a focal point
    remind("NOR", step=-30, status=ReminderStatus.SKIPPED_UNVERIFIED, recipient=fp)
    failed = remind("FRA", step=-30, status=ReminderStatus.FAILED, email="fp.fra@example.org")
    Reminder.objects.filter(pk=failed.pk).update(last_error="451 Temporary local problem")
    remind("DEU", step=-60, status=ReminderStatus.BOUNCED, email="fp.deu@example.org")
    remind("ESP", step=-60, status=ReminderStatus.SENT, email="fp.esp@example.org")
    remind("JPN", step=-60, due=dt.date(2025, 4, 30), status=ReminderStatus.BOUNCED, email="x@example.org")  # old

    response = client_for(isu_staff).get(OVERVIEW)
    problems = section(response, "problems-title")
    nobody, reminders = problems.split("Reminders that did not reach anyone")
    # Every State Party bound by the 2025 update but Norway has nobody to remind of it; Chad's two
    # unsent reminders are counted there rather than listed again.
    assert "States have no active focal point" in nobody
    assert "Annual Article 7 report for 2025, 30 Apr 2026" in nobody and "Chad" in nobody and "Norway" not in nobody
    assert "2 reminders to these States could not go out since 31 Jan 2026." in nobody
    assert "Chad" not in reminders
    assert "Norway NOR Not sent: the State has no focal point Nobody Annual Article 7 report for 2025 1" in reminders
    assert "Norway NOR Not sent: e-mail address not verified" in reminders and "fp.nor@example.org" in reminders
    assert "France FRA Failed after retries 451 Temporary local problem" in reminders
    assert "Germany DEU Address bounced" in reminders
    assert "Spain" not in reminders and "Japan" not in reminders
    assert re.search(r"Reminder problems\s*</a></dt>\s*<dd class=\"stat-value\">4</dd>", page(response))


def forty_states_reminded(*, submitted_on: dt.date, period_year: int) -> None:
    """Forty States Parties with a focal point each, two reminders sent and a bounced one; a third of them
    submitted their report of ``period_year`` on ``submitted_on``: rows that must not cost queries."""
    states = list(State.objects.exclude(deposit_date=None).order_by("iso3")[:40])
    for i, state in enumerate(states):
        fp = make_user(Role.FOCAL_POINT, iso3=state.iso3, email=f"fp{i}@example.org")
        for step in (-60, -30):
            remind(state.iso3, step=step, recipient=fp)
        remind(state.iso3, step=-30, status=ReminderStatus.BOUNCED, email=f"old{i}@example.org")
        if i % 3 == 0:
            submitted_report(state.iso3, on=at(submitted_on), period_year=period_year)


def test_overview_queries_do_not_grow_with_the_data(client_for, isu_staff, today, django_assert_num_queries):
    client = client_for(isu_staff)
    remind("LAO", step=-60, status=ReminderStatus.NO_RECIPIENT)
    client.get(OVERVIEW)  # settings rows created once
    with django_assert_num_queries(OVERVIEW_QUERIES):
        few = client.get(OVERVIEW)

    forty_states_reminded(submitted_on=dt.date(2025, 5, 1), period_year=2024)
    with django_assert_num_queries(OVERVIEW_QUERIES):
        many = client.get(OVERVIEW, {"include_met": "on"})
    assert few.status_code == many.status_code == 200
    assert text(many).count("Address bounced") == 40


# --- Reminder log ------------------------------------------------------------------------------------
def test_the_log_says_what_went_to_whom_and_whether_the_report_followed(client_for, isu_staff, today):
    fp = make_user(Role.FOCAL_POINT, iso3="NOR", email="fp.nor@example.org", full_name="Kari Nordmann")
    remind("NOR", step=-60, recipient=fp, due=dt.date(2026, 4, 30))
    submitted_report("NOR", on=at(dt.date(2026, 3, 11), 12), period_year=2025)
    remind("JPN", step=14, email="fp.jpn@example.org", due=dt.date(2026, 1, 28), kind="clearance", key="JPN:art4")
    remind("TCD", step=-30, status=ReminderStatus.NO_RECIPIENT)

    response = client_for(isu_staff).get(LOG, {"since": "2026-01-01", "until": "2026-04-01"})
    assert response.status_code == 200
    log = section(response, "log-title")
    assert "3 reminders from 1 Jan 2026 to 1 Apr 2026" in log
    assert (
        "Norway NOR 1 Mar 2026 Annual Article 7 report for 2025 due 30 Apr 2026 60 days before "
        "Kari Nordmann fp.nor@example.org Sent 1 Mar 2026, 07:00 Submitted 11 Mar 2026 10 days after this reminder"
    ) in log
    assert "Japan JPN 11 Feb 2026 Art. 4 clearance due 28 Jan 2026 14 days overdue" in log
    assert "Copied to the ISU" in log and "Not a report" in log
    assert "Chad TCD 31 Mar 2026" in log and "Nobody Not sent: the State has no focal point Not submitted yet" in log


def test_the_log_filters_by_period_status_and_state(client_for, isu_staff, today):
    remind("NOR", step=-60, email="fp.nor@example.org")
    remind("NOR", step=-30, status=ReminderStatus.BOUNCED, email="fp.nor@example.org")
    remind("FRA", step=-30, status=ReminderStatus.NO_RECIPIENT)
    remind("FRA", step=-60, due=dt.date(2025, 4, 30), email="fp.fra@example.org")  # March 2025
    client = client_for(isu_staff)

    def listed(**params):
        response = client.get(LOG, params)
        assert response.status_code == 200
        return re.search(r"(\d+) reminders? from", text(response)).group(1)

    assert listed() == "3"  # the last 90 days by default
    assert listed(since="2025-01-01") == "4"
    assert listed(status="problems") == "2"
    assert listed(status="sent", since="2025-01-01") == "2"
    assert listed(state="FRA", since="2025-01-01") == "2"
    assert listed(state="NOR", status="bounced") == "1"
    assert listed(since="2025-01-01", until="2025-12-31") == "1"

    wrong = client.get(LOG, {"since": "2026-03-01", "until": "2026-02-01"})
    assert wrong.status_code == 400 and "Choose a day on or after the first day." in text(wrong)


def test_the_log_is_paginated_with_the_filters_kept(client_for, isu_staff, today):
    states = list(State.objects.exclude(deposit_date=None).order_by("iso3")[:60])
    for state in states:
        remind(state.iso3, step=-60, email=f"fp.{state.iso3.lower()}@example.org")
        remind(state.iso3, step=-30, email=f"fp.{state.iso3.lower()}@example.org")
    client = client_for(isu_staff)
    first = client.get(LOG, {"status": "sent"})
    assert "120 reminders" in text(first) and "Page 1 of 3" in text(first)
    rows = re.findall(r'<th scope="row"><a href="/states/', page(first))
    assert len(rows) == 50
    assert 'href="?status=sent&amp;page=2"' in page(first)
    last = client.get(LOG, {"status": "sent", "page": "3"})
    assert len(re.findall(r'<th scope="row"><a href="/states/', page(last))) == 20
    assert client.get(LOG, {"page": "99"}).status_code == 200  # the last page


def test_log_queries_do_not_grow_with_the_data(client_for, isu_staff, today, django_assert_num_queries):
    client = client_for(isu_staff)
    remind("LAO", step=-30, email="fp.lao@example.org")
    submitted_report("LAO", on=at(dt.date(2026, 3, 5)))
    client.get(LOG)
    with django_assert_num_queries(LOG_QUERIES):
        few = client.get(LOG)

    for i, state in enumerate(State.objects.exclude(deposit_date=None).exclude(iso3="LAO").order_by("iso3")[:60]):
        for step in (-60, -30):
            remind(state.iso3, step=step, email=f"fp{i}@example.org")
        remind(state.iso3, step=14, due=dt.date(2026, 1, 28), kind="clearance", key=f"{state.iso3}:art4")
        if i % 2:
            submitted_report(state.iso3, on=at(dt.date(2026, 3, 10) + dt.timedelta(days=i % 20)))
    with django_assert_num_queries(LOG_QUERIES):
        many = client.get(LOG, {"page": "2"})
    assert few.status_code == many.status_code == 200
    assert "Page 2 of 4" in text(many)


# --- Reminder effectiveness ---------------------------------------------------------------------------
@pytest.fixture
def constructed_case(reference_data):
    """Five States' 2025 annual updates (due 30 April 2026), default steps −60, −30, −7, 0, +14, +28…

    - Norway: reminded at −60 (1 March), submitted 15 March: followed −60, on time.
    - France: reminded at −60, −30, −7 (23 April), submitted 25 April: followed −7 only, on time.
    - Germany: reminded up to +14 (14 May), submitted 20 May: followed +14, late.
    - Spain: two focal points at −60, reminded up to +28, never submitted.
    - Japan: submitted 20 April without any reminder.
    - Chile: a reminder that was not sent (no focal point) is not counted.
    """
    ReminderSettings.current()
    remind("NOR", step=-60)
    submitted_report("NOR", on=at(dt.date(2026, 3, 15), 12))
    for step in (-60, -30, -7):
        remind("FRA", step=step)
    submitted_report("FRA", on=at(dt.date(2026, 4, 25), 12))
    for step in (-60, -30, -7, 0, 14):
        remind("DEU", step=step)
    submitted_report("DEU", on=at(dt.date(2026, 5, 20), 12))
    remind("ESP", step=-60, email="one@example.org")
    for step in (-60, -30, -7, 0, 14, 28):
        remind("ESP", step=step, email="two@example.org")
    submitted_report("JPN", on=at(dt.date(2026, 4, 20), 12))
    remind("CHL", step=-60, status=ReminderStatus.NO_RECIPIENT)


def test_effectiveness_counts_each_step_on_a_constructed_case(constructed_case):
    result = reminder_effectiveness(
        since=dt.date(2026, 1, 1), until=dt.date(2026, 6, 30), now=at(dt.date(2026, 6, 30), 12)
    )
    table = {
        s.offset: (s.emails, s.reports, s.followed, s.waiting, s.followed_rate, s.on_time, s.on_time_rate)
        for s in result.steps
    }
    assert table == {
        -60: (5, 4, 1, 0, 25, 2, 50),  # Spain's two focal points: two e-mails, one report
        -30: (3, 3, 0, 0, 0, 1, 33),  # France came in after the −7 reminder, not before it
        -7: (3, 3, 1, 0, 33, 1, 33),
        0: (2, 2, 0, 0, 0, 0, 0),
        14: (2, 2, 1, 0, 50, 0, None),  # on time means nothing once overdue
        28: (1, 1, 0, 0, 0, 0, None),
    }
    assert [s.next_offset for s in result.steps] == [-30, -7, 0, 14, 28, 42]
    assert (result.submitted, result.submitted_after_reminder, result.submitted_without_reminder) == (4, 3, 1)
    assert result.submitted_on_time == 3  # Norway, France, Japan


def test_a_report_resubmitted_in_the_period_counts_where_it_was_first_submitted(constructed_case):
    """Norway's report came in on 15 March; a second version on 10 June is not a new submission: a period from
    1 June counts nothing for it, a period holding 15 March counts it once."""
    report = Report.objects.get(state__iso3="NOR", period_year=2025)
    first = report.versions.get()
    ReportVersion.objects.create(
        report=report,
        number=2,
        content={},
        format_version=first.format_version,
        visibility=Visibility.PUBLIC,
        submitted_by=first.submitted_by,
        submitted_at=at(dt.date(2026, 6, 10), 12),
    )
    june = reminder_effectiveness(since=dt.date(2026, 6, 1), until=dt.date(2026, 6, 30), now=at(dt.date(2026, 6, 30)))
    assert june.submitted == 0
    spring = reminder_effectiveness(
        since=dt.date(2026, 3, 1), until=dt.date(2026, 6, 30), now=at(dt.date(2026, 6, 30), 12)
    )
    assert spring.submitted == 4  # Norway, France, Germany, Japan: Norway once


def test_effectiveness_with_a_reminder_still_waiting(reference_data):
    remind("NOR", step=-30)
    result = reminder_effectiveness(
        since=dt.date(2026, 1, 1), until=dt.date(2026, 4, 10), now=at(dt.date(2026, 4, 10), 12)
    )
    (step,) = result.steps
    assert (step.reports, step.followed, step.waiting, step.followed_rate) == (1, 0, 1, None)
    assert (step.on_time, step.not_due_yet, step.on_time_rate) == (0, 1, None)


def test_later_overdue_notices_are_added_up_in_one_row(reference_data):
    # Norway's 2024 update, due 30 April 2025: notices at +56 (25 June), +70 (9 July), +84 (23 July);
    # submitted on 30 July, before the +98 notice (6 August).
    for step in (56, 70, 84):
        remind("NOR", step=step, due=dt.date(2025, 4, 30))
    submitted_report("NOR", on=at(dt.date(2025, 7, 30), 12), period_year=2024)
    result = reminder_effectiveness(
        since=dt.date(2025, 1, 1), until=dt.date(2025, 12, 31), now=at(dt.date(2025, 12, 31))
    )
    rows = {(s.offset, s.later): (s.emails, s.reports, s.followed, s.followed_rate) for s in result.steps}
    assert rows == {(56, False): (1, 1, 0, 0), (70, True): (2, 2, 1, 50)}
    assert result.steps[-1].label == "Later overdue notices (from 70 days)"
    # The deadline came before reminders were tracked (1 January 2026): not among the reports counted.
    assert result.submitted == 0


def test_the_next_step_follows_the_settings():
    rules = ReminderSettings(days_before=[60, 30, 7, 0], overdue_every_days=14)
    assert [next_step(s, rules) for s in (-60, -30, -7, 0, 14, 20)] == [-30, -7, 0, 14, 28, 28]
    rules = ReminderSettings(days_before=[45, 10], overdue_every_days=0)
    assert [next_step(s, rules) for s in (-45, -10, 0, 14)] == [-10, 0, None, None]


def test_the_log_page_shows_the_effectiveness_table_and_its_definitions(client_for, isu_staff, constructed_case):
    response = client_for(isu_staff).get(LOG, {"since": "2026-01-01", "until": "2026-06-30"})
    assert response.status_code == 200
    figures = section(response, "effectiveness-title")
    assert "60 days before next: 30 days before 5 4 1 25% 2 50%" in figures
    assert "7 days before next: the deadline 3 3 1 33% 1 33%" in figures
    assert "14 days overdue next: 28 days overdue 2 2 1 50%" in figures
    assert "Reports submitted in the period 4" in figures
    assert "… after at least one reminder 3" in figures and "… with no reminder at all 1" in figures
    assert "How these figures are counted" in figures and "before the day of the next step" in figures


# --- Admin -------------------------------------------------------------------------------------------
@pytest.fixture
def deadlines_admin(monkeypatch):
    """The admin permission the ISU needs (accounts.permissions._MODEL_CAPABILITIES)."""
    monkeypatch.setitem(permissions._MODEL_CAPABILITIES, "deadlines", permissions.Capability.REVIEW_REPORTS)


def test_the_isu_edits_reminder_settings_in_the_admin_audited(client_for, isu_staff, deadlines_admin):
    rules = ReminderSettings.current()
    client = client_for(isu_staff)
    url = reverse("admin:deadlines_remindersettings_change", args=[rules.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "days_before": "90, 30, 7, 0",
            "overdue_every_days": "7",
            "kinds": ["initial_report", "annual_report"],
            "tracking_starts_on": "2026-01-01",
            "isu_email": "isu@cmconvention.org",
            "batch_size": "20",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    rules.refresh_from_db()
    assert rules.days_before == [90, 30, 7, 0] and rules.overdue_every_days == 7
    assert rules.batch_size == 20, "the e-mails per batch are the ISU's to set"
    assert rules.kinds == ["initial_report", "annual_report"]
    entry = AuditEntry.objects.get(action="deadlines.settings.changed")
    assert entry.changes["days_before"] == [[60, 30, 7, 0], [90, 30, 7, 0]]
    bad = client.post(
        url,
        {"days_before": "60, soon", "overdue_every_days": "14", "tracking_starts_on": "2026-01-01", "batch_size": "50"},
    )
    assert bad.status_code == 200 and "is not a whole number of days" in bad.content.decode()
    assert client.get(reverse("admin:deadlines_remindersettings_add")).status_code == 403
    assert client.post(reverse("admin:deadlines_remindersettings_delete", args=[rules.pk])).status_code == 403


def test_reminders_snoozes_and_feeds_are_read_only_in_the_admin(client_for, isu_staff, deadlines_admin, today):
    reminder = remind("NOR", step=-30, email="fp.nor@example.org")
    client = client_for(isu_staff)
    listing = client.get(reverse("admin:deadlines_reminder_changelist"), {"status__exact": "sent"})
    assert listing.status_code == 200 and "NOR:annual_report:2025" in listing.content.decode()
    assert client.get(reverse("admin:deadlines_reminder_change", args=[reminder.pk])).status_code == 200
    assert client.get(reverse("admin:deadlines_reminder_add")).status_code == 403
    assert client.post(reverse("admin:deadlines_reminder_delete", args=[reminder.pk])).status_code == 403
    for model in ("snooze", "calendarfeed"):
        assert client.get(reverse(f"admin:deadlines_{model}_changelist")).status_code == 200
        assert client.get(reverse(f"admin:deadlines_{model}_add")).status_code == 403
