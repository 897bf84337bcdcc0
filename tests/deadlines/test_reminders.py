"""The daily reminder run, across a whole simulated year for every State in the real data.

The expected e-mails are worked out here from the treaty rules directly (entry into force,
initial report + 180 days, 30 April) — not from the portal's calendar — and compared with
what the locmem backend received, day by day.
"""

import datetime as dt
import smtplib
from collections import Counter

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend

from accounts.models import Role
from deadlines import services
from deadlines.models import Reminder, ReminderSettings, ReminderStatus
from parties import rules
from parties.models import State
from reporting import services as reporting
from reporting.models import ReportKind, ReportVersion
from tests.factories import make_user
from tests.reporting.conftest import fill_minimal

pytestmark = pytest.mark.django_db

YEAR_START, YEAR_END = dt.date(2026, 1, 1), dt.date(2026, 12, 31)
NO_FOCAL_POINT = {"PLW", "NIU", "NRU"}  # left without a focal point on purpose


def days(start, end):
    day = start
    while day <= end:
        yield day
        day += dt.timedelta(days=1)


def steps_for(due: dt.date, *, stop: dt.date | None = None):
    """Days a reminder goes out for a report due on ``due``: 60, 30, 7 days before, the day,
    then every 14 days while overdue — until the report is submitted (``stop``)."""
    out = [due - dt.timedelta(days=n) for n in (60, 30, 7, 0)]
    day = due + dt.timedelta(days=14)
    while day <= YEAR_END:
        out.append(day)
        day += dt.timedelta(days=14)
    return [d for d in out if YEAR_START <= d <= YEAR_END and (stop is None or d < stop)]


@pytest.fixture
def report_reminders_only():
    settings = ReminderSettings.current()
    settings.kinds = ["initial_report", "annual_report"]
    settings.tracking_starts_on = YEAR_START
    settings.save()
    return settings


def submit_on(iso3: str, period_year: int | None, day: dt.date, isu):
    fp = make_user(Role.FOCAL_POINT, iso3=iso3, email=f"writer.{iso3.lower()}@example.org")
    kind = ReportKind.ANNUAL if period_year else ReportKind.INITIAL
    report = reporting.start_report(state=State.objects.get(iso3=iso3), kind=kind, period_year=period_year, actor=fp)
    report = reporting.save_draft(report=report, content=fill_minimal(report), base_revision=0, actor=fp)
    reporting.set_visibility(report=report, visibility="public", actor=fp)
    version = reporting.submit_report(report=report, actor=fp)
    # As if submitted on ``day``: the moment, and the day it counts as submitted (``submitted_on``).
    ReportVersion.objects.filter(pk=version.pk).update(
        submitted_at=dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC), submitted_on=day
    )
    fp.is_active = False  # the writer is not a reminder recipient; the State's focal point below is
    fp.save(update_fields=["is_active"])


def test_a_whole_year_of_reminders_for_every_state(
    report_reminders_only, isu_staff, django_capture_on_commit_callbacks
):
    parties = list(State.objects.exclude(deposit_date=None).exclude(withdrawal_effective_on__isnull=False))
    recipients = {}
    for state in parties:
        if state.iso3 not in NO_FOCAL_POINT:
            recipients[state.iso3] = make_user(
                Role.FOCAL_POINT, iso3=state.iso3, email=f"fp.{state.iso3.lower()}@example.org"
            )
    # Three States report on the 2025 year: early, on the day, late.
    submitted = {"AUS": dt.date(2026, 3, 15), "CHL": dt.date(2026, 4, 30), "GHA": dt.date(2026, 6, 20)}
    for iso3, day in submitted.items():
        submit_on(iso3, 2025, day, isu_staff)

    expected = Counter()
    for state in parties:
        if state.iso3 in NO_FOCAL_POINT:
            continue
        eif = rules.entry_into_force(state.deposit_date)
        if eif.year <= 2025:  # the first annual update covers the year of entry into force (the ISU's rule)
            for day in steps_for(dt.date(2026, 4, 30), stop=submitted.get(state.iso3)):
                expected[(day, recipients[state.iso3].email, "annual 2025")] += 1
        initial_due = eif + dt.timedelta(days=180)
        if initial_due >= YEAR_START:
            for day in steps_for(initial_due):
                expected[(day, recipients[state.iso3].email, "initial")] += 1

    sent = Counter()
    for today in days(YEAR_START, YEAR_END):
        before = len(mail.outbox)
        with django_capture_on_commit_callbacks(execute=True):
            services.run_daily_reminders(today=today)
        for message in mail.outbox[before:]:
            what = (
                "initial"
                if "Initial" in message.subject
                else "annual 2025"
                if "2025" in message.subject
                else message.subject
            )
            sent[(today, message.to[0], what)] += 1

    assert sent == expected
    assert max(sent.values()) == 1  # nothing twice
    # Vanuatu (entry into force 1 March 2026) is reminded of its initial report, due 28 August 2026.
    vanuatu = recipients["VUT"].email
    assert (dt.date(2026, 8, 28), vanuatu, "initial") in sent
    assert (dt.date(2026, 6, 29), vanuatu, "initial") in sent
    # States without a focal point are reported to the ISU instead.
    no_one = Reminder.objects.filter(status=ReminderStatus.NO_RECIPIENT).values_list("state__iso3", flat=True)
    assert set(no_one) == NO_FOCAL_POINT
    # Overdue notices are copied to the ISU address.
    overdue = [m for m in mail.outbox if "Overdue" in m.subject]
    assert overdue and all(m.cc == [report_reminders_only.isu_email] for m in overdue)
    assert not any(m.cc for m in mail.outbox if "Overdue" not in m.subject)


def test_running_the_day_twice_sends_nothing_twice(
    report_reminders_only, focal_point, django_capture_on_commit_callbacks
):
    day = dt.date(2026, 3, 1)  # 60 days before 30 April
    for _run in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            services.run_daily_reminders(today=day)
    mine = [m for m in mail.outbox if m.to == [focal_point.email]]
    assert len(mine) == 1
    assert "Due in 60 days" in mine[0].subject and "2025" in mine[0].subject


def test_obligation_deadlines_are_reminded_until_met(focal_point, django_capture_on_commit_callbacks):
    settings = ReminderSettings.current()
    settings.tracking_starts_on = YEAR_START
    settings.kinds = ["clearance"]
    settings.save()
    colombia = make_user(Role.FOCAL_POINT, iso3="COL", email="fp.col@example.org")  # Art. 4 due 1 March 2026
    for today in days(dt.date(2026, 1, 1), dt.date(2026, 4, 30)):
        with django_capture_on_commit_callbacks(execute=True):
            services.run_daily_reminders(today=today)
    days_sent = [
        d for (d,) in Reminder.objects.filter(recipient=colombia, status=ReminderStatus.SENT).values_list("for_day")
    ]
    assert sorted(days_sent) == [
        dt.date(2026, 1, 30),
        dt.date(2026, 2, 22),
        dt.date(2026, 3, 1),
        dt.date(2026, 3, 15),
        dt.date(2026, 3, 29),
        dt.date(2026, 4, 12),
        dt.date(2026, 4, 26),
    ]


def test_unverified_and_bounced_addresses_are_not_mailed_and_the_isu_sees_why(
    report_reminders_only, focal_point, django_capture_on_commit_callbacks
):
    focal_point.emailaddress_set.update(verified=False)
    other = make_user(Role.FOCAL_POINT, iso3="LAO", email="second.fp@example.org")
    services.record_bounce(email=other.email)
    with django_capture_on_commit_callbacks(execute=True):
        services.run_daily_reminders(today=dt.date(2026, 3, 1))
    assert not [m for m in mail.outbox if set(m.to) & {focal_point.email, other.email}]
    statuses = dict(Reminder.objects.filter(state__iso3="LAO").values_list("recipient__email", "status"))
    assert statuses == {
        focal_point.email: ReminderStatus.SKIPPED_UNVERIFIED,
        other.email: ReminderStatus.SKIPPED_BOUNCED,
    }


def test_a_refused_address_is_marked_bounced_and_the_isu_told(report_reminders_only, focal_point, settings):
    settings.EMAIL_BACKEND = "tests.deadlines.test_reminders.RefusingBackend"
    services.run_daily_reminders(today=dt.date(2026, 3, 1))
    reminder = Reminder.objects.get(recipient=focal_point)
    assert services.send_reminders(reminder_ids=[reminder.pk]) == 0
    reminder.refresh_from_db()
    focal_point.refresh_from_db()
    assert reminder.status == ReminderStatus.BOUNCED
    assert focal_point.email_bounced_at is not None


def test_a_temporary_smtp_failure_is_retried_then_shown(report_reminders_only, focal_point, settings):
    settings.EMAIL_BACKEND = "tests.deadlines.test_reminders.FlakyBackend"
    services.run_daily_reminders(today=dt.date(2026, 3, 1))
    reminder = Reminder.objects.get(recipient=focal_point)
    with pytest.raises(services.RetryLater) as retry:
        services.send_reminders(reminder_ids=[reminder.pk])
    assert retry.value.ids == [reminder.pk] and retry.value.countdown == 60
    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.QUEUED and reminder.attempts == 1
    for attempt in range(2, services.MAX_ATTEMPTS):
        with pytest.raises(services.RetryLater) as retry:
            services.send_reminders(reminder_ids=[reminder.pk])
        assert retry.value.countdown == 60 * 2 ** min(attempt - 1, 3)  # 1, 2, 4, 8 minutes
    assert services.send_reminders(reminder_ids=[reminder.pk]) == 0  # the last attempt: failed, not retried
    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.FAILED and reminder.attempts == services.MAX_ATTEMPTS
    assert "try later" in reminder.last_error


def test_a_snoozed_deadline_is_skipped_until_the_snooze_ends(
    report_reminders_only, focal_point, django_capture_on_commit_callbacks
):
    services.snooze(
        user=focal_point, deadline_key="LAO:annual_report:2025", until=dt.date(2026, 4, 1), today=dt.date(2026, 2, 20)
    )
    for today in (dt.date(2026, 3, 1), dt.date(2026, 3, 31), dt.date(2026, 4, 23)):
        with django_capture_on_commit_callbacks(execute=True):
            services.run_daily_reminders(today=today)
    statuses = dict(Reminder.objects.filter(recipient=focal_point).values_list("for_day", "status"))
    assert statuses == {
        dt.date(2026, 3, 1): ReminderStatus.SNOOZED,
        dt.date(2026, 3, 31): ReminderStatus.SNOOZED,
        dt.date(2026, 4, 23): ReminderStatus.SENT,
    }


def test_the_daily_run_needs_the_same_queries_for_few_and_many_states(report_reminders_only):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            services.run_daily_reminders(today=dt.date(2026, 3, 1))
        Reminder.objects.all().delete()
        inserts = [q for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith("INSERT")]
        return len(ctx.captured_queries) - len(inserts), len(inserts)

    make_user(Role.FOCAL_POINT, iso3="LAO", email="one@example.org")
    few, _inserts = queries()
    for state in State.objects.exclude(deposit_date=None):
        for n in range(5):
            make_user(Role.FOCAL_POINT, iso3=state.iso3, email=f"fp{n}.{state.iso3.lower()}@example.org")
    many, inserts = queries()
    assert many == few
    # One multi-row INSERT on PostgreSQL; SQLite caps the parameters of one statement, so Django
    # splits the same insert into batches there.
    if connection.vendor == "postgresql":
        assert inserts == 1


class RefusingBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused({messages[0].to[0]: (550, b"No such user")})


class FlakyBackend(RefusingBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("connection lost, try later")


def test_a_reminder_stuck_while_sending_is_shown_and_the_isu_can_send_it_again(
    report_reminders_only, focal_point, client_for, isu_staff, django_capture_on_commit_callbacks
):
    from deadlines.selectors.reminders import reminder_problems

    services.run_daily_reminders(today=dt.date(2026, 3, 1))
    reminder = Reminder.objects.get(recipient=focal_point)
    Reminder.objects.filter(pk=reminder.pk).update(status=ReminderStatus.SENDING)  # a worker died mid-send
    problems = reminder_problems(since=dt.date(2026, 1, 1))
    assert [p.status for p in problems if p.state.iso3 == "LAO"] == [ReminderStatus.SENDING]
    client = client_for(isu_staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/deadlines/reminder/", {"action": "send_again", "_selected_action": [reminder.pk]}
        )
    assert response.status_code == 302
    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.SENT
    assert [m.to for m in mail.outbox] == [[focal_point.email]]
    assert (
        client_for(focal_point)
        .post("/admin/deadlines/reminder/", {"action": "send_again", "_selected_action": [reminder.pk]})
        .status_code
        == 302
    )  # to the admin login: focal points have no admin
