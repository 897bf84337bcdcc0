"""The national reporting team's internal due dates (issue 19): a contributor is reminded of each form given to them
before its internal due date and, once it has passed, told with the State's focal points, on the team's own
schedule (``ReminderSettings.team_*``), once per step, through the treaty reminders' machinery; and follows the
dates in a calendar feed and on their reminders page. Internal reminders never count among the ISU's treaty
reminders."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import Role
from deadlines import services, tasks
from deadlines.models import DeadlineKind, Reminder, ReminderSettings, ReminderStatus
from deadlines.selectors.effectiveness import reminder_effectiveness
from deadlines.selectors.reminders import reminders_sent
from reporting import services as reporting
from reporting.models import AssignmentStatus, FormAssignment, ReportKind
from tests.factories import make_user
from tests.helpers import wait_for

pytestmark = pytest.mark.django_db

DUE = dt.date(2027, 3, 10)  # no treaty reminder of Laos's falls on the days below (30 April: 1 and 31 March)
INTERNAL = "(internal due date)"


@pytest.fixture
def report(focal_point):
    return reporting.start_report(state=focal_point.state, kind=ReportKind.INITIAL, period_year=None, actor=focal_point)


def give(report, code, contributor, due, actor):
    return reporting.assign_form(report=report, form_code=code, contributor=contributor, due_on=due, actor=actor)


def internal_mail(since=0):
    return [m for m in mail.outbox[since:] if INTERNAL in m.subject]


@pytest.fixture
def run(set_today, django_capture_on_commit_callbacks):
    """``run(day)``: the day's reminder task as beat starts it (treaty deadlines, then the teams' internal dates),
    its batches sent; the internal e-mails it sent, as (recipient, subject)."""

    def run_on(day):
        set_today(day)
        before = len(mail.outbox)
        with django_capture_on_commit_callbacks(execute=True):
            tasks.run_daily_reminders.apply().get()
        return [(m.to[0], m.subject) for m in internal_mail(before)]

    return run_on


def test_reminders_before_and_after_the_internal_due_date_once_each(run, report, focal_point, mod, nra):
    give(report, "B", mod, DUE, focal_point)
    give(report, "F", nra, None, focal_point)  # no internal date: never reminded
    sent = {}
    day = dt.date(2027, 2, 20)
    while day <= dt.date(2027, 3, 25):
        if got := run(day):
            sent[day] = sorted(to for to, _subject in got)
        assert run(day) == []  # the same day again (beat runs every hour): nothing more
        day += dt.timedelta(days=1)
    # The team's schedule (7 and 1 days before, then every 7 days overdue), the focal point told once overdue.
    assert sent == {
        dt.date(2027, 3, 3): ["mod@example.la"],
        dt.date(2027, 3, 9): ["mod@example.la"],
        dt.date(2027, 3, 17): ["fp.lao@example.org", "mod@example.la"],
        dt.date(2027, 3, 24): ["fp.lao@example.org", "mod@example.la"],
    }
    first = next(m for m in mail.outbox if m.to == ["mod@example.la"])
    assert first.subject == (
        "[CCM Portal] Form B due in 7 days (internal due date): Initial report, Lao People's Democratic Republic"
    )
    form_url = reverse("reporting:report_form", args=[report.pk, "B"])
    assert "B — Stockpiles and destruction" in first.body
    assert "10 March 2027" in first.body
    assert form_url in first.body and form_url in first.alternatives[0][0]
    assert not first.cc  # the ISU is not copied on a State's internal dates
    to_focal_point = next(m for m in mail.outbox if m.to == ["fp.lao@example.org"] and INTERNAL in m.subject)
    assert "overdue by 7 days" in to_focal_point.subject
    assert f"given to {mod.full_name} (Ministry of Defence), was due 7 days ago" in to_focal_point.body
    # Each one a row of its own, sent once.
    rows = Reminder.objects.filter(deadline_kind=DeadlineKind.INTERNAL)
    assert rows.count() == 6 and set(rows.values_list("status", flat=True)) == {ReminderStatus.SENT}


def test_the_isu_changes_the_teams_schedule(run, report, focal_point, mod):
    rules = ReminderSettings.current()
    rules.team_days_before, rules.team_overdue_every_days = [3, 0], 0
    rules.save()
    give(report, "B", mod, DUE, focal_point)
    assert run(dt.date(2027, 3, 3)) == []  # 7 days before: no longer a step
    assert [to for to, _s in run(dt.date(2027, 3, 7))] == ["mod@example.la"]
    assert "due today" in run(DUE)[0][1]
    assert run(dt.date(2027, 3, 17)) == []  # no overdue notices


def test_a_ready_form_is_not_reminded_and_a_queued_reminder_is_not_sent(run, report, focal_point, mod, set_today):
    give(report, "B", mod, DUE, focal_point)
    day = dt.date(2027, 3, 3)
    set_today(day)
    services.team.run_team_reminders(today=day)  # recorded and queued; the batch's message not yet taken
    queued = Reminder.objects.get(deadline_kind=DeadlineKind.INTERNAL)
    # The contributor marks the form ready before the batch goes out (reporting's service, tested there).
    FormAssignment.objects.filter(report=report, form_code="B").update(status=AssignmentStatus.READY)
    assert services.send_reminders(reminder_ids=[queued.pk]) == 0
    queued.refresh_from_db()
    assert queued.status == ReminderStatus.NO_LONGER_DUE
    assert internal_mail() == []
    assert run(dt.date(2027, 3, 9)) == [] and run(dt.date(2027, 3, 17)) == []  # nor reminded again
    assert Reminder.objects.filter(deadline_kind=DeadlineKind.INTERNAL).count() == 1


def test_a_changed_due_date_reminds_again_and_a_form_taken_back_stops(run, report, focal_point, mod, nra, set_today):
    give(report, "B", mod, DUE, focal_point)
    assert len(run(dt.date(2027, 3, 9))) == 1
    give(report, "B", mod, dt.date(2027, 3, 16), focal_point)  # a week more
    # The same day again: 7 days before the new date, a reminder of its own (it was 1 day before the old one).
    assert [subject for _to, subject in run(dt.date(2027, 3, 9))] == [
        "[CCM Portal] Form B due in 7 days (internal due date): Initial report, Lao People's Democratic Republic"
    ]
    assert run(dt.date(2027, 3, 9)) == []
    assert [to for to, _s in run(dt.date(2027, 3, 15))] == ["mod@example.la"]  # one day before the new date
    assert run(dt.date(2027, 3, 17)) == []  # the old date's overdue notice: not due
    # Queued, then the date moved or the form given to someone else or taken back: not sent.
    day = dt.date(2027, 3, 23)
    set_today(day)
    services.team.run_team_reminders(today=day)
    queued = list(Reminder.objects.filter(status=ReminderStatus.QUEUED).values_list("pk", flat=True))
    assert len(queued) == 2  # the contributor and the focal point, 7 days overdue
    give(report, "B", nra, dt.date(2027, 3, 16), focal_point)
    assert services.send_reminders(reminder_ids=queued) == 0
    assert set(Reminder.objects.filter(pk__in=queued).values_list("status", flat=True)) == {
        ReminderStatus.NO_LONGER_DUE
    }
    give(report, "B", None, None, focal_point)
    assert Reminder.objects.filter(deadline_kind=DeadlineKind.INTERNAL, assignment__isnull=False).count() == 0
    assert run(dt.date(2027, 3, 30)) == []


def test_a_french_contributor_reads_french(run, report, focal_point, mod):
    french = make_user(Role.CONTRIBUTOR, iso3="LAO", organization="MAE", email="mae@example.la", language="fr")
    give(report, "B", french, DUE, focal_point)
    give(report, "F", mod, DUE, focal_point)
    run(dt.date(2027, 3, 3))
    in_french = next(m for m in mail.outbox if m.to == ["mae@example.la"])
    assert "Stocks et destruction" in in_french.body  # the form's title in the report format's French
    assert "10 mars 2027" in in_french.body and "March" not in in_french.body
    assert "Dear" not in in_french.body
    in_english = next(m for m in mail.outbox if m.to == ["mod@example.la"])
    assert "10 March 2027" in in_english.body and "Dear" in in_english.body


def test_planning_takes_the_same_queries_for_two_forms_or_many(
    focal_point, mod, nra, django_assert_num_queries, set_today
):
    state = focal_point.state
    reports = [reporting.start_report(state=state, kind=ReportKind.INITIAL, period_year=None, actor=focal_point)]
    codes = [form.code for form in reports[0].format_version.source_spec.forms]
    give(reports[0], codes[0], mod, DUE, focal_point)
    give(reports[0], codes[1], nra, dt.date(2027, 3, 2), focal_point)
    day = dt.date(2027, 3, 9)
    set_today(day)
    # The settings, the forms, the focal points, the verified addresses; the insert and the queued ones read back,
    # in a savepoint.
    with django_assert_num_queries(8) as two:
        found = services.team.run_team_reminders(today=day)
    assert found == {"forms": 2, "recorded": 3, "queued": 3}  # A due tomorrow; B 7 days overdue, the focal point told
    for year in (2025, 2026):
        reports.append(reporting.start_report(state=state, kind=ReportKind.ANNUAL, period_year=year, actor=focal_point))
    others = [
        make_user(Role.CONTRIBUTOR, iso3="LAO", organization=f"Body {n}", email=f"c{n}@example.la") for n in range(5)
    ]
    for n, (report, code) in enumerate((r, c) for r in reports for c in codes):
        # Due tomorrow, or 7 days ago (the focal point told too), or not a step today.
        due = [DUE, dt.date(2027, 3, 2), dt.date(2027, 3, 20)][n % 3]
        give(report, code, others[n % 5], due, focal_point)
    day = dt.date(2027, 3, 9)
    with django_assert_num_queries(len(two.captured_queries)):
        many = services.team.run_team_reminders(today=day)
    assert many["forms"] >= 15 and many["recorded"] > many["forms"]
    # A batch of internal reminders is sent as a batch of treaty ones is: claim, read, settle.
    ids = list(Reminder.objects.filter(status=ReminderStatus.QUEUED).values_list("pk", flat=True)[:10])
    with django_assert_num_queries(3):
        assert services.send_reminders(reminder_ids=ids) == 10


def test_internal_reminders_are_not_treaty_reminders(run, report, focal_point, mod, isu_staff, client_for):
    give(report, "B", mod, DUE, focal_point)
    run(dt.date(2027, 3, 9))
    run(dt.date(2027, 3, 17))
    since, until = dt.date(2027, 1, 1), dt.date(2027, 12, 31)
    assert reminder_effectiveness(since=since, until=until).steps == []
    moment = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
    assert reminders_sent(since=moment, until=moment + dt.timedelta(days=365)) == []
    # The ISU's reminder log lists them (a failed or stuck e-mail is the ISU's to send again), named as such.
    page = client_for(isu_staff).get(reverse("deadlines:isu_reminders"), {"since": "2027-03-01", "until": "2027-03-31"})
    assert page.status_code == 200
    assert "Form B of the initial report, internal due date" in page.content.decode()


# --- Calendar feeds and the reminders page -----------------------------------------------------------------------
def _feed_of(client, user):
    client.post(reverse("deadlines:feed_create"), {"state": ""})
    feed = user.calendar_feeds.get(state=None, revoked_at__isnull=True)
    return reverse("deadlines:feed", args=[feed.token]), feed


def test_a_contributor_subscribes_to_their_forms_due_dates(client_for, report, focal_point, mod, nra, set_today):
    set_today(dt.date(2027, 2, 1))
    give(report, "B", mod, DUE, focal_point)
    give(report, "F", nra, dt.date(2027, 4, 2), focal_point)
    client = client_for(mod)
    page = client.get(reverse("deadlines:my_calendars"))
    assert page.status_code == 200
    assert "The internal due dates of the forms given to you" in page.content.decode()
    url, feed = _feed_of(client, mod)
    body = client_for(None).get(url).content.decode()
    assert "SUMMARY:Form B due (internal) — Initial report" in body
    assert "DTSTART;VALUE=DATE:20270310" in body
    assert reverse("reporting:report_form", args=[report.pk, "B"]) in body.replace("\r\n ", "")
    assert "Form F" not in body and "20270402" not in body  # another contributor's form
    assert "LAO:initial_report" not in body and "Initial Article 7 report" not in body  # no treaty deadline
    # The focal point's personal feed has every form of the State given out (both contributors'); the State's
    # feed (shared with colleagues) has none.
    fp_client = client_for(focal_point)
    for state in ("", "LAO"):
        fp_client.post(reverse("deadlines:feed_create"), {"state": state})
    feeds = {f.state_id: f.token for f in focal_point.calendar_feeds.filter(revoked_at__isnull=True)}
    personal = client_for(None).get(reverse("deadlines:feed", args=[feeds[None]])).content.decode()
    assert "SUMMARY:Form B due (internal)" in personal and "SUMMARY:Form F due (internal)" in personal
    state_feed = client_for(None).get(reverse("deadlines:feed", args=[feeds[focal_point.state_id]])).content.decode()
    assert "internal" not in state_feed
    # Another State's people: their own feed has none of Laos's forms; they cannot revoke the contributor's.
    stranger = make_user(Role.CONTRIBUTOR, iso3="AUS", organization="Defence", email="def@example.au")
    stranger_url, _feed = _feed_of(client_for(stranger), stranger)
    assert "Form B" not in client_for(None).get(stranger_url).content.decode()
    other = make_user(Role.FOCAL_POINT, iso3="AUS", email="fp2.aus@example.org")
    assert client_for(other).post(reverse("deadlines:feed_revoke", args=[feed.pk])).status_code == 404
    # Revoked by its owner, or its owner taken off the team: the address answers 404.
    assert client_for(mod).post(reverse("deadlines:feed_revoke", args=[feed.pk])).status_code == 302
    assert client_for(None).get(url).status_code == 404
    url, _feed = _feed_of(client_for(mod), mod)
    mod.is_active = False
    mod.save()
    assert client_for(None).get(url).status_code == 404


def test_my_reminders_lists_a_contributors_forms(run, client_for, report, focal_point, mod):
    give(report, "B", mod, DUE, focal_point)
    run(dt.date(2027, 3, 9))
    page = client_for(mod).get(reverse("deadlines:my_reminders"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Stockpiles and destruction" in text and "1 day before" in text
    assert "You receive an e-mail 7, 1 days before the internal due date; then every 7 days while it is overdue" in text
    assert "Your account is not a focal point" not in text
    # The focal point's page is the State's deadlines' (the team's forms are on each report's team page).
    fp_page = client_for(focal_point).get(reverse("deadlines:my_reminders")).content.decode()
    assert "Forms with an internal due date" not in fp_page
    # A contributor with no form: the page says so.
    idle = make_user(Role.CONTRIBUTOR, iso3="LAO", organization="Police", email="police@example.la")
    assert (
        "No form with an internal due date is open."
        in client_for(idle).get(reverse("deadlines:my_reminders")).content.decode()
    )


@pytest.mark.celery_worker
def test_internal_reminders_go_through_the_worker_once(real_worker, focal_point, mod):
    report = reporting.start_report(
        state=focal_point.state, kind=ReportKind.INITIAL, period_year=None, actor=focal_point
    )
    give(report, "B", mod, DUE, focal_point)
    day = "2027-03-09"
    assert tasks.run_daily_reminders.delay(day).get(timeout=60)["team"]["queued"] == 1
    assert wait_for(lambda: len(internal_mail()) == 1), "the worker did not send the internal reminder"
    assert internal_mail()[0].to == ["mod@example.la"]
    assert wait_for(lambda: Reminder.objects.filter(status=ReminderStatus.SENT, deadline_kind="internal").exists())
    # The same run again (beat runs every hour), and a duplicate delivery of the batch: nothing more.
    assert tasks.run_daily_reminders.delay(day).get(timeout=60)["team"]["queued"] == 0
    reminder = Reminder.objects.get(deadline_kind="internal")
    assert tasks.send_reminder.delay([reminder.pk]).get(timeout=20) == 0
    assert len(internal_mail()) == 1


def test_the_isu_sets_the_teams_schedule_in_the_admin(client_for, isu_staff, monkeypatch):
    from accounts import permissions
    from audit.models import AuditEntry

    monkeypatch.setitem(permissions._MODEL_CAPABILITIES, "deadlines", permissions.Capability.REVIEW_REPORTS)
    rules = ReminderSettings.current()
    assert (rules.team_days_before, rules.team_overdue_every_days) == ([7, 1], 7)
    url = reverse("admin:deadlines_remindersettings_change", args=[rules.pk])
    client = client_for(isu_staff)
    page = client.get(url).content.decode()
    assert "days before an internal due date" in page
    data = {
        "days_before": "60, 30, 7, 0",
        "overdue_every_days": "14",
        "kinds": ["initial_report", "annual_report"],
        "tracking_starts_on": "2026-01-01",
        "team_days_before": "10, 3, 0",
        "team_overdue_every_days": "5",
        "isu_email": "info@cmconvention.org",
        "batch_size": "50",
    }
    assert client.post(url, data).status_code == 302
    rules.refresh_from_db()
    assert (rules.team_days_before, rules.team_overdue_every_days) == ([10, 3, 0], 5)
    entry = AuditEntry.objects.get(action="deadlines.settings.changed")
    assert entry.changes["team_days_before"] == [[7, 1], [10, 3, 0]]
    # Internal due dates are not a kind of treaty deadline the ISU picks among.
    assert 'value="internal"' not in page
