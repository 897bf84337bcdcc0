"""The ISU's background-work page (/isu/operations/): a failed reminder, a stuck report PDF and a failed dashboard
PDF are listed with their counts, error and a Retry button; Retry queues each again through the service that made
it (the reminder is then sent, the PDFs rendered for real by the in-process Celery of the tests); work being done
right now is listed without Retry and a Retry of it changes nothing; the page's queries do not grow with its rows.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ccm_portal.core import clock, documents
from ccm_portal.core.models import RenderStatus
from ccm_portal.operations import selectors
from deadlines.models import DeadlineKind, Reminder, ReminderStatus
from parties.models import State
from progress import exports as dashboard_exports
from progress.models import Audience, DashboardPdf
from reporting import pdf as report_pdfs
from reporting import services as report_services
from reporting.models import ReportKind, ReportPdf

pytestmark = pytest.mark.django_db

PAGE = "/isu/operations/"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def lao(reference_data):
    return State.objects.get(iso3="LAO")


def make_reminder(lao, focal_point, *, status, n=0, for_day=None, error=""):
    return Reminder.objects.create(
        key=f"LAO:annual_report:2025@2026-04-30|0|{focal_point.pk}|{n}",
        deadline_key="LAO:annual_report:2025",
        deadline_kind=DeadlineKind.ANNUAL_REPORT,
        deadline_date=dt.date(2026, 4, 30),
        state=lao,
        offset_days=-7,
        recipient=focal_point,
        email=focal_point.email,
        status=status,
        for_day=for_day or clock.today(),
        attempts=5 if status == ReminderStatus.FAILED else 1,
        last_error=error,
    )


def draft_pdf(lao, focal_point, year=2025):
    """The PDF of a draft, asked for (its render not run): queued."""
    report = report_services.start_report(state=lao, kind=ReportKind.ANNUAL, period_year=year, actor=focal_point)
    return report_pdfs.ensure_pdf(report=report, requested_by=focal_point)


def stuck(pdf):
    """Queued longer ago than a render may take: lost with its worker."""
    type(pdf).objects.filter(pk=pdf.pk).update(
        requested_at=timezone.now() - documents.STALE_AFTER - dt.timedelta(minutes=1)
    )


def failed_dashboard_pdf(as_of, audience=Audience.ISU):
    pdf = dashboard_exports.ensure(as_of=as_of, audience=audience)
    DashboardPdf.objects.filter(pk=pdf.pk).update(
        status=RenderStatus.FAILED, stage=documents.STAGE_FAILED, error=documents.ERROR_FAILED
    )
    return pdf


@pytest.fixture
def broken(lao, focal_point):
    """A failed reminder, a report PDF stuck in the queue and a failed dashboard PDF; and, being done right now,
    a queued reminder and a queued report PDF."""
    return {
        "reminder": make_reminder(lao, focal_point, status=ReminderStatus.FAILED, error="SMTP 451 mailbox busy"),
        "waiting_reminder": make_reminder(lao, focal_point, status=ReminderStatus.QUEUED, n=1),
        "report_pdf": (pdf := draft_pdf(lao, focal_point), stuck(pdf))[0],
        "waiting_pdf": draft_pdf(lao, focal_point, year=2024),
        "dashboard_pdf": failed_dashboard_pdf(clock.today()),
    }


def test_the_page_lists_failed_and_stuck_work_with_counts_errors_and_retry(client_for, isu_staff, broken):
    response = client_for(isu_staff).get(PAGE)
    assert response.status_code == 200
    page = response.content.decode()
    work = response.context["work"]
    assert work.counts == {"queued": 2, "stuck": 1, "failed": 2}
    sections = {section.key: section for section in work.sections}
    assert [(i.pk, i.condition) for i in sections["reminders"].items] == [
        (broken["reminder"].pk, "failed"),
        (broken["waiting_reminder"].pk, "queued"),
    ]
    assert [(i.pk, i.condition) for i in sections["report_pdfs"].items] == [
        (broken["report_pdf"].pk, "stuck"),
        (broken["waiting_pdf"].pk, "queued"),
    ]
    assert [(i.pk, i.condition) for i in sections["dashboard_pdfs"].items] == [(broken["dashboard_pdf"].pk, "failed")]
    # What, since when, the error; a Retry for each failed or stuck item only.
    assert "SMTP 451 mailbox busy" in page
    assert "The PDF could not be made." in page
    assert "Annual Article 7 report for 2025 — Lao People" in page
    assert page.count('type="submit">Retry<') == 3
    for url in (
        f"/isu/operations/reminders/{broken['reminder'].pk}/retry/",
        f"/isu/operations/report-pdfs/{broken['report_pdf'].pk}/retry/",
        f"/isu/operations/dashboard-pdfs/{broken['dashboard_pdf'].pk}/retry/",
    ):
        assert f'action="{url}"' in page
    assert f"/reminders/{broken['waiting_reminder'].pk}/retry/" not in page
    assert f"/report-pdfs/{broken['waiting_pdf'].pk}/retry/" not in page


def test_retry_sends_the_failed_reminder_again(client_for, isu_staff, broken, django_capture_on_commit_callbacks):
    reminder = broken["reminder"]
    client = client_for(isu_staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/isu/operations/reminders/{reminder.pk}/retry/")
    assert response.status_code == 302 and response["Location"] == PAGE
    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.SENT and reminder.last_error == ""
    assert [message.to for message in mail.outbox] == [[reminder.email]]
    page = client.get(PAGE).content.decode()
    assert "is queued to be sent again" in page
    assert f"/reminders/{reminder.pk}/retry/" not in page


def test_retry_renders_the_stuck_report_pdf_and_the_failed_dashboard_pdf(
    client_for, isu_staff, broken, django_capture_on_commit_callbacks
):
    client = client_for(isu_staff)
    report_pdf, dashboard_pdf = broken["report_pdf"], broken["dashboard_pdf"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/isu/operations/report-pdfs/{report_pdf.pk}/retry/")
        client.post(f"/isu/operations/dashboard-pdfs/{dashboard_pdf.pk}/retry/")
    for pdf in (report_pdf, dashboard_pdf):
        pdf.refresh_from_db()
        assert pdf.status == RenderStatus.READY and pdf.error == ""
        assert documents.has_file(pdf)
        with pdf.file.open("rb") as handle:
            assert handle.read(5) == b"%PDF-"
    sections = {section.key: section for section in client.get(PAGE).context["work"].sections}
    assert sections["report_pdfs"].counts == {"queued": 1, "stuck": 0, "failed": 0}  # the one being made
    assert sections["dashboard_pdfs"].counts == {"queued": 0, "stuck": 0, "failed": 0}


def test_a_retry_queues_the_row_again_for_the_worker(client_for, isu_staff, broken, django_capture_on_commit_callbacks):
    """Without running the render: the row is queued again now, audited as asked by the ISU, one render enqueued."""
    pdf = broken["dashboard_pdf"]
    with django_capture_on_commit_callbacks(execute=False) as enqueued:
        client_for(isu_staff).post(f"/isu/operations/dashboard-pdfs/{pdf.pk}/retry/")
    pdf.refresh_from_db()
    assert pdf.status == RenderStatus.QUEUED and pdf.requested_by == isu_staff and documents.in_flight(pdf)
    assert len(enqueued) == 1


def test_work_in_hand_is_not_retried(client_for, isu_staff, broken, django_capture_on_commit_callbacks):
    client = client_for(isu_staff)
    waiting_pdf, waiting_reminder = broken["waiting_pdf"], broken["waiting_reminder"]
    with django_capture_on_commit_callbacks(execute=False) as enqueued:
        client.post(f"/isu/operations/report-pdfs/{waiting_pdf.pk}/retry/")
        client.post(f"/isu/operations/reminders/{waiting_reminder.pk}/retry/")
    assert enqueued == []
    assert ReportPdf.objects.get(pk=waiting_pdf.pk).requested_at == waiting_pdf.requested_at
    assert Reminder.objects.get(pk=waiting_reminder.pk).status == ReminderStatus.QUEUED
    page = client.get(PAGE).content.decode()
    assert "This PDF is no longer failed or stuck" in page and "This reminder is no longer failed or stuck" in page


def test_stuck_reminders_are_those_being_sent_after_their_day_or_queued_for_over_an_hour(lao, focal_point):
    yesterday = clock.today() - dt.timedelta(days=1)
    sending = make_reminder(lao, focal_point, status=ReminderStatus.SENDING, for_day=yesterday)
    sending_today = make_reminder(lao, focal_point, status=ReminderStatus.SENDING, n=1)
    lost = make_reminder(lao, focal_point, status=ReminderStatus.QUEUED, n=2)
    Reminder.objects.filter(pk=lost.pk).update(created_at=timezone.now() - dt.timedelta(hours=2))
    make_reminder(lao, focal_point, status=ReminderStatus.SENT, n=3)
    section = selectors.background_work().sections[0]
    assert {(i.pk, i.condition) for i in section.items} == {
        (sending.pk, "stuck"),
        (lost.pk, "stuck"),
        (sending_today.pk, "queued"),
    }
    assert set(selectors.retryable_reminders().values_list("pk", flat=True)) == {sending.pk, lost.pk}


def test_the_pages_queries_do_not_grow_with_its_rows(client_for, isu_staff, lao, focal_point):
    client = client_for(isu_staff)
    client.get(PAGE)  # sessions, translations and the like warmed up

    def add(n, start):
        for i in range(start, start + n):
            make_reminder(lao, focal_point, status=ReminderStatus.FAILED, n=i, error="SMTP 550")
            stuck(draft_pdf(lao, focal_point, year=2015 + i))
            failed_dashboard_pdf(clock.today() - dt.timedelta(days=i))

    def queries():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(PAGE)
        assert response.status_code == 200
        return len(captured), response.context["work"].counts

    add(2, 0)
    few, counts = queries()
    assert counts == {"queued": 0, "stuck": 2, "failed": 4}
    add(4, 2)
    many, counts = queries()
    assert counts == {"queued": 0, "stuck": 6, "failed": 12}
    # The session and the user, then two per kind (the counts, then the items listed): eight, however many rows.
    assert few == many == 8


def test_a_reminder_whose_sender_died_today_is_stuck_within_minutes_not_the_next_day(lao, focal_point):
    """A worker killed with a reminder's e-mail in hand leaves it "being sent" (once the batch that takes its
    reminders next reads the mark it left): the ISU sees it stuck once it has been so for longer than a send can
    take, on its own day (it used to show only the next day)."""
    died = make_reminder(lao, focal_point, status=ReminderStatus.QUEUED, n=1, for_day=clock.today())
    sending = make_reminder(lao, focal_point, status=ReminderStatus.QUEUED, n=2, for_day=clock.today())
    from deadlines import services as reminder_services

    # Two batches died, each with one e-mail in hand: 15 minutes ago and just now (deadlines.services: the marks).
    reminder_services._claim([died.pk, sending.pk], "dead")
    in_hand = {died.pk: timezone.now() - dt.timedelta(minutes=15), sending.pk: timezone.now()}
    for pk, since in in_hand.items():
        cache.set(reminder_services._mark_key(pk), (reminder_services.IN_HAND, since), None)
    assert reminder_services.send_reminders(reminder_ids=[died.pk, sending.pk], batch="dead") == 0  # nothing re-sent
    assert set(Reminder.objects.filter(pk__in=in_hand).values_list("status", flat=True)) == {ReminderStatus.SENDING}
    assert set(selectors.retryable_reminders().values_list("pk", flat=True)) == {died.pk}
    assert Reminder.objects.get(pk=sending.pk).claimed_at is not None
