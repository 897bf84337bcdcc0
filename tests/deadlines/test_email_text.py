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
