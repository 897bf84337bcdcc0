import datetime as dt

import pytest
from django.core import mail

from accounts.models import Role
from deadlines import services
from deadlines.models import ReminderSettings
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_plain_text_reminders_are_not_html_escaped(django_capture_on_commit_callbacks):
    settings = ReminderSettings.current()
    settings.tracking_starts_on = dt.date(2026, 1, 1)
    settings.save()
    make_user(Role.FOCAL_POINT, iso3="CIV", email="fp.civ@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        services.run_daily_reminders(today=dt.date(2026, 3, 1))
    message = next(m for m in mail.outbox if m.to == ["fp.civ@example.org"])
    assert "Côte d'Ivoire" in message.subject
    assert "Côte d'Ivoire" in message.body
    assert "&#x27;" not in message.body


def test_an_extended_deadline_gets_its_own_reminders(focal_point):
    from deadlines.models import Reminder

    key = "LAO:annual_report:2025"
    services.run_daily_reminders(today=dt.date(2026, 3, 1))
    assert (
        Reminder.objects.filter(deadline_key=key).values_list("key", flat=True).get().startswith(f"{key}@2026-04-30|")
    )


@pytest.mark.parametrize(
    ("language", "due", "english"),
    [("fr", "30 avril 2026", "April"), ("zh-hans", "2026年4月30日", "April"), ("ru", "30 апреля 2026", "April")],
)
def test_a_reminder_is_written_in_its_recipients_language_with_its_dates(
    language, due, english, django_capture_on_commit_callbacks
):
    """Each recipient reads the reminder in their own language, dates included (the e-mails wrote "j F Y" in every
    language: "30 四月 2026" in Chinese)."""
    settings = ReminderSettings.current()
    settings.tracking_starts_on = dt.date(2026, 1, 1)
    settings.save()
    make_user(Role.FOCAL_POINT, iso3="CIV", email="fp.civ@example.org", language=language)
    make_user(Role.FOCAL_POINT, iso3="CIV", email="en.civ@example.org", language="en")
    with django_capture_on_commit_callbacks(execute=True):
        services.run_daily_reminders(today=dt.date(2026, 3, 1))
    message = next(m for m in mail.outbox if m.to == ["fp.civ@example.org"])
    assert due in message.body and english not in message.body
    assert "Dear" not in message.body
    in_english = next(m for m in mail.outbox if m.to == ["en.civ@example.org"])
    assert "30 April 2026" in in_english.body and "Dear" in in_english.body
