"""The weekly digest to the ISU: what it says, to whom, and that it goes once per ISO week."""

import datetime as dt
import threading

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.db import connection, connections

from accounts.models import Role
from audit.models import AuditEntry
from deadlines import digest, tasks
from deadlines.models import ReminderSettings, ReminderStatus
from parties.models import State
from tests.deadlines.test_isu_views import at, remind, submitted_report
from tests.factories import make_user

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 4, 13)  # ISO week 2026-W16; the 2025 annual updates are due on 30 April


@pytest.fixture
def isu_address():
    rules = ReminderSettings.current()
    rules.isu_email = "info@isu.example.org"
    rules.save()
    return rules.isu_email


def bodies(message) -> tuple[str, str]:
    (html, _mimetype) = message.alternatives[0]
    return message.body, html


def test_the_digest_goes_once_per_week_even_when_called_twice(isu_address, isu_staff):
    assert digest.send_weekly_digest(today=MONDAY) == 2
    assert digest.send_weekly_digest(today=MONDAY) == 0
    assert digest.send_weekly_digest(today=MONDAY + dt.timedelta(days=3)) == 0  # same ISO week
    assert sorted(m.to[0] for m in mail.outbox) == ["info@isu.example.org", "isu@example.org"]
    entry = AuditEntry.objects.get(action="deadlines.digest.sent")
    assert entry.context["week"] == "2026-W16" and entry.context["recipients"] == 2
    assert entry.object_type == "deadlines.remindersettings" and entry.actor is None

    assert digest.send_weekly_digest(today=MONDAY + dt.timedelta(days=7)) == 2  # the next week
    assert AuditEntry.objects.filter(action="deadlines.digest.sent").count() == 2


def test_the_task_sends_it_for_the_day_given(isu_address, isu_staff):
    assert tasks.send_weekly_digest.delay(MONDAY.isoformat()).get() == 2
    assert tasks.send_weekly_digest.delay(MONDAY.isoformat()).get() == 0


def test_it_goes_to_the_isu_address_and_active_isu_staff_with_a_verified_address(isu_address, isu_staff):
    unverified = make_user(Role.ISU_STAFF, email="unverified@example.org")
    EmailAddress.objects.filter(user=unverified).update(verified=False)
    make_user(Role.ISU_STAFF, email="gone@example.org", is_active=False)
    bounced = make_user(Role.ISU_STAFF, email="bounced@example.org")
    bounced.email_bounced_at = at(MONDAY)
    bounced.save()
    make_user(Role.ISU_STAFF, email="Info@isu.example.org")  # the ISU address itself: once
    make_user(Role.FOCAL_POINT, iso3="NOR", email="fp.nor@example.org")
    make_user(Role.ISU_STAFF, email="fr@example.org", language="fr")

    assert digest.send_weekly_digest(today=MONDAY) == 3
    assert sorted(m.to[0] for m in mail.outbox) == ["fr@example.org", "info@isu.example.org", "isu@example.org"]
    assert all(m.subject.startswith("[CCM Portal] ") for m in mail.outbox)
    assert all(len(m.to) == 1 and not m.cc for m in mail.outbox)


def test_it_summarises_deadlines_overdue_reports_reminders_and_problems(isu_address, isu_staff):
    nor = make_user(Role.FOCAL_POINT, iso3="NOR", email="fp.nor@example.org")
    remind("NOR", step=-30, recipient=nor, sent_at=at(dt.date(2026, 3, 31)))  # before the week: left out
    remind("NOR", step=-17, recipient=nor, sent_at=at(MONDAY))  # this week
    remind("FRA", step=14, email="fp.fra@example.org", due=dt.date(2026, 3, 28), kind="clearance", key="FRA:art4")
    remind("TCD", step=-17, status=ReminderStatus.NO_RECIPIENT)
    remind("DEU", step=-20, status=ReminderStatus.BOUNCED, email="fp.deu@example.org")
    submitted_report("LAO", on=at(dt.date(2025, 4, 1)), period_year=2024)
    submitted_report("AUT", on=at(dt.date(2026, 4, 2)), period_year=2025)

    digest.send_weekly_digest(today=MONDAY)
    message = next(m for m in mail.outbox if m.to == ["info@isu.example.org"])
    text, html = bodies(message)
    # States bound by the 2025 (and 2024) updates: in force by the end of 2024. Vanuatu (in force 2026) is not.
    bound = sum(
        1
        for state in State.objects.exclude(deposit_date=None).filter(withdrawal_effective_on__isnull=True)
        if state.entry_into_force.year <= 2024
    )
    # Problems: Germany's bounced reminder, and every State but Norway (focal point) and Austria
    # (nothing left to remind) with a 2025 update to be reminded of and nobody to remind — Chad among them.
    assert message.subject == (
        # No overdue report: the 2024 updates fell due (30 April 2025) before the portal became the complete record
        # (ReportingRules.records_complete_from, 1 January 2026), so those not in it have no record, never "overdue".
        # Due in 30 days: the 2025 updates but Austria's, and Lebanon's Art. 4 deadline of 1 May 2026 (the
        # extension granted at the Second Review Conference, in the reference data's extensions.csv).
        f"[CCM Portal] Deadlines digest 2026-W16: {bound - 1 + 1} due in 30 days, 0 overdue reports, "
        f"{1 + bound - 2} problems"
    )
    for body in (text, strip(html)):
        # Deadlines in the next 30 days: the 2025 updates of every State Party but Austria (submitted).
        upcoming = body.split("in the next 30 days")[1].split("overdue report")[0]
        assert "Lebanon" in upcoming and "Clearance deadline (Art. 4)" in upcoming
        assert "30 Apr 2026 (in 17 days) Annual Article 7 report for 2025: Afghanistan, Albania," in upcoming
        assert "Norway" in upcoming and "Austria" not in upcoming
        # Overdue report deadlines: none. The 2024 updates not in the portal have no record (not "overdue").
        overdue = body.split("overdue reports")[1].split("reminders sent since")[0]
        assert "Annual Article 7 report for 2024" not in overdue and "Japan" not in overdue
        # Reminders sent in the past seven days, one line per deadline and step.
        sent = body.split("2 reminders sent since 7 Apr 2026")[1]
        assert "Annual Article 7 report for 2025 (due 30 Apr 2026), 17 days before: 1 e-mail — Norway" in sent
        assert "Art. 4 clearance (due 28 Mar 2026), 14 days overdue: 1 e-mail, copied to the ISU — France" in sent
        # Problems: a bounced address; States with no focal point, Chad's unsent reminder folded in.
        problems = body.split("problems")[1].split("in the next 30 days")[0]
        assert "Germany: Address bounced (fp.deu@example.org)" in problems
        assert "Chad, " in problems and "Not sent: the State has no focal point" not in problems
        assert "1 reminder to these States could not go out this week." in problems
        assert (
            f"No active focal point to remind of the Annual Article 7 report for 2025 due 30 Apr 2026 "
            f"({bound - 4} States):"
        ) in problems
        # Colombia and Somalia are listed under their earlier deadline, overdue since 1 March.
        assert "of the Clearance deadline (Art. 4) due 1 Mar 2026 (2 States): Colombia, Somalia" in problems
    assert "http://testserver/isu/deadlines/" in text and 'href="http://testserver/isu/reminders/"' in html
    assert "&#x27;" not in text  # plain text is not HTML-escaped


def test_a_state_without_a_focal_point_is_a_problem_even_before_any_reminder(isu_address, isu_staff):
    for iso3 in ("NOR", "FRA"):
        make_user(Role.FOCAL_POINT, iso3=iso3, email=f"fp.{iso3.lower()}@example.org")
    digest.send_weekly_digest(today=MONDAY)
    text, _html = bodies(mail.outbox[0])
    problems = text.split("problems ==")[1].split("==")[0]
    assert "No active focal point to remind of the Annual Article 7 report for 2025 due 30 Apr 2026" in problems
    assert "Chad" in problems and "Norway" not in problems and "France" not in problems


def test_nothing_is_recorded_when_sending_fails(isu_address, isu_staff, settings):
    settings.EMAIL_BACKEND = "tests.deadlines.test_digest.FailingBackend"
    with pytest.raises(OSError):
        digest.send_weekly_digest(today=MONDAY)
    assert not AuditEntry.objects.filter(action="deadlines.digest.sent").exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert digest.send_weekly_digest(today=MONDAY) == 2


class FailingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def send_messages(self, messages):
        raise OSError("connection refused")


def strip(body: str) -> str:
    import html as html_lib
    import re

    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", "", body)).split())


@pytest.mark.django_db(transaction=True)
def test_two_beats_at_once_send_one_digest(reference_data, isu_address, isu_staff):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no row locks; PostgreSQL runs this")
    barrier = threading.Barrier(2)
    results = []

    def beat():
        try:
            barrier.wait(timeout=10)
            results.append(digest.send_weekly_digest(today=MONDAY))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=beat) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(results) == [0, 2]
    assert len(mail.outbox) == 2
    assert AuditEntry.objects.filter(action="deadlines.digest.sent").count() == 1
