"""In a real browser: ISU staff open the background-work page from the ISU staff page, see a failed reminder and
a failed dashboard PDF with their errors, press Retry on each; the reminder is sent and the PDF made (the tests'
Celery runs in-process, after the commit), and the page says so with its counts down to nothing failed. Nothing
on the page is blocked by the Content-Security-Policy."""

import datetime as dt

import pytest
from django.core import mail

from ccm_portal.core import clock, documents
from ccm_portal.core.models import RenderStatus
from deadlines.models import DeadlineKind, Reminder, ReminderStatus
from parties.models import State
from progress import exports
from progress.models import Audience, DashboardPdf

from .test_report_cycle import sign_in_reviewer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_the_isu_retries_failed_background_work(page, isu_staff, focal_point):
    reminder = Reminder.objects.create(
        key="LAO:annual_report:2025@2026-04-30|-7|browser",
        deadline_key="LAO:annual_report:2025",
        deadline_kind=DeadlineKind.ANNUAL_REPORT,
        deadline_date=dt.date(2026, 4, 30),
        state=State.objects.get(iso3="LAO"),
        offset_days=-7,
        recipient=focal_point,
        email=focal_point.email,
        status=ReminderStatus.FAILED,
        for_day=clock.today(),
        attempts=5,
        last_error="SMTP 451 mailbox busy",
    )
    pdf = exports.ensure(as_of=clock.today(), audience=Audience.ISU)  # in-process Celery: made at once
    DashboardPdf.objects.filter(pk=pdf.pk).update(
        status=RenderStatus.FAILED, stage=documents.STAGE_FAILED, error=documents.ERROR_FAILED
    )

    blocked = []  # what the Content-Security-Policy blocked (Chromium's console), and script errors
    page.on("console", lambda message: "Content Security Policy" in message.text and blocked.append(message.text))
    page.on("pageerror", lambda error: blocked.append(str(error)))
    sign_in_reviewer(page, isu_staff)
    page.goto("/isu/")
    page.get_by_role("link", name="Background work").click()
    page.wait_for_url("**/isu/operations/")
    assert page.locator("[data-count=failed]").inner_text() == "2"
    reminder_row = page.locator(f"[data-item=reminders-{reminder.pk}]")
    assert "SMTP 451 mailbox busy" in reminder_row.inner_text()
    pdf_row = page.locator(f"[data-item=dashboard_pdfs-{pdf.pk}]")
    assert "The PDF could not be made." in pdf_row.inner_text()

    with page.expect_navigation():
        reminder_row.get_by_role("button", name="Retry").click()
    assert "is queued to be sent again" in page.inner_text("main")
    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.SENT and [m.to for m in mail.outbox] == [[focal_point.email]]

    with page.expect_navigation():
        page.locator(f"[data-item=dashboard_pdfs-{pdf.pk}]").get_by_role("button", name="Retry").click()
    assert "The dashboard PDF is queued to be made again." in page.inner_text("main")
    pdf.refresh_from_db()
    assert pdf.status == RenderStatus.READY and documents.has_file(pdf)

    assert page.locator("[data-count=failed]").inner_text() == "0"
    assert page.get_by_role("button", name="Retry").count() == 0
    assert blocked == []
