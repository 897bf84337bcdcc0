"""Faults survived (issue 18): the worker killed in the middle of a PDF and of the daily reminder run,
Redis stopped and restarted during the run, PostgreSQL restarted while a focal point saves.

Everything runs as real processes on a private PostgreSQL and Redis (``conftest.py``): gunicorn serves
the pages, a Celery worker renders and sends, and the tests kill, stop and restart them. What happened is
read from the database and from the e-mail outbox (one file per message), never from the processes'
own account of it.
"""

from __future__ import annotations

import os
import re
import signal
import threading
import time
from collections import Counter

import pytest
from django.conf import settings

from tests.faults.conftest import DEMO_PASSWORD, FOCAL_POINT, Browser, Page, Portal, wait_until

pytestmark = pytest.mark.faults

# Rows in the big draft whose PDF is rendered: about 28 pages, two to three seconds of WeasyPrint on a quiet machine.
BIG_DRAFT_ROWS = 800


def report_started(browser: Browser, *, year: int) -> int:
    """The focal point starts an annual report on "My reports"; its id."""
    page = browser.get("/reporting/")
    answer = browser.request("/reporting/start/", [*browser.csrf(page), ("kind", "annual"), ("period_year", str(year))])
    assert answer.status == 302, answer.body[:500]
    return int(re.search(r"/reporting/(\d+)/", answer.location).group(1))


def add_focal_points(portal: Portal, iso3s: list[str], *, prefix: str) -> None:
    """Focal points with verified addresses (``<prefix>.<iso3>@example.org``), signing in with the demo password."""
    portal.shell(
        "from allauth.account.models import EmailAddress\n"
        "from accounts.models import Role, User\n"
        "from parties.models import State\n"
        f"for iso3 in {iso3s!r}:\n"
        f"    email = '{prefix}.' + iso3.lower() + '@example.org'\n"
        "    user = User.objects.create(email=email, full_name='Focal point ' + iso3, role=Role.FOCAL_POINT,\n"
        "                               state=State.objects.get(iso3=iso3))\n"
        f"    user.set_password({DEMO_PASSWORD!r}); user.save()\n"
        "    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)\n"
    )


# --- 1. The worker killed in the middle of a PDF ---------------------------------------------------------------
def _pdf_row(portal: Portal, report: int) -> tuple:
    rows = portal.query(
        "SELECT status, stage, progress, pages, file, id FROM reporting_reportpdf"
        " WHERE report_id = %s AND version_id IS NULL",
        [report],
    )
    return rows[0] if rows else (None,) * 6


def _pool_child(portal: Portal) -> int:
    """The prefork pool's child process: the one running the task."""
    pid = portal.worker.pid
    children = open(f"/proc/{pid}/task/{pid}/children").read().split()  # noqa: SIM115
    assert len(children) == 1, f"expected one pool child, found {children}"
    return int(children[0])


@pytest.mark.parametrize("killed", ["worker", "pool child"])
def test_a_pdf_whose_worker_is_killed_mid_render_ends_ready(portal: Portal, killed: str):
    """The worker (or only the pool child running WeasyPrint, as the OOM killer would) is SIGKILLed while the
    pages are laid out. The task was acknowledged late, so its message goes back to the queue (at once when
    only the child dies, ``reject_on_worker_lost``; after the visibility timeout when the whole worker dies);
    the worker started again takes it, sees the render it finds "rendering" was lost, and makes the PDF."""
    browser = portal.browser()
    browser.sign_in(FOCAL_POINT, DEMO_PASSWORD)
    year = 2025 if killed == "worker" else 2023
    report = report_started(browser, year=year)
    portal.shell(
        "from accounts.models import User\nfrom reporting import services\nfrom reporting.models import Report\n"
        "from tests.reporting.builders import full_content\n"
        f"report = Report.objects.get(pk={report})\n"
        f"content = full_content(report.format_version.spec, rows={BIG_DRAFT_ROWS})\n"
        "services.save_draft(report=report, content=content, base_revision=report.revision,\n"
        f"                    actor=User.objects.get(email={FOCAL_POINT!r}))\n"
    )
    # The demo's own PDF (queued when it was seeded) is done first: one render at a time.
    wait_until(
        lambda: not portal.query("SELECT 1 FROM reporting_reportpdf WHERE status IN ('queued', 'rendering')"),
        60,
        "the demo report's PDF",
    )
    page = browser.get(f"/reporting/{report}/")
    asked = time.monotonic()
    answer = browser.request(f"/reporting/{report}/pdf/", browser.csrf(page))
    assert answer.status == 302 and "/reporting/pdf/" in answer.location
    wait_until(lambda: _pdf_row(portal, report)[1] == "Laying out the pages", 30, "the render to reach the layout")
    time.sleep(0.5)
    if killed == "worker":
        portal.kill_worker()
    else:
        os.kill(_pool_child(portal), signal.SIGKILL)
    killed_at = time.monotonic()
    status, stage, *_ = _pdf_row(portal, report)
    assert (status, stage) == ("rendering", "Laying out the pages"), "the kill came too late to test anything"
    if killed == "worker":
        portal.start_worker()
    restarted_at = time.monotonic()
    wait_until(
        lambda: _pdf_row(portal, report)[0] == "ready", 40, f"the PDF to be made again ({_pdf_row(portal, report)})"
    )
    ready_at = time.monotonic()
    status, stage, progress, pages, file, pdf_id = _pdf_row(portal, report)
    assert (status, progress) == ("ready", 100) and pages > 20 and file
    # The user's download is the whole PDF.
    download = browser.get(f"/reporting/pdf/{pdf_id}/download/")
    assert download.status == 200 and download.headers["Content-Type"] == "application/pdf"
    actions = [
        action
        for (action,) in portal.query(
            "SELECT action FROM audit_auditentry"
            " WHERE object_type = 'reporting.reportpdf' AND object_id = %s ORDER BY id",
            [str(pdf_id)],
        )
    ]
    assert actions == [
        "reporting.pdf.queued",
        "reporting.pdf.rendering",
        "reporting.pdf.rendering",
        "reporting.pdf.ready",
    ]
    print(
        f"\n[pdf, {killed} killed] killed {killed_at - asked:.1f} s after the request, in the layout; "
        f"worker back after {restarted_at - killed_at:.1f} s; PDF ready {ready_at - killed_at:.1f} s after the kill"
    )


# --- 2 and 3. The daily reminder run: the worker killed, Redis stopped ---------------------------------------------
def _reminders(portal: Portal, day: str) -> Counter:
    return Counter(
        dict(portal.query("SELECT status, count(*) FROM deadlines_reminder WHERE for_day = %s GROUP BY 1", [day]))
    )


def _step(offset: int) -> str:
    """How a reminder's subject names its step (deadlines/email/reminder_subject.txt)."""
    if offset > 0:
        return f"Overdue by {offset} days"
    return "Due today" if offset == 0 else f"Due in {-offset} days"


def _mail_ids(portal: Portal) -> set[str]:
    return {message["Message-ID"] for message in portal.mails()}


def _check_each_sent_once(portal: Portal, day: str, earlier: set[str]) -> Counter:
    """Every reminder of ``day`` that was to go out went out once: one e-mail (not in ``earlier``, the Message-IDs
    sent before the run) per sent reminder, none twice, none for a reminder not sent. A reminder whose worker died
    while sending it may stay "being sent" (at most the one in hand) for the ISU to see and decide: it may have
    gone out, and the outbox says whether it did."""
    rows = portal.query(
        "SELECT r.email, r.status, s.name, r.offset_days FROM deadlines_reminder r"
        " JOIN parties_state s ON s.id = r.state_id WHERE r.for_day = %s",
        [day],
    )
    statuses = Counter(status for _email, status, _state, _offset in rows)
    assert not statuses["queued"], f"reminders never sent: {statuses}"
    assert statuses["sending"] <= 1, f"more reminders left 'being sent' than the one the worker had in hand: {statuses}"
    new = [message for message in portal.mails() if message["Message-ID"] not in earlier]
    subjects = Counter((message["To"], message["Subject"]) for message in new)
    assert max(subjects.values()) == 1, f"sent twice: {[key for key, n in subjects.items() if n > 1]}"
    mails = Counter(
        (to, _step(offset))
        for to, subject in subjects
        for offset in {offset for _email, _status, _state, offset in rows}
        if _step(offset) in subject
    )
    sent = Counter((address, _step(offset)) for address, status, _state, offset in rows if status == "sent")
    in_hand = Counter((address, _step(offset)) for address, status, _state, offset in rows if status == "sending")
    assert sum(mails.values()) == len(new), "an e-mail that is not a reminder of the day"
    wrong = {
        key: (mails[key], sent[key], in_hand[key])
        for key in {*mails, *sent}
        if not sent[key] <= mails[key] <= sent[key] + in_hand[key]
    }
    assert not wrong, f"(address, step): (e-mails, reminders marked sent, reminders being sent): {wrong}"
    # What the ISU would find in the outbox for a reminder left "being sent": whether it went out.
    statuses["sending, e-mail gone out"] = sum(mails[key] - sent[key] for key in in_hand)
    return statuses


def _send_task(portal: Portal, name: str, *args: object) -> None:
    """Send a task by name to the private broker, as celery beat does."""
    from celery import Celery

    app = Celery("faults", broker=portal.redis.url(1), set_as_current=False)
    try:
        app.send_task(name, args=list(args))
    finally:
        app.close()


@pytest.fixture(scope="module")
def many_focal_points(portal: Portal) -> int:
    """A focal point with a verified address for each of 60 States: one reminder each (the States Parties among them)
    on an annual report's reminder day."""
    iso3s = [
        iso3 for (iso3,) in portal.query("SELECT iso3 FROM parties_state WHERE iso3 <> 'LAO' ORDER BY iso3 LIMIT 60")
    ]
    add_focal_points(portal, iso3s, prefix="fp")
    # Two e-mails a batch (the ISU's setting, ReminderSettings.batch_size): batches of several reminders, and a day
    # of about 26 of them, so the run is still going when the fault strikes (at 50 a batch it is over in a blink).
    portal.shell(
        "from deadlines.models import ReminderSettings\n"
        "rules = ReminderSettings.current(); rules.batch_size = 2; rules.save(update_fields=['batch_size'])\n"
    )
    return len(iso3s)


def test_daily_reminders_survive_the_worker_killed_mid_run(portal: Portal, many_focal_points: int):
    """60 days before the annual reports are due, the run records one reminder per focal point and queues an
    e-mail for each; the worker is SIGKILLed when about a fifth are sent. Started again, it sends the rest; the
    message it had in hand comes back (acknowledged late) and finds its reminder sent or being sent."""
    day = "2026-03-01"
    earlier = _mail_ids(portal)
    started = time.monotonic()
    _send_task(portal, "deadlines.tasks.run_daily_reminders", day)
    wait_until(lambda: _reminders(portal, day)["sent"] >= 10, 60, "the first reminders to go out")
    portal.kill_worker()
    killed_at = time.monotonic()
    at_kill = _reminders(portal, day)
    assert at_kill["queued"] > 0, f"the run was over before the kill: {at_kill}"
    portal.start_worker()
    wait_until(lambda: not _reminders(portal, day)["queued"], 60, f"the rest to go out ({_reminders(portal, day)})")
    done_at = time.monotonic()
    statuses = _check_each_sent_once(portal, day, earlier)
    assert statuses["sent"] + statuses["sending"] >= many_focal_points * 3 // 4  # the States Parties among the 60
    print(
        f"\n[reminders, worker killed] {sum(at_kill.values())} recorded; killed {killed_at - started:.1f} s after the"
        f" run was sent, with {dict(at_kill)}; all done {done_at - killed_at:.1f} s after the kill: {dict(statuses)}"
    )


def test_daily_reminders_survive_redis_stopped_mid_run(portal: Portal, many_focal_points: int):
    """30 days before, Redis (no persistence) is stopped while the reminders go out: every queued message is
    lost. The reminders were recorded before they were queued, so none is lost: they wait as "queued" in the
    database. Redis back, the day's next run (beat runs it every hour) queues them again and each goes out once."""
    day = "2026-03-31"
    earlier = _mail_ids(portal)
    started = time.monotonic()
    _send_task(portal, "deadlines.tasks.run_daily_reminders", day)
    wait_until(lambda: _reminders(portal, day)["sent"] >= 10, 60, "the first reminders to go out")
    connected = portal.said("worker", "Connected to redis")
    portal.redis.stop()
    stopped_at = time.monotonic()
    time.sleep(1)  # the reminder in hand is finished
    while_down = _reminders(portal, day)
    portal.redis.start()  # before any assertion: the tests after this one need Redis, whatever happens here
    back_at = time.monotonic()
    assert while_down["queued"] > 0, f"the run was over before Redis stopped: {while_down}"
    assert not while_down["failed"]
    # The worker reconnects by itself; the messages are gone, so nothing more is sent…
    wait_until(lambda: portal.said("worker", "Connected to redis") > connected, 30, "the worker to reconnect")
    reconnected_at = time.monotonic()
    time.sleep(1)
    assert _reminders(portal, day)["queued"] == while_down["queued"]
    # …until the day's next run, which queues again what is recorded and not sent. Beat runs it again later in the
    # day (it is safe to run any number of times), so the run a broker outage cut short is completed that day.
    hours = settings.CELERY_BEAT_SCHEDULE["daily-reminders"]["schedule"].hour
    assert len(hours) > 1, f"beat runs the day's reminders at {sorted(hours)} h only: what Redis lost waits for the ISU"
    _send_task(portal, "deadlines.tasks.run_daily_reminders", day)
    wait_until(lambda: not _reminders(portal, day)["queued"], 60, f"the rest to go out ({_reminders(portal, day)})")
    done_at = time.monotonic()
    statuses = _check_each_sent_once(portal, day, earlier)
    assert statuses["sent"] + statuses["sending"] >= many_focal_points * 3 // 4  # the States Parties among the 60
    print(
        f"\n[reminders, Redis stopped] stopped {stopped_at - started:.1f} s after the run was sent; while down:"
        f" {dict(while_down)}; Redis back after {back_at - stopped_at:.1f} s, the worker reconnected"
        f" {reconnected_at - back_at:.1f} s later; the day's next run done {done_at - back_at:.1f} s after Redis was"
        f" back: {dict(statuses)}"
    )


# --- 4. PostgreSQL restarted while a focal point saves -----------------------------------------------------------
TYPED = "Typed while the database restarted — «ne rien perdre» 42"


def _narrative(portal: Portal, report: int, form: str, key: str) -> str | None:
    (draft,) = portal.query("SELECT draft FROM reporting_report WHERE id = %s", [report])[0]
    return ((draft.get("forms") or {}).get(form, {}).get("narratives") or {}).get(key)


def _typed(browser: Browser, page: Page, text: str) -> tuple[list[tuple[str, str]], str]:
    """The form's fields with ``text`` typed into its first narrative; and that narrative's name."""
    fields = browser.form(page, "revision")
    name = next(n for n, _v in fields if n.startswith("n-"))
    return [(n, text if n == name else v) for n, v in fields], name


def test_a_save_during_a_postgresql_restart_keeps_what_was_typed(portal: Portal):
    """A focal point signs in on the real login page and opens Form A. (a) PostgreSQL restarts while the page
    is open (the server's kept connection is cut): the save succeeds, or comes back 503 with what was typed.
    (b) The save is in flight — waiting for the report's row, locked elsewhere — when PostgreSQL restarts: the
    page comes back 503 with what was typed and "save again"; saving again from that page succeeds. Nothing
    typed is lost. The worker, whose connection was cut as well, makes a PDF afterwards."""
    add_focal_points(portal, ["CHL"], prefix="pg")
    browser = portal.browser()
    browser.sign_in("pg.chl@example.org", DEMO_PASSWORD)
    report = report_started(browser, year=2025)
    url = f"/reporting/{report}/forms/A/"
    page = browser.get(url)
    assert page.status == 200

    # (a) Restarted while the page is open.
    fields, name = _typed(browser, page, TYPED + " (a)")
    key = name.removeprefix("n-")
    portal.pg.restart()
    started = time.monotonic()
    answer = browser.request(url, fields)
    took_a = time.monotonic() - started
    print(f"\n[save, PostgreSQL restarted while the page was open] {answer.status} after {took_a:.2f} s")
    assert answer.status in (302, 503), f"{answer.status}: {answer.body[:3000]}"
    if answer.status == 503:
        assert TYPED + " (a)" in answer.body
        fields = browser.form(answer, "revision")
        answer = browser.request(url, fields)
    assert answer.status == 302, f"{answer.status}: {answer.body[:3000]}"
    assert _narrative(portal, report, "A", key) == TYPED + " (a)"

    # (b) Restarted while the save waits for the report's row.
    page = browser.get(url)
    fields, name = _typed(browser, page, TYPED + " (b)")
    holder = portal.pg.connect(portal.dbname)
    holder.autocommit = False
    holder.execute("SELECT id FROM reporting_report WHERE id = %s FOR UPDATE", [report])
    answers: list[Page] = []
    saving = threading.Thread(target=lambda: answers.append(browser.request(url, fields)))
    saving.start()
    wait_until(
        lambda: portal.query(
            "SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%%reporting_report%%'"
        ),
        20,
        "the save to wait for the report's row",
    )
    restart_started = time.monotonic()
    portal.pg.restart()
    restarted = time.monotonic()
    saving.join(60)
    answered = time.monotonic()
    holder.close()
    (answer,) = answers
    print(
        f"[save, PostgreSQL restarted while the save was in flight] restart took {restarted - restart_started:.2f} s;"
        f" the page answered {answer.status} {answered - restart_started:.2f} s after the restart began"
    )
    assert answer.status == 503, f"{answer.status}: {answer.body[:3000]}"
    assert "save again" in answer.body
    shown = browser.form(answer, "revision")
    assert dict(shown)[name] == TYPED + " (b)", "the page that came back lost what was typed"
    assert _narrative(portal, report, "A", key) == TYPED + " (a)"
    # Saving again, from the page that came back.
    again = browser.request(url, shown)
    assert again.status == 302, f"{again.status}: {again.body[:3000]}"
    assert _narrative(portal, report, "A", key) == TYPED + " (b)"

    # The worker's kept connection was cut too: the next task it runs (the draft's PDF) opens a new one.
    page = browser.get(f"/reporting/{report}/")
    assert browser.request(f"/reporting/{report}/pdf/", browser.csrf(page)).status == 302
    wait_until(lambda: _pdf_row(portal, report)[0] == "ready", 30, "the worker to make a PDF after the restart")
